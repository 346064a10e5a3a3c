"""The Excel import: templates, refusing malformed files (each with a precise Dutch error and
nothing written), upload → preview → confirm, all or nothing, and the CLI."""

import io
import threading
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from riecycle import clock
from riecycle.excel import importer
from riecycle.extensions import db
from riecycle.models import (
    Attachment,
    AuditEntry,
    Employee,
    Measure,
    Risk,
    Team,
)
from tests.factories import (
    MEASURE_HEADERS,
    RISK_HEADERS,
    make_evaluated_risk,
    measure_row,
    plan_file,
    risk_row,
    xlsx,
)
from tests.support.imports import counts, upload

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def _headers_without(column):
    return [h for h in RISK_HEADERS if h != column]


def _padded() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Risico's"
    ws.append(RISK_HEADERS)
    ws.append([risk_row().get(h) for h in RISK_HEADERS])
    filler = wb.create_sheet("Bijlage")
    import random

    rng = random.Random(7)
    for _ in range(400):
        filler.append(
            ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(60)) for _ in range(5)]
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# name -> (file bytes or builder, filename, message part, (sheet, row, column) or None, config)
MALFORMED = {
    "missing_column": (
        lambda: xlsx(
            {"Risico's": (_headers_without("Thema"), [risk_row()]), "Plan van aanpak": (MEASURE_HEADERS, [])}
        ),
        "plan.xlsx",
        "De verplichte kolom 'Thema' ontbreekt",
        ("Risico's", 1, "Thema"),
        {},
    ),
    "unknown_theme": (
        lambda: plan_file([risk_row(Thema="Stress")]),
        "plan.xlsx",
        "Onbekend thema 'Stress'",
        ("Risico's", 2, "B (Thema)"),
        {},
    ),
    "bad_date": (
        lambda: plan_file(measures=[measure_row(Termijn="31-02-2026")]),
        "plan.xlsx",
        "'31-02-2026' is geen geldige datum",
        ("Plan van aanpak", 2, "I (Termijn)"),
        {},
    ),
    "duplicate_row": (
        lambda: plan_file([risk_row("R-1"), risk_row("R-2")]),
        "plan.xlsx",
        "Dubbele rij: dit risico (zelfde titel en thema) staat ook in rij 2",
        ("Risico's", 3, "C (Titel)"),
        {},
    ),
    "duplicate_ref": (
        lambda: plan_file([risk_row("R-1"), risk_row("R-1", title="Ander risico")]),
        "plan.xlsx",
        "De Risico-ref 'R-1' staat ook in rij 2",
        ("Risico's", 3, "A (Risico-ref)"),
        {},
    ),
    "wrong_team": (
        lambda: plan_file([risk_row(**{"Voor wie": "Team(s)", "Teams": "Zorgteam West"})]),
        "plan.xlsx",
        "Team 'Zorgteam West' bestaat niet in riecycle",
        ("Risico's", 2, "F (Teams)"),
        {},
    ),
    "text_in_number": (
        lambda: plan_file([risk_row(Kans="hoog")]),
        "plan.xlsx",
        "'hoog' is geen heel getal",
        ("Risico's", 2, "I (Kans)"),
        {},
    ),
    "kinney_scale": (
        lambda: plan_file([risk_row(Kans=2)]),
        "plan.xlsx",
        "Kies een kans uit 1, 3, 5.",
        ("Risico's", 2, "I (Kans)"),
        {},
    ),
    "empty_file": (lambda: b"", "plan.xlsx", "Het bestand is leeg", None, {}),
    "no_rows": (
        lambda: plan_file([], []),
        "plan.xlsx",
        "bevat geen risico's of maatregelen",
        ("Risico's", None, None),
        {},
    ),
    "wrong_sheet": (
        lambda: xlsx({"Blad1": (RISK_HEADERS, [risk_row()])}),
        "plan.xlsx",
        "Het tabblad 'Risico's' ontbreekt. Gevonden tabbladen: Blad1",
        None,
        {},
    ),
    "huge_file": (_padded, "plan.xlsx", "Het bestand is te groot", None, {"IMPORT_MAX_BYTES": 20_000}),
    "too_many_rows": (
        lambda: plan_file([risk_row(f"R-{n}", title=f"Risico {n}") for n in range(4)], []),
        "plan.xlsx",
        "meer dan 3 ingevulde rijen",
        ("Risico's", 5, None),
        {"IMPORT_MAX_ROWS": 3},
    ),
    "corrupt_zip": (lambda: plan_file()[:1500], "plan.xlsx", "beschadigd", None, {}),
    "xls_renamed": (lambda: OLE + b"\x00" * 4000, "plan.xlsx", "oud Excel-bestand (.xls)", None, {}),
    "password_protected": (
        lambda: OLE + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512,
        "plan.xlsx",
        "beveiligd met een wachtwoord",
        None,
        {},
    ),
    "macro_vba": (
        lambda: _with_member(plan_file(), "xl/vbaProject.bin", b"\x00macro"),
        "plan.xlsx",
        "Het bestand bevat macro's",
        None,
        {},
    ),
    "xlsm_name": (lambda: plan_file(), "plan.xlsm", "Bestanden met macro's (.xlsm)", None, {}),
    "csv_text": (
        lambda: b"Risico-ref;Thema\nR-1;Werkdruk\n",
        "plan.xlsx",
        "geen Excel-werkmap (.xlsx)",
        None,
        {},
    ),
    "word_document": (lambda: _zip_without_workbook(), "plan.xlsx", "ander soort bestand", None, {}),
    "risk_without_description": (
        lambda: plan_file([risk_row(Beschrijving=None)]),
        "plan.xlsx",
        "Beschrijf wat er speelt",
        ("Risico's", 2, "D (Beschrijving)"),
        {},
    ),
    "unknown_risk_ref": (
        lambda: plan_file(measures=[measure_row("R-9")]),
        "plan.xlsx",
        "Risico-ref 'R-9' staat niet op het tabblad Risico's",
        ("Plan van aanpak", 2, "B (Risico-ref)"),
        {},
    ),
    "invalid_level": (
        lambda: plan_file(measures=[measure_row(Niveau="Afdeling")]),
        "plan.xlsx",
        "'Afdeling' is geen geldige keuze. Kies uit: Organisatie, Team, Individu.",
        ("Plan van aanpak", 2, "D (Niveau)"),
        {},
    ),
    "invalid_status": (
        lambda: plan_file(measures=[measure_row(Status="Klaar")]),
        "plan.xlsx",
        "'Klaar' is geen geldige keuze",
        ("Plan van aanpak", 2, "K (Status)"),
        {},
    ),
    "missing_responsible": (
        lambda: plan_file(measures=[measure_row(Verantwoordelijke=None)]),
        "plan.xlsx",
        "Vul de verantwoordelijke in",
        ("Plan van aanpak", 2, "H (Verantwoordelijke)"),
        {},
    ),
    "unknown_responsible": (
        lambda: plan_file(measures=[measure_row(Verantwoordelijke="jan@elders.example")]),
        "plan.xlsx",
        "'jan@elders.example' is geen gebruiker van deze organisatie",
        ("Plan van aanpak", 2, "H (Verantwoordelijke)"),
        {},
    ),
    "negative_budget": (
        lambda: plan_file(measures=[measure_row(Budget=-250)]),
        "plan.xlsx",
        "Het budget kan niet negatief zijn.",
        ("Plan van aanpak", 2, "J (Budget)"),
        {},
    ),
    "individual_without_employee": (
        lambda: plan_file(measures=[measure_row(Niveau="Individu")]),
        "plan.xlsx",
        "Vul bij een individuele maatregel de medewerker in",
        ("Plan van aanpak", 2, "F (Medewerker)"),
        {},
    ),
    "pseudonymised_row": (
        lambda: plan_file(
            measures=[measure_row(Niveau="Individu", Titel="Zorgteam Noord – individuele maatregel #12")]
        ),
        "plan.xlsx",
        "Deze rij is geanonimiseerd",
        ("Plan van aanpak", 2, "C (Titel)"),
        {},
    ),
}


