"""Per risk: how many live measures it has at each level, kept on the risk as it changes.

The plan flags a risk "eerst organisatieniveau" when it has team or individual measures but
none at organisation level (docs/domain.md §1, the order organisatie → team → individu). Working
that out means counting every measure of every risk; a large employer has 25,000 measures,
and the flag shows on every plan page. So the counts live on the risk (measures_organisatie,
measures_team, measures_individu), recounted in the same transaction whenever a flush touches
a measure or its risks. Writes that bypass the ORM (bulk inserts) call recount_organisation().

A measure counts when it is not deleted and not vervallen.
"""

from sqlalchemy import and_, case, event, func, inspect, select, update

from riecycle.models.measure import LEVELS, Measure, MeasureStatus, measure_risks
from riecycle.models.rie import Risk

COLUMNS = {level: f"measures_{level}" for level in LEVELS}
_TOUCHED = "risk_levels.touched"
_MEASURES = "risk_levels.measures"


def _counts(risk_id_column):
    """Correlated counts per level for the risk in `risk_id_column`."""
    live = and_(
        Measure.id == measure_risks.c.measure_id,
        Measure.deleted_at.is_(None),
        Measure.status != MeasureStatus.VERVALLEN,
    )
    return {
        column: select(func.count(case((Measure.level == level, 1))))
        .select_from(measure_risks)
        .join(Measure, live)
        .where(measure_risks.c.risk_id == risk_id_column)
        .scalar_subquery()
        for level, column in COLUMNS.items()
    }


def _values() -> dict:
    """The recount, leaving updated_at alone: a derived number is not an edit of the risk."""
    return {**_counts(Risk.__table__.c.id), "updated_at": Risk.__table__.c.updated_at}


def recount(connection, risk_ids) -> None:
    """Recount the given risks from their measures."""
    ids = sorted({int(i) for i in risk_ids if i is not None})
    for start in range(0, len(ids), 500):
        connection.execute(
            update(Risk.__table__)
            .where(Risk.__table__.c.id.in_(ids[start : start + 500]))
            .values(**_values())
        )


def recount_organisation(session, organisation_id: int | None) -> None:
    """Recount every risk of an organisation, or of all (None), after bulk writes that bypass the ORM."""
    from riecycle import changes

    changes.touch(organisation_id, session)  # None: every organisation
    risks = Risk.__table__
    stmt = (
        update(risks)
        if organisation_id is None
        else update(risks).where(risks.c.organisation_id == organisation_id)
    )
    session.connection().execute(stmt.values(**_values()))


def _linked(connection, measure_ids) -> set[int]:
    ids = sorted(i for i in measure_ids if i is not None)
    if not ids:
        return set()
    return set(
        connection.execute(
            select(measure_risks.c.risk_id).where(measure_risks.c.measure_id.in_(ids))
        ).scalars()
    )


def _collection_ids(measure: Measure) -> set[int]:
    """Risk ids in the measure's (loaded) risks collection, and those just removed from it."""
    history = inspect(measure).attrs.risks.history
    return {r.id for r in (*history.added, *history.unchanged, *history.deleted) if r.id is not None}


COUNTED = ("level", "status", "deleted_at", "risks")


def _changes_counts(measure: Measure) -> bool:
    state = inspect(measure)
    return not state.persistent or any(state.attrs[name].history.has_changes() for name in COUNTED)


def _before_flush(session, flush_context, instances) -> None:
    measures = [
        m
        for m in (*session.new, *session.dirty, *session.deleted)
        if isinstance(m, Measure) and (m in session.new or m in session.deleted or _changes_counts(m))
    ]
    if not measures:
        return
    touched = session.info.setdefault(_TOUCHED, set())
    session.info.setdefault(_MEASURES, set()).update(m for m in measures)
    for measure in measures:
        touched |= _collection_ids(measure)
    touched |= _linked(
        session.connection(), {inspect(m).identity[0] for m in measures if inspect(m).identity}
    )


def _after_flush(session, flush_context) -> None:
    measures = session.info.pop(_MEASURES, set())
    touched = session.info.pop(_TOUCHED, set())
    if not measures:
        return
    touched |= _linked(session.connection(), {m.id for m in measures})
    recount(session.connection(), touched)
    session.info.setdefault("risk_levels.expire", set()).update(touched)


def _after_flush_postexec(session, flush_context) -> None:
    for risk_id in session.info.pop("risk_levels.expire", set()):
        risk = session.identity_map.get(session.identity_key(Risk, risk_id))
        if risk is not None:
            session.expire(risk, list(COLUMNS.values()))


def install(session_class) -> None:
    """Keep the counts in step with every flush (once per process)."""
    for name, hook in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("after_flush_postexec", _after_flush_postexec),
    ):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
