"""Issue 17 points 4-9: exports that stay valid, numbers and lookalike characters, damaged files,
missing sheets, bounded parsing and the row limit setting.

Every refused file is checked twice: through the upload view (a clear Dutch message, 400, nothing
written) and through the CLI (exit code 1, the same message, nothing written).
"""

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from riecycle.excel import cells, importer
from riecycle.extensions import db
from riecycle.models import Measure, Risk
from riecycle.services import ServiceError
from tests.factories import RISK_HEADERS, make_risk, measure_row, plan_file, risk_row, xlsx
from tests.support.imports import counts, upload

# --- point 4: characters XML cannot hold ----------------------------------------------------


RISK_FORM = {
    "title": "Piekdrukte",
    "theme_key": "werkdruk",
    "description": "Wat: veel werk.",
    "scope": "organisatie",
    "source": "rie",
    "status": "open",
}


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Piek\uffffdrukte"),
        ("title", "Piek\ufffedrukte"),
        ("description", "Wat: veel\uffff werk."),
        ("description", "Regel een\x0bregel twee"),
        ("description", "Wat\x01"),
    ],
)
def test_the_risk_form_refuses_a_character_xml_cannot_hold(app, world, client_as, field, value):
    before = db.session.scalar(select(func.count(Risk.id)))
    response = client_as("preventiemedewerker").post(
        "/o/acme/rie/risicos/nieuw", data={**RISK_FORM, field: value}
    )
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    assert "bevat een teken dat niet kan worden opgeslagen" in html
    assert re.search(r"U\+(FFFF|FFFE|000B|0001)", html)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Risk.id))) == before


def test_a_description_keeps_its_line_breaks_and_tabs(app, world, client_as):
    response = client_as("preventiemedewerker").post(
        "/o/acme/rie/risicos/nieuw", data={**RISK_FORM, "description": "Een\r\nTwee\tdrie"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Risk).where(Risk.title == "Piekdrukte")).description.startswith("Een")


def test_services_refuse_it_in_every_text_column(app, world):
    risk = make_risk(world)
    with pytest.raises(ServiceError) as error:
        risk.description = "Omschrijving \ud800"
    assert error.value.field == "description"
    with pytest.raises(ServiceError):
        risk.title = "Titel\uffff"
    db.session.rollback()


def test_the_cli_refuses_it_with_a_clear_message(app, world):
    from riecycle.models import Organisation

    result = app.test_cli_runner().invoke(args=["org", "create", "--slug", "kapot", "--name", "Kapot\uffff"])
    assert (
        result.exit_code != 0 and "bevat een teken dat niet kan worden opgeslagen (U+FFFF)" in result.output
    )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Organisation.slug == "kapot")) == 0


def test_the_import_names_the_character(app):
    with pytest.raises(cells.CellError, match=r"U\+FFFF"):
        cells.text("Titel\uffff")
    with pytest.raises(cells.CellError, match=r"U\+0001"):
        cells.text("Titel\x01")


@pytest.mark.parametrize("path", ["/o/acme/export/bewijsdossier", "/o/acme/export/risicos.xlsx"])
def test_an_export_with_old_bad_characters_stays_readable(app, world, client_as, path):
    """A value stored before the input check (plain SQL) is stripped when written."""
    risk = make_risk(world, title="Oud risico")
    db.session.commit()
    db.session.execute(
        update(Risk)
        .where(Risk.id == risk.id)
        .values(title="Oud\uffff risico\x01", description="Regel\ufffe een\x0b")
    )
    db.session.commit()
    response = client_as("beheerder").get(path)
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data), read_only=True)
    values = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "Oud risico" in values
    assert not any(isinstance(v, str) and re.search("[\uffff\ufffe\x01\x0b]", v) for v in values)


# --- point 9: the row limit is a setting ---------------------------------------------------


def test_the_row_limit_defaults_to_ten_thousand_and_is_a_setting(app, monkeypatch):
    from riecycle import config

    app.config.pop("IMPORT_MAX_ROWS", None)
    assert importer.max_rows() == 10_000
    assert config.Config.IMPORT_MAX_ROWS == 10_000
    monkeypatch.setenv("RIECYCLE_IMPORT_MAX_ROWS", "250")
    assert config._env_int("IMPORT_MAX_ROWS", 10_000) == 250
    app.config["IMPORT_MAX_ROWS"] = 250
    assert importer.max_rows() == 250


