"""Reading an import file: refuse what is not a plain .xlsx, then check every row and collect
every problem (sheet, row, column, Dutch message), so the user fixes the file in one go.

Nothing here writes to the database: services/imports.py creates the records from the result.
"""

import itertools
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from riecycle import clock
from riecycle.excel import schema
from riecycle.extensions import db
from riecycle.inputs import MAX_INT, MIN_INT
from riecycle.models import Employee, Factor, Membership, Risk, Team, Theme, User
from riecycle.services import ServiceError, fields, scoring

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 2000
# A zip that unpacks to more than this is refused (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Parts that are parsed whole, bounded before parsing: a styles.xml of 87 MB (1.4 million style
# entries) took 44 s and 1.2 GB. A real workbook's styles are a few hundred KB at most.
MAX_STYLES_BYTES = 4 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 30 * 1024 * 1024
MAX_SHEET_BYTES = 40 * 1024 * 1024
# Rows that exist in the sheet (also empty, formatted ones) read per sheet before giving up.
MAX_SCANNED_ROWS = 100_000
# Columns beyond this are ignored (the templates have fewer than 60).
MAX_COLUMNS = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PSEUDONYM_RE = re.compile(r"–\s*individuele maatregel #\d+\s*$")
TRUE = {"ja", "j", "x", "1", "waar", "true", "yes", "y", "wel"}
FALSE = {"nee", "n", "0", "onwaar", "false", "no", "niet", ""}


@dataclass
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def as_text(self) -> str:
        where = [
            p
            for p in (
                self.sheet and _("tabblad '%(s)s'", s=self.sheet),
                self.row and _("rij %(r)s", r=self.row),
                self.column and _("kolom %(c)s", c=self.column),
            )
            if p
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(Exception):
    """The file cannot be imported; .problems says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.as_text() for p in problems[:5]))
        self.problems = problems


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def _refuse(message: str):
    raise ImportRefused([Problem(None, None, None, message)])


# --- the file itself ---------------------------------------------------------------------


def check_file(data: bytes, filename: str | None = None) -> None:
    """Refuse empty, oversized, old-format, encrypted, macro, corrupt and non-Excel files."""
    name = (filename or "").lower()
    if not data:
        _refuse(_("Het bestand is leeg. Kies het ingevulde Excel-bestand (.xlsx)."))
    if len(data) > max_bytes():
        _refuse(
            _(
                "Het bestand is te groot (%(size)s MB); de grens is %(mb)s MB. Splits het bestand of verwijder "
                "overbodige tabbladen en afbeeldingen.",
                size=f"{len(data) / 1048576:.1f}".replace(".", ","),
                mb=f"{max_bytes() / 1048576:g}".replace(".", ","),
            )
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARKER in data:
            _refuse(
                _(
                    "Het bestand is beveiligd met een wachtwoord. Haal in Excel de beveiliging eraf (Bestand → "
                    "Info → Werkmap beveiligen → Versleutelen met wachtwoord: leegmaken), sla op en probeer opnieuw."
                )
            )
        _refuse(
            _(
                "Dit is een oud Excel-bestand (.xls), ook al eindigt de naam misschien op .xlsx. Open het in "
                "Excel en kies Opslaan als → 'Excel-werkmap (.xlsx)'."
            )
        )
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        _refuse(
            _(
                "Bestanden met macro's (.xlsm) of binaire werkmappen (.xlsb) worden niet geaccepteerd. "
                "Sla het bestand op als 'Excel-werkmap (.xlsx)'."
            )
        )
    if not data.startswith(b"PK"):
        _refuse(
            _(
                "Dit bestand is geen Excel-werkmap (.xlsx). Gebruik het sjabloon van deze pagina of "
                "sla uw bestand in Excel op als 'Excel-werkmap (.xlsx)'."
            )
        )
    _check_zip(data)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename.lower() for i in infos}
            if any(n.endswith("vbaproject.bin") for n in names):
                _refuse(
                    _(
                        "Het bestand bevat macro's. Bestanden met macro's worden om veiligheidsredenen niet "
                        "geaccepteerd: sla het op als 'Excel-werkmap (.xlsx)' zonder macro's."
                    )
                )
            if "xl/workbook.xml" not in names:
                _refuse(
                    _(
                        "Dit bestand is geen Excel-werkmap (.xlsx) maar een ander soort bestand "
                        "(bijvoorbeeld Word of een zip-map)."
                    )
                )
            content_types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
            if b"macroEnabled" in content_types:
                _refuse(
                    _(
                        "Het bestand is een werkmap met macro's (.xlsm). Sla het op als 'Excel-werkmap (.xlsx)'."
                    )
                )
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                _refuse(_("Het bestand is uitgepakt te groot om in te lezen. Splits het bestand."))
            _check_parts(infos)
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except ImportRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ):
        _refuse(
            _(
                "Het bestand is beschadigd en kan niet worden gelezen. Open het in Excel, sla het opnieuw "
                "op als 'Excel-werkmap (.xlsx)' en probeer het nog eens."
            )
        )


def _check_parts(infos) -> None:
    """Refuse parts that would cost far more to parse than any real workbook, before parsing.

    The sizes are the uncompressed sizes the zip declares; testzip() (after this) checks them.
    """
    for info in infos:
        name = info.filename.lower()
        if name.endswith("styles.xml") and info.file_size > MAX_STYLES_BYTES:
            _refuse(
                _(
                    "De opmaak van het bestand is te groot (%(mb)s MB aan celstijlen) om in te lezen. "
                    "Kopieer de gegevens naar het sjabloon van deze pagina (Plakken als waarden) en "
                    "probeer het opnieuw.",
                    mb=f"{info.file_size / 1048576:.0f}",
                )
            )
        if name.endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS_BYTES:
            _refuse(_("Het bestand bevat te veel tekst om in één keer in te lezen. Splits het bestand."))
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and info.file_size > MAX_SHEET_BYTES:
            _refuse(_("Een tabblad van het bestand is te groot om in te lezen. Splits het bestand."))


def _real_rows(ws):
    """(row number, {column index (0-based): value}) of the rows that are in the file.

    Rows missing from the file are skipped, not walked: one cell at row 3,000,000 is one row
    here, where openpyxl's iter_rows() would yield three million empty ones. Columns beyond
    MAX_COLUMNS are ignored.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    if not hasattr(ws, "_get_source"):  # a normal (not read-only) worksheet
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            yield number, dict(enumerate(values))
        return
    book = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            yield number, {c["column"] - 1: c["value"] for c in cells if c["column"] <= MAX_COLUMNS}


def read_workbook(data: bytes, filename: str | None = None):
    """An openpyxl workbook in read-only mode, after check_file()."""
    check_file(data, filename)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for broken files
        log.info("unreadable xlsx upload", exc_info=True)
        _refuse(
            _(
                "Het bestand is beschadigd of geen geldige Excel-werkmap en kan niet worden gelezen. "
                "Sla het in Excel opnieuw op als 'Excel-werkmap (.xlsx)'."
            )
        )


# --- sheets, headers, rows ---------------------------------------------------------------------


def norm(text) -> str:
    text = str(text or "").strip().lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text)


