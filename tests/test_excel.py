"""The evidence workbook and the list exports: reopened with openpyxl and checked cell by cell."""

import zipfile
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from riecycle import clock
from riecycle.excel import evidence, rows
from riecycle.extensions import db
from riecycle.models import Risk
from riecycle.services import plan as plan_service
from riecycle.services import risks as risk_service
from tests.factories import (
    SECRET_TEXT,
    SECRET_TITLE,
    make_attended_session,
    make_detailed_measure,
    make_evaluated_risk,
    make_individual_measure,
)
from tests.support.files import column, download_xlsx, header


@pytest.fixture
def filled(world):
    risk = make_evaluated_risk(world)
    measure = make_detailed_measure(world, risk)
    individual = make_individual_measure(world, risk)
    session = make_attended_session(world)
    db.session.commit()
    return {"risk": risk, "measure": measure, "individual": individual, "session": session}


def open_book(data):
    return load_workbook(BytesIO(data))


def all_text(wb) -> str:
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


# --- the evidence workbook ---------------------------------------------------------------


def test_evidence_workbook_has_every_sheet_styled(client_as, filled):
    wb = open_book(download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier"))
    assert wb.sheetnames == [*evidence.SHEETS, *evidence.MOVE_SHEETS]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref, ws.title
        first = ws["A1"]
        assert first.font.b, ws.title
        assert first.fill.fill_type == "solid" and first.fill.fgColor.rgb.endswith("0B6E4F"), ws.title
        assert ws.column_dimensions["A"].width >= 6, ws.title
    assert header(wb["Risico's"])[:4] == ["Risico-ref", "Thema", "Titel", "Beschrijving"]
    assert "Maatregel-ref" in header(wb["Plan van aanpak"]) and "Risico-ref" in header(wb["Plan van aanpak"])


def test_dates_amounts_and_percentages_are_typed(client_as, filled):
    wb = open_book(download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier"))
    plan = wb["Plan van aanpak"]
    row = next(r for r in plan.iter_rows(min_row=2) if r[2].value == "Vaste pauzes in het rooster")
    by_name = dict(zip(header(plan), row, strict=False))
    assert isinstance(by_name["Termijn"].value, datetime) and by_name["Termijn"].value.date() == date(
        2099, 3, 31
    )
    assert by_name["Termijn"].number_format == "DD-MM-YYYY"
    assert by_name["Budget"].data_type == "n" and by_name["Budget"].value == 1500.5
    assert "€" in by_name["Budget"].number_format
    assert by_name["Quick win"].value == "Ja"
    assert by_name["Gepland op"].is_date
    assert by_name["Risico-ref"].value == "R-0001"
    risks = wb["Risico's"]
    values = dict(zip(header(risks), [c.value for c in next(risks.iter_rows(min_row=2))], strict=False))
    assert (values["Kans"], values["Frequentie"], values["Effect"], values["Score"]) == (3, 4, 5, 60)
    assert (values["Eerste kans"], values["Eerste score"], values["Eerste prioriteit"]) == (5, 175, "Hoog")
    assert values["Datum eerste beoordeling"].date() == clock.today() - timedelta(days=60)
    sessions = wb["Voorlichting"]
    share = column(sessions, "Opkomst")[0]
    assert share.number_format == "0%" and share.value == pytest.approx(2 / 6)
    assert column(sessions, "Aanwezig")[0].value == 2
    attendance = wb["Aanwezigheid"]
    assert {c.value for c in column(attendance, "Status")} == {"Aanwezig", "Afwezig"}
    summary = wb["Samenvatting"]
    facts = {r[0].value: r[1] for r in summary.iter_rows(min_row=2) if r[0].value}
    assert facts["Organisatie"].value == "Acme Zorg"
    assert facts["Datum export"].is_date
    assert facts["Voorlichting: bereik laatste 12 maanden"].number_format == "0%"
    assert "Werkdruk" in [r[0].value for r in summary.iter_rows()]


def test_individual_measures_pseudonymised_for_auditor(client_as, world, filled):
    name = world.employees[0].name
    for role in ("auditor",):
        wb = open_book(download_xlsx(client_as, role, "/o/acme/export/bewijsdossier"))
        text = all_text(wb)
        assert name not in text
        assert SECRET_TITLE not in text and SECRET_TEXT not in text and "Flexibele uren" not in text
        assert f"Zorgteam Noord – individuele maatregel #{filled['individual'].id}" in text
    # The OR has no export right; the builder gives the same privacy for that role.
    spooled = evidence.build(world.org, rows.Viewer(role="or_lid"))
    text = all_text(load_workbook(spooled))
    assert name not in text and SECRET_TITLE not in text and SECRET_TEXT not in text


def test_beheerder_sees_the_employee(client_as, world, filled):
    wb = open_book(download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier"))
    plan = wb["Plan van aanpak"]
    row = next(r for r in plan.iter_rows(min_row=2) if r[2].value == SECRET_TITLE)
    assert (
        dict(zip(header(plan), [c.value for c in row], strict=False))["Medewerker"] == world.employees[0].name
    )
    assert SECRET_TEXT in all_text(wb)


def test_formula_injection_is_neutralised(client_as, world):
    title = '=HYPERLINK("http://evil.example","klik")'
    risk = risk_service.create_risk(
        world.org, {"title": title, "description": "+cmd|' /C calc'!A0", "theme_key": "werkdruk"}
    )
    make_detailed_measure(world, risk, title="@SUM(1+1)", effort="-2+3")
    db.session.commit()
    data = download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")
    ws = open_book(data)["Risico's"]
    cell = column(ws, "Titel")[0]
    assert cell.value == title and cell.data_type == "s" and cell.quotePrefix
    description = column(ws, "Beschrijving")[0]
    assert description.data_type == "s" and description.quotePrefix
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_period_limits_events(client_as, world, filled):
    make_attended_session(world, days_ago=400, topic="Oude voorlichting")
    db.session.commit()
    start = (clock.today() - timedelta(days=30)).isoformat()
    wb = open_book(download_xlsx(client_as, "beheerder", f"/o/acme/export/bewijsdossier?van={start}"))
    topics = [c.value for c in column(wb["Voorlichting"], "Onderwerp")]
    assert topics == ["Voorlichting werkdruk"]
    moments = [c.value for c in column(wb["Audit log"], "Datum en tijd")]
    assert moments and all(m.date() >= date.fromisoformat(start) for m in moments)


def test_bad_period_is_refused_in_dutch(client_as, filled):
    response = client_as("beheerder").get("/o/acme/export/bewijsdossier?van=2026-05-01&tot=2026-01-01")
    assert response.status_code == 400
    assert "De einddatum ligt vóór de begindatum." in response.get_data(as_text=True)
    response = client_as("beheerder").get("/o/acme/export/bewijsdossier?van=gisteren")
    assert response.status_code == 400


def test_tenant_isolation(client_as, world, filled):
    risk_service.create_risk(
        world.other_org, {"title": "Geheim risico van een ander", "description": "x", "theme_key": "werkdruk"}
    )
    db.session.commit()
    text = all_text(open_book(download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")))
    assert "Geheim risico van een ander" not in text and "Piet Anders" not in text
    assert "Hoge werkdruk op de afdeling" in text
    assert client_as("other").get("/o/acme/export/bewijsdossier").status_code == 404


def test_memory_bounded_write_only(world, filled):
    """The workbook is written in write-only mode, straight into a spooled file."""
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from riecycle.excel.writer import Col, SheetWriter, new_workbook, save

    wb = new_workbook()
    sheet = SheetWriter(wb, "Test", [Col("A")])
    assert isinstance(sheet.ws, WriteOnlyWorksheet)
    sheet.close()
    save(wb)
    assert evidence.build(world.org, rows.Viewer()).read(2) == b"PK"


# --- list exports: exactly as filtered on screen --------------------------------------------


def test_risk_register_export_follows_the_filters(client_as, world):
    make_evaluated_risk(world, title="Pesten in de pauze", theme="pesten", evaluations=((5, 7, 10, 1),))
    make_evaluated_risk(world, title="Werkdruk in de nachtdienst", evaluations=((1, 1, 1, 1),))
    db.session.commit()
    ws = open_book(
        download_xlsx(client_as, "preventiemedewerker", "/o/acme/export/risicos.xlsx?thema=pesten")
    )["Risico's"]
    assert [c.value for c in column(ws, "Titel")] == ["Pesten in de pauze"]
    ws = open_book(
        download_xlsx(client_as, "preventiemedewerker", "/o/acme/export/risicos.xlsx?sort=titel&dir=asc")
    )["Risico's"]
    assert [c.value for c in column(ws, "Titel")] == ["Pesten in de pauze", "Werkdruk in de nachtdienst"]
    page = client_as("preventiemedewerker").get("/o/acme/rie/risicos?thema=pesten").get_data(as_text=True)
    assert "/o/acme/export/risicos.xlsx?thema=pesten" in page


def test_plan_export_follows_the_filters(client_as, world, filled):
    team = world.teams["Zorgteam Zuid"]
    make_detailed_measure(
        world, filled["risk"], title="Teamoverleg over werkdruk", level="team", team_ids=[team.id]
    )
    db.session.commit()
    ws = open_book(download_xlsx(client_as, "auditor", "/o/acme/export/plan.xlsx?niveau=team"))[
        "Plan van aanpak"
    ]
    assert [c.value for c in column(ws, "Titel")] == ["Teamoverleg over werkdruk"]
    assert [c.value for c in column(ws, "Teams")] == ["Zorgteam Zuid"]
    ws = open_book(download_xlsx(client_as, "auditor", "/o/acme/export/plan.xlsx?niveau=individu"))[
        "Plan van aanpak"
    ]
    assert [c.value for c in column(ws, "Titel")] == [plan_service.pseudonym(filled["individual"])]
    page = client_as("preventiemedewerker").get("/o/acme/plan/?niveau=team").get_data(as_text=True)
    assert "/o/acme/export/plan.xlsx?niveau=team" in page


def test_audit_export_follows_the_filters(client_as, world, filled):
    ws = open_book(download_xlsx(client_as, "auditor", "/o/acme/export/auditlog.xlsx?entity=Risico"))[
        "Audit log"
    ]
    assert {c.value for c in column(ws, "Gegeven")} == {"Risico"}
    assert client_as("preventiemedewerker").get("/o/acme/export/auditlog.xlsx").status_code == 403
    page = client_as("auditor").get("/o/acme/audit/?entity=Risico").get_data(as_text=True)
    assert "/o/acme/export/auditlog.xlsx?entity=Risico" in page


def test_sessions_export(client_as, world, filled):
    ws = open_book(download_xlsx(client_as, "preventiemedewerker", "/o/acme/export/voorlichting.xlsx"))[
        "Voorlichting"
    ]
    assert [c.value for c in column(ws, "Onderwerp")] == ["Voorlichting werkdruk"]
    assert "/o/acme/export/voorlichting.xlsx" in client_as("preventiemedewerker").get(
        "/o/acme/voorlichting/"
    ).get_data(as_text=True)


def test_deleted_risks_stay_out(client_as, world, filled):
    from riecycle.services.records import soft_delete

    soft_delete(db.session.get(Risk, filled["risk"].id))
    db.session.commit()
    ws = open_book(download_xlsx(client_as, "beheerder", "/o/acme/export/risicos.xlsx"))["Risico's"]
    assert [c.value for c in column(ws, "Titel")] == []


# --- CLI ------------------------------------------------------------------------------------


def test_cli_export_evidence(app, world, filled, tmp_path):
    out = tmp_path / "dossier.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "evidence", "--org", "acme", "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == [*evidence.SHEETS, *evidence.MOVE_SHEETS]
    assert world.employees[0].name in all_text(wb)
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "evidence",
            "--org",
            "acme",
            "--out",
            str(out),
            "--from",
            "2020-01-01",
            "--to",
            clock.today().isoformat(),
            "--pseudonymise",
        ]
    )
    assert result.exit_code == 0, result.output
    assert world.employees[0].name not in all_text(load_workbook(out))
    result = app.test_cli_runner().invoke(
        args=["export", "evidence", "--org", "bestaatniet", "--out", str(out)]
    )
    assert result.exit_code != 0 and "bestaat niet" in result.output
