"""Queries and references shared by the rules of more than one section."""

from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from riecycle.access.pseudonym import pseudonym_of
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    Employee,
    Evaluation,
    Factor,
    Incident,
    Measure,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Rie,
    Risk,
    Team,
    Theme,
    VerdiependOnderzoek,
    VoorlichtingSession,
)
from riecycle.models.approval import ApprovalDecision
from riecycle.models.measure import MeasureLevel
from riecycle.models.rie import RiskStatus
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    EVIDENCE_MAX,
    LIST_MAX,
    Ref,
    Result,
)

# --- helpers --------------------------------------------------------------------------


def _live(model, org):
    return select(model).where(model.organisation_id == org.id, model.deleted_at.is_(None))


def _all(stmt) -> list:
    return list(db.session.scalars(stmt))


def _count(model, *where) -> int:
    """The number of rows of a table matching the conditions."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


# The records a count can list, and their id column.
COUNTED_KINDS = {
    "measure": Measure,
    "risk": Risk,
    "evaluation": Evaluation,
    "session": VoorlichtingSession,
    "incident": Incident,
    "employee": Employee,
    "onderzoek": VerdiependOnderzoek,
    "appointment": PreventiemedewerkerAppointment,
    # Keyed by their taxonomy key (Count.keys), not by id.
    "theme": Theme,
    "factor": Factor,
}


def _ids(kind: str, *where) -> list[int]:
    """The ids of the records of a kind matching the conditions: a count that can be listed."""
    column = COUNTED_KINDS[kind].id
    return list(db.session.scalars(select(column).where(*where).order_by(column)))


def _live_risks(org, *where) -> list:
    """The conditions for the organisation's live risks that are not marked n.v.t."""
    return [Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.status != RiskStatus.NVT, *where]


def _n(number: int) -> str:
    """A count as the reader writes it: 2.993 in Dutch."""
    return format_decimal(number)


def _names(labels: list[str], total: int | None = None) -> str:
    """'a, b, c' with at most LIST_MAX names and '… en 3 andere' (of `total`, default: all labels)."""
    shown = ", ".join(labels[:LIST_MAX])
    rest = (len(labels) if total is None else total) - LIST_MAX
    return shown + (_(" en %(n)s andere", n=_n(rest)) if rest > 0 else "")


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _fmt(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else "—"


def _months_before(day: date, months: int) -> date:
    index = day.month - 1 - months
    year, month = day.year + index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, 28)


def _current_rie(org, today: date) -> Rie | None:
    return db.session.scalar(_live(Rie, org).where(Rie.is_current.is_(True), Rie.performed_on <= today))


def _page(label: str, endpoint: str, **params) -> Ref:
    return Ref("page", label, endpoint=endpoint, params=params, fallback=endpoint)


def _edit(label: str, endpoint: str, params: dict, fallback: str, permission: str) -> Ref:
    """A link to where an editor fixes the gap; readers get the fallback page."""
    return Ref("fix", label, None, endpoint, params, fallback, permission)


def rie_name(rie: Rie) -> str:
    """The RI&E as findings name it, in the language of the run (rie.label is the Dutch audit name)."""
    return _("RI&E versie %(v)s", v=rie.version)


def rie_ref(rie: Rie) -> Ref:
    return Ref("rie", rie_name(rie), rie.id, "rie.rie_show", {"rie_id": rie.id}, "rie.index")


def risk_ref(risk: Risk) -> Ref:
    return Ref("risk", risk.title, risk.id, "rie.risk_show", {"risk_id": risk.id}, "rie.index")


def _pseudonym(measure_id: int, title: str, level: str, team: str | None) -> str:
    """Individual measures are pseudonymised: team and number, never the employee."""
    if level != MeasureLevel.INDIVIDU:
        return title
    return pseudonym_of(measure_id, team)


def measure_label(measure: Measure) -> str:
    """The measure's title, or for an individual measure its pseudonym."""
    team = measure.employee.team.name if measure.employee is not None and measure.employee.team else None
    return _pseudonym(measure.id, measure.title, measure.level, team)


