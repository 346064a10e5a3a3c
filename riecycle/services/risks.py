"""Risks (knelpunten): create, change, evaluate with history, the top 5, and the heatmap."""

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.inputs import arg_id, arg_int
from riecycle.models import Factor, Risk, RiskEvaluation, Team, Theme, VerdiependOnderzoek
from riecycle.models.organisation import RiskMethod
from riecycle.models.rie import (
    RISK_SCOPES,
    RISK_SOURCES,
    RISK_STATUSES,
    Priority,
    RiskScope,
    RiskSource,
    RiskStatus,
    risk_teams,
)
from riecycle.services import ServiceError, scoring
from riecycle.services.records import Prefetch, apply_changes, assign_ids, flush_new
from riecycle.tenancy import get_in_org

TOP_N = 5


def _clean(text) -> str | None:
    return (text or "").strip() or None


class RiskBatch:
    """Many new risks at once: teams, factors and themes are looked up once, and create_risk and
    evaluate leave the flush (and the current score) to flush(), so a chunk costs a few statements."""

    def __init__(self, org, datas: list[dict]):
        self.teams = Prefetch(org, Team, {t for data in datas for t in data.get("team_ids") or []})
        self.factors = {f.key: f for f in db.session.scalars(select(Factor))}
        self.themes = {t.key: t for t in db.session.scalars(select(Theme))}
        self.history: dict[Risk, list[RiskEvaluation]] = {}  # the risks created in this batch
        self.evaluated: list[Risk] = []
        self.new: list = []

    def add(self, row) -> None:
        """A new row for the next flush."""
        db.session.add(row)
        self.new.append(row)

    def number(self) -> None:
        """Give the new rows their ids now, so what follows can refer to them before the flush."""
        assign_ids(self.new)

    def flush(self) -> None:
        """Give each risk evaluated since the last flush its current score, then insert the rows.

        A new risk gets its score before its INSERT: an UPDATE of a row with a version counter
        (the optimistic lock) is sent one row at a time."""
        assign_ids(self.new)
        for risk in dict.fromkeys(self.evaluated):
            if risk in self.history:  # a new risk has no evaluations but the ones made here
                _set_current(risk, max(self.history[risk], key=lambda e: (e.evaluated_at, e.id)))
        flush_new(self.new)
        for risk in dict.fromkeys(r for r in self.evaluated if r not in self.history):
            refresh_current(risk)
        self.evaluated.clear()


def _teams(org, team_ids, batch: RiskBatch | None = None) -> list[Team]:
    ids = {int(t) for t in team_ids or []}
    if batch is not None:
        teams = batch.teams.get(ids)
    else:
        teams = (
            db.session.scalars(
                select(Team).where(
                    Team.id.in_(ids), Team.organisation_id == org.id, Team.deleted_at.is_(None)
                )
            ).all()
            if ids
            else []
        )
    if len(teams) != len(ids):
        raise ServiceError(_("Kies bestaande teams van deze organisatie."), "team_ids")
    return sorted(teams, key=lambda t: t.name)


def _factors(keys, batch: RiskBatch | None = None) -> list[Factor]:
    keys = set(keys or [])
    if batch is not None:
        factors = [batch.factors[k] for k in keys if k in batch.factors]
    else:
        factors = db.session.scalars(select(Factor).where(Factor.key.in_(keys))).all() if keys else []
    if len(factors) != len(keys):
        raise ServiceError(_("Kies bestaande werkdrukfactoren."), "factor_keys")
    return sorted(factors, key=lambda f: f.position)


def _onderzoek(org, onderzoek_id):
    if not onderzoek_id:
        return None
    onderzoek = get_in_org(VerdiependOnderzoek, onderzoek_id, org)
    if onderzoek is None:
        raise ServiceError(_("Kies een bestaand verdiepend onderzoek."), "onderzoek_id")
    return onderzoek.id


def _theme(key, batch: RiskBatch | None) -> Theme | None:
    """The PSA theme with this key, if it exists."""
    return batch.themes.get(key) if batch is not None else db.session.get(Theme, key)


