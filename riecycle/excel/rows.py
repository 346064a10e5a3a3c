"""Records as spreadsheet rows: risks, measures, sessions and audit entries.

Used by the evidence workbook and by the list exports, so a list export has the same columns
as the matching sheet of the evidence workbook (and the risks and measures import back).
A record is an ORM object or a Core row with the same column names; what it links to (teams,
factors, evaluations, employees, users) comes from dicts loaded once (lookups.py).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from riecycle import access
from riecycle.access.audit import audit_mask
from riecycle.access.pseudonym import pseudonym_of
from riecycle.audit_labels import AuditFormatter, entity_label
from riecycle.clock import AMSTERDAM
from riecycle.excel.lookups import JOIN, Labels, Lookups, grouped, joined_names, stream
from riecycle.models import (
    Attendance,
    AuditEntry,
    Employee,
    Factor,
    Measure,
    MeasureStatusChange,
    Risk,
    RiskEvaluation,
    Team,
    VoorlichtingSession,
)
from riecycle.models.measure import MeasureStatus, measure_risks, measure_teams, overdue
from riecycle.models.references import measure_reference, risk_reference
from riecycle.models.rie import risk_factors, risk_teams
from riecycle.models.voorlichting import session_measures, session_risks, session_teams
from riecycle.services import asof
from riecycle.services.voorlichting import AudienceSizes

FORWARD = (
    MeasureStatus.GEPLAND,
    MeasureStatus.IN_UITVOERING,
    MeasureStatus.UITGEVOERD,
    MeasureStatus.GEEVALUEERD,
)
NO_EVALUATION = (None,) * 7

# The columns a row needs, for sheets that stream Core rows instead of loading ORM objects.
RISK_COLUMNS = (
    Risk.id,
    Risk.theme_key,
    Risk.title,
    Risk.description,
    Risk.scope,
    Risk.function_group,
    Risk.source,
    Risk.status,
    Risk.status_reason,
    Risk.team_bound_reason,
    Risk.top5_rank,
    Risk.grondoorzaak,
    Risk.restrisico,
    Risk.version_id,
)
MEASURE_COLUMNS = (
    Measure.id,
    Measure.title,
    Measure.description,
    Measure.level,
    Measure.employee_id,
    Measure.approach,
    Measure.responsible_id,
    Measure.termijn,
    Measure.start_date,
    Measure.budget_eur,
    Measure.effort,
    Measure.quick_win,
    Measure.change_type,
    Measure.pilot,
    Measure.status,
    Measure.status_reason,
    Measure.completed_on,
    Measure.created_at,
    Measure.version_id,
)
SESSION_COLUMNS = (
    VoorlichtingSession.id,
    VoorlichtingSession.session_date,
    VoorlichtingSession.topic,
    VoorlichtingSession.audience,
    VoorlichtingSession.is_leidinggevenden_instructie,
    VoorlichtingSession.start_time,
    VoorlichtingSession.end_time,
    VoorlichtingSession.location,
    VoorlichtingSession.presenter,
    VoorlichtingSession.organiser_id,
    VoorlichtingSession.recurrence,
    VoorlichtingSession.newcomer_weeks,
)
AUDIT_COLUMNS = (
    AuditEntry.created_at,
    AuditEntry.user_id,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.action,
    AuditEntry.label,
    AuditEntry.changes,
    AuditEntry.erased_at,
)


# Who the file is for: the policy layer's viewer (docs/domain.md §9).
Viewer = access.Viewer


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(AMSTERDAM).date() if moment else None


# --- stable references -----------------------------------------------------------------


def _refs(model, org, reference) -> dict[int, str]:
    """Record id -> its permanent reference (R-0001, M-0001): stored, never recomputed, so a
    reference keeps pointing at the same record after another one is deleted."""
    stmt = select(model.id, model.number).where(model.organisation_id == org.id, model.deleted_at.is_(None))
    return {record_id: reference(number) for record_id, number in stream(stmt)}


def risk_refs(org) -> dict[int, str]:
    return _refs(Risk, org, risk_reference)


def measure_refs(org) -> dict[int, str]:
    return _refs(Measure, org, measure_reference)


# --- risks -----------------------------------------------------------------------------


def first_and_current(org, labels: Labels, until: date | None = None) -> dict[int, tuple[tuple, tuple]]:
    """Per risk id: the row values of its first and of its latest evaluation (by the day `until`)."""
    result: dict[int, tuple] = {}
    stmt = (
        select(
            RiskEvaluation.risk_id,
            RiskEvaluation.method,
            RiskEvaluation.kans,
            RiskEvaluation.frequentie,
            RiskEvaluation.effect,
            RiskEvaluation.score,
            RiskEvaluation.priority,
            RiskEvaluation.evaluated_at,
        )
        .where(RiskEvaluation.organisation_id == org.id, RiskEvaluation.deleted_at.is_(None))
        .order_by(RiskEvaluation.risk_id, RiskEvaluation.evaluated_at, RiskEvaluation.id)
    )
    if until is not None:
        stmt = stmt.where(RiskEvaluation.evaluated_at < asof.end_of(until))
    for evaluation in stream(stmt):
        values = _evaluation_values(evaluation, labels)
        result[evaluation.risk_id] = (result.get(evaluation.risk_id, (values,))[0], values)
    return result


def _evaluation_values(evaluation, labels: Labels) -> tuple:
    """Method, kans, frequentie, effect, score, priority and date of one risk evaluation."""
    return (
        labels.dutch("risk_method_short", evaluation.method),
        evaluation.kans,
        evaluation.frequentie,
        evaluation.effect,
        evaluation.score,
        labels.dutch("priority", evaluation.priority),
        local_date(evaluation.evaluated_at),
    )


@dataclass
class RiskLinks:
    """What a risk row looks up: its reference, theme, teams, factors and evaluations."""

    refs: dict
    themes: dict
    teams: dict
    factors: dict
    evaluations: dict
    labels: Labels

    @classmethod
    def load(cls, org, lookups: Lookups, until: date | None = None) -> "RiskLinks":
        """One query per kind of link, over the whole organisation (evaluations by the day `until`)."""
        in_org = Risk.organisation_id == org.id
        teams = joined_names(
            select(risk_teams.c.risk_id, Team.name)
            .join(Team, Team.id == risk_teams.c.team_id)
            .join(Risk, Risk.id == risk_teams.c.risk_id)
            .where(in_org)
        )
        factors = grouped(
            select(risk_factors.c.risk_id, Factor.name_nl)
            .join(Factor, Factor.key == risk_factors.c.factor_key)
            .join(Risk, Risk.id == risk_factors.c.risk_id)
            .where(in_org)
            .order_by(Factor.position, Factor.key)
        )
        factors = {risk_id: JOIN.join(names) for risk_id, names in factors.items()}
        evaluations = first_and_current(org, lookups.labels, until)
        return cls(risk_refs(org), lookups.themes, teams, factors, evaluations, lookups.labels)


def risk_row(risk, links: RiskLinks) -> list:
    """One risk in the order of schema.RISK_FIELDS."""
    first, current = links.evaluations.get(risk.id, (NO_EVALUATION, NO_EVALUATION))
    dutch = links.labels.dutch
    return [
        links.refs.get(risk.id),
        links.themes.get(risk.theme_key, risk.theme_key),
        risk.title,
        risk.description,
        dutch("risk_scope", risk.scope),
        links.teams.get(risk.id) or None,
        risk.function_group,
        links.factors.get(risk.id) or None,
        dutch("risk_source", risk.source),
        dutch("risk_status", risk.status),
        risk.status_reason,
        risk.team_bound_reason,
        risk.top5_rank,
        *current,
        *first,
        risk.grondoorzaak,
        dutch("priority", risk.restrisico),
        risk.version_id,
    ]


# --- measures --------------------------------------------------------------------------


def status_dates(org, until: date | None = None) -> dict[int, dict[str, date]]:
    """Per measure id: the last date it entered each status (by the day `until`)."""
    result: dict[int, dict[str, date]] = {}
    stmt = (
        select(MeasureStatusChange.measure_id, MeasureStatusChange.to_status, MeasureStatusChange.changed_at)
        .where(MeasureStatusChange.organisation_id == org.id, MeasureStatusChange.deleted_at.is_(None))
        .order_by(MeasureStatusChange.changed_at, MeasureStatusChange.id)
    )
    if until is not None:
        stmt = stmt.where(MeasureStatusChange.changed_at < asof.end_of(until))
    for measure_id, status, moment in stream(stmt):
        result.setdefault(measure_id, {})[status] = local_date(moment)
    return result


def status_path(status: str, dates: dict) -> list[str]:
    """The steps from gepland to the current status that an import replays."""
    if status == MeasureStatus.VERVALLEN:
        return [
            MeasureStatus.GEPLAND,
            *([MeasureStatus.IN_UITVOERING] if dates.get(MeasureStatus.IN_UITVOERING) else []),
            MeasureStatus.VERVALLEN,
        ]
    return list(FORWARD[: FORWARD.index(status) + 1]) if status in FORWARD else [MeasureStatus.GEPLAND]


def _path_dates(measure, dates: dict) -> list:
    path = status_path(measure.status, dates)
    shown = {s: dates.get(s) for s in path}
    shown[MeasureStatus.GEPLAND] = shown.get(MeasureStatus.GEPLAND) or local_date(measure.created_at)
    if MeasureStatus.UITGEVOERD in path:
        shown[MeasureStatus.UITGEVOERD] = measure.completed_on or shown.get(MeasureStatus.UITGEVOERD)
    return [shown.get(s) for s in (*FORWARD, MeasureStatus.VERVALLEN)]


def _measure_employees(in_org) -> dict[int, tuple]:
    """Employee id -> (name, team id, team name) for the employees of individual measures."""
    stmt = (
        select(Employee.id, Employee.name, Employee.team_id, Team.name)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(Employee.id.in_(select(Measure.employee_id).where(in_org)))
    )
    return {row[0]: tuple(row[1:]) for row in stream(stmt)}


@dataclass
class MeasureLinks:
    """What a measure row looks up: references, risks, teams, employee, responsible, status dates."""

    refs: dict
    risk_refs: dict
    risks: dict
    teams: dict
    employees: dict
    users: dict
    dates: dict
    labels: Labels

    @classmethod
    def load(cls, org, lookups: Lookups, until: date | None = None) -> "MeasureLinks":
        """One query per kind of link, over the whole organisation (status dates by the day `until`)."""
        in_org = Measure.organisation_id == org.id
        risks = grouped(
            select(measure_risks.c.measure_id, measure_risks.c.risk_id)
            .join(Measure, Measure.id == measure_risks.c.measure_id)
            .where(in_org)
        )
        teams = joined_names(
            select(measure_teams.c.measure_id, Team.name)
            .join(Team, Team.id == measure_teams.c.team_id)
            .join(Measure, Measure.id == measure_teams.c.measure_id)
            .where(in_org)
        )
        employees = _measure_employees(in_org)
        refs, risk_ids = measure_refs(org), risk_refs(org)
        dates = status_dates(org, until)
        return cls(refs, risk_ids, risks, teams, employees, lookups.users, dates, lookups.labels)

    def risk_refs_of(self, measure_id) -> str | None:
        """The references of the measure's (live) risks, sorted and joined."""
        refs = self.risk_refs
        return JOIN.join(sorted(refs[r] for r in self.risks.get(measure_id, ()) if r in refs)) or None


