"""Two transactions creating risks at the same moment on PostgreSQL get different numbers.

Each worker runs in its own thread with its own app context (own session and connection); a
barrier releases both together. The counter UPDATE ... RETURNING locks the organisation's row
until commit, so the second worker waits and continues after the first one's numbers.
"""

import threading

import pytest
from sqlalchemy import select, text

from riecycle import create_app
from riecycle.extensions import db
from riecycle.models import Organisation, Risk
from riecycle.services import risks as risk_service
from tests.factories import build_world


@pytest.fixture(scope="module")
def pg_app(pg_cluster, tmp_path_factory):
    url = pg_cluster.create_database("references_race")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path_factory.mktemp("references-instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_world()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_concurrent_creations_never_share_a_number(pg_app):
    barrier = threading.Barrier(2)
    errors: list = []

    def work(name: str):
        try:
            with pg_app.app_context():
                org = db.session.scalar(select(Organisation).where(Organisation.slug == "acme"))
                barrier.wait()
                for i in range(10):
                    risk_service.create_risk(
                        org, {"title": f"{name} {i}", "description": "x", "theme_key": "werkdruk"}
                    )
                    db.session.execute(text("SELECT pg_sleep(0.01)"))
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with pg_app.app_context():
        numbers = sorted(
            db.session.scalars(select(Risk.number).join(Organisation).where(Organisation.slug == "acme"))
        )
        org = db.session.scalar(select(Organisation).where(Organisation.slug == "acme"))
        assert numbers == list(range(1, 21))
        assert org.last_risk_number == 20
        db.session.remove()