def _validated(org, data: dict, batch: RiskBatch | None = None) -> dict:
    """Check a risk's fields; return the column values plus teams and factors."""
    values = {
        "title": _clean(data.get("title")),
        "description": _clean(data.get("description")),
        "theme_key": data.get("theme_key"),
        "scope": data.get("scope") or RiskScope.ORGANISATIE,
        "function_group": _clean(data.get("function_group")),
        "source": data.get("source") or RiskSource.RIE,
        "status": data.get("status") or "open",
        "status_reason": _clean(data.get("status_reason")),
        "team_bound_reason": _clean(data.get("team_bound_reason")),
        "grondoorzaak": _clean(data.get("grondoorzaak")),
        "restrisico": data.get("restrisico") or None,
    }
    if values["restrisico"] not in (None, *PRIORITIES):
        raise ServiceError(_("Kies laag, middel of hoog als restrisico."), "restrisico")
    if not values["title"]:
        raise ServiceError(_("Geef het knelpunt een korte titel."), "title")
    if not values["description"]:
        raise ServiceError(_("Beschrijf wat er speelt, de oorzaak, wanneer en wie het raakt."), "description")
    if _theme(values["theme_key"] or "", batch) is None:
        raise ServiceError(_("Kies een PSA-thema."), "theme_key")
    if values["scope"] not in RISK_SCOPES:
        raise ServiceError(_("Kies voor wie het risico geldt."), "scope")
    if values["source"] not in RISK_SOURCES:
        raise ServiceError(_("Kies een geldige bron."), "source")
    if values["status"] not in RISK_STATUSES:
        raise ServiceError(_("Kies een geldige status."), "status")
    if values["status"] == RiskStatus.NVT and not values["status_reason"]:
        raise ServiceError(_("Geef aan waarom dit risico niet van toepassing is."), "status_reason")
    teams = _teams(org, data.get("team_ids"), batch) if values["scope"] == RiskScope.TEAMS else []
    if values["scope"] == RiskScope.TEAMS and not teams:
        raise ServiceError(_("Kies minstens één team."), "team_ids")
    if values["scope"] == RiskScope.FUNCTIEGROEP and not values["function_group"]:
        raise ServiceError(_("Noem de functiegroep."), "function_group")
    if values["scope"] != RiskScope.FUNCTIEGROEP:
        values["function_group"] = None
    values["onderzoek_id"] = _onderzoek(org, data.get("onderzoek_id"))
    return {"values": values, "teams": teams, "factors": _factors(data.get("factor_keys"), batch)}


def create_risk(org, data: dict, rie=None, batch: RiskBatch | None = None) -> Risk:
    """Record a new knelpunt, linked to the given (current) RI&E."""
    checked = _validated(org, data, batch)
    risk = Risk(organisation_id=org.id, rie_id=rie.id if rie else None, **checked["values"])
    risk.teams, risk.factors = checked["teams"], checked["factors"]
    if batch is not None:
        batch.add(risk)
        batch.history[risk] = []
        return risk
    db.session.add(risk)
    db.session.flush()
    return risk


def update_risk(org, risk: Risk, data: dict) -> bool:
    """Change a knelpunt's description, scope, source or status."""
    checked = _validated(org, data)
    changed = apply_changes(risk, checked["values"])
    if [t.id for t in risk.teams] != [t.id for t in checked["teams"]]:
        risk.teams, changed = checked["teams"], True
    if {f.key for f in risk.factors} != {f.key for f in checked["factors"]}:
        risk.factors, changed = checked["factors"], True
    db.session.flush()
    return changed


def _moment(on: date | None) -> datetime:
    """Today means now; an earlier date is stored as noon (Amsterdam) on that day."""
    today = clock.today()
    if on is None or on == today:
        return clock.now()
    return datetime.combine(on, time(12), clock.AMSTERDAM).astimezone(clock.now().tzinfo)


