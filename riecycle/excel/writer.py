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
# Text that wraps within its column (so a printed page shows all of it) instead of running over.
WRAPPED_KINDS = ("text", "longtext")
DEFAULT_WIDTH = 8.43  # Excel's width of a column without its own width
CHARS_PER_UNIT = 1.1  # characters of wrapped text per unit of column width (see text_lines)


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
        return Styled(text[:MAX_TEXT], "s", self.text_styles[(kind in WRAPPED_KINDS, risky)])


def text_lines(value, width: float) -> int:
    """About how many lines a text needs when wrapped in a column of this width (in characters).

    A column's width counts digit widths; ordinary text is about a quarter narrower, word
    wrapping wastes some of that, so 1.1 characters per unit errs on the side of a row too tall.
    """
    if value is None or isinstance(value, (int, float, Decimal, date, time)):
        return 1
    per_line = max(1, int(width * CHARS_PER_UNIT))
    text = str(value)[:MAX_TEXT]
    return sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))


def row_height(values, widths, wrapped) -> float | None:
    """The height (points) that shows every wrapped line of a row; None for one line."""
    lines = max(
        (text_lines(v, w) for v, w, wrap in zip(values, widths, wrapped, strict=False) if wrap),
        default=1,
    )
    return min(lines * styles.LINE_HEIGHT, styles.MAX_ROW_HEIGHT) if lines > 1 else None


def print_setup(ws, title_rows: str = "1:1") -> None:
    """Landscape A4, fit to the page width (as many pages down as needed), the header on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = styles.PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows


def header_cell(ws, text: str):
    c = WriteOnlyCell(ws)
    safe.neutralise(c, text)
    c.font, c.fill, c.alignment = styles.HEADER_FONT, styles.HEADER_FILL, styles.HEADER_ALIGNMENT
    return c


class SheetWriter:
    """One sheet: a styled, frozen header row, typed rows, and an autofilter over the table."""

    def __init__(
        self,
        wb: Workbook,
        title: str,
        columns: list[Col],
        *,
        hidden: bool = False,
        extra_widths: tuple[float, ...] = (),
    ):
        """extra_widths: widths of columns to the right of `columns` (a second table below)."""
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.cells = Cells(self.ws)
        self.makers = [(self.cells.maker(c.kind), c.kind) for c in columns]
        self.widths = [
            col.width or max(styles.WIDTHS.get(col.kind, 16), min(len(str(col.header)) + 3, 40))
            for col in columns
        ]
        self.widths += extra_widths
        for index, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.wrapped = [c.kind in WRAPPED_KINDS for c in columns]
        self.ws.freeze_panes = "A2"
        print_setup(self.ws)
        if hidden:
            self.ws.sheet_state = "hidden"
        self.rows = 0
        self._append([header_cell(self.ws, str(c.header)) for c in columns], [str(c.header) for c in columns])
        self.filter_from, self.filter_width = 1, len(columns)

    @property
    def last_column(self) -> str:
        return get_column_letter(max(self.filter_width, 1))

    def _width(self, index: int) -> float:
        return self.widths[index] if index < len(self.widths) else DEFAULT_WIDTH

    def _append(self, cells, values, wrapped=None) -> None:
        """Write one row, with a height that shows its wrapped text (every cell wraps by default)."""
        self.rows += 1
        widths = [self._width(i) for i in range(len(values))]
        height = row_height(values, widths, wrapped or [True] * len(values))
        if height:
            self.ws.row_dimensions[self.rows].height = height
        self.ws.append(cells)
        if height:
            del self.ws.row_dimensions[self.rows]  # written: keep memory bounded

    def row(self, values) -> None:
        """Append one row of plain Python values, typed by the column kinds."""
        values = list(values)
        cells = [make(v, kind) for (make, kind), v in zip(self.makers, values, strict=False)]
        self._append(cells, values, self.wrapped)

    def plain_row(self, values, kinds=None) -> None:
        """Append a row that does not follow the columns (a note or a second table)."""
        kinds = kinds or ["text"] * len(values)
        cells = [self.cells.make(v, k) for v, k in zip(values, kinds, strict=False)]
        self._append(cells, list(values), [k in WRAPPED_KINDS for k in kinds])

    def header_row(self, headers) -> None:
        """A second styled header row; the autofilter then covers the table below it."""
        headers = [str(h) for h in headers]
        self._append([header_cell(self.ws, h) for h in headers], headers)
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
