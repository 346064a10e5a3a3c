"""Every channel an OR member, an auditor or a leidinggevende of another team can reach never shows
a hidden individual measure's title, description or employee (docs/domain.md §9).

The channels: pages, search, the calendar feed, reminder mails, in-app notifications, voorlichting
sessions, the audit log (page and auditlog.xlsx), zelfinspectie evidence and every export. The
measure was organisation-wide when its session link, its audit entries and the zelfinspectie run
were written, and became individual afterwards: masking is decided when a record is read.
"""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from flask import url_for
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import (
    Attachment,
    Employee,
    Evaluation,
    MeasureScore,
    Notification,
    ReminderLedger,
    VoorlichtingSession,
)
from riecycle.models.base import utcnow
from riecycle.services import attachments, calendar, plan_versions
from riecycle.services import zelfinspectie as zelfinspectie_service
from tests.factories import make_measure, make_risk

TITLE = "Verborgentitel Qx7"
DESCRIPTION = "Verborgenbeschrijving Zk4"
EMPLOYEE = "Henrieke Verborgenheid"
SECRETS = (TITLE, DESCRIPTION, EMPLOYEE)
READERS = ("or_lid", "auditor", "leidinggevende")


@pytest.fixture
def hidden(app, world):
    """An individual measure about an employee of Zorgteam Zuid (the leidinggevende leads Noord).

    It starts organisation-wide: a session links it, audit entries, a zelfinspectie run and a
    frozen plan version name it. Then it becomes individual. Copies are owned by the OR member (an existing case from
    before the rule), by the auditor, and evaluated by the leidinggevende.
    """
    zuid = world.teams["Zorgteam Zuid"]
    employee = Employee(organisation_id=world.org.id, name=EMPLOYEE, team_id=zuid.id)
    db.session.add(employee)
    db.session.flush()
    risk = make_risk(world, title="Risico van Zuid Rt9", scope="teams")
    risk.teams = [zuid]
    today = clock.today()
    owners = {}
    for role in ("or_lid", "auditor", "preventiemedewerker"):
        owners[role] = make_measure(
            world,
            risk=risk,
            responsible=world.users[role],
            title=TITLE,
            description=DESCRIPTION,
            termijn=today + timedelta(days=1),
            status="in_uitvoering",
        )
    measure = owners["preventiemedewerker"]
    db.session.flush()
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Werkdruk in de zorg",
        # For team Noord: the attendance register (evidence for auditors) names its audience, and
        # that is not about the measure. The measure is linked; its employee is not invited.
        audience="teams",
        session_date=today + timedelta(days=20),
        organiser_id=world.users["preventiemedewerker"].id,
    )
    session.measures = [measure]
    session.risks = [risk]
    session.teams = [world.teams["Zorgteam Noord"]]
    db.session.add(session)
    db.session.add(
        MeasureScore(
            organisation_id=world.org.id,
            measure_id=measure.id,
            scores={"impact": 4},
            total=4,
            note=f"Notitie over {EMPLOYEE}",
        )
    )
    db.session.add(
        Evaluation(
            organisation_id=world.org.id,
            measure_id=measure.id,
            planned_on=today,
            responsible_id=world.users["leidinggevende"].id,
            conclusion=DESCRIPTION,
        )
    )
    attachments.store(world.org, "measure", measure.id, "bewijs.pdf", b"%PDF-1.4 x", world.users["beheerder"])
    db.session.commit()
    zelfinspectie_service.run_checklist(world.org, world.users["preventiemedewerker"])
    plan_versions.submit_plan(world.org, world.users["preventiemedewerker"], "Versie")
    db.session.commit()
    for m in owners.values():  # now it becomes personal: everything above was written before
        m.level, m.employee_id = "individu", employee.id
    db.session.commit()
    for role in READERS:
        calendar.regenerate_token(world.users[role])
    db.session.commit()
    return {"measure": measure, "owners": owners, "session": session, "risk": risk, "employee": employee}


