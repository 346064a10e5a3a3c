"""Voorlichting: sessions, audience, the attendance register and the coverage maths."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Attachment, Attendance, Employee, VoorlichtingSession
from riecycle.services import voorlichting as service

TODAY = date(2025, 3, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(date(2025, 3, 10), tick=False):
        yield


def session(world, days_ago: int, **fields) -> VoorlichtingSession:
    values = {
        "topic": f"Sessie {days_ago}",
        "audience": "alle_medewerkers",
        "session_date": TODAY - timedelta(days=days_ago),
    } | fields
    s = VoorlichtingSession(organisation_id=world.org.id, **values)
    db.session.add(s)
    db.session.flush()
    return s


def attend(world, s, employee, status="aanwezig", **fields):
    db.session.add(
        Attendance(
            organisation_id=world.org.id, session_id=s.id, employee_id=employee.id, status=status, **fields
        )
    )
    db.session.flush()


# --- coverage maths -----------------------------------------------------------


def test_coverage_counts_current_staff_present_in_the_last_12_months(world, frozen):
    e = world.employees  # 6 employees, alternating Noord / Zuid
    recent, old, deleted_session = (
        session(world, 30),
        session(world, 400),
        session(world, 10, deleted_at=clock.now()),
    )
    attend(world, recent, e[0])
    attend(world, recent, e[1], "afwezig")  # not present
    attend(world, recent, e[2], "afgemeld")  # not present
    attend(world, old, e[3])  # outside the window
    attend(world, deleted_session, e[4])  # session deleted
    attend(world, recent, e[5], deleted_at=clock.now())  # attendance deleted
    db.session.commit()
    assert service.coverage(world.org) == (1, 6)


def test_coverage_excludes_leavers_deleted_and_future_employees(world, frozen):
    e = world.employees
    s = session(world, 20)
    for employee in e:
        attend(world, s, employee)
    e[0].end_date = TODAY - timedelta(days=1)  # left: not in numerator nor denominator
    e[1].deleted_at = clock.now()  # deleted
    e[2].end_date = TODAY  # leaves today: still staff
    future = Employee(organisation_id=world.org.id, name="Start later", start_date=TODAY + timedelta(days=5))
    no_dates = Employee(organisation_id=world.org.id, name="Zonder datum")
    db.session.add_all([future, no_dates])
    db.session.commit()
    assert service.coverage(world.org) == (4, 5)


def test_coverage_window_edges(world, frozen):
    e = world.employees
    attend(world, session(world, 0), e[0])  # today: inside
    attend(world, session(world, 0, session_date=date(2024, 3, 10)), e[1])  # exactly 12 months ago: outside
    attend(world, session(world, 0, session_date=date(2024, 3, 11)), e[2])  # one day later: inside
    attend(world, session(world, -3), e[3])  # a future session: not yet
    db.session.commit()
    assert service.coverage(world.org) == (2, 6)
    assert service.coverage(world.org, months=24) == (3, 6)


def test_coverage_per_team_and_present_twice_counts_once(world, frozen):
    noord = world.teams["Zorgteam Noord"]
    a, b = session(world, 10), session(world, 50)
    noord_staff = [x for x in world.employees if x.team_id == noord.id]
    attend(world, a, noord_staff[0])
    attend(world, b, noord_staff[0])
    attend(world, a, noord_staff[1])
    db.session.commit()
    assert service.coverage(world.org, team_id=noord.id) == (2, 3)
    assert service.coverage(world.org, team_id=world.teams["Zorgteam Zuid"].id) == (0, 3)
    rows = {team.name: (i, t) for team, i, t in service.team_coverage(world.org)}
    assert rows == {"Zorgteam Noord": (2, 3), "Zorgteam Zuid": (0, 3)}
    assert service.pct(2, 3) == pytest.approx(2 / 3) and service.pct(0, 0) is None


def test_other_tenants_attendance_never_counts(world, frozen):
    other = VoorlichtingSession(
        organisation_id=world.other_org.id,
        topic="Elders",
        audience="alle_medewerkers",
        session_date=TODAY - timedelta(days=5),
    )
    db.session.add(other)
    db.session.flush()
    attend(world, other, world.employees[0])
    db.session.commit()
    assert service.coverage(world.org) == (0, 6)


def test_leidinggevenden_instructed(world, frozen):
    e = world.employees
    e[0].is_leidinggevende = e[1].is_leidinggevende = True
    instructie = session(world, 40, audience="leidinggevenden", is_leidinggevenden_instructie=True)
    gewoon = session(world, 40, topic="Gewoon")
    attend(world, instructie, e[0])
    attend(world, gewoon, e[1])
    db.session.commit()
    assert service.leidinggevenden_instructed(world.org) == (1, 2)


def test_audiences(world, frozen):
    e = world.employees
    e[0].is_leidinggevende = True
    e[1].start_date = TODAY - timedelta(weeks=3)
    db.session.commit()
    noord = world.teams["Zorgteam Noord"]
    teams = session(world, -5, audience="teams")
    teams.teams = [noord]
    assert {x.id for x in service.audience_employees(teams)} == {x.id for x in e if x.team_id == noord.id}
    assert [x.id for x in service.audience_employees(session(world, -5, audience="leidinggevenden"))] == [
        e[0].id
    ]
    newcomers = session(world, -5, audience="nieuwe_medewerkers", newcomer_weeks=8)
    assert [x.id for x in service.audience_employees(newcomers)] == [e[1].id]
    assert len(service.audience_employees(session(world, -5))) == 6


def test_add_months_clamps_month_ends():
    assert service.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert service.add_months(date(2024, 3, 10), -12) == date(2023, 3, 10)
    assert service.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


# --- views -------------------------------------------------------------------------


def test_plan_a_session_through_the_form(world, client_as):
    noord = world.teams["Zorgteam Noord"]
    client = client_as("preventiemedewerker")
    response = client.post(
        "/o/acme/voorlichting/nieuw",
        data={
            "topic": "Werkstress herkennen",
            "audience": "teams",
            "team_ids": [str(noord.id)],
            "session_date": "2031-05-01",
            "start_time": "15:00",
            "end_time": "16:30",
            "location": "Aula",
            "recurrence": "jaarlijks",
            "is_leidinggevenden_instructie": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    s = db.session.scalar(select(VoorlichtingSession))
    assert s.topic == "Werkstress herkennen" and [t.id for t in s.teams] == [noord.id]
    assert s.organiser_id == world.users["preventiemedewerker"].id and s.is_leidinggevenden_instructie
    page = client.get(f"/o/acme/voorlichting/{s.id}").get_data(as_text=True)
    assert "Werkstress herkennen" in page and "Aula" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"topic": "X", "audience": "teams", "session_date": "2031-05-01"},
        {"topic": "X", "audience": "alle_medewerkers", "session_date": "niet-een-datum"},
        {"topic": "X", "audience": "hacker", "session_date": "2031-05-01"},
        {
            "topic": "X",
            "audience": "alle_medewerkers",
            "session_date": "2031-05-01",
            "start_time": "16:00",
            "end_time": "15:00",
        },
        {
            "topic": "X",
            "audience": "alle_medewerkers",
            "session_date": "2031-05-01",
            "online_link": "javascript:alert(1)",
        },
        {"topic": "X", "audience": "teams", "session_date": "2031-05-01", "team_ids": ["99999"]},
        {"topic": "X", "audience": "alle_medewerkers", "session_date": "2031-05-01", "organiser_id": "abc"},
        {"topic": "X" * 500, "audience": "alle_medewerkers", "session_date": "2031-05-01"},
    ],
)
def test_bad_session_input_never_500s_and_changes_nothing(world, client_as, data):
    response = client_as("beheerder").post("/o/acme/voorlichting/nieuw", data=data)
    assert response.status_code in (200, 400)
    assert db.session.scalar(select(VoorlichtingSession)) is None


def test_register_marks_attendance_and_coverage_follows(world, client_as):
    s = session(world, 2)
    db.session.commit()
    client = client_as("preventiemedewerker")
    page = client.get(f"/o/acme/voorlichting/{s.id}/presentielijst").get_data(as_text=True)
    assert all(e.name in page for e in world.employees)
    e = world.employees
    response = client.post(
        f"/o/acme/voorlichting/{s.id}/presentielijst",
        data={
            f"status-{e[0].id}": "aanwezig",
            f"status-{e[1].id}": "afgemeld",
            f"status-{e[2].id}": "bogus",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert service.attendance_counts(s) == {"aanwezig": 1, "afwezig": 0, "afgemeld": 1}
    # Quick marking: every empty row becomes aanwezig, explicit choices stay.
    client.post(
        f"/o/acme/voorlichting/{s.id}/presentielijst",
        data={f"status-{e[1].id}": "afgemeld", f"status-{e[0].id}": "aanwezig", "fill": "aanwezig"},
    )
    db.session.expire_all()
    assert service.attendance_counts(s) == {"aanwezig": 5, "afwezig": 0, "afgemeld": 1}
    with time_machine.travel(s.session_date + timedelta(days=1)):
        assert service.coverage(world.org) == (5, 6)
    # Clearing a row removes the mark (soft delete, audited), setting it again restores it.
    data = {f"status-{x.id}": "aanwezig" for x in e[1:]} | {f"status-{e[0].id}": ""}
    client.post(f"/o/acme/voorlichting/{s.id}/presentielijst", data=data)
    db.session.expire_all()
    assert service.attendance_counts(s)["aanwezig"] == 5
    assert (
        db.session.scalar(select(Attendance).where(Attendance.employee_id == e[0].id)).deleted_at is not None
    )


def test_register_adds_someone_outside_the_audience(world, client_as):
    s = session(world, 2, audience="leidinggevenden")
    db.session.commit()
    client = client_as("beheerder")
    outsider = world.employees[3]
    client.post(
        f"/o/acme/voorlichting/{s.id}/presentielijst",
        data={"extra_employee_id": str(outsider.id), "extra_status": "aanwezig"},
    )
    db.session.expire_all()
    assert [a.employee_id for a in service.attendances(s)] == [outsider.id]
    other = client.post(
        f"/o/acme/voorlichting/{s.id}/presentielijst",
        data={"extra_employee_id": str(world.other_employee.id), "extra_status": "aanwezig"},
    )
    assert other.status_code == 404


def test_future_session_accepts_afmeldingen_but_not_presence(world, client_as):
    s = session(world, 0, session_date=clock.today() + timedelta(days=10))
    db.session.commit()
    client = client_as("beheerder")
    e = world.employees[0]
    client.post(f"/o/acme/voorlichting/{s.id}/presentielijst", data={f"status-{e.id}": "aanwezig"})
    db.session.expire_all()
    assert service.attendances(s) == []
    client.post(f"/o/acme/voorlichting/{s.id}/presentielijst", data={f"status-{e.id}": "afgemeld"})
    db.session.expire_all()
    assert [a.status for a in service.attendances(s)] == ["afgemeld"]


def test_register_is_not_shown_to_or_members(world, client_as):
    s = session(world, 2)
    db.session.commit()
    assert client_as("or_lid").get(f"/o/acme/voorlichting/{s.id}/presentielijst").status_code == 403
    assert client_as("auditor").get(f"/o/acme/voorlichting/{s.id}/presentielijst").status_code == 200
    assert client_as("auditor").post(f"/o/acme/voorlichting/{s.id}/presentielijst").status_code == 403


def test_index_shows_org_and_team_coverage(world, client_as):
    s = session(world, 0, session_date=clock.today() - timedelta(days=3))
    attend(world, s, world.employees[0])
    db.session.commit()
    page = client_as("or_lid").get("/o/acme/voorlichting/").get_data(as_text=True)
    assert 'data-testid="org-coverage">17%' in page
    assert "Zorgteam Noord" in page and "33%" in page


def test_session_ics_download(world, client_as):
    s = session(world, -20, start_time=None, location="Kantine")
    db.session.commit()
    response = client_as("or_lid").get(f"/o/acme/voorlichting/{s.id}/agenda.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == s.session_date and str(event["location"]) == "Kantine"


def test_materials_upload_and_rejection(world, client_as):
    s = session(world, 1)
    db.session.commit()
    client = client_as("preventiemedewerker")
    ok = client.post(
        f"/o/acme/voorlichting/{s.id}/materiaal",
        data={"file": (io.BytesIO(b"%PDF-1.4 presentatie"), "werkstress.pdf")},
        content_type="multipart/form-data",
    )
    bad = client.post(
        f"/o/acme/voorlichting/{s.id}/materiaal",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == bad.status_code == 302
    db.session.expire_all()
    assert [a.filename for a in db.session.scalars(select(Attachment))] == ["werkstress.pdf"]
    assert "werkstress.pdf" in client.get(f"/o/acme/voorlichting/{s.id}").get_data(as_text=True)


def test_yearly_session_is_planned_again_once(world, client_as):
    s = session(world, 5, recurrence="jaarlijks")
    db.session.commit()
    client = client_as("beheerder")
    assert client.post(f"/o/acme/voorlichting/{s.id}/volgend-jaar").status_code == 302
    assert client.post(f"/o/acme/voorlichting/{s.id}/volgend-jaar").status_code == 302
    db.session.expire_all()
    dates = sorted(x.session_date for x in db.session.scalars(select(VoorlichtingSession)))
    assert dates == [s.session_date, service.add_months(s.session_date, 12)]


def test_delete_session_is_soft(world, client_as):
    s = session(world, 5)
    db.session.commit()
    assert client_as("beheerder").post(f"/o/acme/voorlichting/{s.id}/verwijderen").status_code == 302
    db.session.expire_all()
    assert db.session.get(VoorlichtingSession, s.id).deleted_at is not None
    assert client_as("beheerder").get(f"/o/acme/voorlichting/{s.id}").status_code == 404