def evaluate(
    org,
    risk: Risk,
    user,
    kans,
    effect,
    frequentie=None,
    evaluated_on: date | None = None,
    note: str | None = None,
    method: str | None = None,
    batch: RiskBatch | None = None,
) -> RiskEvaluation:
    """Add a (re-)evaluation; earlier ones are kept, the latest sets the current score."""
    method = method or org.risk_method
    if evaluated_on is not None and evaluated_on > clock.today():
        raise ServiceError(_("De datum van de beoordeling kan niet in de toekomst liggen."), "evaluated_on")
    result = scoring.compute(method, kans, effect, frequentie)
    evaluation = RiskEvaluation(
        organisation_id=org.id,
        risk_id=risk.id,
        method=method,
        kans=int(kans),
        effect=int(effect),
        frequentie=int(frequentie) if method == RiskMethod.KINNEY else None,  # pyright: ignore[reportArgumentType]
        score=result.score,
        priority=result.priority,
        evaluated_at=_moment(evaluated_on),
        evaluated_by_id=user.id if user else None,
        note=_clean(note),
    )
    if batch is not None:
        batch.add(evaluation)
        batch.history.get(risk, []).append(evaluation)
        batch.evaluated.append(risk)
        return evaluation
    db.session.add(evaluation)
    db.session.flush()
    refresh_current(risk)
    return evaluation


def history(risk: Risk) -> list[RiskEvaluation]:
    """Every evaluation of a risk, oldest first."""
    return list(
        db.session.scalars(
            select(RiskEvaluation)
            .where(RiskEvaluation.risk_id == risk.id, RiskEvaluation.deleted_at.is_(None))
            .order_by(RiskEvaluation.evaluated_at, RiskEvaluation.id)
        )
    )


def before_after(risk: Risk) -> tuple[RiskEvaluation | None, RiskEvaluation | None]:
    """The first and the latest evaluation (the same one when there is only one)."""
    items = history(risk)
    return (items[0], items[-1]) if items else (None, None)


def refresh_current(risk: Risk) -> None:
    """Copy the latest evaluation onto the risk, for filtering and the heatmap."""
    _set_current(risk, before_after(risk)[1])
    db.session.flush()


def _set_current(risk: Risk, latest: RiskEvaluation | None) -> None:
    """The risk's current score, priority and scale values from its latest evaluation."""
    risk.current_score = latest.score if latest else None
    risk.current_priority = latest.priority if latest else None
    risk.current_method = latest.method if latest else None
    risk.current_kans = latest.kans if latest else None
    risk.current_effect = latest.effect if latest else None


# --- top 5 -------------------------------------------------------------------------


def top5(org) -> list[Risk]:
    """The werkgroep's ranked top 5 knelpunten."""
    return list(
        db.session.scalars(
            select(Risk)
            .where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.top5_rank.is_not(None))
            .order_by(Risk.top5_rank)
        )
    )


def set_top5(org, risk_ids: list, rie=None) -> None:
    """Rank up to five knelpunten 1..5 (each once); every other risk loses its rank."""
    chosen = [int(r) for r in risk_ids if r]
    if len(chosen) > TOP_N:
        raise ServiceError(_("Kies hoogstens vijf knelpunten."))
    if len(set(chosen)) != len(chosen):
        raise ServiceError(_("Elk knelpunt mag maar één keer in de top 5 staan."))
    risks = {
        r.id: r
        for r in db.session.scalars(
            select(Risk).where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        )
    }
    if any(r not in risks for r in chosen):
        raise ServiceError(_("Kies bestaande knelpunten van deze organisatie."))
    if any(risks[r].status == RiskStatus.NVT for r in chosen):
        raise ServiceError(_("Een risico dat niet van toepassing is, kan niet in de top 5."))
    for risk in risks.values():
        if risk.top5_rank is not None and risk.id not in chosen:
            risk.top5_rank = None
    db.session.flush()  # free the ranks first
    for rank, risk_id in enumerate(chosen, start=1):
        risks[risk_id].top5_rank = rank
    if rie is not None:
        rie.top5_reviewed_on = clock.today()
    db.session.flush()


# --- visibility, register and heatmap --------------------------------------------------


def visible_filter(team_ids: set[int] | None):
    """A where-clause for risks a leidinggevende may see: organisation-wide, function
    groups, or one of their teams. None means no restriction."""
    if team_ids is None:
        return None
    own = select(risk_teams.c.risk_id).where(risk_teams.c.team_id.in_(team_ids or {-1}))
    return or_(Risk.scope != RiskScope.TEAMS, Risk.id.in_(own))


