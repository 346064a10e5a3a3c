"""Voorlichting mails follow the facts: the days really left, no invitations once the session took place."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import Attendance, ReminderLedger, VoorlichtingSession

MONDAY = datetime(2025, 3, 10, 7, 0, tzinfo=clock.AMSTERDAM)
TODAY = MONDAY.date()


def ledger(rule: str) -> list[ReminderLedger]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReminderLedger).where(ReminderLedger.rule == rule)))


def plan_session(world, on, planned_days_ahead: int, **fields) -> VoorlichtingSession:
    """A session on `on`, created `planned_days_ahead` days before it (so its created_at is real)."""
    created = datetime(on.year, on.month, on.day, 9, 0, tzinfo=clock.AMSTERDAM) - timedelta(
        days=planned_days_ahead
    )
    with time_machine.travel(created, tick=False):
        session = VoorlichtingSession(
            organisation_id=world.org.id,
            topic="Werkstress herkennen",
            audience="alle_medewerkers",
            session_date=on,
            organiser_id=world.users["preventiemedewerker"].id,
            **fields,
        )
        db.session.add(session)
        db.session.commit()
    for role, user in world.users.items():
        if role != "preventiemedewerker":
            user.notify_mode = "uit"
    db.session.commit()
    return session


@pytest.mark.parametrize(
    ("days_left", "subject", "first_line"),
    [
        (
            0,
            "Voorlichting vandaag: Werkstress herkennen",
            "Vandaag is de voorlichting 'Werkstress herkennen'.",
        ),
        (1, "Voorlichting morgen: Werkstress herkennen", "Morgen is de voorlichting 'Werkstress herkennen'."),
        (3, "Voorlichting over 3 dagen: Werkstress herkennen", "Over 3 dagen is de voorlichting"),
        (7, "Voorlichting over 7 dagen: Werkstress herkennen", "Over een week is de voorlichting"),
    ],
)
def test_the_organiser_mail_follows_the_days_really_left(world, outbox, days_left, subject, first_line):
    # Planned a month ahead; the scheduler only runs (catching up) with days_left to go.
    plan_session(world, TODAY + timedelta(days=days_left), planned_days_ahead=30)
    with time_machine.travel(MONDAY, tick=False):
        run_reminders()
    [reminder] = ledger("session_7d")
    organiser = world.users["preventiemedewerker"].email
    [message] = [m for m in outbox() if m["To"] == organiser]
    assert message["Subject"] == subject
    body = message.get_content()
    assert first_line in body
    if days_left != 7:
        assert "Over een week" not in body and "over 7 dagen" not in body
    assert reminder.status == "sent"


def test_a_session_planned_less_than_a_week_ahead_gets_no_week_reminder(world, outbox):
    plan_session(world, TODAY + timedelta(days=3), planned_days_ahead=0)
    with time_machine.travel(MONDAY, tick=False):
        run_reminders()
    assert ledger("session_7d") == []
    assert not [m for m in outbox() if m["To"] == world.users["preventiemedewerker"].email]
    # The audience is still invited.
    assert {r.recipient_employee_id for r in ledger("session_invitation")} == {
        e.id for e in world.employees if e.email
    }


def test_no_invitations_after_attendance_is_recorded(world, outbox):
    session = plan_session(world, TODAY, planned_days_ahead=30)
    db.session.add(
        Attendance(
            organisation_id=world.org.id,
            session_id=session.id,
            employee_id=world.employees[0].id,
            status="aanwezig",
        )
    )
    db.session.commit()
    with time_machine.travel(MONDAY, tick=False):
        run_reminders()
    assert ledger("session_invitation") == []
    assert ledger("session_7d") == []
    assert outbox() == []


def test_someone_already_excused_is_not_invited(world, outbox):
    session = plan_session(world, TODAY + timedelta(days=5), planned_days_ahead=30)
    excused = world.employees[0]
    db.session.add(
        Attendance(
            organisation_id=world.org.id, session_id=session.id, employee_id=excused.id, status="afgemeld"
        )
    )
    db.session.commit()
    with time_machine.travel(MONDAY, tick=False):
        run_reminders()
    invited = {r.recipient_employee_id for r in ledger("session_invitation")}
    assert excused.id not in invited
    assert invited == {e.id for e in world.employees[1:] if e.email}
    assert excused.email not in {m["To"] for m in outbox()}


def test_no_invitations_after_the_session_date(world, outbox):
    plan_session(world, TODAY - timedelta(days=1), planned_days_ahead=30)
    with time_machine.travel(MONDAY, tick=False):
        run_reminders()
    assert ledger("session_invitation") == [] and ledger("session_7d") == []
    assert outbox() == []