def _zip_without_workbook() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_refused_precisely_and_writes_nothing(app, world, client_as, case):
    build, filename, message, where, config = MALFORMED[case]
    app.config.update(config)
    data = build()
    before = counts()
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, filename)
    problem = next((p for p in refused.value.problems if message in p.message), None)
    assert problem is not None, [p.message for p in refused.value.problems]
    if where is not None:
        assert (problem.sheet, problem.row, problem.column) == where
    response = upload(client_as("preventiemedewerker"), data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Het bestand is niet ingelezen" in page
    assert message.replace("'", "&#39;") in page
    assert counts() == before


def test_every_problem_is_listed_at_once(world):
    data = plan_file(
        [risk_row(Thema="Stress", Kans="veel"), risk_row("R-2", title="Ander", Beschrijving=None)],
        [measure_row("R-7", Budget="duur", Termijn="morgen")],
    )
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    where = {(p.sheet, p.row, p.column) for p in refused.value.problems}
    assert {
        ("Risico's", 2, "B (Thema)"),
        ("Risico's", 2, "I (Kans)"),
        ("Risico's", 3, "D (Beschrijving)"),
        ("Plan van aanpak", 2, "B (Risico-ref)"),
        ("Plan van aanpak", 2, "J (Budget)"),
        ("Plan van aanpak", 2, "I (Termijn)"),
    } <= where


def test_existing_risk_title_is_refused(world):

    make_evaluated_risk(world, title="Werkdruk door roosters")
    db.session.commit()
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, plan_file(), "plan.xlsx")
    assert "Er bestaat al een risico met de titel" in refused.value.problems[0].message


