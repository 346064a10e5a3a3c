"""Export and import in a real browser: download the evidence workbook, import a plan via the preview."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from riecycle.excel import evidence
from tests.conftest import browser_login
from tests.factories import measure_row, plan_file, risk_row

pytestmark = pytest.mark.e2e


def test_download_evidence_and_import_plan(page, world, tmp_path):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Export")
    expect(page.locator("h1")).to_have_text("Export en import")

    with page.expect_download() as info:
        page.click("text=Download bewijsdossier")
    download = info.value
    assert download.suggested_filename.startswith("bewijsdossier-acme-")
    workbook = load_workbook(BytesIO(download.path().read_bytes()))
    assert workbook.sheetnames == list(evidence.SHEETS)

    broken = tmp_path / "fout.xlsx"
    broken.write_bytes(plan_file([risk_row(Thema="Stress")]))
    page.set_input_files("input[name=file]", str(broken))
    page.click("text=Bestand controleren")
    report = page.locator("table.report")
    expect(report).to_contain_text("Onbekend thema 'Stress'")
    expect(report).to_contain_text("B (Thema)")

    good = tmp_path / "plan.xlsx"
    good.write_bytes(
        plan_file(
            [risk_row(), risk_row("R-2", title="Agressie aan de balie", Thema="Agressie en geweld (extern)")],
            [
                measure_row(),
                measure_row("R-2", title="Cameratoezicht bij de balie"),
                measure_row(
                    "R-1; R-2", title="Training omgaan met spanning", Niveau="Team", Teams="Zorgteam Noord"
                ),
            ],
        )
    )
    page.set_input_files("input[name=file]", str(good))
    page.click("text=Bestand controleren")
    expect(page.locator("h1")).to_have_text("Controleer de import")
    expect(page.locator("[data-testid=preview-summary]")).to_have_text(
        "Dit wordt aangemaakt: 2 risico's en 3 maatregelen."
    )
    page.click("text=Bevestigen en importeren")
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Import gelukt: 2 risico's en 3 maatregelen toegevoegd.")
    expect(page.locator("h1")).to_have_text("Risicoregister")
    register = page.locator("table.register")
    expect(register).to_contain_text("Werkdruk door roosters")
    expect(register).to_contain_text("Agressie aan de balie")