def find_sheet(wb, title):
    wanted = {norm(title), norm(title).replace("'", "")}
    return next(
        (ws for ws in wb.worksheets if norm(ws.title) in wanted or norm(ws.title).replace("'", "") in wanted),
        None,
    )


@dataclass
class Table:
    """The rows of one sheet: (excel row number, {field key: raw value})."""

    sheet: str
    columns: dict  # field key -> column label for messages, e.g. "C (Titel)"
    rows: list = field(default_factory=list)


def read_table(ws, title: str, fields, problems: list[Problem]) -> Table | None:
    """Map the header row to fields and read the data rows (empty rows skipped)."""
    try:
        ws.reset_dimensions()
    except AttributeError:
        pass
    with force_locale("nl"):  # the workbooks are always Dutch, whatever the user's language
        by_header = {norm(f.header): f for f in fields if f.importable}
        computed = {norm(f.header) for f in fields if not f.importable}
        dutch_header = {f.key: str(f.header) for f in fields}
    iterator = _real_rows(ws)
    first = next(iterator, None)
    header = []
    if first is not None and first[0] == 1 and first[1]:
        header = [first[1].get(i) for i in range(max(first[1]) + 1)]
    elif first is not None:
        iterator = itertools.chain([first], iterator)
    if not header or not any(v not in (None, "") for v in header):
        problems.append(
            Problem(
                title,
                1,
                None,
                _("De eerste rij moet de kolomkoppen bevatten (zoals in het sjabloon), maar is leeg."),
            )
        )
        return None
    positions, columns = {}, {}
    for index, value in enumerate(header):
        key = norm(value)
        if key in by_header:
            f = by_header[key]
            if f.key in positions:
                problems.append(
                    Problem(
                        title,
                        1,
                        _column(index, value),
                        _("De kolom '%(c)s' staat twee keer in de kopregel.", c=value),
                    )
                )
                continue
            positions[f.key], columns[f.key] = index, _column(index, value)
        elif key and key not in computed:
            continue  # extra columns (notes) are ignored
    missing = [f for f in fields if f.required and f.key not in positions]
    for f in missing:
        problems.append(
            Problem(
                title,
                1,
                dutch_header[f.key],
                _(
                    "De verplichte kolom '%(c)s' ontbreekt. Gebruik de kolomkoppen van het sjabloon.",
                    c=dutch_header[f.key],
                ),
            )
        )
    if missing:
        return None
    table = Table(title, columns)
    limit = max_rows()
    for scanned, (number, values) in enumerate(iterator, start=1):
        if scanned > MAX_SCANNED_ROWS:
            problems.append(
                Problem(
                    title,
                    number,
                    None,
                    _(
                        "Het tabblad heeft meer dan %(n)s rijen (ook lege, opgemaakte rijen tellen mee). "
                        "Verwijder de lege rijen onder de gegevens of splits het bestand.",
                        n=MAX_SCANNED_ROWS,
                    ),
                )
            )
            break
        cells = {k: values.get(i) for k, i in positions.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        if len(table.rows) >= limit:
            problems.append(
                Problem(
                    title,
                    number,
                    None,
                    _(
                        "Het tabblad heeft meer dan %(n)s ingevulde rijen; dat is de grens per import. Splits het bestand "
                        "in kleinere delen.",
                        n=limit,
                    ),
                )
            )
            break
        table.rows.append((number, cells))
    return table


def _column(index: int, header) -> str:
    return f"{get_column_letter(index + 1)} ({str(header).strip()})"


# --- cell values -----------------------------------------------------------------------------


class CellError(ValueError):
    pass


def text(value, max_length: int | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.strftime("%d-%m-%Y")
    result = str(value).strip() or None
    if result and max_length and len(result) > max_length:
        raise CellError(_("De tekst is te lang: %(n)s tekens, maximaal %(m)s.", n=len(result), m=max_length))
    return result


def line(value, max_length: int | None = None) -> str | None:
    """Single-line text (a title, a name): no line breaks, tabs or other control characters."""
    result = text(value, max_length)
    if result and fields.bad_character(result) is not None:
        raise CellError(_("Deze tekst moet op één regel staan, zonder regeleinden, tabs of stuurtekens."))
    return result


def integer(value) -> int | None:
    number = _integer(value)
    if number is not None and not MIN_INT <= number <= MAX_INT:
        raise CellError(_("Vul een kleiner getal in."))
    return number


def _integer(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Vul een heel getal in."))
    if isinstance(value, (int, float, Decimal)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise CellError(_("'%(v)s' is geen heel getal. Vul alleen cijfers in, bijvoorbeeld 3.", v=value))


def day(value) -> date | None:
    """A date cell; a year outside fields.FIRST_YEAR..LAST_YEAR is refused like the forms do."""
    result = _day(value)
    if result is not None and not fields.FIRST_YEAR <= result.year <= fields.LAST_YEAR:
        raise CellError(
            _("De datum ligt niet tussen %(a)s en %(b)s.", a=fields.FIRST_YEAR, b=fields.LAST_YEAR)
        )
    return result


def _day(value) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y"):
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise CellError(
        _("'%(v)s' is geen geldige datum. Gebruik dag-maand-jaar, bijvoorbeeld 31-12-2026.", v=value)
    )


def money(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50."))
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        raw = str(value).replace("€", "").replace(" ", "").replace("\u00a0", "")
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", raw):
            raw = raw.replace(".", "")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise CellError(
                _(
                    "'%(v)s' is geen bedrag. Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50.",
                    v=value,
                )
            ) from None
    if not amount.is_finite():
        raise CellError(_("Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50."))
    if amount < 0:
        raise CellError(_("Het budget kan niet negatief zijn."))
    if amount >= Decimal("10000000000"):
        raise CellError(_("Het budget moet lager zijn dan € 10 miljard."))
    return amount.quantize(Decimal("0.01"))


def yes_no(value) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return bool(value)
    key = norm(value)
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(_("Vul Ja of Nee in (nu: '%(v)s').", v=value))


def names(value) -> list[str]:
    raw = text(value) or ""
    return [part.strip() for part in re.split(r"[;\n]", raw) if part.strip()]


class Lookup:
    """Dutch label (or stored value) -> stored value, case-insensitive."""

    def __init__(self, kind: str):
        with force_locale("nl"):
            labels = schema.dutch_labels(kind)
        self.kind = kind
        self.values = {**{norm(k): k for k in labels}, **{norm(v): k for k, v in labels.items()}}
        self.shown = ", ".join(labels.values())

    def __call__(self, value, default=None):
        key = norm(text(value))
        if not key:
            return default
        if key in self.values:
            return self.values[key]
        raise CellError(_("'%(v)s' is geen geldige keuze. Kies uit: %(c)s.", v=text(value), c=self.shown))


# --- reading rows with errors per cell ---------------------------------------------------------


class RowReader:
    """Reads one row's cells; each problem is recorded with the row and column."""

    def __init__(self, table: Table, number: int, cells: dict, problems: list[Problem]):
        self.table, self.number, self.cells, self.problems = table, number, cells, problems
        self.failed = False

    def error(self, key: str | None, message) -> None:
        column = self.table.columns.get(key) if key else None
        self.problems.append(Problem(self.table.sheet, self.number, column, str(message)))
        self.failed = True

    def get(self, key: str, parse=text, *args, required=None, default=None):
        """The parsed cell; a missing required value is reported with the (lazy) message `required`."""
        raw = self.cells.get(key)
        try:
            value = parse(raw, *args) if parse is not None else raw
        except CellError as error:
            self.error(key, str(error))
            return default
        if value in (None, "", []) and required:
            self.error(key, required)
            return default
        return default if value in (None, "", []) else value


# --- the plan: risks plus measures ------------------------------------------------------------


@dataclass
class PlanImport:
    risks: list = field(default_factory=list)  # dicts with "row", "ref", "data", "evaluations", "top5"
    measures: list = field(default_factory=list)  # dicts with "row", "data", "status_steps"

    @property
    def empty(self) -> bool:
        return not self.risks and not self.measures


class _Directory:
    """The organisation's teams, users, employees, themes and factors, by name."""

    def __init__(self, org):
        self.org = org
        self.teams = _by_name(
            db.session.scalars(select(Team).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))),
            "name",
        )
        self.themes = {}
        for theme in db.session.scalars(select(Theme)):
            self.themes[norm(theme.name_nl)] = self.themes[norm(theme.key)] = theme.key
        self.factors = {}
        for factor in db.session.scalars(select(Factor)):
            self.factors[norm(factor.name_nl)] = self.factors[norm(factor.key)] = factor.key
        members = db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id)
        ).all()
        self.users_by_email = {norm(u.email): u for u in members}
        self.users_by_name = _by_name(members, "name")
        # Rows (id, name, team_name), not records: a large employer has tens of thousands.
        self.employees = _by_name(
            db.session.execute(
                select(Employee.id, Employee.name, Team.name.label("team_name"))
                .outerjoin(Team, Team.id == Employee.team_id)
                .where(Employee.organisation_id == org.id, Employee.deleted_at.is_(None))
            ),
            "name",
        )

    def team_ids(self, reader: RowReader, key: str) -> list[int]:
        ids = []
        for name in reader.get(key, names) or []:
            found = self.teams.get(norm(name), [])
            if len(found) == 1:
                ids.append(found[0].id)
            elif not found:
                reader.error(
                    key,
                    _(
                        "Team '%(t)s' bestaat niet in riecycle. Kies een team uit de lijst of maak het "
                        "eerst aan bij Beheer → Teams (de naam moet precies gelijk zijn).",
                        t=name,
                    ),
                )
            else:
                reader.error(
                    key,
                    _(
                        "Er zijn meerdere teams met de naam '%(t)s'. Geef ze in Beheer een unieke naam.",
                        t=name,
                    ),
                )
        return ids

    def user(self, reader: RowReader, key: str, required):
        value = reader.get(key, text, required=required)
        if not value:
            return None
        user = self.users_by_email.get(norm(value))
        candidates = self.users_by_name.get(norm(value), [])
        if user is None and len(candidates) == 1:
            user = candidates[0]
        if user is None:
            reader.error(
                key,
                _(
                    "'%(v)s' is geen gebruiker van deze organisatie. Vul de naam of het e-mailadres in "
                    "van iemand die toegang heeft tot riecycle.",
                    v=value,
                )
                if not candidates
                else _("Er zijn meerdere gebruikers met de naam '%(v)s'. Vul het e-mailadres in.", v=value),
            )
        return user

    def employee(self, reader: RowReader, key: str, value: str):
        match = re.fullmatch(r"(.+?)\s*\((.+)\)", value)
        found = self.employees.get(norm(value), [])
        if not found and match:
            found = [
                e
                for e in self.employees.get(norm(match.group(1)), [])
                if e.team_name is not None and norm(e.team_name) == norm(match.group(2))
            ]
        if len(found) == 1:
            return found[0]
        if not found:
            reader.error(
                key,
                _(
                    "Medewerker '%(v)s' staat niet in riecycle. Voeg de medewerker eerst toe bij "
                    "Beheer → Medewerkers, of controleer de schrijfwijze.",
                    v=value,
                ),
            )
        else:
            reader.error(
                key, _("Er zijn meerdere medewerkers met de naam '%(v)s'. Schrijf 'Naam (Team)'.", v=value)
            )
        return None


def _by_name(records, attr: str) -> dict[str, list]:
    result: dict[str, list] = {}
    for record in records:
        result.setdefault(norm(getattr(record, attr)), []).append(record)
    return result


def parse_plan(org, data: bytes, filename: str | None = None) -> PlanImport:
    """Read and check a risks-plus-measures file; raise ImportRefused listing every problem."""
    wb = read_workbook(data, filename)
    try:
        return _parse_plan(org, wb)
    finally:
        wb.close()


def _parse_plan(org, wb) -> PlanImport:
    with force_locale("nl"):
        risks_title, measures_title = str(schema.RISKS_SHEET), str(schema.MEASURES_SHEET)
    risks_ws, measures_ws = find_sheet(wb, risks_title), find_sheet(wb, measures_title)
    if risks_ws is None:
        _refuse(
            _(
                "Het tabblad '%(s)s' ontbreekt. Gevonden tabbladen: %(found)s. Gebruik het sjabloon van deze "
                "pagina of het bewijsdossier.",
                s=risks_title,
                found=", ".join(ws.title for ws in wb.worksheets),
            )
        )
    problems: list[Problem] = []
    risk_table = read_table(risks_ws, risks_title, schema.RISK_FIELDS, problems)
    measure_table = (
        read_table(measures_ws, measures_title, schema.MEASURE_FIELDS, problems) if measures_ws else None
    )
    result = PlanImport()
    if risk_table is not None:
        directory = _Directory(org)
        refs = _risks(org, directory, risk_table, problems, result)
        if measure_table is not None:
            _measures(directory, measure_table, refs, problems, result)
    if not problems and result.empty:
        problems.append(
            Problem(
                risks_title,
                None,
                None,
                _(
                    "Het bestand bevat geen risico's of maatregelen: alle "
                    "rijen onder de kolomkoppen zijn leeg."
                ),
            )
        )
    if problems:
        raise ImportRefused(problems)
    return result


def _risks(org, directory: _Directory, table: Table, problems, result: PlanImport) -> dict[str, int]:
    scope, source, status = Lookup("risk_scope"), Lookup("risk_source"), Lookup("risk_status")
    refs: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    existing = {
        norm(t)
        for t in db.session.scalars(
            select(Risk.title).where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        )
    }
    has_top5 = db.session.scalar(
        select(Risk.id)
        .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.top5_rank.is_not(None))
        .limit(1)
    )
    ranks: dict[int, int] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        ref = r.get(
            "ref",
            text,
            40,
            required=_l("Vul een Risico-ref in, bijvoorbeeld R-001: de maatregelen verwijzen ernaar."),
        )
        if ref and norm(ref) in refs:
            r.error(
                "ref",
                _(
                    "De Risico-ref '%(r)s' staat ook in rij %(n)s. Elke Risico-ref mag maar één keer "
                    "voorkomen.",
                    r=ref,
                    n=refs[norm(ref)],
                ),
            )
        theme = r.get("theme", text, required=_l("Kies een PSA-thema."))
        theme_key = directory.themes.get(norm(theme)) if theme else None
        if theme and theme_key is None:
            r.error(
                "theme",
                _(
                    "Onbekend thema '%(t)s'. Kies een thema uit de lijst, bijvoorbeeld Werkdruk of Pesten.",
                    t=theme,
                ),
            )
        title = r.get("title", line, 200, required=_l("Geef het knelpunt een korte titel."))
        description = r.get(
            "description", text, required=_l("Beschrijf wat er speelt: de oorzaak, wanneer en wie het raakt.")
        )
        team_ids = directory.team_ids(r, "teams")
        scope_value = r.get("scope", scope, default="teams" if team_ids else "organisatie")
        function_group = r.get("function_group", line, 200)
        if scope_value == "teams" and not team_ids and not r.failed:
            r.error("teams", _("Bij 'Team(s)' hoort minstens één team."))
        if scope_value == "functiegroep" and not function_group:
            r.error("function_group", _("Noem de functiegroep, of kies bij 'Voor wie' een andere waarde."))
        factor_keys = []
        for name in r.get("factors", names) or []:
            key = directory.factors.get(norm(name))
            if key is None:
                r.error("factors", _("Onbekende werkdrukfactor '%(f)s'.", f=name))
            factor_keys.append(key)
        status_value = r.get("status", status, default="open")
        status_reason = r.get("status_reason", text)
        if status_value == "nvt" and not status_reason:
            r.error("status_reason", _("Geef bij 'Niet van toepassing' de reden in 'Toelichting status'."))
        top5 = r.get("top5", integer)
        if top5 is not None:
            if not 1 <= top5 <= 5:
                r.error("top5", _("Top 5 moet een getal van 1 tot en met 5 zijn."))
            elif top5 in ranks:
                r.error("top5", _("Plaats %(p)s in de top 5 staat ook in rij %(n)s.", p=top5, n=ranks[top5]))
            elif has_top5:
                r.error(
                    "top5",
                    _(
                        "Deze organisatie heeft al een top 5. Laat de kolom Top 5 leeg en pas de top 5 "
                        "na de import aan."
                    ),
                )
            elif status_value == "nvt":
                r.error("top5", _("Een risico dat niet van toepassing is, kan niet in de top 5."))
            else:
                ranks[top5] = number
        evaluations = _evaluations(org, r)
        if title and theme_key:
            key = (norm(title), theme_key)
            if key in seen:
                r.error(
                    "title",
                    _("Dubbele rij: dit risico (zelfde titel en thema) staat ook in rij %(n)s.", n=seen[key]),
                )
            elif norm(title) in existing:
                r.error(
                    "title",
                    _(
                        "Er bestaat al een risico met de titel '%(t)s' in riecycle. Laat deze rij weg of "
                        "geef het risico een andere titel.",
                        t=title,
                    ),
                )
            seen[key] = number
        if ref and norm(ref) not in refs:
            refs[norm(ref)] = number
        if r.failed:
            continue
        result.risks.append(
            {
                "row": number,
                "ref": ref,
                "top5": top5,
                "evaluations": evaluations,
                "data": {
                    "title": title,
                    "description": description,
                    "theme_key": theme_key,
                    "scope": scope_value,
                    "team_ids": team_ids,
                    "function_group": function_group,
                    "source": r.get("source", source, default="rie"),
                    "status": status_value,
                    "status_reason": status_reason,
                    "team_bound_reason": r.get("team_bound_reason", text),
                    "factor_keys": factor_keys,
                },
            }
        )
    return refs


