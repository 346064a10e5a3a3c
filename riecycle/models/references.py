"""Permanent references of risks and measures (R-0001, M-0001).

The number is given once, at creation, from a counter on the organisation (riecycle.references),
and never changes: exports and imports use it to find the same record back.
"""

import re

RISK_PREFIX = "R"
MEASURE_PREFIX = "M"
_REFERENCE = re.compile(r"^\s*(?:([RrMm])\s*-?\s*)?0*(\d{1,9})\s*$")


def reference(prefix: str, number: int | None) -> str | None:
    return f"{prefix}-{number:04d}" if number is not None else None


def risk_reference(number: int | None) -> str | None:
    return reference(RISK_PREFIX, number)


def measure_reference(number: int | None) -> str | None:
    return reference(MEASURE_PREFIX, number)


def parse_reference(value, prefix: str) -> int | None:
    """The number in "M-0012", "m12", "0012" or "12" (None when it is no reference of this kind)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    match = _REFERENCE.match(str(value))
    if match is None or (match.group(1) and match.group(1).upper() != prefix):
        return None
    number = int(match.group(2))
    return number if number > 0 else None


def next_number(counter: str):
    """A column default for inserts that bypass the ORM flush (bulk inserts, scripts): raise the
    organisation's counter for this one row. ORM flushes number their records in one statement
    per organisation beforehand (riecycle.references), so this runs only for those other paths."""
    from sqlalchemy import text

    statement = text(
        f"UPDATE organisations SET {counter} = {counter} + 1 WHERE id = :o RETURNING {counter}"  # noqa: S608 - a constant
    )

    def default(context) -> int:
        organisation_id = context.get_current_parameters()["organisation_id"]
        return context.connection.execute(statement, {"o": organisation_id}).scalar_one()

    return default
