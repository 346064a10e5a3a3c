"""Moving an organisation: the beheerder's evidence workbook carries the Teams and Medewerkers
sheets, and imported into an empty organisation it re-creates teams, staff, risks and measures."""

import html
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from riecycle.excel import evidence
from riecycle.extensions import db
from riecycle.models import Employee, Measure, Risk, Team
from riecycle.services import accounts, organisations
from tests.factories import build_rich_measures, build_rich_plan
from tests.support.files import download_xlsx

EVIDENCE = "/o/acme/export/bewijsdossier"


def _upload(client, slug: str, kind: str, data: bytes):
    response = client.post(
        f"/o/{slug}/export/importeren",
        data={"kind": kind, "file": (BytesIO(data), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True)).split("<main")[1][
        :2500
    ]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    return preview


def _titles(model, org_id):
    return sorted(
        db.session.scalars(
            select(model.title).where(model.organisation_id == org_id, model.deleted_at.is_(None))
        )
    )


def _names(model, org_id):
    return sorted(
        db.session.scalars(
            select(model.name).where(model.organisation_id == org_id, model.deleted_at.is_(None))
        )
    )


def test_only_the_beheerders_copy_carries_teams_and_staff(client_as, world):
    db.session.commit()
    own = load_workbook(BytesIO(download_xlsx(client_as, "beheerder", EVIDENCE)), read_only=True).sheetnames
    audit = load_workbook(BytesIO(download_xlsx(client_as, "auditor", EVIDENCE)), read_only=True).sheetnames
    assert own[-2:] == list(evidence.MOVE_SHEETS) == ["Teams", "Medewerkers"]
    assert "Teams" not in audit and "Medewerkers" not in audit


def test_the_beheerders_workbook_moves_the_organisation(client_as, world):
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg")
    for role in ("beheerder", "preventiemedewerker"):
        accounts.add_membership(fresh, world.users[role], role)
    db.session.commit()
    client = client_as("beheerder")
    workbook = download_xlsx(client_as, "beheerder", EVIDENCE)

    teams_preview = _upload(client, "verhuis", "teams", workbook)
    plan_preview = _upload(client, "verhuis", "plan", workbook)
    assert "leidinggevende@acme.example is nog geen gebruiker van deze organisatie" in teams_preview
    assert "hetzelfde bestand nog een keer, als risico's en maatregelen" in teams_preview
    assert "voorlichtingsbijeenkomsten, instemmingen en goedkeuringen en het audit log niet" in plan_preview

    db.session.expire_all()
    src, dst = world.org.id, fresh.id
    assert _names(Team, dst) == _names(Team, src) and _names(Team, src)
    assert _names(Employee, dst) == _names(Employee, src) and _names(Employee, src)
    assert _titles(Risk, dst) == _titles(Risk, src) and _titles(Risk, src)
    assert _titles(Measure, dst) == _titles(Measure, src) and _titles(Measure, src)
    count = db.session.scalar(select(func.count(Measure.id)).where(Measure.organisation_id == dst))
    assert count == len(_titles(Measure, src))


def test_a_responsible_who_is_no_user_yet_is_mapped_to_a_chosen_user(client_as, world):
    """Not silently the importer: the preview lists the person and asks who takes over."""
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg")
    accounts.add_membership(fresh, world.users["beheerder"], "beheerder")
    colleague = accounts.create_user("collega@verhuis.example", "Nieuwe Collega", "wachtwoord-lang-genoeg-1")
    accounts.add_membership(fresh, colleague, "preventiemedewerker")
    db.session.commit()
    client = client_as("beheerder")
    workbook = download_xlsx(client_as, "beheerder", EVIDENCE)
    response = client.post(
        "/o/verhuis/export/importeren",
        data={"kind": "plan", "file": (BytesIO(workbook), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    name = world.users["preventiemedewerker"].name
    assert "Personen die nog geen gebruiker zijn" in preview
    assert f'<label for="map-0">{name} (rij ' in preview
    assert f'<option value="{colleague.id}">Nieuwe Collega</option>' in preview
    # Without a choice nothing is imported.
    refused = client.post(response.headers["Location"] + "/bevestigen")
    assert refused.status_code == 400
    assert "Kies voor iedere persoon die nog geen gebruiker is" in html.unescape(refused.get_data(as_text=True))
    db.session.expire_all()
    assert _titles(Measure, fresh.id) == [] and _names(Team, fresh.id) == []
    # A user of another organisation is no choice either.
    other = client.post(response.headers["Location"] + "/bevestigen", data={"map-0": world.users["other"].id})
    assert other.status_code == 400
    done = client.post(response.headers["Location"] + "/bevestigen", data={"map-0": colleague.id})
    assert done.status_code == 302
    db.session.expire_all()
    assert _titles(Measure, fresh.id) == _titles(Measure, world.org.id)
    responsibles = set(
        db.session.scalars(select(Measure.responsible_id).where(Measure.organisation_id == fresh.id))
    )
    assert colleague.id in responsibles and world.users["preventiemedewerker"].id not in responsibles


def test_into_an_organisation_with_teams_unknown_persons_still_refuse_the_file(client_as, world):
    db.session.commit()
    workbook = download_xlsx(client_as, "beheerder", EVIDENCE)
    before = _names(Team, world.other_org.id)
    response = client_as("other").post(
        "/o/other/export/importeren",
        data={"kind": "teams", "file": (BytesIO(workbook), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "'leidinggevende@acme.example' is geen gebruiker van deze organisatie" in page
    db.session.expire_all()
    assert _names(Team, world.other_org.id) == before