def test_future_status_date_is_refused(world):
    future = (clock.today() + timedelta(days=5)).strftime("%d-%m-%Y")
    headers = [*MEASURE_HEADERS, "In uitvoering sinds"]
    data = xlsx(
        {
            "Risico's": (RISK_HEADERS, [risk_row()]),
            "Plan van aanpak": (
                headers,
                [measure_row(Status="In uitvoering", **{"In uitvoering sinds": future})],
            ),
        }
    )
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    assert refused.value.problems[0].column == "L (In uitvoering sinds)"


# --- templates ---------------------------------------------------------------------------


def test_plan_template_has_dropdowns(client_as, world):
    response = client_as("preventiemedewerker").get("/o/acme/export/sjabloon/plan.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_TYPE
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["Uitleg", "Risico's", "Plan van aanpak", "Lijsten"]
    assert wb["Lijsten"].sheet_state == "hidden"
    lists = {
        c.value: [x.value for x in col[1:] if x.value] for col in wb["Lijsten"].iter_cols() for c in col[:1]
    }
    assert "Werkdruk" in lists["themes"] and lists["teams"] == ["Zorgteam Noord", "Zorgteam Zuid"]
    assert lists["level"] == ["Organisatie", "Team", "Individu"]
    risks = wb["Risico's"]
    validations = {str(v.sqref).split(":")[0]: v for v in risks.data_validations.dataValidation}
    headers = [c.value for c in risks[1]]
    theme_col = "B"
    assert headers[1] == "Thema" and validations[f"{theme_col}2"].type == "list"
    assert validations[f"{theme_col}2"].formula1.startswith("'Lijsten'!$A$2")
    plan = wb["Plan van aanpak"]
    formulas = {v.formula1 for v in plan.data_validations.dataValidation}
    assert any("$" in f for f in formulas) and len(formulas) >= 5  # level, team, approach, status, ...
    assert risks.freeze_panes == "A2" and risks["A1"].font.b
    # An empty template is a valid import file once filled in with the same headers.
    empty = response.data
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, empty, "sjabloon.xlsx")
    assert "bevat geen risico's of maatregelen" in refused.value.problems[0].message


def test_teams_template_only_for_beheerder_to_import(client_as):
    response = client_as("beheerder").get("/o/acme/export/sjabloon/teams.xlsx")
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["Uitleg", "Teams", "Medewerkers", "Lijsten"]
    assert client_as("beheerder").get("/o/acme/export/sjabloon/onbekend.xlsx").status_code == 404
    data = xlsx({"Teams": (["Naam"], [{"Naam": "Nieuw team"}])})
    assert upload(client_as("preventiemedewerker"), data, kind="teams").status_code == 403