def _evaluation(org, r: RowReader, prefix: str, on_key: str, method_lookup) -> dict | None:
    keys = [f"{prefix}kans", f"{prefix}frequentie", f"{prefix}effect"]
    before = len(r.problems)
    values = [r.get(k, integer) for k in keys]
    if len(r.problems) > before:
        return None  # a cell is not a number: that message says it all
    method = r.get(f"{prefix}method", method_lookup)
    on = r.get(on_key, day)
    if all(v is None for v in values):
        if method or (prefix and on):
            r.error(
                keys[0],
                _("Vul kans en effect (en bij Kinney de frequentie) in, of laat de beoordeling leeg."),
            )
        return None
    method = method or org.risk_method
    kans, frequentie, effect = values
    try:
        result = scoring.compute(method, kans, effect, frequentie)
    except ServiceError as error:
        r.error(
            f"{prefix}{error.field}" if error.field in ("kans", "frequentie", "effect") else keys[0],
            error.message,
        )
        return None
    if on is not None and on > clock.today():
        r.error(on_key, _("De datum van de beoordeling kan niet in de toekomst liggen."))
    return {
        "method": method,
        "kans": kans,
        "frequentie": frequentie if method == "kinney" else None,
        "effect": effect,
        "on": on,
        "score": result.score,
        "priority": result.priority,
    }


