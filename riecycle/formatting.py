"""Dates, money and percentages as text in the user's language (used by services and templates).

Dates are always shown day before month. Babel's English locale is American ("12/3/26, 8:14 AM"
reads as 12 March to a European), so English gets explicit day-month patterns ("3 Dec 2026",
"3 Dec 2026 08:14"); Dutch keeps Babel's Dutch formats, which are day-month already.
"""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal

from riecycle.i18n import language, memoised

# Babel's named formats -> the day-month pattern used for English.
ENGLISH_DATE = {
    "short": "dd-MM-y",
    "medium": "d MMM y",
    "long": "d MMMM y",
    "full": "EEEE d MMMM y",
    # A month: "Dec 26" reads as 26 December in English, so the year is written in full.
    "MMM yy": "MMM y",
}
ENGLISH_DATETIME = {
    "short": "d MMM y HH:mm",
    "medium": "d MMM y HH:mm",
    "long": "d MMMM y HH:mm",
    "full": "EEEE d MMMM y HH:mm",
}


def date_pattern(fmt: str = "medium") -> str:
    """The format for a date: a day-month pattern in English, Babel's own format in Dutch."""
    return ENGLISH_DATE.get(fmt, fmt) if language() == "en" else fmt


def datetime_pattern(fmt: str = "medium") -> str:
    """The format for a moment: a day-month 24-hour pattern in English, Babel's own format in Dutch."""
    return ENGLISH_DATETIME.get(fmt, fmt) if language() == "en" else fmt


def fmt_date(value, fmt="medium"):
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, datetime_pattern("medium"))
    if isinstance(value, date):
        return memoised(("date", value, fmt), lambda: format_date(value, date_pattern(fmt)))
    return str(value)


def fmt_month(value) -> str:
    """A month as a chart or list label: "dec 26" in Dutch, "Dec 2026" in English."""
    return format_date(value, date_pattern("MMM yy"))


def fmt_datetime(value):
    return format_datetime(value, datetime_pattern("short")) if value else "—"


def fmt_money(value):
    if value is None:
        return "—"
    return "€ " + format_decimal(Decimal(value), format="#,##0.00")


def fmt_pct(value):
    if value is None:
        return "—"
    return f"{round(value * 100)}%"
