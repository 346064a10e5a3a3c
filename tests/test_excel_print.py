"""Printing the exports: landscape, fit to the page width, the header on every page, and rows
tall enough for their wrapped text; checked in openpyxl and by printing to PDF with LibreOffice."""

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from openpyxl import load_workbook

from riecycle.excel.writer import text_lines
from riecycle.extensions import db
from tests.conftest import require
from tests.factories import (
    make_attended_session,
    make_detailed_measure,
    make_evaluated_risk,
    make_individual_measure,
)

LONG_DESCRIPTION = "Medewerkers melden structureel overwerk en gemiste pauzes door de drukte. " * 8
EXPORTS = (
    "/o/acme/export/bewijsdossier",
    "/o/acme/export/risicos.xlsx",
    "/o/acme/export/plan.xlsx",
    "/o/acme/export/voorlichting.xlsx",
    "/o/acme/export/auditlog.xlsx",
)


@pytest.fixture
def printed(world):
    risk = make_evaluated_risk(world)
    risk.description = LONG_DESCRIPTION
    for n in range(12):
        make_detailed_measure(world, risk, title=f"Maatregel {n + 1}", description=LONG_DESCRIPTION)
    make_individual_measure(world, risk)
    make_attended_session(world)
    db.session.commit()
    return risk


def _book(client_as, role, url):
    response = client_as(role).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def _assert_prints_well(ws):
    setup = ws.page_setup
    assert setup.orientation == "landscape", ws.title
    assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.print_title_rows == "$1:$1", (ws.title, ws.print_title_rows)


@pytest.mark.parametrize("role", ["beheerder", "auditor"])
def test_every_sheet_of_every_export_prints_landscape_fit_to_width(client_as, printed, role):
    for url in EXPORTS:
        if url.endswith("auditlog.xlsx") and role != "beheerder":
            continue
        wb = load_workbook(BytesIO(_book(client_as, role, url)))
        assert wb.worksheets, url
        for ws in wb.worksheets:
            _assert_prints_well(ws)


def test_rows_are_tall_enough_for_their_wrapped_text(client_as, printed):
    wb = load_workbook(BytesIO(_book(client_as, "beheerder", "/o/acme/export/bewijsdossier")))
    ws = wb["Risico's"]
    headers = [c.value for c in ws[1]]
    col = headers.index("Beschrijving") + 1
    width = ws.column_dimensions[ws.cell(1, col).column_letter].width
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == LONG_DESCRIPTION)
    assert ws.cell(row, col).alignment.wrap_text
    lines = text_lines(LONG_DESCRIPTION, width)
    assert lines > 5
    assert ws.row_dimensions[row].height >= lines * 15
    # The plan: every long description gets its full height; a short row keeps the default.
    plan = wb["Plan van aanpak"]
    heights = [plan.row_dimensions[r].height for r in range(2, plan.max_row + 1)]
    assert sum(1 for h in heights if h and h >= lines * 15 * 0.5) >= 12


def test_samenvatting_has_real_column_widths(client_as, printed):
    wb = load_workbook(BytesIO(_book(client_as, "beheerder", "/o/acme/export/bewijsdossier")))
    ws = wb["Samenvatting"]
    # The theme table below the key figures uses columns A to J: each has its own width.
    header_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Thema")
    used = [c.column_letter for c in ws[header_row] if c.value]
    assert len(used) == 10
    for letter in used:
        assert ws.column_dimensions[letter].width >= 12, letter
    assert ws.column_dimensions["A"].width >= 30 and ws.column_dimensions["C"].width >= 40


# --- LibreOffice -------------------------------------------------------------------------------

PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of every page: LibreOffice writes one uncompressed page dictionary per page."""
    boxes = [tuple(float(v) for v in m.groups()) for m in MEDIABOX.finditer(pdf)]
    pages = len(PAGE.findall(pdf))
    assert pages and boxes
    # A /MediaBox on the /Pages node applies to every page without its own.
    sizes = {(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes}
    return (
        [next(iter(sizes))] * pages if len(sizes) == 1 else [(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]
    )


def test_libreoffice_prints_the_evidence_workbook_landscape_on_few_pages(
    client_as, printed, backend, tmp_path
):
    if backend != "sqlite":
        pytest.skip("LibreOffice prints the same file whatever the database: run once, on SQLite")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice (soffice, Debian package libreoffice-calc-nogui)")
    source = tmp_path / "bewijsdossier.xlsx"
    source.write_bytes(_book(client_as, "auditor", "/o/acme/export/bewijsdossier"))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = _pdf_pages((tmp_path / "bewijsdossier.pdf").read_bytes())
    sheets = len(load_workbook(source, read_only=True).sheetnames)
    # Every page landscape A4; at least a page per sheet, and no columns spilling onto extra pages
    # (a dozen measures, one risk and one session fit on a few pages per sheet).
    assert all(width > height for width, height in pages), pages
    assert all(abs(width - 842) < 2 and abs(height - 595) < 2 for width, height in pages), pages
    assert sheets <= len(pages) <= 3 * sheets, len(pages)