def _measure_briefs(*where, order=(Measure.id,), limit: int = EVIDENCE_MAX) -> list:
    """The first measures matching: (id, title, level, team of the employee), enough for a label."""
    stmt = (
        select(Measure.id, Measure.title, Measure.level, Team.name.label("team"))
        .outerjoin(Employee, Employee.id == Measure.employee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )
    return list(db.session.execute(stmt))


def _brief_label(row) -> str:
    """The label of a measure row from _measure_briefs (pseudonymised when individual)."""
    return _pseudonym(row.id, row.title, row.level, row.team)


def _brief_ref(row) -> Ref:
    """A reference to a measure row from _measure_briefs."""
    return Ref("measure", _brief_label(row), row.id, "plan.detail", {"measure_id": row.id}, "plan.index")


def session_ref(session: VoorlichtingSession) -> Ref:
    return Ref(
        "session",
        f"{session.topic} ({_fmt(session.session_date)})",
        session.id,
        "voorlichting.session_detail",
        {"session_id": session.id},
        "voorlichting.index",
    )


def evaluation_ref(evaluation: Evaluation) -> Ref:
    return Ref(
        "evaluation",
        _("Evaluatie van %(d)s", d=_fmt(evaluation.done_on or evaluation.planned_on)),
        evaluation.id,
        "evaluatie.detail",
        {"evaluation_id": evaluation.id},
        "evaluatie.index",
    )


def instrument_ref(instrument: PolicyInstrument) -> Ref:
    from riecycle.services.policy import kind_name

    return Ref(
        "instrument",
        kind_name(instrument.kind),
        instrument.id,
        "beleid.index",
        {"_anchor": f"instrument-{instrument.id}"},
        "beleid.index",
    )


def _instrument_fix(kind: str, instrument: PolicyInstrument | None) -> Ref:
    from riecycle.services.policy import kind_name

    if instrument is None:
        return Ref(
            "fix",
            _("%(k)s vastleggen", k=kind_name(kind)),
            None,
            "beleid.instrument_new",
            {"kind": kind},
            "beleid.index",
            "edit_zelfinspectie",
        )
    return Ref(
        "fix",
        _("%(k)s bijwerken", k=kind_name(kind)),
        instrument.id,
        "beleid.instrument_edit",
        {"instrument_id": instrument.id},
        "beleid.index",
        "edit_zelfinspectie",
    )


def _no_rie(fix_label: str) -> Result:
    return Result(
        ChecklistAnswerValue.VOLDOET_NIET,
        _("Er is geen actuele RI&E vastgelegd."),
        fix=_page(fix_label, "rie.index"),
    )


def _latest_decided(org, subject_type: str, subject_id: int | None = None) -> Approval | None:
    stmt = _live(Approval, org).where(Approval.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(Approval.subject_id == subject_id)
    return db.session.scalar(stmt.order_by(Approval.submitted_on.desc(), Approval.id.desc()))


def _describe_approval(approval: Approval | None, what: str) -> str:
    if approval is None:
        return _("%(w)s niet voorgelegd aan de OR/PVT", w=what)
    if approval.decision is None:
        return _("%(w)s voorgelegd op %(d)s, besluit OR/PVT volgt", w=what, d=_fmt(approval.submitted_on))
    if approval.decision == ApprovalDecision.VERLEEND:
        return _("instemming OR/PVT met %(w)s op %(d)s", w=what, d=_fmt(approval.decided_on))
    if approval.decision == ApprovalDecision.GEWEIGERD:
        return _("OR/PVT weigerde instemming met %(w)s op %(d)s", w=what, d=_fmt(approval.decided_on))
    return _(
        "OR/PVT gaf op %(d)s geen instemming met %(w)s maar '%(s)s'",
        w=what,
        d=_fmt(approval.decided_on),
        s=approval.decision,
    )


def _risk_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The first risks matching, by id: (id, title), enough for a reference."""
    return list(db.session.execute(select(Risk.id, Risk.title).where(*where).order_by(Risk.id).limit(limit)))
