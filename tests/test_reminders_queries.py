"""Query budget of the reminder pass: the same statements for 3 as for 12 organisations, plus
exactly the writes of each new reminder (its claim, its in-app notification, its sent mark) and
of each weekly digest. Also: the audience test in Python agrees with the audience query.
"""

from datetime import date, datetime, timedelta

import time_machine
from sqlalchemy import delete, func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import (
    Approval,
    Employee,
    Evaluation,
    Measure,
    Notification,
    ReminderLedger,
    Rie,
    Team,
    VoorlichtingSession,
)
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts, voorlichting
from tests.factories import make_org
from tests.support.queries import count_queries

WEDNESDAY = date(2025, 3, 5)
MONDAY = date(2025, 3, 10)
# Per digest mail, besides its claim and its sent mark: queue the notifications, read them with
# their ledger rows, read the reader's roles and the measures they are about (masking is decided
# when the digest is written), render.
DIGEST_WRITES = 5


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=clock.AMSTERDAM)


def _user(org, role: str, email: str, **fields):
    user = accounts.create_user(email, email.split("@")[0].title(), **fields)
    accounts.add_membership(org, user, role)
    return user


def _measure(org, responsible, termijn: date) -> Measure:
    return Measure(
        organisation_id=org.id,
        title=f"Maatregel {termijn.isoformat()}",
        level="organisatie",
        approach="bronaanpak",
        responsible_id=responsible.id,
        termijn=termijn,
        status="gepland",
    )


def client_org(n: int, adviser) -> None:
    """One small organisation with something due for every rule, and the adviser as a member."""
    org = make_org(f"klant-{n}", f"Klant {n}", pva_review_month=3)
    beheerder = _user(org, "beheerder", f"beheerder{n}@klant.example")
    prevention = _user(org, "preventiemedewerker", f"preventie{n}@klant.example")
    manager = _user(org, "leidinggevende", f"lg{n}@klant.example", locale="en")
    _user(org, "or_lid", f"or{n}@klant.example", notify_mode="digest")
    accounts.add_membership(org, adviser, "preventiemedewerker")
    team = Team(organisation_id=org.id, name="Team", kind="afdeling", manager_id=manager.id)
    db.session.add(team)
    db.session.flush()
    session = VoorlichtingSession(
        organisation_id=org.id,
        topic="Werkdruk",
        audience="teams",
        session_date=MONDAY + timedelta(days=7),
        organiser_id=prevention.id,
    )
    session.teams = [team]
    db.session.add_all(
        [
            _measure(org, prevention, MONDAY + timedelta(days=14)),
            _measure(org, adviser, MONDAY + timedelta(days=1)),
            _measure(org, beheerder, MONDAY - timedelta(days=1)),
            session,
            *(
                Employee(
                    organisation_id=org.id,
                    name=f"Medewerker {i}",
                    email=f"m{i}.{n}@klant.example",
                    team_id=team.id,
                    start_date=MONDAY - timedelta(weeks=8) if i == 0 else date(2020, 1, 1),
                )
                for i in range(3)
            ),
            Evaluation(organisation_id=org.id, kind="thema", theme_key="werkdruk", planned_on=MONDAY),
            Rie(organisation_id=org.id, is_current=True, performed_on=date(2022, 5, 1)),
            Approval(
                organisation_id=org.id,
                subject_type="rie",
                subject_id=1,
                submitted_on=WEDNESDAY - timedelta(days=31),
                submitted_by_id=beheerder.id,
            ),
        ]
    )


def monday_pass() -> tuple[int, int]:
    """A Wednesday pass (queues digest items), then the counted Monday pass: (statements, writes)."""
    with time_machine.travel(at(WEDNESDAY), tick=False) as traveller:
        run_reminders()
        before = db.session.scalar(select(func.coalesce(func.max(ReminderLedger.id), 0)))
        traveller.move_to(at(MONDAY))
        with count_queries(db.engine) as counter:
            report = run_reminders()
    new = ReminderLedger.id > before
    claims = db.session.scalar(select(func.count(ReminderLedger.id)).where(new))
    notes = db.session.scalar(
        select(func.count(Notification.id))
        .join(ReminderLedger, ReminderLedger.id == Notification.ledger_id)
        .where(new)
    )
    digests = db.session.scalar(
        select(func.count(ReminderLedger.id)).where(new, ReminderLedger.rule == "weekly_digest")
    )
    assert report.claimed == claims and digests > 0 and report.failed == 0
    # Each commit raises the change counters of the organisations it wrote (riecycle/changes.py).
    counters = sum("organisation_changes" in statement for statement in counter.statements)
    return counter.count, claims + notes + report.mailed + DIGEST_WRITES * digests + counters


def test_a_pass_costs_the_same_queries_for_3_and_12_organisations(app, outbox):
    load_taxonomy()
    adviser = accounts.create_user("adviseur@arbo.example", "Adviseur")
    for n in range(3):
        client_org(n, adviser)
    db.session.commit()
    few, few_writes = monday_pass()
    db.session.execute(delete(Notification))
    db.session.execute(delete(ReminderLedger))
    for n in range(3, 12):
        client_org(n, adviser)
    db.session.commit()
    many, many_writes = monday_pass()
    assert many_writes > 3 * few_writes  # four times the organisations, four times the reminders
    assert many - many_writes == few - few_writes
    assert few - few_writes <= 25, few - few_writes


def test_in_audience_agrees_with_the_audience_query(world):
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    day = date(2025, 3, 17)
    people = world.employees
    people[0].is_leidinggevende = True
    people[1].start_date = day - timedelta(weeks=3)
    people[2].start_date = day + timedelta(days=1)
    people[3].end_date = day - timedelta(days=1)
    people[4].deleted_at = clock.now()
    people[5].start_date = None
    sessions = []
    for audience in ("alle_medewerkers", "teams", "leidinggevenden", "nieuwe_medewerkers"):
        session = VoorlichtingSession(
            organisation_id=world.org.id,
            topic=audience,
            audience=audience,
            session_date=day,
            newcomer_weeks=4,
        )
        session.teams = [noord] if audience == "teams" else []
        sessions.append(session)
    db.session.add_all(sessions)
    db.session.commit()
    staff = [*db.session.scalars(select(Employee))]
    for session in sessions:
        team_ids = [t.id for t in session.teams]
        python = {e.id for e in staff if voorlichting.in_audience(session, team_ids, e)}
        assert python == {e.id for e in voorlichting.audience_employees(session)}, session.audience
    assert zuid.id not in {e.team_id for e in staff if voorlichting.in_audience(sessions[1], [noord.id], e)}
