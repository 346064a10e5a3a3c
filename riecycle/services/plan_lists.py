"""The plan's lists at any size: totals as aggregate queries and one page of measures per request.

A large employer has tens of thousands of measures. A page shows a bounded number of them (and
a bounded number per risk), and every query is either an aggregate or walks an index for one
page, so the work per request does not grow with the plan.
"""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from riecycle import clock
from riecycle.access.filters import visible_risks_filter
from riecycle.extensions import db
from riecycle.models import Measure, Risk, User
from riecycle.models.measure import LEVELS, OPEN_STATUSES, STATUSES, MeasureStatus, measure_risks
from riecycle.models.rie import RiskStatus
from riecycle.pagination import Page
from riecycle.services.plan import Filters, conditions

MEASURES_PER_PAGE = 50
RISKS_PER_PAGE = 10
MEASURES_PER_RISK = 5
DONE_STATUSES = (MeasureStatus.UITGEVOERD, MeasureStatus.GEEVALUEERD)

# What a row of a measure list shows: its risks' titles, teams, employee and responsible person.
DISPLAY_LOADING = (
    selectinload(Measure.risks).options(
        load_only(Risk.id, Risk.title), lazyload(Risk.teams), lazyload(Risk.factors), lazyload(Risk.theme)
    ),
    selectinload(Measure.teams),
    joinedload(Measure.responsible).lazyload(User.memberships),
)


@dataclass
class Group:
    """One heading of the plan: its key (risk, level, status or user), total and measures on this page."""

    key: object
    total: int
    measures: list


def stats(org, filters: Filters | None = None) -> dict:
    """Counts for the plan's summary cards, in one aggregate query."""
    today = clock.today()
    is_open = Measure.status.in_(OPEN_STATUSES)
    row = db.session.execute(
        select(
            func.count(Measure.id),
            func.count(case((is_open, 1))),
            func.count(case((and_(is_open, Measure.termijn < today), 1))),
            func.count(case((Measure.status.in_(DONE_STATUSES), 1))),
            func.count(case((and_(is_open, Measure.quick_win.is_(True)), 1))),
        ).where(*conditions(org, filters))
    ).one()
    return dict(zip(("total", "open", "overdue", "done", "quick_wins"), row, strict=True))


def _page(number: int | None, per_page: int, total: int) -> Page:
    """Page `number` (clamped to the last page) of `total` items."""
    page = Page(max(1, number or 1), per_page, total)
    page.page = min(page.page, page.pages)
    return page


def _load(stmt) -> list[Measure]:
    return list(db.session.scalars(stmt.options(*DISPLAY_LOADING)).unique())


# --- grouped by risk --------------------------------------------------------------------


RISK_ORDER = (
    Risk.top5_rank.is_(None),
    Risk.top5_rank,
    func.coalesce(Risk.current_score, 0).desc(),
    Risk.title,
    Risk.id,
)