def _evaluations(org, r: RowReader) -> list[dict]:
    """The first evaluation (when it differs from the current one) and the current one."""
    method = Lookup("risk_method_short")
    current = _evaluation(org, r, "", "evaluated_on", method)
    first = _evaluation(org, r, "first_", "first_on", method)
    if first is not None and current is None:
        r.error("kans", _("Vul ook de huidige beoordeling in (kans, frequentie, effect)."))
        return []
    if first is None or first == current:
        return [current] if current else []
    if first["on"] is None:
        r.error("first_on", _("Vul de datum van de eerste beoordeling in."))
    elif current["on"] is not None and first["on"] > current["on"]:
        r.error("first_on", _("De eerste beoordeling ligt na de huidige beoordeling."))
    return [first, current]


def _measures(directory: _Directory, table: Table, refs: dict, problems, result: PlanImport) -> None:
    level, approach, status = Lookup("level"), Lookup("approach"), Lookup("measure_status")
    change_type = Lookup("change_type")
    seen_refs: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    today = clock.today()
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        ref = r.get("ref", line, 40)
        if ref and norm(ref) in seen_refs:
            r.error(
                "ref", _("De Maatregel-ref '%(r)s' staat ook in rij %(n)s.", r=ref, n=seen_refs[norm(ref)])
            )
        elif ref:
            seen_refs[norm(ref)] = number
        risk_refs = r.get(
            "risk_refs",
            names,
            required=_l(
                "Vul de Risico-ref in van het risico waar deze maatregel bij hoort (zie tabblad Risico's)."
            ),
        )
        for value in risk_refs or []:
            if norm(value) not in refs:
                r.error(
                    "risk_refs",
                    _(
                        "Risico-ref '%(r)s' staat niet op het tabblad Risico's. Controleer de "
                        "schrijfwijze of voeg het risico toe.",
                        r=value,
                    ),
                )
        title = r.get("title", line, 200, required=_l("Geef de maatregel een titel: wat gaat er gebeuren?"))
        level_value = r.get("level", level, required=_l("Kies het niveau: Organisatie, Team of Individu."))
        team_ids = directory.team_ids(r, "teams") if level_value == "team" else []
        if level_value == "team" and not team_ids and not r.failed:
            r.error("teams", _("Kies bij een teammaatregel het team of de teams."))
        employee = None
        if level_value == "individu":
            value = r.get("employee", line)
            if title and PSEUDONYM_RE.search(title) and not value:
                r.error(
                    "title",
                    _(
                        "Deze rij is geanonimiseerd (een export voor OR of auditor) en kan niet worden "
                        "ingelezen. Vul de echte titel en de medewerker in, of laat de rij weg."
                    ),
                )
            elif not value:
                r.error("employee", _("Vul bij een individuele maatregel de medewerker in."))
            else:
                employee = directory.employee(r, "employee", value)
        approach_value = r.get("approach", approach, required=_l("Kies de aanpak, bijvoorbeeld Bronaanpak."))
        responsible = directory.user(
            r,
            "responsible",
            _l(
                "Vul de verantwoordelijke in: elke maatregel heeft een "
                "eigenaar (naam of e-mailadres van een gebruiker)."
            ),
        )
        termijn = r.get(
            "termijn", day, required=_l("Vul de termijn in: wanneer moet de maatregel klaar zijn?")
        )
        start = r.get("start_date", day)
        if start and termijn and start > termijn:
            r.error("start_date", _("De startdatum ligt na de termijn."))
        budget = r.get("budget", money)
        effort = r.get("effort", line, 200)
        status_value = r.get("status", status, default="gepland")
        steps = _status_steps(r, status_value, today)
        key = (
            norm(title),
            level_value,
            tuple(sorted(norm(v) for v in risk_refs or [])),
            employee.id if employee else None,
            tuple(sorted(team_ids)),
        )
        if title and key in seen:
            r.error("title", _("Dubbele rij: dezelfde maatregel staat ook in rij %(n)s.", n=seen[key]))
        seen.setdefault(key, number)
        if r.failed:
            continue
        result.measures.append(
            {
                "row": number,
                "risk_refs": [norm(v) for v in risk_refs],
                "steps": steps,
                "data": {
                    "title": title,
                    "description": r.get("description", text),
                    "level": level_value,
                    "team_ids": team_ids,
                    "employee_id": employee.id if employee else None,
                    "approach": approach_value,
                    "responsible_id": responsible.id,
                    "termijn": termijn,
                    "start_date": start,
                    "budget_eur": budget,
                    "effort": effort,
                    "quick_win": r.get("quick_win", yes_no, default=False),
                    "change_type": r.get("change_type", change_type, default="eenvoudig"),
                    "pilot": r.get("pilot", yes_no, default=False),
                },
                "responsible": responsible.name,
            }
        )


