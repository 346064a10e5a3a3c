"""Privacy (docs/domain.md §9): OR members and auditors never see who an individual measure is about,
nor its free text, on any plan page; leidinggevenden only for their own team."""

import pytest

from riecycle.extensions import db
from riecycle.models import Attachment, CatalogueEntry, Employee
from riecycle.services import attachments, plan_versions
from riecycle.services import plan as plan_service
from tests.factories import make_measure, make_risk

SECRETS = (
    "Jolanda Geheimhouder",
    "GEHEIMTITEL",
    "GEHEIMBESCHRIJVING",
    "GEHEIMEINZET",
    "GEHEIMNOTITIE",
    "GEHEIMREDEN",
    "GEHEIMOPMERKING",
    "geheim-bewijs.pdf",
)


@pytest.fixture
def personal(app, world):
    """Individual measures about an employee of Zorgteam Zuid, with notes, evidence and remarks."""
    zuid = world.teams["Zorgteam Zuid"]
    employee = Employee(organisation_id=world.org.id, name="Jolanda Geheimhouder", team_id=zuid.id)
    db.session.add(employee)
    db.session.flush()
    risk = make_risk(world, title="Combinatie werk en mantelzorg")
    make_measure(world, risk=risk, title="Mantelzorgbeleid organisatiebreed")
    measure = make_measure(
        world,
        "individu",
        risk=risk,
        employee=employee,
        title="GEHEIMTITEL",
        description="GEHEIMBESCHRIJVING",
        effort="GEHEIMEINZET",
        status="in_uitvoering",
    )
    dropped = make_measure(world, "individu", risk=risk, employee=employee, title="GEHEIMTITEL 2")
    user = world.users["preventiemedewerker"]
    plan_service.add_note(measure, user, "GEHEIMNOTITIE")
    plan_service.change_status(dropped, user, "vervallen", "GEHEIMREDEN")
    attachments.store(world.org, "measure", measure.id, "geheim-bewijs.pdf", b"%PDF-1.4 x", user)
    version = plan_versions.submit_plan(world.org, user, "Versie voor de OR")
    plan_versions.add_comment(version, user, "GEHEIMOPMERKING", measure.id, may_see_personal=True)
    plan_versions.add_comment(version, world.users["or_lid"], "Vraag van de OR", measure.id)
    db.session.add(
        CatalogueEntry(
            organisation_id=world.org.id,
            title="Eigen",
            description="x",
            level="team",
            approach="veerkracht",
            themes=[],
            factors=[],
        )
    )
    # A change after the version, so the diff pages have content.
    plan_service.update_measure(measure, {"description": "GEHEIMBESCHRIJVING nieuw"}, measure.version_id)
    db.session.commit()
    return {"measure": measure, "dropped": dropped, "version": version, "risk": risk}


def _plan_pages(app, personal):
    """Every GET page of the plan area, with the individual measure wherever a page takes one."""
    entry = db.session.scalar(db.select(CatalogueEntry))
    params = {
        "measure_id": personal["measure"].id,
        "version_id": personal["version"].id,
        "entry_id": entry.id,
    }
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("plan.") or "GET" not in rule.methods:
                continue
            values = {k: params[k] for k in rule.arguments if k != "org_slug"}
            urls.append(url_for(rule.endpoint, org_slug="acme", **values))
        urls += [url_for("plan.detail", org_slug="acme", measure_id=personal["dropped"].id)]
        urls += [
            url_for("plan.index", org_slug="acme", groep=g)
            for g in ("risico", "niveau", "verantwoordelijke", "status", "geen")
        ]
        urls += [
            url_for("plan.index", org_slug="acme", niveau="individu", q="GEHEIM"),
            url_for("plan.index", org_slug="acme", risico=personal["risk"].id),
            url_for("plan.team", org_slug="acme", team=personal["measure"].employee.team_id),
            url_for("plan.timeline", org_slug="acme", status="alle"),
            url_for("plan.compare", org_slug="acme", van=personal["version"].id, naar="huidig"),
            url_for(
                "plan.version",
                org_slug="acme",
                version_id=personal["version"].id,
                maatregel=personal["measure"].id,
            ),
        ]
    return urls


@pytest.mark.parametrize("role", ["or_lid", "auditor"])
def test_or_and_auditor_pages_hide_personal_details(app, world, client_as, personal, role):
    client = client_as(role)
    opened = 0
    for url in _plan_pages(app, personal):
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code in (403, 404), url
            continue
        opened += 1
        html = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html, f"{secret!r} visible to {role} on {url}"
    assert opened >= 12
    html = client.get(f"/o/acme/plan/{personal['measure'].id}").get_data(as_text=True)
    assert f"Zorgteam Zuid – individuele maatregel #{personal['measure'].id}" in html
    assert "Vraag van de OR" in html  # the OR's own remark stays readable
    document = db.session.scalar(db.select(Attachment).where(Attachment.owner_type == "measure"))
    assert client.get(f"/o/acme/documenten/{document.id}").status_code == 404


def test_editors_see_the_details(app, world, client_as, personal):
    html = (
        client_as("preventiemedewerker").get(f"/o/acme/plan/{personal['measure'].id}").get_data(as_text=True)
    )
    for secret in (
        "Jolanda Geheimhouder",
        "GEHEIMTITEL",
        "GEHEIMBESCHRIJVING",
        "GEHEIMNOTITIE",
        "geheim-bewijs.pdf",
        "GEHEIMOPMERKING",
    ):
        assert secret in html


def test_leidinggevende_sees_named_measures_of_own_team_only(app, world, client_as, personal):
    noord = world.teams["Zorgteam Noord"]
    own_employee = Employee(organisation_id=world.org.id, name="Kees Zichtbaar", team_id=noord.id)
    db.session.add(own_employee)
    db.session.flush()
    own = make_measure(
        world, "individu", risk=personal["risk"], employee=own_employee, title="Maatwerk voor Kees"
    )
    db.session.commit()
    client = client_as("leidinggevende")
    plan = client.get("/o/acme/plan/?groep=geen").get_data(as_text=True)
    assert "Maatwerk voor Kees" in plan and "Kees Zichtbaar" in plan
    for secret in SECRETS:
        assert secret not in plan
    assert client.get(f"/o/acme/plan/{own.id}").status_code == 200
    assert client.get(f"/o/acme/plan/{personal['measure'].id}").status_code == 404
    for url in _plan_pages(app, personal):
        response = client.get(url)
        if response.status_code == 200:
            for secret in SECRETS:
                assert secret not in response.get_data(as_text=True), f"{secret!r} on {url}"
