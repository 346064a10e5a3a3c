"""One place for 'now' and 'today', in the organisation's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the Netherlands."""
    return datetime.now(AMSTERDAM).date()


def local(moment: datetime | None) -> datetime | None:
    """A UTC moment shown in Dutch local time."""
    return moment.astimezone(AMSTERDAM) if moment else None
