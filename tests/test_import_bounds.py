"""Uploads that would burn a worker are bounded by their real content, before parsing
(Excel imports that burn a worker; the employee CSV with a field over 128 KB)."""

import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from riecycle.excel import filecheck, importer, tables
from riecycle.extensions import db
from riecycle.models import Employee, Measure, Risk
from tests.factories import MEASURE_HEADERS, RISK_HEADERS, measure_row, plan_file, risk_row


def _far_cell_file() -> bytes:
    """The template's sheets with one more cell at row 3,000,000 (about 10 KB on disk)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in (
        ("Risico's", RISK_HEADERS, [risk_row()]),
        ("Plan van aanpak", MEASURE_HEADERS, [measure_row()]),
    ):
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    # openpyxl stops at Excel's last row; the row number is raised in the XML below.
    wb["Risico's"].cell(row=1_048_576, column=1, value="verdwaald")
    out = BytesIO()
    wb.save(out)
    return _edit_part(
        out.getvalue(), "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"1048576", b"3000000")
    )


def _edit_part(data: bytes, name: str, change) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, change(content) if item.filename == name else content)
    return out.getvalue()


def _with_styles(data: bytes, styles: bytes) -> bytes:
    return _edit_part(data, "xl/styles.xml", lambda _xml: styles)


def test_one_cell_far_down_reads_only_the_real_rows(app, world, monkeypatch):
    data = _far_cell_file()
    assert len(data) < 20_000
    walked = []
    real_rows = tables._real_rows

    def counting(ws):
        for row in real_rows(ws):
            walked.append(row[0])
            yield row

    monkeypatch.setattr(tables, "_real_rows", counting)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    # Header, one risk and the stray cell on the risk sheet, header and a measure on the other:
    # five rows read, not three million.
    assert max(walked) == 3_000_000 and len(walked) <= 6
    problems = [p.as_text() for p in refused.value.problems]
    assert problems and all("rij 3000000" in p for p in problems), problems  # only the stray row


def test_a_huge_styles_part_is_refused_before_parsing(app, world, client_as, monkeypatch):
    entries = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 80_000  # about 5 MB
    styles = (
        b'<?xml version="1.0" encoding="UTF-8"?><styleSheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="80000">'
        + entries
        + b"</cellXfs></styleSheet>"
    )
    data = _with_styles(plan_file(), styles)
    assert len(data) < 200_000  # small on disk, large unpacked

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(filecheck, "load_workbook", must_not_parse)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.read_workbook(data, "plan.xlsx")
    assert "celstijlen" in refused.value.problems[0].message
    response = client_as("beheerder").post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "De opmaak van het bestand is te groot" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Risk)) == 0
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def _csv_upload(client, text: str):
    return client.post(
        "/o/acme/beheer/medewerkers/importeren",
        data={"file": (BytesIO(text.encode()), "medewerkers.csv")},
        content_type="multipart/form-data",
    )


def test_employee_csv_with_a_field_over_128_kb_is_refused_clearly(app, world, client_as):
    before = db.session.scalar(select(func.count()).select_from(Employee))
    text = "naam;team\nNieuwe Collega;Zorgteam Noord\n" + "Lang;" + "x" * 140_000 + "\n"
    response = _csv_upload(client_as("beheerder"), text)
    assert response.status_code == 400
    assert "een veld is te lang" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Employee)) == before


def test_employee_csv_with_extra_cells_and_odd_dates_never_500(app, world, client_as):
    before = db.session.scalar(select(func.count()).select_from(Employee))
    text = "naam;team;startdatum\nA;Zorgteam Noord;2020-01-01;extra;meer\nB;Zorgteam Zuid;0001-01-01\n"
    response = _csv_upload(client_as("beheerder"), text)
    assert response.status_code == 400
    assert "Vul een datum tussen 01-01-1900 en 31-12-2199 in." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Employee)) == before
