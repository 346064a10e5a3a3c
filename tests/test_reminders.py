"""The reminder engine: every rule, exactly once, catch-up, a killed pass, digest, SMTP, CLI."""

import smtplib
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import func, select, update

from riecycle import clock, mail
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import (
    Approval,
    Attendance,
    Employee,
    Evaluation,
    Measure,
    Notification,
    ReminderLedger,
    Rie,
    User,
    VoorlichtingSession,
)

MONDAY = datetime(2025, 3, 10, 7, 0, tzinfo=clock.AMSTERDAM)
TODAY = MONDAY.date()


@pytest.fixture
def frozen():
    """Time frozen on Monday 10 March 2025, 07:00 Amsterdam; .move_to() to travel."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.AMSTERDAM)


def measure(world, termijn: date, role: str = "preventiemedewerker", **fields) -> Measure:
    values = {
        "title": f"Maatregel {termijn.isoformat()}",
        "level": "organisatie",
        "approach": "bronaanpak",
        "responsible_id": world.users[role].id,
        "termijn": termijn,
        "status": "gepland",
    } | fields
    m = Measure(organisation_id=world.org.id, **values)
    db.session.add(m)
    db.session.commit()
    return m


def ledger(rule: str | None = None) -> list[ReminderLedger]:
    db.session.expire_all()
    stmt = select(ReminderLedger).order_by(ReminderLedger.id)
    if rule:
        stmt = stmt.where(ReminderLedger.rule == rule)
    return list(db.session.scalars(stmt))


def notifications(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def mute_everyone_but(world, *roles):
    """Other users get in-app notifications only, so mail counts stay readable."""
    for role, user in world.users.items():
        if role not in roles:
            user.notify_mode = "uit"
    db.session.commit()


# --- rules ---------------------------------------------------------------------


def test_termijn_14_days_then_1_day(world, frozen, outbox):
    m = measure(world, TODAY + timedelta(days=14))
    run_reminders()
    rows = ledger()
    assert [(r.rule, r.due_date, r.recipient_user_id) for r in rows] == [
        ("measure_termijn_14d", TODAY, world.users["preventiemedewerker"].id)
    ]
    assert rows[0].status == "sent" and rows[0].channel == "mail"
    [message] = outbox()
    assert message["To"] == world.users["preventiemedewerker"].email
    assert "Termijn over 14 dagen" in message["Subject"]
    assert m.reference in message["Subject"], "the measure's permanent reference"
    assert f"http://localhost/o/acme/plan/{m.id}" in message.get_content()
    frozen.move_to(at(TODAY + timedelta(days=5)))
    run_reminders()
    assert len(ledger()) == 1
    frozen.move_to(at(TODAY + timedelta(days=13)))
    run_reminders()
    assert [r.rule for r in ledger()] == ["measure_termijn_14d", "measure_termijn_1d"]
    assert len(outbox()) == 2
    assert len(notifications(world.users["preventiemedewerker"])) == 2


def test_closed_or_deleted_measures_get_no_termijn_reminder(world, frozen):
    measure(world, TODAY + timedelta(days=14), status="uitgevoerd", completed_on=TODAY)
    measure(world, TODAY + timedelta(days=1), deleted_at=clock.now())
    run_reminders()
    assert ledger() == []


def test_overdue_weekly_up_to_the_limit(world, frozen, outbox):
    m = measure(world, TODAY - timedelta(days=1))
    for day in range(60):
        frozen.move_to(at(TODAY + timedelta(days=day)))
        run_reminders()
    rows = ledger("measure_overdue")
    assert [r.due_date for r in rows] == [m.termijn + timedelta(days=1 + 7 * k) for k in range(6)]
    assert all(r.object_id == m.id for r in rows)
    assert "herinnering 6 van 6" in rows[-1].body


def test_overdue_stops_when_the_measure_is_done(world, frozen):
    m = measure(world, TODAY - timedelta(days=1))
    run_reminders()
    m.status, m.completed_on = "uitgevoerd", TODAY
    db.session.commit()
    frozen.move_to(at(TODAY + timedelta(days=7)))
    run_reminders()
    assert len(ledger("measure_overdue")) == 1


def test_session_seven_days_ahead_organiser_and_invitations(world, frozen, outbox):
    mute_everyone_but(world, "preventiemedewerker")
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Werkstress herkennen",
        audience="teams",
        session_date=TODAY + timedelta(days=7),
        start_time=datetime(2025, 1, 1, 15, 30).time(),
        location="Kantine",
        organiser_id=world.users["preventiemedewerker"].id,
    )
    session.teams = [world.teams["Zorgteam Noord"]]
    db.session.add(session)
    db.session.commit()
    run_reminders()
    assert len(ledger("session_7d")) == 1
    invitations = ledger("session_invitation")
    noord = {e.email for e in world.employees if e.team_id == world.teams["Zorgteam Noord"].id}
    assert {r.recipient_email for r in invitations} == noord and len(noord) == 3
    messages = outbox()
    assert len(messages) == 4
    invitation = next(m for m in messages if m["To"] in noord)
    assert invitation["Subject"] == "Uitnodiging: Werkstress herkennen"
    [ics] = [part for part in invitation.iter_attachments() if part.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2025, 3, 17, 15, 30, tzinfo=clock.AMSTERDAM)
    assert str(event["uid"]).startswith(f"riecycle-session-{session.id}@")
    run_reminders()
    assert len(outbox()) == 4


def test_invitation_skips_employees_without_email_and_leavers(world, frozen):
    mute_everyone_but(world)
    world.employees[0].email = None
    world.employees[1].end_date = TODAY
    db.session.add(
        VoorlichtingSession(
            organisation_id=world.org.id,
            topic="Jaarlijks",
            audience="alle_medewerkers",
            session_date=TODAY + timedelta(days=3),
        )
    )
    db.session.commit()
    run_reminders()
    recipients = {r.recipient_employee_id for r in ledger("session_invitation")}
    assert recipients == {e.id for e in world.employees[2:]}


def test_evaluation_due(world, frozen, outbox):
    evaluation = Evaluation(
        organisation_id=world.org.id,
        kind="thema",
        theme_key="werkdruk",
        planned_on=TODAY,
        method="groepsgesprek",
        responsible_id=world.users["beheerder"].id,
    )
    db.session.add(evaluation)
    db.session.commit()
    run_reminders()
    [row] = ledger("evaluation_due")
    assert row.recipient_user_id == world.users["beheerder"].id and row.object_id == evaluation.id
    assert f"/o/acme/evaluatie/{evaluation.id}" in outbox()[0].get_content()


def test_rie_review_within_90_days(world, frozen):
    rie = Rie(
        organisation_id=world.org.id,
        is_current=True,
        performed_on=date(2022, 5, 1),
        review_interval_months=36,
    )  # review on 1 May 2025: 52 days away
    old = Rie(organisation_id=world.org.id, is_current=False, performed_on=date(2022, 4, 1))
    db.session.add_all([rie, old])
    db.session.commit()
    run_reminders()
    rows = ledger("rie_review")
    assert {r.recipient_user_id for r in rows} == {
        world.users["beheerder"].id,
        world.users["preventiemedewerker"].id,
    }
    assert {r.object_id for r in rows} == {rie.id} and rows[0].due_date == date(2025, 1, 31)


def test_rie_review_far_away_is_silent(world, frozen):
    db.session.add(Rie(organisation_id=world.org.id, is_current=True, performed_on=date(2024, 1, 1)))
    db.session.commit()
    run_reminders()
    assert ledger("rie_review") == []


def test_yearly_pva_review(world, frozen):
    world.org.pva_review_month = 3
    db.session.commit()
    run_reminders()
    rows = ledger("pva_review")
    assert len(rows) == 2 and rows[0].due_date == date(2025, 3, 1)
    frozen.move_to(at(date(2025, 4, 10)))
    run_reminders()
    assert len(ledger("pva_review")) == 2


def test_or_decision_pending_more_than_30_days(world, frozen):
    pending = Approval(
        organisation_id=world.org.id,
        subject_type="rie",
        subject_id=1,
        submitted_on=TODAY - timedelta(days=31),
        submitted_by_id=world.users["preventiemedewerker"].id,
    )
    recent = Approval(
        organisation_id=world.org.id,
        subject_type="rie",
        subject_id=2,
        submitted_on=TODAY - timedelta(days=30),
    )
    decided = Approval(
        organisation_id=world.org.id,
        subject_type="rie",
        subject_id=3,
        decision="verleend",
        decided_on=TODAY,
        submitted_on=TODAY - timedelta(days=40),
    )
    db.session.add_all([pending, recent, decided])
    db.session.commit()
    run_reminders()
    rows = ledger("or_pending")
    assert {r.object_id for r in rows} == {pending.id}
    assert {r.recipient_user_id for r in rows} == {
        world.users["preventiemedewerker"].id,
        world.users["or_lid"].id,
    }


def test_newcomer_without_voorlichting(world, frozen):
    noord = world.teams["Zorgteam Noord"]
    starter = Employee(
        organisation_id=world.org.id,
        name="Nieuwe Noa",
        team_id=noord.id,
        start_date=TODAY - timedelta(weeks=8),
    )
    informed = Employee(
        organisation_id=world.org.id,
        name="Nieuwe Nick",
        team_id=noord.id,
        start_date=TODAY - timedelta(weeks=8),
    )
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Welkom",
        audience="nieuwe_medewerkers",
        session_date=TODAY - timedelta(weeks=2),
        recurrence="nieuwkomers",
    )
    db.session.add_all([starter, informed, session])
    db.session.flush()
    db.session.add(
        Attendance(
            organisation_id=world.org.id, session_id=session.id, employee_id=informed.id, status="aanwezig"
        )
    )
    db.session.commit()
    run_reminders()
    rows = ledger("newcomer_no_voorlichting")
    assert {r.object_id for r in rows} == {starter.id}
    assert {r.recipient_user_id for r in rows} == {
        world.users["leidinggevende"].id,
        world.users["preventiemedewerker"].id,
    }


def test_inactive_users_and_other_tenants_get_nothing(world, frozen):
    world.users["preventiemedewerker"].active = False
    db.session.commit()
    measure(world, TODAY + timedelta(days=1))
    run_reminders()
    assert ledger() == []


# --- exactly once, catch-up, killed pass -------------------------------------------


def test_running_twice_sends_nothing_twice(world, frozen, outbox):
    measure(world, TODAY + timedelta(days=14))
    measure(world, TODAY - timedelta(days=1))
    first = run_reminders()
    second = run_reminders()
    assert first.mailed == 2 and second.mailed == 0 and second.claimed == 0
    assert len(outbox()) == 2


def test_catch_up_after_three_days_of_downtime(world, frozen, outbox):
    run_reminders()
    due_in_gap = [measure(world, TODAY + timedelta(days=14 + d)) for d in (1, 2, 3)]
    db.session.add(
        Evaluation(
            organisation_id=world.org.id,
            kind="thema",
            theme_key="werkdruk",
            planned_on=TODAY + timedelta(days=2),
            responsible_id=world.users["beheerder"].id,
        )
    )
    db.session.commit()
    frozen.move_to(at(TODAY + timedelta(days=4)))  # no passes on day 1, 2 and 3
    report = run_reminders()
    assert report.mailed == 4
    assert sorted(r.due_date for r in ledger("measure_termijn_14d")) == [
        m.termijn - timedelta(days=14) for m in due_in_gap
    ]
    frozen.move_to(at(TODAY + timedelta(days=5)))
    assert run_reminders().mailed == 0
    assert len(outbox()) == 4


class Killed(BaseException):
    """Stands in for SIGKILL: nothing in the pass may catch it."""


def test_killed_pass_is_resumed_without_duplicates(world, frozen, outbox, monkeypatch):
    for d in range(5):
        measure(world, TODAY + timedelta(days=14), title=f"Termijn {d}")
    real_send, sent = mail.send, []

    def dying_send(message):
        if len(sent) == 2:
            raise Killed()
        real_send(message)
        sent.append(message["Subject"])

    monkeypatch.setattr(mail, "send", dying_send)
    with pytest.raises(Killed):
        run_reminders()
    monkeypatch.setattr(mail, "send", real_send)
    assert [r.status for r in ledger()] == ["sent", "sent", "claimed"]
    # A pass right away leaves the claim alone (its owner could still be sending) ...
    run_reminders()
    assert Counter(r.status for r in ledger()) == {"sent": 4, "claimed": 1}
    # ... and a pass after the retry delay sends it.
    frozen.shift(timedelta(minutes=6))
    report = run_reminders()
    assert report.retried == 1
    assert [r.status for r in ledger()] == ["sent"] * 5
    subjects = [m["Subject"] for m in outbox()]
    assert len(subjects) == 5 and len(set(subjects)) == 5


def test_a_failing_claim_after_a_send_still_commits_the_sent_mark(world, frozen, outbox, monkeypatch):
    from riecycle.services import reminders

    measure(world, TODAY + timedelta(days=14), title="Eerste")
    measure(world, TODAY + timedelta(days=14), title="Tweede")
    real_insert, calls = reminders._insert, []

    def insert_then_fail(values):
        calls.append(values["subject"])
        if len(calls) == 2:
            raise RuntimeError("database hiccup")
        return real_insert(values)

    monkeypatch.setattr(reminders, "_insert", insert_then_fail)
    report = run_reminders()  # the failing claim is reported, and the pass goes on
    assert any("database hiccup" in error for error in report.errors)
    [row] = ledger()
    assert row.status == "sent" and row.subject == calls[0]  # mailed, so never sent again
    assert len(outbox()) == 1
    monkeypatch.setattr(reminders, "_insert", real_insert)
    run_reminders()  # the next pass claims and sends the other one
    assert [r.status for r in ledger()] == ["sent", "sent"] and len(outbox()) == 2


def test_smtp_failure_is_retried_then_marked_failed(world, frozen, app, monkeypatch):
    measure(world, TODAY + timedelta(days=14))

    def refuse(message):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mail, "send", refuse)
    report = run_reminders()
    assert report.failed == 1 and ledger()[0].status == "claimed" and "smtp down" in ledger()[0].last_error
    for _ in range(4):
        frozen.shift(timedelta(minutes=10))
        run_reminders()
    assert ledger()[0].status == "failed" and ledger()[0].attempts == 5
    assert len(notifications(world.users["preventiemedewerker"])) == 1


# --- delivery --------------------------------------------------------------------


def test_real_smtp_delivery_in_the_users_language(world, frozen, smtp):
    user = world.users["preventiemedewerker"]
    user.locale = "en"
    m = measure(world, date(2025, 3, 24))
    run_reminders()
    [message] = smtp.wait_for(1)
    assert message["To"] == user.email
    body = message.get_content()
    assert "24 March 2025" in body  # the user's language, day before month
    assert f"http://localhost/o/acme/plan/{m.id}" in body
    assert smtp.envelopes[0].rcpt_tos == [user.email]


def test_one_smtp_connection_per_pass_and_a_fresh_one_after_an_error(world, frozen, smtp, monkeypatch):
    for d in range(5):
        measure(world, TODAY + timedelta(days=14), title=f"Termijn {d}")
    connects, real_connect = [], smtplib.SMTP.connect
    real_send, calls = smtplib.SMTP.send_message, []

    def connect(self, *args, **kwargs):
        connects.append(args)
        return real_connect(self, *args, **kwargs)

    def send_message(self, msg, *args, **kwargs):
        calls.append(msg["Subject"])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return real_send(self, msg, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", connect)
    monkeypatch.setattr(smtplib.SMTP, "send_message", send_message)
    report = run_reminders()
    assert report.mailed == 4 and report.failed == 1
    assert len(smtp.wait_for(4)) == 4
    assert len(connects) == 2  # one for the pass, one more after the dropped connection
    assert Counter(r.status for r in ledger()) == {"sent": 4, "claimed": 1}


def test_modes_direct_digest_and_off(world, frozen, outbox):
    world.users["beheerder"].notify_mode = "uit"
    world.users["preventiemedewerker"].notify_mode = "digest"
    db.session.commit()
    measure(world, TODAY + timedelta(days=14), role="beheerder")
    measure(world, TODAY + timedelta(days=14), role="preventiemedewerker", title="Digestmaatregel")
    run_reminders()
    assert outbox() == []
    assert {r.channel for r in ledger()} == {"app", "digest"}
    assert all(r.status == "sent" for r in ledger())
    assert len(notifications(world.users["beheerder"])) == 1
    assert notifications(world.users["preventiemedewerker"])[0].in_digest


def test_weekly_digest_is_one_mail_listing_the_items(world, outbox):
    mute_everyone_but(world, "preventiemedewerker")
    user = world.users["preventiemedewerker"]
    user.notify_mode = "digest"
    db.session.commit()
    wednesday = date(2025, 3, 12)
    with time_machine.travel(at(wednesday), tick=False) as traveller:
        measure(world, wednesday + timedelta(days=14), title="Eerste punt")
        run_reminders()
        traveller.move_to(at(wednesday + timedelta(days=1)))
        measure(world, wednesday + timedelta(days=15), title="Tweede punt")
        run_reminders()
        assert outbox() == []
        next_monday = date(2025, 3, 17)
        traveller.move_to(at(next_monday))
        measure(world, next_monday + timedelta(days=14), title="Maandagpunt")
        run_reminders()
        run_reminders()
        [digest] = outbox()
        assert digest["To"] == user.email and "2 herinneringen" in digest["Subject"]
        body = digest.get_content()
        assert "Eerste punt" in body and "Tweede punt" in body and "Maandagpunt" not in body
        assert "http://localhost/o/acme/plan/" in body
        [row] = ledger("weekly_digest")
        assert row.due_date == next_monday and row.status == "sent"
        traveller.move_to(at(next_monday + timedelta(days=3)))
        run_reminders()
        assert len(outbox()) == 1
        traveller.move_to(at(next_monday + timedelta(days=7)))
        run_reminders()
        assert len(outbox()) == 2 and "Maandagpunt" in outbox()[1].get_content()


def test_weekly_digest_masks_a_measure_that_became_individual(world, outbox):
    """Masking is decided when the digest is written, from the measure's current state."""
    mute_everyone_but(world, "or_lid")
    user = world.users["or_lid"]
    user.notify_mode = "digest"
    db.session.commit()
    wednesday = date(2025, 3, 12)
    with time_machine.travel(at(wednesday), tick=False) as traveller:
        m = measure(
            world, wednesday + timedelta(days=14), role="or_lid", title="Gesprek over mantelzorg Jansen"
        )
        run_reminders()
        # An older record: the measure became individual after the notification was queued.
        db.session.execute(
            update(Measure)
            .where(Measure.id == m.id)
            .values(level="individu", employee_id=world.employees[0].id)
        )
        db.session.commit()
        traveller.move_to(at(date(2025, 3, 17)))
        run_reminders()
        [digest] = outbox()
        body = digest.get_content()
        assert "Gesprek over mantelzorg Jansen" not in body
        assert "individuele maatregel" in body