def _ids(world, hidden) -> dict:
    """Values for every id a GET route of the organisation takes."""
    run = zelfinspectie_service.latest_run(world.org)
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.measure_id == hidden["measure"].id))
    document = db.session.scalar(select(Attachment).where(Attachment.owner_type == "measure"))
    version = db.session.scalar(select(plan_versions.PlanVersion))
    return {
        "measure_id": hidden["measure"].id,
        "risk_id": hidden["risk"].id,
        "session_id": hidden["session"].id,
        "evaluation_id": evaluation.id,
        "run_id": run.id,
        "attachment_id": document.id,
        "version_id": version.id,
        "employee_id": hidden["employee"].id,
        "team_id": world.teams["Zorgteam Zuid"].id,
        "kind": "plan",
    }


def _urls(app, world, hidden) -> list[str]:
    """Every GET page and export of the organisation, plus filtered views (searches: see below)."""
    values = _ids(world, hidden)
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or not rule.rule.startswith("/o/"):
                continue
            args = set(rule.arguments) - {"org_slug"}
            if not args <= set(values):
                continue
            urls.append(url_for(rule.endpoint, org_slug="acme", **{a: values[a] for a in args}))
        for grouping in ("risico", "niveau", "verantwoordelijke", "status", "geen"):
            urls.append(url_for("plan.index", org_slug="acme", groep=grouping))
        urls += [
            url_for("plan.team", org_slug="acme", team=world.teams["Zorgteam Zuid"].id),
            url_for("plan.timeline", org_slug="acme", status="alle"),
            url_for("plan.mine", org_slug="acme", lijst="soon"),
            url_for("rie.risks", org_slug="acme", q="Zuid"),
        ]
    return urls


def _texts(response) -> str:
    """What a response shows: the page, or every cell of a workbook."""
    data = response.get_data()
    if data[:2] == b"PK":
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join([*cells, *workbook.sheetnames])
    return data.decode("utf-8", errors="replace")


def _assert_hidden(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shows in {where}"


@pytest.mark.parametrize("role", READERS)
def test_no_channel_shows_a_hidden_measure(app, world, client_as, hidden, outbox, role):
    run_reminders()
    client = client_as(role)
    opened = exports = 0
    for url in _urls(app, world, hidden):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        opened += 1
        exports += response.get_data()[:2] == b"PK"
        _assert_hidden(_texts(response), f"{url} for {role}")
    assert opened >= 40, opened
    if role == "auditor":
        assert exports >= 4  # evidence workbook, plan, risks, sessions, audit log

    user = world.users[role]
    feed = client.get(f"/agenda/{user.calendar_token}.ics").get_data(as_text=True)
    _assert_hidden(feed, f"the calendar feed of {role}")
    for page in ("/meldingen/", "/meldingen/?ongelezen=1"):
        _assert_hidden(client.get(page).get_data(as_text=True), f"{page} for {role}")
    mails = [m for m in outbox() if m["To"] == user.email]
    for message in mails:
        _assert_hidden(message["Subject"] + message.get_body().get_content(), f"a mail to {role}")
    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == user.id)).all()
    _assert_hidden("\n".join(titles), f"the stored notifications of {role}")
    document = db.session.scalar(select(Attachment).where(Attachment.owner_type == "measure"))
    assert client.get(f"/o/acme/documenten/{document.id}").status_code == 404


def test_the_channels_do_carry_the_measure_masked(app, world, client_as, hidden, outbox):
    """The walk above is not empty: the OR member's reminder, feed and plan name it by pseudonym."""
    run_reminders()
    measure = hidden["owners"]["or_lid"]
    name = f"Zorgteam Zuid – individuele maatregel #{measure.id}"
    user = world.users["or_lid"]
    subjects = [m["Subject"] for m in outbox() if m["To"] == user.email]
    assert any(name in s for s in subjects), subjects
    client = client_as("or_lid")
    feed = client.get(f"/agenda/{user.calendar_token}.ics").get_data(as_text=True)
    assert name in re.sub(r"\r\n ", "", feed)
    assert name in client.get("/o/acme/plan/?groep=geen").get_data(as_text=True)
    assert name in client.get("/meldingen/").get_data(as_text=True)
    editor = client_as("preventiemedewerker").get("/o/acme/plan/?groep=geen").get_data(as_text=True)
    assert TITLE in editor


