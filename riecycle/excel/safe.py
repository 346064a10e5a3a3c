"""Formula-injection safe text (OWASP CSV injection) and characters Excel cannot store."""

import csv

from riecycle.inputs import XML_ILLEGAL

# A cell starting with one of these may be read as a formula (or start one after a tab/CR).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value) -> str:
    """The text without the characters XML cannot hold (every exported cell passes here).

    Input refuses them (services.fields); a value stored before that check, or one that comes
    from elsewhere (an audit entry), must still not make the workbook unreadable.
    """
    return XML_ILLEGAL.sub("", str(value))


def is_risky(text: str) -> bool:
    return text.startswith(TRIGGERS)


def safe_text(value) -> tuple[str, bool]:
    """The text to store, and whether it needs the quote prefix (see neutralise)."""
    text = clean_text(value)
    return text, is_risky(text)


def neutralise(cell, text: str) -> None:
    """Store text as text, never as a formula.

    openpyxl turns a string starting with '=' into a formula; we force the string type and set
    the cell's quotePrefix, which is Excel's own form of the leading apostrophe: Excel shows the
    text as typed (no visible apostrophe) and keeps it text when the cell is edited. The value
    itself is unchanged, so an exported file imports back to the same text.
    """
    text, risky = safe_text(text)
    cell.value = text
    cell.data_type = "s"
    if risky:
        cell.quotePrefix = True


def csv_value(value):
    """A CSV field that a spreadsheet opens as text, never as a formula.

    CSV has no quotePrefix, so risky text gets OWASP's leading apostrophe. The same test
    (is_risky) decides as for the xlsx exports. Numbers and dates stay as they are.
    """
    if value is None or isinstance(value, (int, float)):
        return "" if value is None else value
    text, risky = safe_text(value)
    return "'" + text if risky else text


class CsvWriter:
    """csv.writer whose every field goes through csv_value: the one way riecycle writes CSV."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row) -> None:
        self._writer.writerow([csv_value(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)