STEP_KEYS = {
    "gepland": "on_gepland",
    "in_uitvoering": "on_in_uitvoering",
    "uitgevoerd": "on_uitgevoerd",
    "geevalueerd": "on_geevalueerd",
    "vervallen": "on_vervallen",
}


def _status_steps(r: RowReader, status: str, today: date) -> list[dict]:
    """The status path to replay: gepland, then each next step with its date (empty = today)."""
    from riecycle.excel.rows import status_path

    dates = {s: r.get(k, day) for s, k in STEP_KEYS.items()}
    reason = r.get("status_reason", text)
    steps = []
    for step in status_path(status, dates):
        on = dates.get(step)
        if on is not None and on > today:
            r.error(
                STEP_KEYS[step], _("Deze datum ligt in de toekomst; een status kan alleen al bereikt zijn.")
            )
        steps.append({"status": step, "on": on})
    if status == "geevalueerd":
        # The import reads no Evaluaties sheet, so nothing in the workbook covers this measure.
        r.error(
            "status",
            _(
                "Rij %(n)s: status Geëvalueerd kan niet worden ingelezen. Een maatregel wordt alleen "
                "geëvalueerd door een vastgelegde evaluatie, en dit bestand bevat geen evaluaties. "
                "Lees de maatregel in als Uitgevoerd en leg daarna de evaluatie vast in riecycle.",
                n=r.number,
            ),
        )
    if status == "vervallen" and not reason:
        r.error("status_reason", _("Geef bij status Vervallen de reden in 'Reden vervallen'."))
    if steps:
        steps[-1]["reason"] = reason if status == "vervallen" else None
    return steps