def visible_risks(org, team_ids: set[int] | None = None, *, include_deleted: bool = False):
    """A select() of the organisation's risks that a member with these teams may see (None: all)."""
    stmt = select(Risk).where(Risk.organisation_id == org.id)
    if not include_deleted:
        stmt = stmt.where(Risk.deleted_at.is_(None))
    clause = visible_filter(team_ids)
    return stmt if clause is None else stmt.where(clause)


def heatmap_risks(org, team_ids: set[int] | None = None):
    """The risks a heatmap shows: live, applicable and visible. The heatmap page and the
    dashboard both count these, so they show the same numbers."""
    return visible_risks(org, team_ids).where(Risk.status != RiskStatus.NVT)


# The register's sort keys (the `sort` query parameter) and their columns.
REGISTER_SORTS = {
    "score": Risk.current_score,
    "titel": Risk.title,
    "thema": Risk.theme_key,
    "status": Risk.status,
    "gewijzigd": Risk.updated_at,
}


@dataclass(frozen=True)
class Filters:
    """The risk register's filters and order, as the register page and its Excel export take them
    from the address (the query parameter of each field is named in from_args)."""

    theme: str = ""
    team_id: int | None = None
    # "hoog", "middel", "laag", or "geen" for risks not evaluated yet.
    priority: str = ""
    # A risk status, or "actief" for every status except n.v.t.
    status: str = ""
    kans: int | None = None
    effect: int | None = None
    sort: str = "score"
    direction: str = "desc"
    top5: bool = False
    # The method a priority or heatmap cell is read in; "" is the organisation's method.
    method: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        """The filters from query parameters; unknown values fall back to no filter."""
        return cls(
            theme=args.get("thema") or "",
            team_id=arg_id("team", source=args),
            priority=args.get("prioriteit") or "",
            status=args.get("status") or "",
            kans=arg_int("kans", source=args),
            effect=arg_int("effect", source=args),
            sort=args.get("sort") if args.get("sort") in REGISTER_SORTS else "score",
            direction="asc" if args.get("dir") == "asc" else "desc",
            top5=args.get("top5") == "1",
            method=args.get("methode") if args.get("methode") in scoring.METHODS else "",
        )


def register_query(org, filters: Filters | None = None, team_ids: set[int] | None = None, *, deleted=False):
    """A select() of the risk register: visible risks with the filters applied, in their order.

    team_ids: the teams of a leidinggevende (None: every risk). deleted: the prullenbak view,
    only soft-deleted risks.
    """
    f = filters or Filters()
    stmt = visible_risks(org, team_ids, include_deleted=deleted)
    if deleted:
        stmt = stmt.where(Risk.deleted_at.is_not(None))
    method = f.method or org.risk_method  # a priority or heatmap cell is per method
    if f.theme:
        stmt = stmt.where(Risk.theme_key == f.theme)
    if f.team_id:
        stmt = stmt.where(Risk.id.in_(select(risk_teams.c.risk_id).where(risk_teams.c.team_id == f.team_id)))
    if f.priority == "geen":
        stmt = stmt.where(Risk.current_priority.is_(None))
    elif f.priority:
        stmt = stmt.where(Risk.current_priority == f.priority, Risk.current_method == method)
    if f.status == "actief":
        stmt = stmt.where(Risk.status != RiskStatus.NVT)
    elif f.status:
        stmt = stmt.where(Risk.status == f.status)
    if f.kans is not None or f.effect is not None:
        stmt = stmt.where(Risk.current_method == method)
    if f.kans is not None:
        stmt = stmt.where(Risk.current_kans == f.kans)
    if f.effect is not None:
        stmt = stmt.where(Risk.current_effect == f.effect)
    if f.top5:
        stmt = stmt.where(Risk.top5_rank.is_not(None))
    column = REGISTER_SORTS[f.sort]
    ordered = column.asc() if f.direction == "asc" else column.desc()
    if f.sort == "score":
        ordered = ordered.nulls_last()
    return stmt.order_by(ordered, Risk.title, Risk.id)


