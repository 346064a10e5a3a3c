"""Streaming sheets with openpyxl's write-only mode: memory stays bounded whatever the size."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from tempfile import SpooledTemporaryFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from riecycle.clock import AMSTERDAM
from riecycle.excel import safe, styles

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Kept in memory up to this size, then spooled to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Col:
    """One column: its Dutch header, its kind (see styles.WIDTHS) and an optional width."""

    header: str
    kind: str = "text"
    width: float | None = None


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def _local(moment: datetime) -> datetime:
    """Excel has no time zones: show aware moments in Dutch local time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(AMSTERDAM).replace(tzinfo=None)
    return moment


def cell(ws, value, kind: str = "text"):
    """A WriteOnlyCell holding value as a real date, number, percentage or safe text."""
    c = WriteOnlyCell(ws)
    if value is None or value == "":
        return c
    if kind in ("date", "datetime") and isinstance(value, (date, datetime)):
        if isinstance(value, datetime):
            value = _local(value)
            if kind == "date":
                value = value.date()
        c.value = value
    elif (
        kind in ("eur", "pct", "int", "num")
        and isinstance(value, (int, float, Decimal))
        and not isinstance(value, bool)
    ):
        c.value = value
    elif kind == "time" and isinstance(value, time):
        c.value = value
    elif kind == "bool" or isinstance(value, bool):
        safe.neutralise(c, "Ja" if value else "Nee")
        return c
    else:
        safe.neutralise(c, value)
        c.alignment = styles.WRAP if kind == "longtext" else styles.TOP
        return c
    if kind in styles.NUMBER_FORMATS:
        c.number_format = styles.NUMBER_FORMATS[kind]
    c.alignment = styles.TOP
    return c


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
        self.rows = 0
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
        values = list(values)
        self.ws.append([cell(self.ws, v, col.kind) for col, v in zip(self.columns, values, strict=False)])
        self.rows += 1

    def plain_row(self, values, kinds=None) -> None:
        """Append a row that does not follow the columns (a note or a second table)."""
        kinds = kinds or ["text"] * len(values)
        self.ws.append([cell(self.ws, v, k) for v, k in zip(values, kinds, strict=False)])
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