# --- point 5: numbers, serial dates, invisible and lookalike characters ------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1.500,50", Decimal("1500.50")),
        ("1500,50", Decimal("1500.50")),
        ("1500.50", Decimal("1500.50")),
        ("€ 1.500", Decimal("1500.00")),
        ("1500", Decimal("1500.00")),
        ("2.500.000,5", Decimal("2500000.50")),
        (1500.5, Decimal("1500.50")),
    ],
)
def test_amounts_in_dutch_or_with_a_decimal_point_are_read(app, typed, stored):
    assert cells.money(typed) == stored


@pytest.mark.parametrize("typed", ["1,500.50", "1,500", "1.500.50", "1,500,000", "1500.505", "1.50,5"])
def test_an_ambiguous_amount_is_refused_naming_the_value(app, world, typed):
    data = plan_file(measures=[measure_row(Budget=typed)])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Plan van aanpak", 2, "J (Budget)")
    assert f"'{typed}' is geen eenduidig bedrag" in problem.message


def test_the_budget_1500_50_written_the_english_way_is_never_stored_as_1_50(app, world, client_as):
    before = counts()
    response = upload(client_as("preventiemedewerker"), plan_file(measures=[measure_row(Budget="1,500.50")]))
    assert response.status_code == 400
    assert "&#39;1,500.50&#39; is geen eenduidig bedrag" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("typed", [46419, 46419.0, "46419", " 46419 "])
def test_an_excel_serial_date_is_read_as_a_date(app, world, typed):
    assert cells.day(typed) == date(2027, 2, 1)
    parsed = importer.parse_plan(world.org, plan_file(measures=[measure_row(Termijn=typed)]), "plan.xlsx")
    assert parsed.measures[0]["data"]["termijn"] == date(2027, 2, 1)


@pytest.mark.parametrize("typed", [3, "999", 9_999_999, "46419,5x"])
def test_a_number_that_is_no_plausible_serial_date_is_refused(app, typed):
    with pytest.raises(cells.CellError, match="geen geldige datum"):
        cells.day(typed)


@pytest.mark.parametrize(
    "typed, named",
    [
        ("Gepland\u200b", "onzichtbaar teken (U+200B zero width space) op plaats 8"),
        ("Gep\u00adland", "onzichtbaar teken (U+00AD soft hyphen) op plaats 4"),
        ("\ufeffGepland", "onzichtbaar teken (U+FEFF zero width no-break space) op plaats 1"),
        (
            "Gеpland",
            "op een letter lijkt maar een ander teken is (U+0435 cyrillic small letter ie) op plaats 2",
        ),
        ("Gepl\u03b1nd", "op een letter lijkt maar een ander teken is (U+03B1 greek small letter alpha)"),
    ],
)
def test_an_invisible_or_lookalike_character_is_named(app, world, typed, named):
    data = plan_file(measures=[measure_row(Status=typed)])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    [problem] = refused.value.problems
    assert "is geen geldige keuze" in problem.message
    assert named in problem.message


def test_a_non_breaking_space_in_a_choice_is_simply_read(app, world):
    parsed = importer.parse_plan(
        world.org, plan_file(measures=[measure_row(Status="In\u00a0uitvoering")]), "p.xlsx"
    )
    assert parsed.measures[0]["steps"][-1]["status"] == "in_uitvoering"


# --- point 6: damaged files -----------------------------------------------------------------


