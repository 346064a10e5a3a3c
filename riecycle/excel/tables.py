"""Sheets, header rows and data rows: map a sheet's columns to schema fields and read its rows.

Rows are read as they are in the file (missing rows are not walked) and bounded: columns beyond
MAX_COLUMNS are ignored, a run of EMPTY_RUN empty rows ends the sheet (the stop is reported in the
preview), and a sheet gives up after MAX_SCANNED_ROWS rows or max_rows() filled ones.
"""

import itertools
import logging
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from riecycle.excel.cells import CellError, norm, odd_character, text
from riecycle.excel.filecheck import max_rows
from riecycle.excel.problems import ImportRefused, Problem, refuse

log = logging.getLogger(__name__)

# Rows that exist in the sheet (also empty, formatted ones) read per sheet before giving up.
MAX_SCANNED_ROWS = 100_000
# This many empty rows in a row (formatted, but without values in the import's columns) end the
# sheet: a file padded with a million empty rows took 74 s to read.
EMPTY_RUN = 1_000
# Columns beyond this are ignored (the templates have fewer than 60).
MAX_COLUMNS = 200


def _real_rows(ws):
    """(row number, {column index (0-based): value}) of the rows that are in the file.

    Rows missing from the file are skipped, not walked: one cell at row 3,000,000 is one row
    here, where openpyxl's iter_rows() would yield three million empty ones. Columns beyond
    MAX_COLUMNS are ignored. A sheet that cannot be parsed (cut off, a number cell holding text,
    a shared-string index out of range, a date cell holding text, a cell reference without a
    row ...) refuses the file as damaged: openpyxl only finds out while reading it.
    """
    try:
        yield from _parsed_rows(ws)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for damaged sheets
        log.info("damaged sheet in xlsx upload: %s", ws.title, exc_info=True)
        refuse(
            _(
                "Het bestand is beschadigd: het tabblad '%(s)s' kan niet worden gelezen. Open het in Excel, "
                "sla het opnieuw op als 'Excel-werkmap (.xlsx)' en probeer het nog eens.",
                s=ws.title,
            )
        )


def _parsed_rows(ws):
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
    stopped_at: int | None = None  # the row where reading stopped after EMPTY_RUN empty rows

    @property
    def note(self) -> str | None:
        """What the preview says when reading stopped early, or None."""
        if self.stopped_at is None:
            return None
        return _(
            "Tabblad '%(s)s': het inlezen is gestopt bij rij %(n)s, na %(e)s lege rijen achter elkaar. "
            "Wat daaronder staat, is niet ingelezen.",
            s=self.sheet,
            n=self.stopped_at,
            e=f"{EMPTY_RUN:,}".replace(",", "."),
        )


def read_table(ws, title: str, fields, problems: list[Problem]) -> Table | None:
    """Map the header row to fields and read the data rows (empty rows skipped)."""
    try:
        ws.reset_dimensions()
    except AttributeError:
        pass
    header, iterator = _header(_real_rows(ws))
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
    positions, columns = _positions(header, title, fields, problems)
    if positions is None:
        return None
    table = Table(title, columns)
    _read_rows(table, iterator, positions, problems)
    return table


def _header(iterator) -> tuple[list, object]:
    """The values of row 1 (empty when the file has no row 1), and the rows after it."""
    first = next(iterator, None)
    if first is not None and first[0] == 1 and first[1]:
        return [first[1].get(i) for i in range(max(first[1]) + 1)], iterator
    if first is not None:
        iterator = itertools.chain([first], iterator)
    return [], iterator


def _positions(header: list, title: str, fields, problems: list[Problem]) -> tuple[dict | None, dict]:
    """Field key -> column index and -> column label; None when a required column is missing."""
    with force_locale("nl"):  # the workbooks are always Dutch, whatever the user's language
        by_header = {norm(f.header): f for f in fields if f.importable}
        dutch_header = {f.key: str(f.header) for f in fields}
    positions, columns = {}, {}
    for index, value in enumerate(header):
        f = by_header.get(norm(value))
        if f is None:
            continue  # extra columns (notes) and computed ones are ignored
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
    return (None if missing else positions), columns


def _read_rows(table: Table, iterator, positions: dict, problems: list[Problem]) -> None:
    """The filled data rows, up to the bounds."""
    limit = max_rows()
    empty_run = 0
    for scanned, (number, values) in enumerate(iterator, start=1):
        if scanned > MAX_SCANNED_ROWS:
            problems.append(
                Problem(
                    table.sheet,
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
            empty_run += 1
            if empty_run >= EMPTY_RUN:
                if next(iterator, None) is not None:  # more rows follow: say where reading stopped
                    table.stopped_at = number
                break
            continue
        empty_run = 0
        if len(table.rows) >= limit:
            problems.append(
                Problem(
                    table.sheet,
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


def _column(index: int, header) -> str:
    return f"{get_column_letter(index + 1)} ({str(header).strip()})"


class RowReader:
    """Reads one row's cells; each problem is recorded with the row and column."""

    def __init__(self, table: Table, number: int, cells: dict, problems: list[Problem]):
        self.table, self.number, self.cells, self.problems = table, number, cells, problems
        self.failed = False

    def error(self, key: str | None, message) -> None:
        """Record a problem in this row; a cell with an invisible or lookalike character says so."""
        column = self.table.columns.get(key) if key else None
        odd = odd_character(self.cells.get(key)) if key else None
        message = f"{message} {odd}" if odd else str(message)
        self.problems.append(Problem(self.table.sheet, self.number, column, message))
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
