"""Records as spreadsheet rows: risks, measures, sessions, attendance, evaluations, audit entries.

Used by the evidence workbook and by the list exports, so a list export has the same columns
as the matching sheet of the evidence workbook (and the risks and measures import back).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.clock import AMSTERDAM
from riecycle.excel.schema import SEPARATOR, dutch
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Measure, MeasureStatusChange, Risk, RiskEvaluation, User
from riecycle.services import plan as plan_service

FORWARD = ("gepland", "in_uitvoering", "uitgevoerd", "geevalueerd")
JOIN = f"{SEPARATOR} "


@dataclass(frozen=True)
class Viewer:
    """What the person the file is for may see (DOMAIN.md §9)."""

    personal: bool = True  # employee names and free text of individual measures
    attendance: bool = True  # the attendance register
    audit: bool = True  # the audit log
    team_ids: frozenset = field(default_factory=frozenset)  # a leidinggevende's own teams

    def sees_employee(self, team_id) -> bool:
        return self.personal or (team_id is not None and team_id in self.team_ids)

    def sees_measure(self, measure: Measure) -> bool:
        """Whether the measure's name and free text may be shown (else it is pseudonymised)."""
        return measure.level != "individu" or self.sees_employee(measure.employee_team_id)


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(AMSTERDAM).date() if moment else None


def _names(items, attr="name") -> str | None:
    return JOIN.join(sorted(getattr(i, attr) for i in items)) or None


# --- stable references -----------------------------------------------------------------


def _refs(model, org, prefix: str) -> dict[int, str]:
    """R-001, R-002 ... in order of creation over the live records: the same after a round trip."""
    ids = db.session.scalars(
        select(model.id)
        .where(model.organisation_id == org.id, model.deleted_at.is_(None))
        .order_by(model.created_at, model.id)
    ).all()
    width = max(3, len(str(len(ids))))
    return {record_id: f"{prefix}-{n:0{width}d}" for n, record_id in enumerate(ids, start=1)}


def risk_refs(org) -> dict[int, str]:
    return _refs(Risk, org, "R")


def measure_refs(org) -> dict[int, str]:
    return _refs(Measure, org, "M")


# --- risks -----------------------------------------------------------------------------


def first_and_current(org) -> dict[int, tuple[RiskEvaluation, RiskEvaluation]]:
    """Per risk id: its first and its latest evaluation."""
    result: dict[int, tuple] = {}
    stmt = (
        select(RiskEvaluation)
        .where(RiskEvaluation.organisation_id == org.id, RiskEvaluation.deleted_at.is_(None))
        .order_by(RiskEvaluation.risk_id, RiskEvaluation.evaluated_at, RiskEvaluation.id)
    )
    for evaluation in db.session.scalars(stmt.execution_options(yield_per=500)):
        first = result.get(evaluation.risk_id, (evaluation,))[0]
        result[evaluation.risk_id] = (first, evaluation)
    return result


def _evaluation_values(evaluation: RiskEvaluation | None) -> list:
    if evaluation is None:
        return [None] * 7
    return [
        dutch("risk_method_short", evaluation.method),
        evaluation.kans,
        evaluation.frequentie,
        evaluation.effect,
        evaluation.score,
        dutch("priority", evaluation.priority),
        evaluation.evaluated_on,
    ]


def risk_row(risk: Risk, ref: str | None, evaluations: tuple | None) -> list:
    """One risk in the order of schema.RISK_FIELDS."""
    first, current = evaluations or (None, None)
    method, kans, freq, effect, score, priority, on = _evaluation_values(current)
    first_values = _evaluation_values(first)
    return [
        ref,
        risk.theme.name_nl if risk.theme else risk.theme_key,
        risk.title,
        risk.description,
        dutch("risk_scope", risk.scope),
        _names(risk.teams),
        risk.function_group,
        JOIN.join(f.name_nl for f in sorted(risk.factors, key=lambda f: f.position)) or None,
        dutch("risk_source", risk.source),
        dutch("risk_status", risk.status),
        risk.status_reason,
        risk.team_bound_reason,
        risk.top5_rank,
        method,
        kans,
        freq,
        effect,
        score,
        priority,
        on,
        *first_values,
    ]


# --- measures --------------------------------------------------------------------------


def status_dates(org) -> dict[int, dict[str, date]]:
    """Per measure id: the last date it entered each status."""
    result: dict[int, dict[str, date]] = {}
    stmt = (
        select(MeasureStatusChange.measure_id, MeasureStatusChange.to_status, MeasureStatusChange.changed_at)
        .where(MeasureStatusChange.organisation_id == org.id, MeasureStatusChange.deleted_at.is_(None))
        .order_by(MeasureStatusChange.changed_at, MeasureStatusChange.id)
    )
    for measure_id, status, moment in db.session.execute(stmt.execution_options(yield_per=1000)):
        result.setdefault(measure_id, {})[status] = local_date(moment)
    return result