# --- teams plus employees ---------------------------------------------------------------------------


@dataclass
class TeamsImport:
    teams: list = field(default_factory=list)  # {"row", "name", "kind", "parent", "manager_id", "exists"}
    employees: list = field(default_factory=list)  # {"row", "data", "team"}

    @property
    def empty(self) -> bool:
        return not any(not t["exists"] for t in self.teams) and not self.employees


def parse_teams(org, data: bytes, filename: str | None = None) -> TeamsImport:
    """Read and check a teams-plus-employees file; raise ImportRefused listing every problem."""
    wb = read_workbook(data, filename)
    try:
        return _parse_teams(org, wb)
    finally:
        wb.close()


def _parse_teams(org, wb) -> TeamsImport:
    with force_locale("nl"):
        teams_title, employees_title = str(schema.TEAMS_SHEET), str(schema.EMPLOYEES_SHEET)
    teams_ws, employees_ws = find_sheet(wb, teams_title), find_sheet(wb, employees_title)
    if teams_ws is None and employees_ws is None:
        _refuse(
            _(
                "De tabbladen '%(t)s' en '%(e)s' ontbreken. Gevonden tabbladen: %(found)s. Gebruik het sjabloon "
                "voor teams en medewerkers.",
                t=teams_title,
                e=employees_title,
                found=", ".join(ws.title for ws in wb.worksheets),
            )
        )
    problems: list[Problem] = []
    directory = _Directory(org)
    result = TeamsImport()
    known = {k: v[0].name for k, v in directory.teams.items()}
    if teams_ws is not None:
        table = read_table(teams_ws, teams_title, schema.TEAM_FIELDS, problems)
        if table is not None:
            _teams(directory, table, known, problems, result)
    if employees_ws is not None:
        table = read_table(employees_ws, employees_title, schema.EMPLOYEE_FIELDS, problems)
        if table is not None:
            _employees(org, directory, table, known, problems, result)
    if not problems and result.empty:
        problems.append(Problem(None, None, None, _("Het bestand bevat geen nieuwe teams of medewerkers.")))
    if problems:
        raise ImportRefused(problems)
    return result


