"""Reading the audit log: the entries of an organisation matching the audit page's filters.

The audit page and its Excel export both read through `entries_query`, so the export holds
exactly the rows the page shows.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from riecycle.clock import AMSTERDAM
from riecycle.inputs import arg_id, as_date
from riecycle.models import AuditEntry


@dataclass(frozen=True)
class Filters:
    """The audit page's filters (query parameters entity, action, user, van, tot)."""

    entity: str | None = None
    action: str | None = None
    user_id: int | None = None
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        """The filters from query parameters: malformed ids and days are ignored, an implausible
        day (year 1, 9999) is a clear 400 (riecycle.inputs)."""
        return cls(
            entity=args.get("entity") or None,
            action=args.get("action") or None,
            user_id=arg_id("user", source=args),
            start=as_date(args.get("van")),
            end=as_date(args.get("tot")),
        )


def entries_query(org, filters: Filters | None = None):
    """A select() of the organisation's audit entries matching the filters, newest first."""
    f = filters or Filters()
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == org.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.user_id:
        stmt = stmt.where(AuditEntry.user_id == f.user_id)
    if f.start:
        stmt = stmt.where(AuditEntry.created_at >= datetime.combine(f.start, time(), AMSTERDAM))
    if f.end:
        limit = datetime.combine(f.end + timedelta(days=1), time(), AMSTERDAM)
        stmt = stmt.where(AuditEntry.created_at < limit)
    return stmt