# --- upload → preview → confirm -------------------------------------------------------------


def test_upload_preview_confirm(client_as, world):
    client = client_as("preventiemedewerker")
    before = counts()
    data = plan_file(
        [risk_row(), risk_row("R-2", title="Agressie aan de balie", Thema="Agressie en geweld (extern)")],
        [
            measure_row(),
            measure_row("R-2", title="Cameratoezicht", Niveau="Team", Teams="Zorgteam Noord"),
            measure_row("R-1; R-2", title="Training omgaan met agressie", Status="In uitvoering"),
        ],
    )
    response = upload(client, data)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Dit wordt aangemaakt: 2 risico's en 3 maatregelen." in page
    assert "Cameratoezicht" in page
    db.session.expire_all()
    assert counts()[:6] == before[:6]  # nothing created yet, only the pending file
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    done = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen")
    assert done.status_code == 302 and done.headers["Location"].endswith("/o/acme/rie/risicos")
    db.session.expire_all()
    risks = {r.title: r for r in db.session.scalars(select(Risk).where(Risk.organisation_id == world.org.id))}
    assert set(risks) == {"Werkdruk door roosters", "Agressie aan de balie"}
    assert risks["Werkdruk door roosters"].current_score == 60
    training = db.session.scalar(select(Measure).where(Measure.title == "Training omgaan met agressie"))
    assert training.status == "in_uitvoering" and len(training.risks) == 2
    assert db.session.get(Attachment, pending_id) is None
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.entity == "Risico",
                AuditEntry.action == "create",
                AuditEntry.user_id == world.users["preventiemedewerker"].id,
            )
        )
        == 2
    )
    register = client.get("/o/acme/rie/risicos").get_data(as_text=True)
    assert "Agressie aan de balie" in register


def test_cancel_writes_nothing(client_as):
    client = client_as("beheerder")
    before = counts()
    response = upload(client, plan_file())
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/o/acme/export/importeren/{pending_id}/annuleren").status_code == 302
    assert counts() == before


def test_failure_while_applying_rolls_everything_back(client_as, monkeypatch):
    from riecycle.services import ServiceError
    from riecycle.services import plan as plan_service

    client = client_as("beheerder")
    data = plan_file(
        [risk_row(), risk_row("R-2", title="Tweede risico")],
        [measure_row(), measure_row("R-2", title="Tweede maatregel")],
    )
    response = upload(client, data)
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    before = counts()
    original = plan_service.create_measure

    def failing(org, user, values, **kwargs):
        if values["title"] == "Tweede maatregel":
            raise ServiceError(
                "Kies wie verantwoordelijk is: elke maatregel heeft een eigenaar.", "responsible_id"
            )
        return original(org, user, values, **kwargs)

    monkeypatch.setattr(plan_service, "create_measure", failing)
    result = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen")
    assert result.status_code == 409
    page = result.get_data(as_text=True)
    assert "Kies wie verantwoordelijk is" in page and "Verantwoordelijke" in page
    assert counts() == before  # the first risk and measure were rolled back too


def test_other_tenant_cannot_see_a_pending_import(client_as, world):
    response = upload(client_as("beheerder"), plan_file())
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client_as("other").get(f"/o/other/export/importeren/{pending_id}").status_code == 404
    assert client_as("or_lid").get(f"/o/acme/documenten/{pending_id}").status_code == 404
    before = counts()
    confirm = client_as("other").post(f"/o/other/export/importeren/{pending_id}/bevestigen")
    assert confirm.status_code == 404
    assert counts() == before  # nothing of acme's file was imported, into either organisation