def measure_row(measure, links: MeasureLinks, viewer: Viewer, today: date) -> list:
    """One measure in the order of schema.MEASURE_FIELDS; pseudonymised where the viewer may not
    see the employee: no name, no free text."""
    name, team_id, team_name = links.employees.get(measure.employee_id) or (None, None, None)
    visible = viewer.sees(measure.level, team_id)
    dutch = links.labels.dutch
    return [
        links.refs.get(measure.id),
        links.risk_refs_of(measure.id),
        measure.title if visible else pseudonym_of(measure.id, team_name),
        measure.description if visible else None,
        dutch("level", measure.level),
        links.teams.get(measure.id) or None,
        name if visible else None,
        dutch("approach", measure.approach),
        links.users.get(measure.responsible_id),
        measure.termijn,
        measure.start_date,
        measure.budget_eur,
        measure.effort if visible else None,
        measure.quick_win,
        dutch("change_type", measure.change_type),
        measure.pilot,
        dutch("measure_status", measure.status),
        *_path_dates(measure, links.dates.get(measure.id, {})),
        measure.status_reason if visible else None,
        overdue(measure.status, measure.termijn, today),
        measure.version_id,
    ]


# --- voorlichting ------------------------------------------------------------------------


@dataclass
class SessionLinks:
    """What a session row looks up: teams, risks, measures, attendance counts and audience size."""

    teams: dict
    risks: dict
    measures: dict
    counts: dict
    audience: AudienceSizes

    @classmethod
    def load(cls, org) -> "SessionLinks":
        """One query per kind of link, over the whole organisation."""
        ids = select(VoorlichtingSession.id).where(VoorlichtingSession.organisation_id == org.id)
        teams = grouped(
            select(session_teams.c.session_id, Team.id, Team.name)
            .join(Team, Team.id == session_teams.c.team_id)
            .where(session_teams.c.session_id.in_(ids))
        )
        risks = grouped(
            select(session_risks.c.session_id, Risk.title)
            .join(Risk, Risk.id == session_risks.c.risk_id)
            .where(session_risks.c.session_id.in_(ids))
        )
        measures = grouped(
            select(session_measures.c.session_id, session_measures.c.measure_id).where(
                session_measures.c.session_id.in_(ids)
            )
        )
        return cls(teams, risks, measures, _attendance_counts(ids), AudienceSizes(org))


