"""Dates, money and percentages as text in the user's language (used by services and templates)."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal

from riecycle.i18n import memoised


def fmt_date(value, fmt="medium"):
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "medium")
    if isinstance(value, date):
        return memoised(("date", value, fmt), lambda: format_date(value, fmt))
    return str(value)


def fmt_datetime(value):
    return format_datetime(value, "short") if value else "—"


def fmt_money(value):
    if value is None:
        return "—"
    return "€ " + format_decimal(Decimal(value), format="#,##0.00")


def fmt_pct(value):
    if value is None:
        return "—"
    return f"{round(value * 100)}%"