def _sheet_parts(data: bytes) -> dict:
    """Sheet title -> part name in the zip, read from workbook.xml and its relationships."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Target="/?(?:xl/)?([^"]+)" Id="([^"]+)"', rels))
    targets = {rid: "xl/" + target for target, rid in targets.items()}
    # Attributes in any order (openpyxl may write a namespace declaration on each sheet element).
    sheets = re.findall(r"<sheet\b[^>]*>", book)
    names = [
        (re.search(r' name="([^"]+)"', tag).group(1), re.search(r' r:id="([^"]+)"', tag).group(1))
        for tag in sheets
    ]
    return {name.replace("&apos;", "'").replace("&amp;", "&"): targets[rid] for name, rid in names}


def _edited(data: bytes, sheet: str, change) -> bytes:
    part = _sheet_parts(data)[sheet]
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                changed = change(content.decode())
                assert changed != content.decode(), "the damage did not apply"
                content = changed.encode()
            target.writestr(item, content)
    return out.getvalue()


def _cell(xml: str, ref: str, replacement: str) -> str:
    return re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', replacement, xml, count=1, flags=re.S)


DAMAGES = {
    "cut_off_sheet": lambda xml: xml[: xml.index('<row r="2"') + 120],
    "number_cell_with_text": lambda xml: re.sub(
        r'(<c r="[A-Z]+2"[^>]*t="n"[^>]*><v>)[^<]*', r"\1veel", xml, count=1
    ),
    "shared_string_out_of_range": lambda xml: _cell(xml, "C2", '<c r="C2" t="s"><v>99</v></c>'),
    "date_cell_with_text": lambda xml: _cell(xml, "C2", '<c r="C2" t="d"><v>gisteren</v></c>'),
    "reference_without_row": lambda xml: xml.replace('<c r="C2"', '<c r="C"', 1),
}


@pytest.fixture
def export(world, client_as):
    """The evidence workbook of acme with a risk and a measure (a real export)."""
    from tests.factories import make_detailed_measure
    from tests.support.files import download_xlsx

    risk = make_risk(world, title="Werkdruk in de zomer")
    make_detailed_measure(world, risk)
    db.session.commit()
    return download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_file_is_refused_clearly_in_the_upload(app, world, client_as, export, damage):
    data = _edited(export, "Plan van aanpak", DAMAGES[damage])
    before = counts()
    response = upload(client_as("preventiemedewerker"), data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Het bestand is beschadigd" in page and "opnieuw op als" in page
    assert counts() == before


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_file_is_refused_clearly_by_the_cli(app, world, export, damage, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_edited(export, "Plan van aanpak", DAMAGES[damage]))
    before = counts()
    result = app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path)])
    assert result.exit_code == 1
    assert "Het bestand is beschadigd" in result.output and "opnieuw op als" in result.output
    assert "Traceback" not in result.output
    db.session.rollback()
    assert counts() == before


def test_the_undamaged_export_reads_past_the_file_check(app, world, export):
    """The damage is what is refused: the same export unchanged reads as an update without changes."""
    parsed = importer.parse_plan(world.org, export, "bewijsdossier.xlsx")
    assert parsed.stamp is not None
    assert parsed.updates == [] and parsed.unchanged >= 1


# --- point 7: missing sheets ----------------------------------------------------------------


def _renamed(data: bytes, old: str, new: str) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = content.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "build, found",
    [
        (
            lambda: _renamed(plan_file(), "Plan van aanpak", "Plan van aanpak (2)"),
            "Risico's, Plan van aanpak (2)",
        ),
        (lambda: xlsx({"Risico's": (RISK_HEADERS, [risk_row()])}), "Risico's"),
    ],
    ids=["renamed", "missing"],
)
def test_a_missing_plan_sheet_is_an_error_naming_the_expected_sheets(
    app, world, client_as, tmp_path, build, found
):
    data = build()
    message = (
        f"Het tabblad 'Plan van aanpak' ontbreekt. Gevonden tabbladen: {found}. Gebruik het sjabloon van "
        "deze pagina of het bewijsdossier. Een plan heeft de tabbladen 'Risico's' en 'Plan van aanpak', "
        "met deze namen."
    )
    before = counts()
    response = upload(client_as("preventiemedewerker"), data)
    assert response.status_code == 400
    assert message.replace("'", "&#39;") in response.get_data(as_text=True)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path)])
    assert result.exit_code == 1 and message in result.output
    db.session.rollback()
    assert counts() == before


# --- point 8: bounded parsing, each upload parsed once ---------------------------------------


def _padded_plan(empty_rows: int, then: str | None = "Later toegevoegd") -> bytes:
    from bench.tasks import pad_sheet

    return pad_sheet(plan_file(), 2, empty_rows, then=then)  # sheet 2: Plan van aanpak


@pytest.fixture
def walked(monkeypatch):
    """How many rows of each sheet were read from the file."""
    from riecycle.excel import tables

    seen: dict = {}
    real = tables._parsed_rows

    def counting(ws):
        for item in real(ws):
            seen[ws.title] = seen.get(ws.title, 0) + 1
            yield item

    monkeypatch.setattr(tables, "_parsed_rows", counting)
    return seen


def test_a_run_of_empty_rows_ends_the_sheet_and_the_preview_says_where(app, world, client_as, walked):
    from riecycle.excel.tables import EMPTY_RUN

    client = client_as("preventiemedewerker")
    response = upload(client, _padded_plan(20_000))
    assert response.status_code == 302
    # header, one measure, then EMPTY_RUN empty rows and the one looked at after them
    assert walked["Plan van aanpak"] == 2 + EMPTY_RUN + 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Tabblad &#39;Plan van aanpak&#39;: het inlezen is gestopt bij rij 1002, na 1.000 lege rijen achter "
        "elkaar. Wat daaronder staat, is niet ingelezen."
    ) in page
    assert "Dit wordt aangemaakt: 1 risico's en 1 maatregelen." in page


def test_the_cli_says_where_reading_stopped(app, world, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_padded_plan(1_500))
    result = app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "het inlezen is gestopt bij rij 1002" in result.output
    assert "Proefimport geslaagd: 1 risico's en 1 maatregelen" in result.output


def test_fewer_empty_rows_than_the_run_are_read_past(app, world):
    data = _padded_plan(999, then="Nog een maatregel")
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    # the row after 999 empty ones is read (and checked: it has only a reference)
    assert {p.row for p in refused.value.problems} == {2 + 999 + 1}


@pytest.fixture
def parses(monkeypatch):
    calls = []
    real = importer.parse_plan

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "parse_plan", counting)
    return calls


def _pending_id(response) -> int:
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_each_upload_is_parsed_once(app, world, client_as, parses):
    client = client_as("preventiemedewerker")
    response = upload(client, plan_file())
    pending_id = _pending_id(response)
    assert client.get(f"/o/acme/export/importeren/{pending_id}").status_code == 200
    assert client.get(f"/o/acme/export/importeren/{pending_id}").status_code == 200
    done = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen")
    assert done.status_code == 302
    assert len(parses) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Measure.id))) == 1


def test_a_change_in_between_makes_the_confirm_check_the_file_again(app, world, client_as, parses):
    client = client_as("preventiemedewerker")
    pending_id = _pending_id(upload(client, plan_file()))
    assert client.get(f"/o/acme/export/importeren/{pending_id}").status_code == 200
    make_risk(world, title="Werkdruk door roosters")  # a colleague adds the file's risk meanwhile
    db.session.commit()
    before = counts()
    done = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen")
    assert done.status_code == 409
    assert len(parses) == 2
    assert counts() == before


def test_a_kept_check_counts_only_for_the_same_file_organisation_and_kind(app, world):
    from types import SimpleNamespace

    from riecycle.excel import parsed

    pending = SimpleNamespace(id=987654, sha256="a" * 64)
    parsed.remember(pending, world.org.id, "plan", "checked")
    assert parsed.recall(pending, world.org.id, "plan") == "checked"
    assert parsed.recall(SimpleNamespace(id=987654, sha256="b" * 64), world.org.id, "plan") is None
    assert parsed.recall(pending, world.other_org.id, "plan") is None
    assert parsed.recall(pending, world.org.id, "teams") is None
    parsed.forget(pending.id)
    assert parsed.recall(pending, world.org.id, "plan") is None


def test_a_sheet_without_a_dimension_is_not_read_in_full_to_open_the_workbook(
    app, world, walked, monkeypatch
):
    """openpyxl parses a whole sheet without <dimension> to size it; the import skips that."""
    from openpyxl.worksheet import _reader

    parsed_elements = []
    real = _reader.WorkSheetParser.parse_dimensions

    def counting(self):
        parsed_elements.append(1)
        return real(self)

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_dimensions", counting)
    parsed = importer.parse_plan(world.org, _padded_plan(5_000), "plan.xlsx")  # pad_sheet drops <dimension>
    assert parsed_elements == [] and len(parsed.measures) == 1
    # and only the rows up to the run of empty rows were read
    assert walked["Plan van aanpak"] < 1_100


def test_text_wholly_in_another_script_is_not_called_a_lookalike(app):
    assert cells.odd_character("Олена") is None
    assert "lijkt" in cells.odd_character("Оlena")