def test_notifications_page_header_count_and_mark_read(world, frozen, client_as):
    measure(world, TODAY + timedelta(days=14), role="beheerder")
    measure(world, TODAY + timedelta(days=1), role="beheerder")
    run_reminders()
    client = client_as("beheerder")
    page = client.get("/o/acme/").get_data(as_text=True)
    assert 'class="badge-count"' in page and ">2</span>" in page
    listing = client.get("/meldingen/").get_data(as_text=True)
    assert "Termijn over 14 dagen" in listing and "Termijn morgen" in listing
    first = notifications(world.users["beheerder"])[0]
    response = client.get(f"/meldingen/{first.id}")
    # The notification leads to the measure its own reminder is about.
    about = db.session.get(ReminderLedger, first.ledger_id).object_id
    assert response.status_code == 302 and response.location.endswith(f"/o/acme/plan/{about}")
    assert client.post("/meldingen/alles-gelezen").status_code == 302
    assert all(n.read_at for n in notifications(world.users["beheerder"]))
    assert 'class="badge-count"' not in client.get("/o/acme/").get_data(as_text=True)
    assert client_as("or_lid").get(f"/meldingen/{first.id}").status_code == 404


def test_reminder_log_lists_the_ledger(world, frozen, client_as):
    measure(world, TODAY + timedelta(days=14))
    run_reminders()
    page = client_as("auditor").get("/o/acme/herinneringen/").get_data(as_text=True)
    assert "Termijn over 14 dagen" in page and "Verzonden" in page
    assert client_as("or_lid").get("/o/acme/herinneringen/").status_code == 403


