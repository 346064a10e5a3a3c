"""Streaming sheets with openpyxl's write-only mode: memory stays bounded whatever the size.

Speed: every cell style (alignment, number format, quote prefix) is registered once per sheet,
each column gets its typing function once, and a typed value travels as a small Styled tuple
that the sheet writes through one reused cell (StyledSheet), so a styled cell costs about what
openpyxl needs for a plain value: no Cell object per value and no style lookups per cell.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from tempfile import SpooledTemporaryFile
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from riecycle.clock import AMSTERDAM
from riecycle.excel import safe, styles

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Kept in memory up to this size, then spooled to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
NUMBER_KINDS = ("eur", "pct", "int", "num")
NUMBERS = (int, float, Decimal)
MAX_TEXT = 32767  # Excel's limit; openpyxl cuts longer text the same way


class Styled(NamedTuple):
    """A value with its openpyxl data type and shared style, written by StyledSheet."""

    value: object
    data_type: str
    style: StyleArray


class StyledSheet(WriteOnlyWorksheet):
    """A write-only sheet that also takes Styled values: each is written through one reused cell.

    openpyxl's own write-only append writes every Cell object it is given, but first tries it as
    a value (an exception per cell) and makes a new cell after each styled one; for millions of
    styled cells that was most of the export's time.
    """

    def _values_to_row(self, values, row_idx):
        """The cells of one row, as openpyxl's write-only writer consumes them (one at a time)."""
        cell = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if type(value) is Styled:
                cell._value, cell.data_type, cell._style = value
            elif isinstance(value, Cell):
                value.row, value.column = row_idx, col_idx
                if value.hyperlink is not None:
                    value.hyperlink.ref = value.coordinate
                yield value
                continue
            else:
                cell._style = None
                cell.value = value
            cell.row, cell.column = row_idx, col_idx
            yield cell


class StreamingWorkbook(Workbook):
    """A write-only workbook whose sheets are StyledSheets."""

    def __init__(self):
        super().__init__(write_only=True)

    def create_sheet(self, title=None, index=None):
        """A new StyledSheet, added as openpyxl's Workbook.create_sheet adds a write-only sheet."""
        ws = StyledSheet(parent=self, title=title)
        self._add_sheet(sheet=ws, index=index)
        return ws


@dataclass(frozen=True)
class Col:
    """One column: its Dutch header, its kind (see styles.WIDTHS) and an optional width."""

    header: str
    kind: str = "text"
    width: float | None = None


def new_workbook() -> Workbook:
    """An empty write-only workbook for SheetWriter."""
    return StreamingWorkbook()


def _local(moment: datetime) -> datetime:
    """Excel has no time zones: show aware moments in Dutch local time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(AMSTERDAM).replace(tzinfo=None)
    return moment


def _style(ws, alignment, number_format=None, quote=False) -> StyleArray:
    """The style of one kind of cell, registered with the workbook once."""
    c = WriteOnlyCell(ws)
    c.alignment = alignment
    if number_format:
        c.number_format = number_format
    if quote:
        c.quotePrefix = True
    return c._style


class Cells:
    """Makes the cells of one sheet: a value as a real date, number, percentage or safe text.

    Cells share their style object; openpyxl only reads it when writing the cell.
    """

    def __init__(self, ws):
        self.ws = ws
        formats = {kind: _style(ws, styles.TOP, fmt) for kind, fmt in styles.NUMBER_FORMATS.items()}
        self.formats = {**formats, "num": _style(ws, styles.TOP)}
        self.text_styles = {
            (wrap, quote): _style(ws, styles.WRAP if wrap else styles.TOP, quote=quote)
            for wrap in (False, True)
            for quote in (False, True)
        }

    def maker(self, kind: str):
        """The typing function for a column kind."""
        if kind in ("date", "datetime"):
            return self.moment
        if kind in NUMBER_KINDS:
            return self.number
        if kind == "time":
            return self.clock_time
        return self.other

    def make(self, value, kind: str = "text"):
        """One cell (or a plain value or None where no style is needed)."""
        return self.maker(kind)(value, kind)

    def moment(self, value, kind: str):
        """A date or datetime column: aware moments in Dutch local time, dates without the time."""
        if isinstance(value, date):
            if isinstance(value, datetime):
                value = _local(value)
                if kind == "date":
                    value = value.date()
            return Styled(value, "d", self.formats[kind])
        return self.other(value, kind)

    def number(self, value, kind: str):
        """An amount, percentage, integer or number column."""
        if isinstance(value, NUMBERS) and not isinstance(value, bool):
            return Styled(value, "n", self.formats[kind])
        return self.other(value, kind)

    def clock_time(self, value, kind: str):
        """A time-of-day column."""
        return Styled(value, "d", self.formats[kind]) if isinstance(value, time) else self.other(value, kind)

    def other(self, value, kind: str):
        """Booleans as Ja/Nee, empty as no cell, everything else as formula-safe text."""
        if value is None or value == "":
            return None
        if kind == "bool" or isinstance(value, bool):
            return "Ja" if value else "Nee"
        text, risky = safe.safe_text(value)
        return Styled(text[:MAX_TEXT], "s", self.text_styles[(kind == "longtext", risky)])


def header_cell(ws, text: str):
    c = WriteOnlyCell(ws)
    safe.neutralise(c, text)
    c.font, c.fill, c.alignment = styles.HEADER_FONT, styles.HEADER_FILL, styles.HEADER_ALIGNMENT
    return c


class SheetWriter:
    """One sheet: a styled, frozen header row, typed rows, and an autofilter over the table."""

    def __init__(self, wb: Workbook, title: str, columns: list[Col], *, hidden: bool = False):
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.cells = Cells(self.ws)
        self.makers = [(self.cells.maker(c.kind), c.kind) for c in columns]
        for index, col in enumerate(columns, start=1):
            width = col.width or max(styles.WIDTHS.get(col.kind, 16), min(len(str(col.header)) + 3, 40))
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        if hidden:
            self.ws.sheet_state = "hidden"
        self.ws.append([header_cell(self.ws, str(c.header)) for c in columns])
        self.rows = 1
        self.filter_from, self.filter_width = 1, len(columns)

    @property
    def last_column(self) -> str:
        return get_column_letter(max(self.filter_width, 1))

    def row(self, values) -> None:
        """Append one row of plain Python values, typed by the column kinds."""
        self.ws.append([make(v, kind) for (make, kind), v in zip(self.makers, values, strict=False)])
        self.rows += 1

    def plain_row(self, values, kinds=None) -> None:
        """Append a row that does not follow the columns (a note or a second table)."""
        kinds = kinds or ["text"] * len(values)
        self.ws.append([self.cells.make(v, k) for v, k in zip(values, kinds, strict=False)])
        self.rows += 1

    def header_row(self, headers) -> None:
        """A second styled header row; the autofilter then covers the table below it."""
        self.ws.append([header_cell(self.ws, str(h)) for h in headers])
        self.rows += 1
        self.filter_from, self.filter_width = self.rows, len(headers)

    def close(self) -> None:
        """Set the autofilter over the (last) table; call before saving."""
        self.ws.auto_filter.ref = f"A{self.filter_from}:{self.last_column}{max(self.rows, self.filter_from)}"


def save(wb: Workbook) -> SpooledTemporaryFile:
    """The finished workbook in a spooled file, rewound, ready to stream as a download."""
    out = SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out
