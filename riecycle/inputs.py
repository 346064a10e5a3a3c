"""Reading numbers and dates that come from the client, bounded so that no value can break a query.

One place decides what an id, a page number or a date from the address or a form may be:

- ids are positive and fit the database's integer columns (PostgreSQL ``integer``); anything
  else is "no such record";
- page numbers are clamped to a sane range;
- dates must lie in a plausible range, so that date arithmetic (+1 day) and the database never
  overflow; a date outside it is refused with a clear (Dutch) 400.

The URL converter registered as the app's ``int`` converter uses the same bounds, so a path id
above 2^31 answers 404 before a view runs.
"""

import re
from datetime import date, datetime

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# Primary and foreign keys are PostgreSQL ``integer`` columns (SQLite stores 64 bits, but the same
# bound keeps both databases alike).
MAX_ID = 2**31 - 1
MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
MAX_PAGE = 1_000_000

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)

# Characters an XML 1.0 document (an .xlsx part) cannot hold: C0 controls except tab, line feed
# and carriage return, lone surrogates, and U+FFFE/U+FFFF. Refused at input (services.fields),
# removed on export (excel.safe).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BadInput(BadRequest):
    """A 400 whose Dutch message the error page shows."""

    def __init__(self, message: str):
        super().__init__(description=message)
        self.message = message


def as_int(value, *, minimum: int = MIN_INT, maximum: int = MAX_INT) -> int | None:
    """An integer within [minimum, maximum] from a client value, or None (never raises)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text or len(text) > 20:
            return None
        try:
            number = int(text, 10)
        except ValueError:
            return None
    return number if minimum <= number <= maximum else None


def as_id(value) -> int | None:
    """A record id from the client (path, query, form, hidden JSON), or None when it cannot be one."""
    return as_int(value, minimum=1, maximum=MAX_ID)


def as_ids(values) -> list[int] | None:
    """A list of record ids, or None when the value is not a list of valid ids."""
    if not isinstance(values, (list, tuple)):
        return None
    ids = [as_id(v) for v in values]
    return None if any(i is None for i in ids) else ids


def plausible_date(value: date | None) -> bool:
    return value is None or MIN_DATE <= (value.date() if isinstance(value, datetime) else value) <= MAX_DATE


def as_date(value, *, refuse_implausible: bool = True) -> date | None:
    """A date (YYYY-MM-DD) from a client value.

    Malformed is None (the filter is simply not applied). A date outside MIN_DATE..MAX_DATE is a
    BadInput (400) with a clear message, or None when refuse_implausible is False.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if not plausible_date(parsed):
        if refuse_implausible:
            raise BadInput(date_range_message())
        return None
    return parsed


def date_range_message() -> str:
    return _(
        "Vul een datum tussen %(start)s en %(end)s in.",
        start=MIN_DATE.strftime("%d-%m-%Y"),
        end=MAX_DATE.strftime("%d-%m-%Y"),
    )


def arg_int(name: str, default=None, *, source=None, minimum: int = MIN_INT, maximum: int = MAX_INT):
    """An integer query (or form) parameter; missing, malformed or out of range gives `default`."""
    values = request.args if source is None else source
    number = as_int(values.get(name), minimum=minimum, maximum=maximum)
    return default if number is None else number


def arg_id(name: str, *, source=None) -> int | None:
    """An id query (or form) parameter, or None."""
    values = request.args if source is None else source
    return as_id(values.get(name))


def arg_date(name: str, *, source=None) -> date | None:
    """A date query (or form) parameter: malformed is None, implausible a clear 400."""
    values = request.args if source is None else source
    return as_date(values.get(name))


def page_number(source=None) -> int:
    """?page= as 1..MAX_PAGE (anything else is page 1; a huge number is the last page we accept)."""
    values = request.args if source is None else source
    raw = values.get("page")
    number = as_int(raw, minimum=-(2**63), maximum=2**63)
    if number is None:
        text = str(raw or "").strip()
        return MAX_PAGE if text.isdigit() else 1
    return min(max(1, number), MAX_PAGE)


class BoundedIntConverter(IntegerConverter):
    """The app's ``<int:...>`` converter: ids above the database's integer range are a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)