def test_teams_and_employees_import(client_as, world):
    data = xlsx(
        {
            "Teams": (
                ["Naam", "Soort", "Bovenliggend team"],
                [
                    {"Naam": "Zorgteam West", "Soort": "Locatie"},
                    {"Naam": "Nachtdienst West", "Bovenliggend team": "Zorgteam West"},
                    {"Naam": "Zorgteam Noord"},
                ],
            ),
            "Medewerkers": (
                ["Naam", "Team", "E-mail", "Startdatum", "Is leidinggevende"],
                [
                    {
                        "Naam": "Anna de Boer",
                        "Team": "Zorgteam West",
                        "E-mail": "anna@acme.example",
                        "Startdatum": "01-02-2024",
                    },
                    {"Naam": "Karim Aziz", "Team": "Nachtdienst West", "Is leidinggevende": "Ja"},
                ],
            ),
        }
    )
    client = client_as("beheerder")
    response = upload(client, data, kind="teams")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit wordt aangemaakt: 2 teams en 2 medewerkers." in page and "bestaat al" in page
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen").status_code == 302
    db.session.expire_all()
    west = db.session.scalar(select(Team).where(Team.name == "Nachtdienst West"))
    assert west.parent.name == "Zorgteam West"
    karim = db.session.scalar(select(Employee).where(Employee.name == "Karim Aziz"))
    assert karim.team_id == west.id and karim.is_leidinggevende
    # Importing the same file again: the employees already exist, nothing is added.
    before = counts()
    again = upload(client, data, kind="teams")
    assert again.status_code == 400 and "staat al in riecycle" in again.get_data(as_text=True)
    assert counts() == before


def test_teams_file_errors(world):
    data = xlsx(
        {
            "Medewerkers": (
                ["Naam", "Team", "E-mail"],
                [{"Naam": "Anna", "Team": "Onbekend", "E-mail": "geen"}],
            )
        }
    )
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_teams(world.org, data, "teams.xlsx")
    messages = [p.message for p in refused.value.problems]
    assert any("Team 'Onbekend' bestaat niet" in m for m in messages)
    assert any("'geen' is geen geldig e-mailadres" in m for m in messages)


# --- CLI ------------------------------------------------------------------------------------


def test_cli_import_dry_run_and_real(app, world, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_file())
    runner = app.test_cli_runner()
    before = counts()
    result = runner.invoke(args=["import", "plan", "--org", "acme", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Proefimport geslaagd: 1 risico's en 1 maatregelen" in result.output
    assert counts() == before
    result = runner.invoke(
        args=["import", "plan", "--org", "acme", str(path), "--as", "beheerder@acme.example"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "Risico"))
    assert entry.user_id == world.users["beheerder"].id


def test_cli_import_reports_problems(app, world, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(plan_file([risk_row(Thema="Stress")]))
    before = counts()
    result = app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path)])
    assert result.exit_code == 1
    assert "rij 2" in result.output and "Onbekend thema 'Stress'" in result.output
    assert counts() == before


def test_read_only_mode_is_used(monkeypatch, world):
    import riecycle.excel.filecheck as module

    seen = {}
    original = module.load_workbook

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "load_workbook", spy)
    importer.parse_plan(world.org, plan_file(), "plan.xlsx")
    assert seen["read_only"] is True and seen["keep_links"] is False


def test_never_500_on_garbage(client_as):
    for data in (
        b"PK\x03\x04" + b"\x00" * 50,
        b"PK\x05\x06" + b"\x00" * 18,
        io.BytesIO(b"\xff" * 100).getvalue(),
    ):
        assert upload(client_as("beheerder"), data).status_code == 400


def test_one_message_per_cell(world):
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, plan_file([risk_row(Kans="hoog")]), "plan.xlsx")
    assert [p.as_text() for p in refused.value.problems] == [
        "tabblad 'Risico's', rij 2, kolom I (Kans): 'hoog' is geen heel getal. Vul alleen cijfers in, bijvoorbeeld 3."
    ]


def test_two_confirms_at_once_import_once(client_as, world):
    """A double click or two tabs: one import, and the other confirm gets a clear answer, no 500."""
    first, second = client_as("preventiemedewerker"), client_as("preventiemedewerker")
    response = upload(first, plan_file([risk_row()], [measure_row()]))
    pending_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    url = f"/o/acme/export/importeren/{pending_id}/bevestigen"
    barrier, results = threading.Barrier(2), []

    def confirm(client):
        barrier.wait(10)
        results.append(client.post(url).status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2 and all(code in (302, 404) for code in results), results
    db.session.expire_all()
    titles = db.session.scalars(select(Risk.title).where(Risk.organisation_id == world.org.id)).all()
    assert titles == ["Werkdruk door roosters"]