def test_cli_run_with_now(world, app, outbox):
    measure(world, date(2025, 6, 15))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "run", "--now", "2025-06-01T07:00"])
    assert result.exit_code == 0, result.output
    assert "verzonden: measure_termijn_14d" in result.output and "1 e-mails verzonden" in result.output
    again = runner.invoke(args=["reminders", "run", "--now", "2025-06-01T08:00"])
    assert "0 e-mails verzonden" in again.output
    bad = runner.invoke(args=["reminders", "run", "--now", "gisteren"])
    assert bad.exit_code != 0 and "ISO" in bad.output


def test_scheduler_job_is_daily_at_seven_amsterdam(app):
    from riecycle.jobs import DAILY_REMINDERS_JOB_ID, REPORT_QUEUE_JOB_ID
    from riecycle.scheduler import build_scheduler

    scheduler = build_scheduler(app, catch_up=False)
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {DAILY_REMINDERS_JOB_ID, REPORT_QUEUE_JOB_ID}  # and the report queue
    job = jobs[DAILY_REMINDERS_JOB_ID]
    assert job.id == DAILY_REMINDERS_JOB_ID and job.coalesce and job.max_instances == 1
    assert job.misfire_grace_time >= 3600
    fire = job.trigger.get_next_fire_time(None, datetime(2025, 3, 10, 8, 0, tzinfo=clock.AMSTERDAM))
    assert fire == datetime(2025, 3, 11, 7, 0, tzinfo=clock.AMSTERDAM)


def test_ledger_key_is_unique_in_the_database(world, frozen):
    measure(world, TODAY + timedelta(days=14))
    run_reminders()
    row = ledger()[0]
    duplicate = ReminderLedger(
        organisation_id=row.organisation_id,
        rule=row.rule,
        object_type=row.object_type,
        object_id=row.object_id,
        due_date=row.due_date,
        recipient_key=row.recipient_key,
        subject="x",
        body="x",
    )
    db.session.add(duplicate)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count(ReminderLedger.id))) == 1
    assert db.session.get(User, world.users["preventiemedewerker"].id) is not None