# Highest first.
PRIORITIES = tuple(reversed(Priority))
_RANK = {priority: rank for rank, priority in enumerate(Priority, start=1)}


@dataclass
class HeatmapGrid:
    """One method's kans × effect grid. Each cell counts its risks by their own priority (from
    their full score: Kinney's frequentie counts too), and is coloured by the highest of them."""

    method: str
    kans: list  # [(value, label)] ascending
    effect: list  # [(value, label)] ascending
    cells: dict  # (kans, effect) -> {"hoog": n, "middel": n, "laag": n}

    def count(self, kans, effect) -> int:
        return sum(self.cells.get((kans, effect), {}).values())

    def worst(self, kans, effect) -> str | None:
        found = [p for p, n in self.cells.get((kans, effect), {}).items() if n]
        return max(found, key=_RANK.get) if found else None  # pyright: ignore[reportCallIssue, reportArgumentType]

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.cells.values())

    @property
    def priorities(self) -> dict:
        """How many risks of this grid are hoog/middel/laag."""
        return {p: sum(c.get(p, 0) for c in self.cells.values()) for p in PRIORITIES}


@dataclass
class Heatmap:
    grids: list  # [HeatmapGrid], the organisation's method first (always present)
    unassessed: int  # risks without an evaluation (on no grid)

    @property
    def assessed(self) -> int:
        return sum(grid.total for grid in self.grids)


def heatmap(org, stmt) -> Heatmap:
    """The risks of `stmt` (a select of Risk) on kans × effect grids, one per method used, in one
    query. The dashboard and /rie/heatmap both draw this with riecycle.charts.heatmap."""
    rows = db.session.execute(
        stmt.with_only_columns(
            Risk.current_method,
            Risk.current_kans,
            Risk.current_effect,
            Risk.current_priority,
            func.count(Risk.id),
        )
        .order_by(None)
        .group_by(Risk.current_method, Risk.current_kans, Risk.current_effect, Risk.current_priority)
    ).all()
    unassessed, by_method = 0, {}
    for method, kans, effect, priority, number in rows:
        if method is None:
            unassessed += number
            continue
        cell = by_method.setdefault(method, {}).setdefault((kans, effect), dict.fromkeys(PRIORITIES, 0))
        cell[priority] += number
    methods = sorted(set(by_method) | {org.risk_method}, key=lambda m: (m != org.risk_method, m))
    grids = []
    for method in methods:
        scale = scoring.scales(method)
        grids.append(
            HeatmapGrid(
                method,
                sorted(scale["kans"].items()),
                sorted(scale["effect"].items()),
                by_method.get(method, {}),
            )
        )
    return Heatmap(grids, unassessed)


# --- the risk page --------------------------------------------------------------------

# The register's query parameters (see Filters.from_args) that a risk page may carry back.
REGISTER_ARGS = (
    "thema",
    "team",
    "prioriteit",
    "status",
    "kans",
    "effect",
    "sort",
    "dir",
    "top5",
    "methode",
    "page",
)


def register_args(raw: str | None) -> dict:
    """The register's filters from a query string handed along to a risk page, validated:
    only the register's own parameters, short values, so the link back cannot point elsewhere."""
    from urllib.parse import parse_qsl

    kept = {}
    for key, value in parse_qsl((raw or "")[:1000]):
        if key in REGISTER_ARGS and value and len(value) <= 100 and key not in kept:
            kept[key] = value
    return kept


def measures_by_level(org, risk: Risk, viewer) -> list[tuple[str, list]]:
    """The risk's live measures per level, as the viewer may list them (docs/domain.md §9)."""
    from sqlalchemy.orm import joinedload

    from riecycle.models import Employee, Measure
    from riecycle.models.measure import LEVELS
    from riecycle.services import plan as plan_service

    stmt = plan_service.measures_query(org, plan_service.Filters(risk_id=risk.id, viewer=viewer))
    # The pseudonym names the employee's team: loaded with the rows, not once per measure.
    stmt = stmt.options(joinedload(Measure.employee).joinedload(Employee.team))
    measures = db.session.scalars(stmt).all()
    return [(level, [m for m in measures if m.level == level]) for level in LEVELS]