def test_search_does_not_confirm_a_hidden_title(app, world, client_as, hidden):
    """An exact guess of a hidden title finds nothing, for the OR, the auditor and another team."""
    name = f"individuele maatregel #{hidden['measure'].id}"
    for role in READERS:
        client = client_as(role)
        for url in (f"/o/acme/plan/?groep=geen&q={TITLE}", f"/o/acme/plan/tijdlijn?status=alle&q={TITLE}"):
            assert name not in client.get(url).get_data(as_text=True), (role, url)
        if role == "auditor":
            found = _texts(client.get(f"/o/acme/export/plan.xlsx?q={TITLE}"))
            assert name not in found
            assert name in _texts(client.get("/o/acme/export/plan.xlsx"))
    assert TITLE in client_as("beheerder").get(f"/o/acme/plan/?groep=geen&q={TITLE}").get_data(as_text=True)


def test_leidinggevende_does_not_see_other_teams_risk_anywhere(app, world, client_as, hidden):
    client = client_as("leidinggevende")
    assert client.get(f"/o/acme/rie/risicos/{hidden['risk'].id}").status_code == 404
    for url in _urls(app, world, hidden):
        response = client.get(url)
        if response.status_code == 200:
            assert "Risico van Zuid Rt9" not in _texts(response), url
    assert "Risico van Zuid Rt9" in client_as("or_lid").get("/o/acme/plan/niveaus").get_data(as_text=True)


def test_documents_of_deleted_parents_are_gone(app, world, client_as, hidden):
    document = db.session.scalar(select(Attachment).where(Attachment.owner_type == "measure"))
    beheerder = client_as("beheerder")
    assert beheerder.get(f"/o/acme/documenten/{document.id}").status_code == 200
    hidden["measure"].deleted_at = utcnow()
    db.session.commit()
    assert beheerder.get(f"/o/acme/documenten/{document.id}").status_code == 404


def test_nobody_can_make_the_or_member_responsible_for_an_individual_measure(world, hidden):
    from riecycle.services import ServiceError
    from riecycle.services import plan as plan_service

    data = {
        "title": "Nieuw",
        "risk_ids": [hidden["risk"].id],
        "level": "individu",
        "employee_id": hidden["employee"].id,
        "approach": "bronaanpak",
        "termijn": clock.today() + timedelta(days=10),
    }
    for role in ("or_lid", "auditor", "leidinggevende"):
        with pytest.raises(ServiceError) as error:
            plan_service.clean(world.org, data | {"responsible_id": world.users[role].id})
        assert error.value.field == "responsible_id"
    assert plan_service.clean(world.org, data | {"responsible_id": world.users["preventiemedewerker"].id})


def test_reminder_log_masks_subjects_written_for_editors(app, world, client_as, hidden):
    run_reminders()
    assert db.session.scalar(select(ReminderLedger).where(ReminderLedger.subject.contains(TITLE)))
    page = client_as("auditor").get("/o/acme/herinneringen/").get_data(as_text=True)
    _assert_hidden(page, "the reminder log")
    assert "individuele maatregel" in page
    assert TITLE in client_as("beheerder").get("/o/acme/herinneringen/").get_data(as_text=True)


def test_nobody_who_may_not_read_it_evaluates_an_individual_measure(world, hidden):
    from riecycle.services import ServiceError, evaluations

    data = {"kind": "maatregel", "method": "groepsgesprek", "measure_id": hidden["measure"].id}
    with pytest.raises(ServiceError) as error:
        evaluations.plan_evaluation(world.org, data | {"responsible_id": world.users["or_lid"].id})
    assert error.value.field == "responsible_id"
    assert evaluations.plan_evaluation(world.org, data | {"responsible_id": world.users["beheerder"].id})
