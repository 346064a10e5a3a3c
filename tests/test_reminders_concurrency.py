"""Two reminder passes at the same moment on PostgreSQL: every reminder is sent once.

Each pass runs in its own thread with its own app context, so its own SQLAlchemy session and
database connection, against a dedicated database in the test cluster. Delivery goes to a real
SMTP server; a barrier releases both passes together, and a short delay inside every send keeps
them overlapping for the whole run.
"""

import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from riecycle import clock, create_app, mail
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import Measure, Notification, ReminderLedger, VoorlichtingSession
from tests.factories import build_world
from tests.support.smtp import SmtpSink

NOW = datetime(2025, 3, 10, 7, 0, tzinfo=clock.AMSTERDAM)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def pg_app(pg_cluster, tmp_path_factory):
    url = pg_cluster.create_database("reminders_race")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(tmp_path_factory.mktemp("race-instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sink(pg_app):
    server = SmtpSink().start()
    pg_app.config.update(SMTP_HOST=server.host, SMTP_PORT=server.port)
    yield server
    server.stop()


def _seed(app) -> int:
    """A world with many due reminders; returns how many mails one pass should send."""
    with app.app_context():
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        world = build_world()
        for n in range(12):
            db.session.add(
                Measure(
                    organisation_id=world.org.id,
                    title=f"Maatregel {n}",
                    level="organisatie",
                    approach="bronaanpak",
                    responsible_id=world.users["preventiemedewerker" if n % 2 else "beheerder"].id,
                    termijn=TODAY + timedelta(days=14 if n < 6 else -1 - n),
                    status="gepland",
                )
            )
        db.session.add(
            VoorlichtingSession(
                organisation_id=world.org.id,
                topic="Werkdruk",
                audience="alle_medewerkers",
                session_date=TODAY + timedelta(days=7),
                organiser_id=world.users["preventiemedewerker"].id,
            )
        )
        db.session.commit()
        return 12 + 1 + len(world.employees)


def _race(app, passes: int = 2) -> list:
    barrier, errors, reports = threading.Barrier(passes), [], []

    def one_pass():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                reports.append(run_reminders())
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=one_pass) for _ in range(passes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return reports


@pytest.fixture
def slow_send(monkeypatch):
    real_send = mail.send

    def send(message):
        time.sleep(0.02)
        real_send(message)

    monkeypatch.setattr(mail, "send", send)


def test_two_concurrent_passes_send_each_reminder_once(pg_app, sink, slow_send):
    with time_machine.travel(NOW, tick=True):
        expected = _seed(pg_app)
        reports = _race(pg_app)
    sink.wait_for(expected, timeout=20)
    time.sleep(0.3)  # anything extra would have arrived by now
    keys = Counter((m["To"], m["Subject"]) for m in sink.messages)
    assert len(sink.messages) == expected
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    assert sum(r.mailed for r in reports) == expected
    with pg_app.app_context():
        assert db.session.scalar(select(func.count(ReminderLedger.id))) == expected
        assert (
            db.session.scalar(select(func.count(ReminderLedger.id)).where(ReminderLedger.status != "sent"))
            == 0
        )
        assert db.session.scalar(select(func.count(Notification.id))) == 12 + 1


def test_concurrent_retries_of_a_stale_claim_send_once(pg_app, sink):
    with time_machine.travel(NOW, tick=True) as traveller:
        _seed(pg_app)
        with pg_app.app_context():
            run_reminders()
            sent_before = len(sink.wait_for(1))
            # Pretend the pass died after claiming: every row back to claimed.
            db.session.execute(ReminderLedger.__table__.update().values(status="claimed", sent_at=None))
            db.session.commit()
            db.session.remove()
        traveller.shift(timedelta(minutes=10))
        reports = _race(pg_app, passes=3)
    assert sum(r.retried for r in reports) == sent_before
    keys = Counter((m["To"], m["Subject"]) for m in sink.messages)
    assert set(keys.values()) == {2}  # each mail once originally, once by exactly one retrying pass