def status_path(status: str, dates: dict) -> list[str]:
    """The steps from gepland to the current status that an import replays."""
    if status == "vervallen":
        return ["gepland", *(["in_uitvoering"] if dates.get("in_uitvoering") else []), "vervallen"]
    return list(FORWARD[: FORWARD.index(status) + 1]) if status in FORWARD else ["gepland"]


def _path_dates(measure: Measure, dates: dict) -> list:
    path = status_path(measure.status, dates)
    shown = {s: dates.get(s) for s in path}
    shown["gepland"] = shown.get("gepland") or local_date(measure.created_at)
    if "uitgevoerd" in path:
        shown["uitgevoerd"] = measure.completed_on or shown.get("uitgevoerd")
    return [shown.get(s) for s in (*FORWARD, "vervallen")]


def measure_row(
    measure: Measure, ref: str | None, refs: dict, dates: dict, viewer: Viewer, today: date
) -> list:
    """One measure in the order of schema.MEASURE_FIELDS; pseudonymised where the viewer may not
    see the employee: no name, no free text."""
    visible = viewer.sees_measure(measure)
    risk_refs = JOIN.join(sorted(refs[r.id] for r in measure.risks if r.id in refs)) or None
    employee = measure.employee.name if measure.employee is not None and visible else None
    return [
        ref,
        risk_refs,
        measure.title if visible else plan_service.pseudonym(measure),
        measure.description if visible else None,
        dutch("level", measure.level),
        _names(measure.teams),
        employee,
        dutch("approach", measure.approach),
        measure.responsible.name if measure.responsible else None,
        measure.termijn,
        measure.start_date,
        measure.budget_eur,
        measure.effort if visible else None,
        measure.quick_win,
        dutch("change_type", measure.change_type),
        measure.pilot,
        dutch("measure_status", measure.status),
        *_path_dates(measure, dates),
        measure.status_reason if visible else None,
        measure.is_overdue(today),
    ]


def measure_title(measure: Measure | None, viewer: Viewer) -> str | None:
    if measure is None:
        return None
    return measure.title if viewer.sees_measure(measure) else plan_service.pseudonym(measure)


# --- audit -----------------------------------------------------------------------------

PERSONAL_ENTITIES = ("Medewerker",)
MEASURE_CHILDREN = ("Statuswijziging", "Voortgangsnotitie", "Evaluatie", "Prioritering")


def user_names() -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.name)).all())


def _changes_text(changes: dict, action: str) -> str | None:
    parts = []
    for key, pair in sorted((changes or {}).items()):
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if action == "create":
            if new not in (None, "", []):
                parts.append(f"{key}: {new}")
        else:
            parts.append(
                f"{key}: {old if old not in (None, '', []) else '—'} → {new if new not in (None, '', []) else '—'}"
            )
    return "\n".join(parts) or None


@dataclass
class AuditPrivacy:
    """Which audit entries name an employee or an individual measure, for a viewer who may not see them."""

    individual: dict  # measure id -> pseudonym

    @classmethod
    def for_org(cls, org, viewer: Viewer) -> "AuditPrivacy | None":
        if viewer.personal:
            return None
        measures = db.session.scalars(
            select(Measure).where(Measure.organisation_id == org.id, Measure.level == "individu")
        )
        return cls({m.id: plan_service.pseudonym(m) for m in measures if not viewer.sees_measure(m)})

    def hides(self, entry) -> str | None:
        """The label to show instead, or None when the entry may be shown as is."""
        if entry.entity == "Maatregel" and entry.entity_id in self.individual:
            return self.individual[entry.entity_id]
        if entry.entity in MEASURE_CHILDREN:
            measure_id = ((entry.changes or {}).get("measure_id") or [None, None])[-1]
            if measure_id in self.individual:
                return f"{entry.entity} – {self.individual[measure_id]}"
        if entry.entity in PERSONAL_ENTITIES:
            return _("Medewerker #%(n)s", n=entry.entity_id)
        if (
            entry.entity == "Document"
            and (entry.changes or {}).get("owner_type", [None, None])[-1] == "measure"
            and (entry.changes or {}).get("owner_id", [None, None])[-1] in self.individual
        ):
            return _("Document bij een individuele maatregel")
        return None


def audit_row(entry, users: dict, privacy: AuditPrivacy | None) -> list:
    hidden = privacy.hides(entry) if privacy is not None else None
    changes = _("afgeschermd (persoonsgegevens)") if hidden else _changes_text(entry.changes, entry.action)
    return [
        entry.created_at,
        users.get(entry.user_id, _("systeem")) if entry.user_id else _("systeem"),
        entry.entity,
        entry.entity_id,
        label(entry.action, "audit_action"),
        hidden or entry.label,
        changes,
    ]
