"""The secret iCalendar feed and the session .ics files, parsed with the icalendar library."""

from datetime import date, datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, User, VoorlichtingSession


def _seed(world):
    today = clock.today()
    user = world.users["preventiemedewerker"]
    measure = Measure(
        organisation_id=world.org.id,
        title="Pauzes bewaken",
        level="organisatie",
        approach="rust_en_herstel",
        responsible_id=user.id,
        termijn=today + timedelta(days=20),
    )
    done = Measure(
        organisation_id=world.org.id,
        title="Al klaar",
        level="organisatie",
        approach="bronaanpak",
        responsible_id=user.id,
        termijn=today + timedelta(days=5),
        status="uitgevoerd",
    )
    someone_else = Measure(
        organisation_id=world.org.id,
        title="Van een ander",
        level="organisatie",
        approach="bronaanpak",
        responsible_id=world.users["beheerder"].id,
        termijn=today + timedelta(days=5),
    )
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Werkstress",
        audience="alle_medewerkers",
        session_date=today + timedelta(days=10),
        start_time=time(14, 0),
        end_time=time(15, 30),
        location="Aula",
        organiser_id=user.id,
    )
    evaluation = Evaluation(
        organisation_id=world.org.id,
        kind="thema",
        theme_key="werkdruk",
        planned_on=today + timedelta(days=30),
        responsible_id=user.id,
    )
    other_tenant = VoorlichtingSession(
        organisation_id=world.other_org.id,
        topic="Elders",
        audience="alle_medewerkers",
        session_date=today + timedelta(days=3),
        organiser_id=user.id,
    )
    db.session.add_all([measure, done, someone_else, session, evaluation, other_tenant])
    db.session.commit()
    return user, measure, session, evaluation


def _events(data: bytes) -> dict:
    cal = Calendar.from_ical(data)
    assert str(cal["version"]) == "2.0" and "riecycle" in str(cal["prodid"])
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_feed_lists_termijnen_sessions_and_evaluations(world, client):
    user, measure, session, evaluation = _seed(world)
    response = client.get(f"/agenda/{user.calendar_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = _events(response.data)
    assert set(events) == {
        f"riecycle-measure-{measure.id}@localhost",
        f"riecycle-session-{session.id}@localhost",
        f"riecycle-evaluation-{evaluation.id}@localhost",
    }
    termijn = events[f"riecycle-measure-{measure.id}@localhost"]
    assert termijn.decoded("dtstart") == measure.termijn and "Pauzes bewaken" in str(termijn["summary"])
    assert str(termijn["url"]).endswith(f"/o/acme/plan/{measure.id}")
    timed = events[f"riecycle-session-{session.id}@localhost"]
    assert timed.decoded("dtstart") == datetime.combine(session.session_date, time(14, 0), clock.AMSTERDAM)
    assert timed.decoded("dtend") == datetime.combine(session.session_date, time(15, 30), clock.AMSTERDAM)
    assert timed["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert Calendar.from_ical(response.data).walk("VTIMEZONE")
    assert (
        events[f"riecycle-evaluation-{evaluation.id}@localhost"].decoded("dtstart") == evaluation.planned_on
    )


def test_uids_are_stable_between_fetches(world, client):
    user, *_ = _seed(world)
    first = set(_events(client.get(f"/agenda/{user.calendar_token}.ics").data))
    second = set(_events(client.get(f"/agenda/{user.calendar_token}.ics").data))
    assert first == second and len(first) == 3


def test_employee_users_see_sessions_they_are_invited_to(world, client):
    _seed(world)
    employee = world.employees[0]
    from riecycle.services import accounts

    user = accounts.create_user(employee.email, employee.name, "een-lang-wachtwoord")
    accounts.add_membership(world.org, user, "or_lid")
    db.session.commit()
    events = _events(client.get(f"/agenda/{user.calendar_token}.ics").data)
    assert [str(e["summary"]) for e in events.values()] == ["Voorlichting: Werkstress"]


def test_unknown_or_regenerated_token_is_404(world, client_as, client):
    user, *_ = _seed(world)
    old = user.calendar_token
    assert client.get("/agenda/niet-geldig.ics").status_code == 404
    assert client.get(f"/agenda/{'x' * 200}.ics").status_code == 404
    web = client_as("preventiemedewerker")
    assert old in web.get("/account/").get_data(as_text=True)
    assert web.post("/account/agenda/nieuw-adres").status_code == 302
    db.session.expire_all()
    new = db.session.get(User, user.id).calendar_token
    assert new != old
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    assert client.get(f"/agenda/{new}.ics").status_code == 200


def test_inactive_user_feed_is_gone(world, client):
    user, *_ = _seed(world)
    user.active = False
    db.session.commit()
    assert client.get(f"/agenda/{user.calendar_token}.ics").status_code == 404


def test_all_day_session_ics(world, client_as):
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Hele dag",
        audience="alle_medewerkers",
        session_date=date(2031, 2, 3),
        online_link="https://meet.example/abc",
    )
    db.session.add(session)
    db.session.commit()
    data = client_as("auditor").get(f"/o/acme/voorlichting/{session.id}/agenda.ics").data
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("dtstart") == date(2031, 2, 3) and event.decoded("dtend") == date(2031, 2, 4)
    assert "meet.example" in str(event["location"])
    assert db.session.scalar(select(VoorlichtingSession.id)) == session.id
