"""Moving an organisation: the beheerder's evidence workbook carries the Teams and Medewerkers
sheets, and imported into an empty organisation it re-creates teams, staff, risks and measures."""

import html
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from riecycle.excel import evidence
from riecycle.extensions import db
from riecycle.models import Employee, Evaluation, Measure, Risk, Team
from riecycle.services import accounts, organisations
from riecycle.services import evaluations as evaluation_service
from tests.factories import build_rich_measures, build_rich_plan, past_day
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
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg", mfa_policy="uit")
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
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg", mfa_policy="uit")
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
    assert "Kies voor iedere persoon die nog geen gebruiker is" in html.unescape(
        refused.get_data(as_text=True)
    )
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


# --- one upload: teams, staff, risks, measures and evaluations ---------------------------------


def _evaluated_source(world):
    """The rich plan, one measure geëvalueerd through its evaluation and a planned theme evaluation."""
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    done = db.session.scalar(select(Measure).where(Measure.title == "Extra invalkracht"))
    user = world.users["preventiemedewerker"]
    evaluation = evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": done.id, "method": "interview"}, user
    )
    evaluation_service.record_outcome(
        world.org,
        evaluation,
        {
            "done_on": past_day(5)[0],
            "effect": "deels",
            "implementation_rating": 4,
            "satisfaction": 3,
            "conclusion": "Minder overuren.",
        },
        user,
    )
    evaluation_service.plan_evaluation(
        world.org,
        {"kind": "thema", "theme_key": "werkdruk", "method": "groepsgesprek", "is_repeat_measurement": True},
        user,
    )
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg", mfa_policy="uit")
    for role in ("beheerder", "preventiemedewerker"):
        accounts.add_membership(fresh, world.users[role], role)
    db.session.commit()
    return fresh


def _evaluation_rows(org_id):
    rows = db.session.execute(
        select(
            Evaluation.kind,
            Measure.title,
            Evaluation.theme_key,
            Evaluation.planned_on,
            Evaluation.method,
            Evaluation.is_repeat_measurement,
            Evaluation.done_on,
            Evaluation.effect,
            Evaluation.implementation_rating,
            Evaluation.satisfaction,
            Evaluation.conclusion,
        )
        .outerjoin(Measure, Measure.id == Evaluation.measure_id)
        .where(Evaluation.organisation_id == org_id)
    ).all()
    return sorted(tuple(row) for row in rows)


def _statuses(org_id):
    return sorted(
        db.session.execute(
            select(Measure.title, Measure.status).where(Measure.organisation_id == org_id)
        ).all()
    )


def _links(org_id):
    """Each measure's employee and teams by name: the moved records point at the moved staff."""
    result = {}
    for measure in db.session.scalars(select(Measure).where(Measure.organisation_id == org_id)):
        result[measure.title] = (
            measure.employee.name if measure.employee else None,
            sorted(t.name for t in measure.teams),
        )
    return result


def test_one_upload_moves_teams_staff_risks_measures_and_evaluations(client_as, world):
    fresh = _evaluated_source(world)
    client = client_as("beheerder")
    workbook = download_xlsx(client_as, "beheerder", EVIDENCE)
    preview = _upload(client, "verhuis", "plan", workbook)
    assert "Verhuizing in één keer: eerst worden 2 teams en" in preview
    teams_listed = preview.split('data-testid="preview-move-teams"')[1].split("</ul>")[0]
    assert all(f"<li>{name} <small>" in teams_listed for name in _names(Team, world.org.id))
    assert "Evaluaties van het tabblad Evaluaties: 2 nieuw, 0 bijgewerkt." in preview
    assert "voorlichtingsbijeenkomsten, instemmingen en goedkeuringen en het audit log niet" in preview
    assert "Personen die nog geen gebruiker zijn" not in preview
    assert (
        "leidinggevende@acme.example is nog geen gebruiker van deze organisatie: de teams in rij" in preview
    )

    db.session.expire_all()
    src, dst = world.org.id, fresh.id
    assert _names(Team, dst) == _names(Team, src) and _names(Team, src)
    assert _names(Employee, dst) == _names(Employee, src) and _names(Employee, src)
    assert _titles(Risk, dst) == _titles(Risk, src) and _titles(Risk, src)
    assert _statuses(dst) == _statuses(src) and ("Extra invalkracht", "geevalueerd") in _statuses(dst)
    assert _evaluation_rows(dst) == _evaluation_rows(src) and len(_evaluation_rows(src)) == 2
    assert _links(dst) == _links(src)
    moved_employees = set(db.session.scalars(select(Employee.id).where(Employee.organisation_id == dst)))
    assert moved_employees >= set(
        db.session.scalars(
            select(Measure.employee_id).where(
                Measure.organisation_id == dst, Measure.employee_id.is_not(None)
            )
        )
    )


