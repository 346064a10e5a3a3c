"""The database itself refuses a stored choice outside its enumeration (check constraints)."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from riecycle import create_app
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure
from riecycle.models.measure import MeasureLevel, MeasureStatus
from tests.factories import make_evaluation, make_measure, make_org, make_user


def refused(statement: str, **params) -> bool:
    """Whether the database refuses the statement with an integrity error (nothing is changed)."""
    try:
        with db.engine.begin() as conn:
            conn.execute(text(statement), params)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    ("column", "bad"),
    [("level", "iedereen"), ("status", "klaar"), ("approach", "praten"), ("change_type", "groot")],
)
def test_a_measure_column_refuses_a_value_outside_its_choices(world, column, bad):
    measure = make_measure(world)
    db.session.commit()
    assert refused(f"UPDATE measures SET {column} = :v WHERE id = :id", v=bad, id=measure.id)
    db.session.expire_all()
    kept = db.session.get(Measure, measure.id)
    assert (kept.level, kept.status) == (MeasureLevel.ORGANISATIE, MeasureStatus.GEPLAND)


def test_every_stored_value_is_accepted(world):
    measure = make_measure(world)
    db.session.commit()
    for level in MeasureLevel:
        assert not refused("UPDATE measures SET level = :v WHERE id = :id", v=level, id=measure.id)
    for status in MeasureStatus:
        assert not refused("UPDATE measures SET status = :v WHERE id = :id", v=status, id=measure.id)


def test_a_nullable_choice_takes_null_but_not_a_stray_value(world):
    measure = make_measure(world)
    evaluation = make_evaluation(world, measure)
    db.session.commit()
    assert not refused("UPDATE evaluations SET effect = NULL WHERE id = :id", id=evaluation.id)
    assert refused("UPDATE evaluations SET effect = 'misschien' WHERE id = :id", id=evaluation.id)
    assert refused("UPDATE evaluations SET method = 'telepathie' WHERE id = :id", id=evaluation.id)
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).method != "telepathie"


def test_the_orm_cannot_store_a_stray_role(world):
    user = world.users["auditor"]
    membership = user.memberships[0]
    membership.role = "baas"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_migrated_database_refuses_stray_values(backend, tmp_path, request):
    """The migrations add the same constraints as the models declare."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'checks.sqlite'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("check_constraints")
        request.addfinalizer(lambda: cluster.drop_database("check_constraints"))
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        org = make_org("checks", "Checks")
        user = make_user(org, "beheerder", "checks@example.org")
        db.session.commit()
        assert refused("UPDATE organisations SET risk_method = 'gevoel' WHERE id = :id", id=org.id)
        assert refused("UPDATE memberships SET role = 'baas' WHERE user_id = :id", id=user.id)
        assert refused("UPDATE users SET notify_mode = 'duif' WHERE id = :id", id=user.id)
        assert not refused("UPDATE organisations SET risk_method = 'matrix' WHERE id = :id", id=org.id)
        db.session.remove()
        db.engine.dispose()


def test_every_stored_choice_has_a_dutch_label(app):
    """The select fields and the label filter offer exactly the values the database accepts."""
    from riecycle.labels import LABELS
    from riecycle.models.evaluation import EvaluationMethod
    from riecycle.models.measure import ChangeType, MeasureApproach
    from riecycle.models.rie import Priority, RiskSource, RiskStatus
    from riecycle.models.user import Role

    for kind, enum in {
        "level": MeasureLevel,
        "measure_status": MeasureStatus,
        "approach": MeasureApproach,
        "change_type": ChangeType,
        "priority": Priority,
        "risk_status": RiskStatus,
        "risk_source": RiskSource,
        "role": Role,
        "evaluation_method": EvaluationMethod,
    }.items():
        assert set(LABELS[kind]) - {None} == set(enum), kind