def _teams(directory: _Directory, table: Table, known: dict, problems, result: TeamsImport) -> None:
    kind = Lookup("team_kind")
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        name = r.get("name", line, 200, required=_l("Vul de naam van het team in."))
        if name and norm(name) in seen:
            r.error(
                "name", _("Dubbele rij: team '%(t)s' staat ook in rij %(n)s.", t=name, n=seen[norm(name)])
            )
        parent = r.get("parent", line)
        if parent and norm(parent) not in known and norm(parent) not in seen:
            r.error(
                "parent",
                _(
                    "Bovenliggend team '%(t)s' bestaat niet. Het moet al in riecycle staan of hoger in "
                    "dit tabblad.",
                    t=parent,
                ),
            )
        if parent and name and norm(parent) == norm(name):
            r.error("parent", _("Een team kan niet onder zichzelf vallen."))
        manager = directory.user(r, "manager", None)
        kind_value = r.get("kind", kind, default="afdeling")
        if name:
            seen[norm(name)] = number
        if r.failed:
            continue
        exists = norm(name) in known
        known.setdefault(norm(name), name)
        result.teams.append(
            {
                "row": number,
                "name": name,
                "kind": kind_value,
                "parent": parent,
                "manager_id": manager.id if manager else None,
                "exists": exists,
            }
        )