def _links(org, where):
    """Subquery: (risk_id, measure_id) of the measures matching the filters."""
    return (
        select(measure_risks.c.risk_id, measure_risks.c.measure_id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(*where)
    ).subquery()


def _all_risks(org, where, page_number: int | None, viewer=None) -> tuple[list[Risk], Page]:
    """Unfiltered: every live risk of the register; n.v.t. and deleted ones only when they have measures."""
    links = _links(org, where)
    return _risk_page(
        select(Risk.id).where(
            Risk.organisation_id == org.id,
            visible_risks_filter(viewer),
            or_(
                and_(Risk.deleted_at.is_(None), Risk.status != RiskStatus.NVT),
                exists().where(links.c.risk_id == Risk.id),
            ),
        ),
        page_number,
    )


def _matching_risks(org, where, page_number: int | None, viewer=None) -> tuple[list[Risk], Page]:
    """Filtered: only the risks with at least one matching measure."""
    matching = select(_links(org, where).c.risk_id).distinct().subquery()
    return _risk_page(
        select(Risk.id).join(matching, matching.c.risk_id == Risk.id).where(visible_risks_filter(viewer)),
        page_number,
    )


def _risk_page(ids_stmt, page_number: int | None) -> tuple[list[Risk], Page]:
    """One page of the risks an id select() finds, in RISK_ORDER (sorting ids only, not whole rows)."""
    number = max(1, page_number or 1)
    rows = db.session.execute(
        ids_stmt.add_columns(func.count().over())
        .order_by(*RISK_ORDER)
        .limit(RISKS_PER_PAGE)
        .offset((number - 1) * RISKS_PER_PAGE)
    ).all()
    if not rows and number > 1:  # past the last page: show the last one
        total = db.session.scalar(select(func.count()).select_from(ids_stmt.subquery())) or 0
        return (
            _risk_page(ids_stmt, ceil(total / RISKS_PER_PAGE)) if total else ([], Page(1, RISKS_PER_PAGE, 0))
        )
    risks = {
        r.id: r
        for r in db.session.scalars(
            select(Risk)
            .where(Risk.id.in_([i for i, _n in rows]))
            .options(lazyload(Risk.teams), lazyload(Risk.factors))
        )
    }
    return [risks[i] for i, _n in rows], Page(number, RISKS_PER_PAGE, rows[0][1] if rows else 0)


def by_risk(org, filters: Filters, page_number: int | None, filtered: bool) -> tuple[list[Group], Page]:
    """A page of risks (top 5 first, then by score), each with its first measures and their number."""
    where = conditions(org, filters)
    risks, page = (_matching_risks if filtered else _all_risks)(org, where, page_number, filters.viewer)
    ids = [r.id for r in risks]
    on_page = (*where, measure_risks.c.risk_id.in_(ids))
    joined = select(measure_risks.c.risk_id).join(Measure, Measure.id == measure_risks.c.measure_id)
    totals = dict(
        db.session.execute(joined.add_columns(func.count()).where(*on_page).group_by(measure_risks.c.risk_id))
        .tuples()
        .all()
    )
    ranked = (
        joined.add_columns(
            measure_risks.c.measure_id,
            func.row_number()
            .over(partition_by=measure_risks.c.risk_id, order_by=(Measure.termijn, Measure.id))
            .label("rank"),
        )
        .where(*on_page)
        .subquery()
    )
    pairs = db.session.execute(
        select(ranked.c.risk_id, ranked.c.measure_id).where(ranked.c.rank <= MEASURES_PER_RISK)
    ).all()
    loaded = {m.id: m for m in _load(select(Measure).where(Measure.id.in_({m for _r, m in pairs})))}
    per_risk: dict[int, list] = {rid: [] for rid in ids}
    for risk_id, measure_id in pairs:
        per_risk[risk_id].append(loaded[measure_id])
    for items in per_risk.values():
        items.sort(key=lambda m: (m.termijn, m.id))
    return [Group(risk, totals.get(risk.id, 0), per_risk[risk.id]) for risk in risks], page


# --- the other groupings: group totals, then a page cut out of them ------------------------------


def _slices(totals: list[tuple], offset: int, limit: int) -> list[tuple]:
    """Which part (value, start, count) of each ordered group falls on the page."""
    result, position = [], 0
    for value, total in totals:
        start, end = max(offset - position, 0), min(offset + limit - position, total)
        if end > start:
            result.append((value, start, end - start))
        position += total
        if position >= offset + limit:
            break
    return result


def _group_totals(where, grouping: str) -> list[tuple]:
    """(value, number of measures) per group, in the grouping's order."""
    column = COLUMNS[grouping]
    counts = dict(
        db.session.execute(select(column, func.count(Measure.id)).where(*where).group_by(column))
        .tuples()
        .all()
    )
    if grouping == "niveau":
        order = list(LEVELS) + sorted(set(counts) - set(LEVELS))
    elif grouping == "status":
        order = list(STATUSES) + sorted(set(counts) - set(STATUSES))
    else:
        users = db.session.execute(select(User.id, User.name).where(User.id.in_(counts))).all()
        order = [uid for uid, _n in sorted(users, key=lambda u: (u.name.lower(), u.id))]
    return [(value, counts[value]) for value in order if counts.get(value)]


COLUMNS = {"niveau": Measure.level, "status": Measure.status, "verantwoordelijke": Measure.responsible_id}


def _group_key(grouping: str, value, measures: list):
    if grouping == "verantwoordelijke":
        return measures[0].responsible if measures else db.session.get(User, value)
    return value


def _first_page(stmt, number: int | None) -> tuple[list, Page]:
    """Rows of one page of an ordered select(Measure, count() over ()), and the page."""
    number = max(1, number or 1)
    rows = db.session.execute(stmt.limit(MEASURES_PER_PAGE).offset((number - 1) * MEASURES_PER_PAGE)).all()
    if rows or number == 1:
        return [m for m, _t in rows], Page(number, MEASURES_PER_PAGE, rows[0].total if rows else 0)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return (
        _first_page(stmt, ceil(total / MEASURES_PER_PAGE)) if total else ([], Page(1, MEASURES_PER_PAGE, 0))
    )


def _cut(where, grouping: str, slices: list[tuple], totals: dict) -> dict:
    """The measures of each slice: partial groups one query each, whole groups together in one."""
    column, ordered = COLUMNS[grouping], (Measure.termijn, Measure.id)
    whole = [value for value, start, count in slices if start == 0 and count == totals[value]]
    found = {value: [] for value, _s, _c in slices}
    for measure in (
        _load(select(Measure).where(*where, column.in_(whole)).order_by(*ordered)) if whole else ()
    ):
        found[getattr(measure, column.key)].append(measure)
    for value, start, count in slices:
        if value not in whole:
            found[value] = _load(
                select(Measure).where(*where, column == value).order_by(*ordered).limit(count).offset(start)
            )
    return found


def flat(org, filters: Filters, grouping: str, page_number: int | None) -> tuple[list[Group], Page]:
    """One page of measures in group order (termijn within a group), with each group's total."""
    where = conditions(org, filters)
    if grouping == "geen":
        measures, page = _first_page(
            select(Measure, func.count().over().label("total"))
            .where(*where)
            .order_by(Measure.termijn, Measure.id)
            .options(*DISPLAY_LOADING),
            page_number,
        )
        return [Group(None, page.total, measures)], page
    ordered = _group_totals(where, grouping)
    totals = dict(ordered)
    page = _page(page_number, MEASURES_PER_PAGE, sum(totals.values()))
    slices = _slices(ordered, page.offset, page.per_page)
    found = _cut(where, grouping, slices, totals)
    return [Group(_group_key(grouping, v, found[v]), totals[v], found[v]) for v, _s, _c in slices], page


# --- mijn maatregelen: what one person is responsible for, most urgent first ----------------------

BUCKET_PREVIEW = 15
BUCKETS = ("overdue", "soon", "later", "done")


def _bucket_conditions(today) -> dict:
    """Per bucket of 'mijn maatregelen': its WHERE clause and order (most urgent, or most recent, first)."""
    month_end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    is_open = Measure.status.in_(OPEN_STATUSES)
    return {
        "overdue": (and_(is_open, Measure.termijn < today), (Measure.termijn, Measure.id)),
        "soon": (
            and_(is_open, Measure.termijn >= today, Measure.termijn < month_end),
            (Measure.termijn, Measure.id),
        ),
        "later": (and_(is_open, Measure.termijn >= month_end), (Measure.termijn, Measure.id)),
        "done": (~is_open, (Measure.termijn.desc(), Measure.id.desc())),
    }


def bucket_totals(org, filters: Filters) -> dict[str, int]:
    """How many measures fall in each bucket, in one aggregate query."""
    buckets = _bucket_conditions(clock.today())
    row = db.session.execute(
        select(*(func.count(case((buckets[b][0], 1))) for b in BUCKETS)).where(*conditions(org, filters))
    ).one()
    return dict(zip(BUCKETS, row, strict=True))


def bucket_measures(org, filters: Filters, buckets, limit: int, offset: int = 0) -> dict[str, list[Measure]]:
    """The first measures of each bucket (a page of one bucket with an offset), loaded together."""
    where = conditions(org, filters)
    ids = {}
    for bucket in buckets:
        condition, order = _bucket_conditions(clock.today())[bucket]
        ids[bucket] = list(
            db.session.scalars(
                select(Measure.id).where(*where, condition).order_by(*order).limit(limit).offset(offset)
            )
        )
    wanted = [i for bucket in buckets for i in ids[bucket]]
    loaded = {m.id: m for m in _load(select(Measure).where(Measure.id.in_(wanted)))} if wanted else {}
    return {bucket: [loaded[i] for i in ids[bucket]] for bucket in buckets}