def test_a_move_is_all_or_nothing(client_as, world):
    fresh = _evaluated_source(world)
    workbook = load_workbook(BytesIO(download_xlsx(client_as, "beheerder", EVIDENCE)))
    ws = workbook["Evaluaties"]
    head = [c.value for c in ws[1]]
    for row in (2, 3):  # the recorded evaluation loses its conclusion
        ws.cell(row=row, column=head.index("Conclusie") + 1).value = None
    out = BytesIO()
    workbook.save(out)
    response = client_as("beheerder").post(
        "/o/verhuis/export/importeren",
        data={"kind": "plan", "file": (BytesIO(out.getvalue()), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Schrijf een korte conclusie." in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert _names(Team, fresh.id) == [] and _names(Employee, fresh.id) == [] and _titles(Risk, fresh.id) == []


def test_only_the_beheerder_moves_an_organisation(client_as, world):
    _evaluated_source(world)
    workbook = download_xlsx(client_as, "beheerder", EVIDENCE)
    response = client_as("preventiemedewerker").post(
        "/o/verhuis/export/importeren",
        data={"kind": "plan", "file": (BytesIO(workbook), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert "dat kan alleen de beheerder" in html.unescape(response.get_data(as_text=True))


def test_the_cli_moves_with_a_dry_run_and_maps_unknown_persons(app, client_as, world, tmp_path):
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    fresh = organisations.create_organisation("verhuis", "Verhuisde Zorg", mfa_policy="uit")
    accounts.add_membership(fresh, world.users["beheerder"], "beheerder")
    colleague = accounts.create_user("collega@verhuis.example", "Nieuwe Collega", "wachtwoord-lang-genoeg-1")
    accounts.add_membership(fresh, colleague, "preventiemedewerker")
    db.session.commit()
    path = tmp_path / "bewijsdossier.xlsx"
    path.write_bytes(download_xlsx(client_as, "beheerder", EVIDENCE))
    name = world.users["preventiemedewerker"].name
    runner = app.test_cli_runner()
    base = ["import", "plan", "--org", "verhuis", str(path), "--move"]

    refused = runner.invoke(args=[*base, "--dry-run"])
    assert refused.exit_code == 1
    assert f"{name} is nog geen gebruiker van deze organisatie. Kies welke gebruiker" in refused.output

    dry = runner.invoke(args=[*base, "--dry-run", "--map", f"{name}=collega@verhuis.example"])
    assert dry.exit_code == 0, dry.output
    assert "Verhuizing: eerst 2 teams en" in dry.output and "Proefimport geslaagd" in dry.output
    assert f"{name} is nog geen gebruiker (rij" in dry.output and "collega@verhuis.example" in dry.output
    db.session.expire_all()
    assert _names(Team, fresh.id) == [] and _titles(Measure, fresh.id) == []

    done = runner.invoke(args=[*base, "--responsible", "collega@verhuis.example"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert _names(Team, fresh.id) == _names(Team, world.org.id)
    assert _titles(Measure, fresh.id) == _titles(Measure, world.org.id)
    assert set(
        db.session.scalars(select(Measure.responsible_id).where(Measure.organisation_id == fresh.id))
    ) == {colleague.id}
    # Once moved, the organisation is no longer empty: the same file is no move, and is refused.
    again = runner.invoke(args=[*base, "--responsible", "collega@verhuis.example"])
    assert again.exit_code == 1 and "Er is niets opgeslagen." in again.output
    db.session.expire_all()
    assert len(_titles(Measure, fresh.id)) == len(_titles(Measure, world.org.id))