def _attendance_counts(session_ids) -> dict[int, dict[str, int]]:
    """Session id -> number of employees per attendance status."""
    counts: dict[int, dict[str, int]] = {}
    stmt = (
        select(Attendance.session_id, Attendance.status, func.count(Attendance.id))
        .where(Attendance.session_id.in_(session_ids), Attendance.deleted_at.is_(None))
        .group_by(Attendance.session_id, Attendance.status)
    )
    for session_id, status, n in stream(stmt):
        counts.setdefault(session_id, {})[status] = n
    return counts


def session_row(session, links: SessionLinks, lookups: Lookups) -> list:
    """One voorlichting session with its audience and attendance counts."""
    teams = links.teams.get(session.id, [])
    counts = links.counts.get(session.id, {})
    audience = links.audience.size(session, [team_id for team_id, _name in teams])
    present = counts.get("aanwezig", 0)
    titles = (lookups.measure_title(m) for m in links.measures.get(session.id, []))
    return [
        session.session_date,
        session.topic,
        lookups.labels.label(session.audience, "audience"),
        session.is_leidinggevenden_instructie,
        session.start_time,
        session.end_time,
        session.location,
        session.presenter,
        lookups.user(session.organiser_id),
        lookups.labels.label(session.recurrence, "recurrence"),
        JOIN.join(sorted(name for _id, name in teams)) or None,
        "\n".join(sorted(links.risks.get(session.id, []))) or None,
        "\n".join(sorted(t for t in titles if t is not None)) or None,
        present,
        counts.get("afwezig", 0),
        counts.get("afgemeld", 0),
        audience,
        present / audience if audience else None,
    ]


# --- audit -----------------------------------------------------------------------------


class AuditRows:
    """Audit entries as rows; personal entries pseudonymised for viewers without that right."""

    def __init__(self, lookups: Lookups):
        self.users, self.labels = lookups.users, lookups.labels
        self.mask = audit_mask(lookups.viewer, lookups.org.id)
        self.words = AuditFormatter(lookups.org.id, lookups.users)
        self.system = _("systeem")

    def row(self, entry) -> list:
        """One entry in the order of the Audit log sheet."""
        shown = self.mask.shown(entry)
        return [
            entry.created_at,
            self.users.get(entry.user_id, self.system) if entry.user_id else self.system,
            entity_label(entry.entity),
            entry.entity_id,
            self.labels.label(entry.action, "audit_action"),
            shown.label,
            shown.masked or self.words.text(entry.entity, shown.changes, entry.action),
        ]
