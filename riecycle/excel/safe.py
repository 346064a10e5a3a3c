"""Formula-injection safe text (OWASP CSV injection) and characters Excel cannot store."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these may be read as a formula (or start one after a tab/CR).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value) -> str:
    """The text without control characters that make the XML invalid."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def is_risky(text: str) -> bool:
    return text.startswith(TRIGGERS)


def neutralise(cell, text: str) -> None:
    """Store text as text, never as a formula.

    openpyxl turns a string starting with '=' into a formula; we force the string type and set
    the cell's quotePrefix, which is Excel's own form of the leading apostrophe: Excel shows the
    text as typed (no visible apostrophe) and keeps it text when the cell is edited. The value
    itself is unchanged, so an exported file imports back to the same text.
    """
    text = clean_text(text)
    cell.value = text
    cell.data_type = "s"
    if is_risky(text):
        cell.quotePrefix = True
