"""Give every new risk and measure its permanent number within its organisation.

A before_flush hook numbers the new records of each flush: one UPDATE ... RETURNING per
organisation and kind raises the organisation's counter by the number of new records. The
UPDATE locks the organisation's row until the transaction ends (PostgreSQL; SQLite serialises
writers), so two transactions never get the same numbers, and a number is never reused: the
counter only goes up, also when a record is deleted.
"""

from sqlalchemy import event, update

from riecycle.models import Measure, Organisation, Risk

COUNTERS = ((Risk, "last_risk_number"), (Measure, "last_measure_number"))


def allocate(connection, organisation_id: int, counter: str, count: int) -> int:
    """Raise the organisation's counter by count; the first of the numbers now reserved."""
    table = Organisation.__table__
    column = table.c[counter]
    last = connection.execute(
        update(table)
        .where(table.c.id == organisation_id)
        .values({counter: column + count, "updated_at": table.c.updated_at})
        .returning(column)
    ).scalar_one()
    return last - count + 1


def _before_flush(session, flush_context, instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, (Risk, Measure)) and obj.number is None]
    if not new:
        return
    for model, counter in COUNTERS:
        per_org: dict[int, list] = {}
        for obj in new:
            if isinstance(obj, model) and obj.organisation_id is not None:
                per_org.setdefault(obj.organisation_id, []).append(obj)
        for organisation_id, objs in per_org.items():
            first = allocate(session.connection(), organisation_id, counter, len(objs))
            for offset, obj in enumerate(objs):
                obj.number = first + offset


def install(session_class) -> None:
    """Number new records on every flush (once per process)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
