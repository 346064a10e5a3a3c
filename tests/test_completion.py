"""Measure.first_done_on: the Dutch day a measure was first carried out, kept as its history grows."""

from datetime import UTC, date, datetime

from sqlalchemy import insert

from riecycle import completion
from riecycle.extensions import db
from riecycle.models import Measure, MeasureStatusChange
from riecycle.services import plan as plan_service
from tests.factories import make_measure


def test_the_first_completion_day_is_kept_when_a_measure_is_finished_again(world):
    editor = world.users["preventiemedewerker"]
    measure = make_measure(world)
    db.session.commit()
    plan_service.change_status(measure, editor, "in_uitvoering")
    # 23:30 UTC on 30 April is 1 May in Amsterdam.
    plan_service.change_status(measure, editor, "uitgevoerd", at=datetime(2030, 4, 30, 23, 30, tzinfo=UTC))
    db.session.commit()
    assert db.session.get(Measure, measure.id).first_done_on == date(2030, 5, 1)
    plan_service.change_status(measure, editor, "in_uitvoering", "Nog niet af")
    plan_service.change_status(measure, editor, "uitgevoerd", at=datetime(2030, 6, 10, 9, tzinfo=UTC))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).first_done_on == date(2030, 5, 1)


def test_bulk_history_is_counted_by_recount_organisation(world):
    measure = make_measure(world)
    db.session.commit()
    db.session.execute(
        insert(MeasureStatusChange),
        [
            {
                "organisation_id": world.org.id,
                "measure_id": measure.id,
                "to_status": "uitgevoerd",
                "changed_at": datetime(2031, 1, 5, 10, tzinfo=UTC),
            }
        ],
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).first_done_on is None  # the ORM hook did not see it
    completion.recount_organisation(db.session, world.org.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).first_done_on == date(2031, 1, 5)