def _employees(org, directory: _Directory, table: Table, known: dict, problems, result: TeamsImport) -> None:
    seen: dict[tuple, int] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        name = r.get("name", line, 200, required=_l("Vul de naam van de medewerker in."))
        team = r.get("team", line, required=_l("Vul het team in."))
        if team and norm(team) not in known:
            r.error(
                "team",
                _(
                    "Team '%(t)s' bestaat niet in riecycle en staat niet op het tabblad Teams. Kies een "
                    "team uit de lijst.",
                    t=team,
                ),
            )
        email = r.get("email", line, 254)
        if email and not EMAIL_RE.match(email):
            r.error("email", _("'%(e)s' is geen geldig e-mailadres.", e=email))
        start, end = r.get("start_date", day), r.get("end_date", day)
        if start and end and end < start:
            r.error("end_date", _("De einddatum ligt vóór de startdatum."))
        key = (norm(name), norm(team))
        if name and key in seen:
            r.error(
                "name", _("Dubbele rij: %(n)s staat ook in rij %(r)s in hetzelfde team.", n=name, r=seen[key])
            )
        elif name and any(
            e.team_name is not None and norm(e.team_name) == norm(team)
            for e in directory.employees.get(norm(name), [])
        ):
            r.error("name", _("%(n)s staat al in riecycle in team %(t)s.", n=name, t=team))
        if name:
            seen.setdefault(key, number)
        if r.failed:
            continue
        result.employees.append(
            {
                "row": number,
                "team": known[norm(team)],
                "data": {
                    "name": name,
                    "email": email,
                    "function": r.get("function", line, 120),
                    "start_date": start,
                    "end_date": end,
                    "is_leidinggevende": r.get("is_leidinggevende", yes_no, default=False),
                },
            }
        )
