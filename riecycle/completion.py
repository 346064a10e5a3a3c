"""The day each measure was first carried out, kept on the measure as its status history grows.

The dashboard charts how many measures were carried out per month. That is the first change to
'uitgevoerd' in each measure's status history (a measure reopened and finished again counts once,
on its first day), on the Dutch calendar. Finding it means grouping the whole history; a large
employer has tens of thousands of status changes, so the day is stored on the measure
(Measure.first_done_on) whenever a flush adds such a change. Writes that bypass the ORM (bulk
inserts) call recount_organisation().
"""

from sqlalchemy import bindparam, event, func, or_, select, update

from riecycle.clock import local
from riecycle.models.measure import Measure, MeasureStatus, MeasureStatusChange

DONE = MeasureStatus.UITGEVOERD


def _day(moment):
    from datetime import UTC

    return local(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).date()


def _after_flush(session, flush_context) -> None:
    firsts: dict[int, object] = {}
    for change in session.new:
        if isinstance(change, MeasureStatusChange) and change.to_status == DONE and change.changed_at:
            day = _day(change.changed_at)
            firsts[change.measure_id] = min(day, firsts.get(change.measure_id, day))
    if not firsts:
        return
    measures = Measure.__table__
    day = bindparam("day", type_=measures.c.first_done_on.type)
    session.connection().execute(  # one executemany for the whole flush (an import adds thousands)
        update(measures)
        .where(
            measures.c.id == bindparam("measure_id"),
            or_(measures.c.first_done_on.is_(None), measures.c.first_done_on > day),
        )
        .values(first_done_on=day, updated_at=measures.c.updated_at),
        [{"measure_id": measure_id, "day": first} for measure_id, first in firsts.items()],
    )
    session.info.setdefault("completion.expire", set()).update(firsts)


def _after_flush_postexec(session, flush_context) -> None:
    for measure_id in session.info.pop("completion.expire", set()):
        loaded = session.identity_map.get(session.identity_key(Measure, measure_id))
        if loaded is not None:
            session.expire(loaded, ["first_done_on"])


def recount_organisation(session, organisation_id: int | None) -> None:
    """Set first_done_on from the status history of an organisation's measures (or all: None)."""
    from riecycle import changes

    changes.touch(organisation_id, session)  # None: every organisation
    stmt = (
        select(MeasureStatusChange.measure_id, func.min(MeasureStatusChange.changed_at))
        .where(MeasureStatusChange.to_status == DONE, MeasureStatusChange.deleted_at.is_(None))
        .group_by(MeasureStatusChange.measure_id)
    )
    if organisation_id is not None:
        stmt = stmt.where(MeasureStatusChange.organisation_id == organisation_id)
    rows = [{"measure_id": m, "day": _day(moment)} for m, moment in session.execute(stmt)]
    measures = Measure.__table__
    if rows:
        session.connection().execute(
            update(measures)
            .where(measures.c.id == bindparam("measure_id"))
            .values(first_done_on=bindparam("day"), updated_at=measures.c.updated_at),
            rows,
        )


def install(session_class) -> None:
    """Keep first_done_on in step with every flush (once per process)."""
    for name, hook in (("after_flush", _after_flush), ("after_flush_postexec", _after_flush_postexec)):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
