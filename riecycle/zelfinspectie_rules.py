"""The automatic checks of the self-inspection, keyed by the rule key in seed/checklist.yaml.

Each rule is a small function rule(org, today) -> Result that only reads: an answer (voldoet,
deels, voldoet_niet, nvt, or None when the records cannot tell), one Dutch sentence that names
the numbers, references to the evidence, and optionally where to fix it. Evidence labels never
name an employee (docs/domain.md §9): snapshots are shown to OR members and auditors as well.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from riecycle.access.pseudonym import pseudonym_of
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    Attendance,
    Employee,
    Evaluation,
    Factor,
    Incident,
    IncidentAnalysis,
    Measure,
    Membership,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Rie,
    RieTheme,
    Risk,
    Team,
    Theme,
    Toetsing,
    User,
    VerdiependOnderzoek,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import OPEN_STATUSES, measure_risks
from riecycle.models.rie import risk_factors

# Thresholds, stated once so the explanations and the tests agree.
COVERAGE_OK, COVERAGE_PARTLY = 0.8, 0.5  # C13: share of staff informed in 12 months
OVERDUE_OK, OVERDUE_PARTLY = 0.10, 0.25  # B12: share of measures past their termijn
INSTRUCTION_MONTHS = 24  # C14: an instruction for leidinggevenden counts for two years
EVALUATE_AFTER_DAYS = 90  # E21: evaluate about three months after completion
REPEAT_AFTER_DAYS = 365  # E22: the effect measurement follows one to two years after the baseline
LIST_MAX = 3
# A run keeps at most this many evidence references per item (most relevant first), with the total
# and a link to the page that lists them all: a large employer has thousands of overdue measures.
EVIDENCE_MAX = 20


@dataclass(frozen=True)
class Ref:
    """A reference to a record or page: rendered as a link when the endpoint exists, else as text."""

    kind: str
    label: str
    id: int | None = None
    endpoint: str | None = None
    params: dict = field(default_factory=dict)
    # A readable page to fall back on (e.g. the area's index) when the endpoint is not there.
    fallback: str | None = None
    # Permission the endpoint needs; readers without it get the fallback.
    requires: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "endpoint": self.endpoint,
            "params": dict(self.params),
            "fallback": self.fallback,
            "requires": self.requires,
        }


@dataclass
class Result:
    answer: str | None
    explanation: str
    evidence: list = field(default_factory=list)
    fix: Ref | None = None
    # How many records the evidence stands for when only the first EVIDENCE_MAX are referenced,
    # and the (filtered) page that lists them all.
    total: int | None = None
    full_list: Ref | None = None
    # Every count the sentence names, with the records it counted.
    counts: list = field(default_factory=list)


@dataclass(frozen=True)
class Count:
    """A number in the sentence and the ids of the records it counted, for the whole organisation.

    The report links each count to a page that lists exactly these records through the access
    policy; the ids are stored in the run, so the list shows what was counted at that run.
    """

    key: str
    kind: str  # one of COUNTED_KINDS
    label: str  # the count as the sentence names it, e.g. "8 afgeronde maatregelen"
    ids: tuple = ()

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "n": len(self.ids),
            "ids": pack_ids(self.ids),
        }


def pack_ids(ids) -> list:
    """Sorted ids as [first, last] runs: a run stays small when it counts thousands of records."""
    runs: list = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def unpack_ids(runs) -> list[int]:
    """The ids of pack_ids' runs (malformed runs are skipped: stored JSON is not trusted blindly)."""
    ids: list[int] = []
    for pair in runs or []:
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(v, int) for v in pair):
            ids.extend(range(pair[0], min(pair[1], pair[0] + 1_000_000) + 1))
    return ids


RULES: dict[str, Callable[[object, date], Result]] = {}


def rule(key: str):
    """Register a rule under its key from seed/checklist.yaml."""

    def register(func):
        RULES[key] = func
        return func

    return register


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
}


def _ids(kind: str, *where) -> list[int]:
    """The ids of the records of a kind matching the conditions: a count that can be listed."""
    column = COUNTED_KINDS[kind].id
    return list(db.session.scalars(select(column).where(*where).order_by(column)))


def _live_risks(org, *where) -> list:
    """The conditions for the organisation's live risks that are not marked n.v.t."""
    return [Risk.organisation_id == org.id, Risk.deleted_at.is_(None), Risk.status != "nvt", *where]


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


def rie_ref(rie: Rie) -> Ref:
    return Ref("rie", rie.label, rie.id, "rie.rie_show", {"rie_id": rie.id}, "rie.index")


def risk_ref(risk: Risk) -> Ref:
    return Ref("risk", risk.title, risk.id, "rie.risk_show", {"risk_id": risk.id}, "rie.index")


def _pseudonym(measure_id: int, title: str, level: str, team: str | None) -> str:
    """Individual measures are pseudonymised: team and number, never the employee."""
    if level != "individu":
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
    return Result("voldoet_niet", _("Er is geen actuele RI&E vastgelegd."), fix=_page(fix_label, "rie.index"))


# --- A. RI&E ---------------------------------------------------------------------------


@rule("rie_covers_all_themes")
def rie_covers_all_themes(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    themes = _all(select(Theme).order_by(Theme.position))
    entries = {e.theme_key: e for e in _all(_live(RieTheme, org).where(RieTheme.rie_id == rie.id))}
    with_risks = set(
        db.session.scalars(
            select(Risk.theme_key)
            .distinct()
            .where(
                Risk.organisation_id == org.id,
                Risk.deleted_at.is_(None),
                Risk.rie_id == rie.id,
                Risk.status != "nvt",
            )
        )
    )

    # Covered: at least one risk in the current RI&E, or a recorded conclusion with its grounds:
    # "behandeld" with a toelichting (onderzocht, geen risico) or n.v.t. with a reason. A bare tick
    # without risk and without grounds is not evidence that the theme was looked at.
    def grounds(theme) -> bool:
        entry = entries.get(theme.key)
        return entry is not None and bool((entry.reason or "").strip())

    risky = [t for t in themes if t.key in with_risks]
    no_risk = [t for t in themes if t.key not in with_risks and grounds(t) and entries[t.key].applicable]
    nvt = [t for t in themes if t.key not in with_risks and grounds(t) and not entries[t.key].applicable]
    missing = [t.name_nl for t in themes if t.key not in with_risks and not grounds(t)]
    done = len(themes) - len(missing)
    fix = _edit(_("Thema's in de RI&E bijwerken"), "rie.themes", {"rie_id": rie.id}, "rie.index", "edit_rie")
    parts = _(
        "%(r)s met risico's, %(g)s onderzocht zonder risico (met onderbouwing), %(v)s onderbouwd niet "
        "van toepassing",
        r=_n(len(risky)),
        g=_n(len(no_risk)),
        v=_n(len(nvt)),
    )
    if not missing:
        return Result(
            "voldoet",
            _(
                "Alle %(n)s PSA-thema's zijn gedekt in %(rie)s: %(parts)s.",
                n=_n(len(themes)),
                rie=rie.label,
                parts=parts,
            ),
            [rie_ref(rie)],
            fix,
        )
    answer = "voldoet_niet" if done == 0 else "deels"
    return Result(
        answer,
        ngettext(
            "%(d)s van %(n)s PSA-thema's is gedekt (%(parts)s); zonder risico en zonder vastgelegde "
            "conclusie: %(list)s.",
            "%(d)s van %(n)s PSA-thema's zijn gedekt (%(parts)s); zonder risico en zonder vastgelegde "
            "conclusie: %(list)s.",
            done,
            d=_n(done),
            n=_n(len(themes)),
            parts=parts,
            list=_names(missing),
        ),
        [rie_ref(rie)],
        fix,
    )


@rule("rie_current")
def rie_current(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    due = rie.review_due_on
    fix = _page(_("RI&E herzien"), "rie.index")
    if due < today:
        return Result(
            "voldoet_niet",
            _(
                "%(rie)s is van %(d)s; de herzieningstermijn van %(m)s maanden is verlopen op %(due)s.",
                rie=rie.label,
                d=_fmt(rie.performed_on),
                m=rie.review_interval_months,
                due=_fmt(due),
            ),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        "voldoet",
        _(
            "%(rie)s is van %(d)s en binnen de herzieningstermijn (herziening uiterlijk "
            "%(due)s). Herzie eerder na organisatieveranderingen.",
            rie=rie.label,
            d=_fmt(rie.performed_on),
            due=_fmt(due),
        ),
        [rie_ref(rie)],
        fix,
    )


def _onderzoek_gaps(org, today: date) -> tuple[list, list]:
    """Verdiepende onderzoeken up to today and the names of the requirements they miss."""
    from riecycle.services.onderzoek import requirements

    onderzoeken = _all(_live(VerdiependOnderzoek, org).where(VerdiependOnderzoek.period_start <= today))
    failing = sorted({r.title for o in onderzoeken for r in requirements(o) if not r.met})
    return onderzoeken, failing


def _with_factor(*where):
    """EXISTS: a factor from the werkdrukmodel (matching `where`) is linked to the risk."""
    return (
        select(risk_factors.c.risk_id)
        .join(Factor, Factor.key == risk_factors.c.factor_key)
        .where(risk_factors.c.risk_id == Risk.id, *where)
        .exists()
    )


@rule("bronnen_mapped")
def bronnen_mapped(org, today: date) -> Result:
    werkdruk = _live_risks(org, Risk.theme_key == "werkdruk")
    total = _count(Risk, *werkdruk)
    fix = _page(_("Werkdrukrisico's koppelen aan bronnen"), "rie.index")
    if not total:
        rie = _current_rie(org, today)
        entry = rie and db.session.scalar(
            _live(RieTheme, org).where(RieTheme.rie_id == rie.id, RieTheme.theme_key == "werkdruk")
        )
        if entry is not None and not entry.applicable:
            return Result("nvt", _("Werkdruk is in de RI&E onderbouwd niet van toepassing."), [rie_ref(rie)])
        return Result(
            "voldoet_niet",
            _(
                "Er zijn geen werkdrukrisico's vastgelegd, dus de werkdrukbronnen en "
                "energiebronnen zijn niet in kaart gebracht."
            ),
            fix=fix,
        )
    unmapped = _count(Risk, *werkdruk, ~_with_factor())
    first = _risk_briefs(*werkdruk, ~_with_factor(), limit=LIST_MAX)
    onderzoeken, failing = _onderzoek_gaps(org, today)
    evidence = [risk_ref(r) for r in first] + [
        Ref("onderzoek", o.title, o.id, "rie.onderzoek_show", {"onderzoek_id": o.id}, "rie.index")
        for o in onderzoeken[:LIST_MAX]
    ]
    mapped = total - unmapped
    sentence = ngettext(
        "%(m)s van %(n)s werkdrukrisico's is gekoppeld aan bronnen uit het werkdrukmodel",
        "%(m)s van %(n)s werkdrukrisico's zijn gekoppeld aan bronnen uit het werkdrukmodel",
        mapped,
        m=_n(mapped),
        n=_n(total),
    )
    if mapped == 0:
        return Result("voldoet_niet", sentence + ".", evidence, fix)
    problems = []
    if unmapped:
        problems.append(_("zonder bron: %(list)s", list=_names([r.title for r in first], unmapped)))
    if not _count(Risk, *werkdruk, _with_factor(Factor.kind == "energiebron")):
        problems.append(_("er is geen energiebron benoemd"))
    if failing:
        problems.append(_("het verdiepend onderzoek voldoet niet aan: %(list)s", list=_names(failing)))
    if problems:
        return Result("deels", sentence + "; " + "; ".join(problems) + ".", evidence, fix)
    extra = (
        ngettext(
            ", met %(n)s verdiepend onderzoek dat voldoet aan de eisen",
            ", met %(n)s verdiepende onderzoeken die aan de eisen voldoen",
            len(onderzoeken),
            n=len(onderzoeken),
        )
        if onderzoeken
        else ""
    )
    return Result("voldoet", sentence + extra + _grouped_note(onderzoeken) + ".", evidence, fix)


def _grouped_note(onderzoeken) -> str:
    """A3: where results are per group of teams or for the whole organisation, and the recorded reason."""
    from riecycle.services.onderzoek import reason, team_visible

    notes = []
    for onderzoek in onderzoeken:
        for result in onderzoek.teams:
            why = reason(result) if team_visible(result) and result.scores else None
            if not why:
                continue
            if result.scope == "groep":
                notes.append(_("per %(k)s %(g)s, want %(r)s", k=result.group_kind, g=result.label, r=why))
            else:
                notes.append(_("voor de hele organisatie, want %(r)s", r=why))
    return _(" (resultaten %(list)s)", list="; ".join(notes)) if notes else ""


@rule("hybrid_work_considered")
def hybrid_work_considered(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    fix = _page(_("Hybride werken in de RI&E beoordelen"), "rie.index")
    if rie.hybrid_work_considered:
        return Result(
            "voldoet",
            _("In %(rie)s is hybride en plaatsonafhankelijk werken beoordeeld.", rie=rie.label),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        "voldoet_niet",
        _(
            "In %(rie)s is niet vastgelegd dat hybride en plaatsonafhankelijk werken is beoordeeld.",
            rie=rie.label,
        ),
        [rie_ref(rie)],
        fix,
    )


def art14_exemption(org, rie: Rie | None):
    """Arbowet art. 14, from the RI&E service."""
    from riecycle.services.rie import exemption

    return exemption(org, rie)


def _contract_text(org, today: date) -> tuple[str, str | None]:
    """The arbodienst basiscontract in force (docs/domain.md §10): a sentence, and the gap when there is none."""
    from riecycle.models import ArbodienstContract

    contract = db.session.scalar(
        _live(ArbodienstContract, org)
        .where(
            ArbodienstContract.since <= today,
            or_(ArbodienstContract.until.is_(None), ArbodienstContract.until >= today),
        )
        .order_by(ArbodienstContract.since.desc(), ArbodienstContract.id.desc())
    )
    if contract is None:
        return "", _("er is geen basiscontract met een arbodienst of bedrijfsarts vastgelegd")
    from riecycle.services.attachments import for_owner

    document = _("met document") if for_owner("arbodienst_contract", contract.id) else _("zonder document")
    return (
        _(
            "Basiscontract met %(who)s sinds %(d)s (%(doc)s).",
            who=contract.provider,
            d=_fmt(contract.since),
            doc=document,
        ),
        None,
    )


def _toets_parts(toetsingen: list) -> tuple[str, list[str]]:
    """Which parts (systeemtoets, scopetoets) the toetsingen of this RI&E covered, and the gaps."""
    parts = set().union(*(t.parts for t in toetsingen))
    if not parts:
        return "", [_("niet vastgelegd of het een systeemtoets of scopetoets was")]
    names = _("systeemtoets en scopetoets") if len(parts) == 2 else next(iter(parts))
    missing = [
        _("de %(p)s is niet vastgelegd", p=p) for p in ("systeemtoets", "scopetoets") if p not in parts
    ]
    return " " + _("Getoetst: %(p)s.", p=names), missing


@rule("toetsing_or_exempt")
def toetsing_or_exempt(org, today: date) -> Result:
    """Art. 14: toetsing (systeemtoets and scopetoets) or exemption, and the arbodienst basiscontract."""
    rie = _current_rie(org, today)
    exemption = art14_exemption(org, rie)
    fix = (
        _edit(_("Toetsing vastleggen"), "rie.toetsing_new", {"rie_id": rie.id}, "rie.index", "edit_rie")
        if rie
        else _page(_("Toetsing vastleggen"), "rie.index")
    )
    contract, contract_gap = _contract_text(org, today)
    contract_fix = _edit(
        _("Basiscontract vastleggen"),
        "beleid.index",
        {"_anchor": "arbodienst"},
        "beleid.index",
        "edit_zelfinspectie",
    )
    if exemption.exempt:
        if contract_gap:
            return Result(
                "deels",
                _("%(why)s Maar: %(g)s.", why=exemption.reason, g=contract_gap),
                [rie_ref(rie)] if rie else [],
                contract_fix,
            )
        return Result("voldoet", f"{exemption.reason} {contract}", [rie_ref(rie)] if rie else [], fix)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    toetsingen = _all(
        _live(Toetsing, org)
        .where(Toetsing.rie_id == rie.id, Toetsing.tested_on <= today)
        .order_by(Toetsing.tested_on.desc(), Toetsing.id.desc())
    )
    if toetsingen:
        current = toetsingen[0]
        parts, gaps = _toets_parts(toetsingen)
        if contract_gap:
            gaps.append(contract_gap)
        sentence = (
            _(
                "%(rie)s is op %(d)s getoetst door %(who)s.",
                rie=rie.label,
                d=_fmt(current.tested_on),
                who=current.expert_name,
            )
            + parts
        )
        if gaps:
            fix = contract_fix if gaps == [contract_gap] else fix
            return Result("deels", sentence + " " + _("Maar: %(g)s.", g="; ".join(gaps)), [rie_ref(rie)], fix)
        return Result("voldoet", f"{sentence} {contract}", [rie_ref(rie)], fix)
    older = db.session.scalar(
        _live(Toetsing, org).where(Toetsing.tested_on <= today).order_by(Toetsing.tested_on.desc())
    )
    if older is not None:
        return Result(
            "deels",
            _(
                "Alleen een eerdere RI&E-versie is getoetst (%(d)s); %(rie)s nog niet.",
                d=_fmt(older.tested_on),
                rie=rie.label,
            ),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        "voldoet_niet",
        _(
            "%(rie)s is niet getoetst en er geldt geen vrijstelling. %(why)s",
            rie=rie.label,
            why=exemption.reason,
        ),
        [rie_ref(rie)],
        fix,
    )


def _latest_decided(org, subject_type: str, subject_id: int | None = None) -> Approval | None:
    stmt = _live(Approval, org).where(Approval.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(Approval.subject_id == subject_id)
    return db.session.scalar(stmt.order_by(Approval.submitted_on.desc(), Approval.id.desc()))


@rule("or_instemming_rie")
def or_instemming_rie(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    fix = Ref(
        "fix", _("RI&E voorleggen aan de OR/PVT"), rie.id, "rie.rie_show", {"rie_id": rie.id}, "rie.index"
    )
    rie_approval = _latest_decided(org, "rie", rie.id)
    plan_approval = _latest_decided(org, "plan_version")
    rie_ok = rie_approval is not None and rie_approval.decision == "verleend"
    plan_ok = plan_approval is not None and plan_approval.decision == "verleend"
    parts = [
        _describe_approval(rie_approval, _("RI&E")),
        _describe_approval(plan_approval, _("Plan van Aanpak")),
    ]
    sentence = "; ".join(parts) + "."
    evidence = [rie_ref(rie), _page(_("Plan van Aanpak"), "plan.index")]
    if rie_ok and plan_ok:
        return Result("voldoet", sentence, evidence, fix)
    refused = any(a is not None and a.decision == "geweigerd" for a in (rie_approval, plan_approval))
    if refused or (rie_approval is None and plan_approval is None):
        return Result("voldoet_niet", sentence, evidence, fix)
    return Result("deels", sentence, evidence, fix)


def _describe_approval(approval: Approval | None, what: str) -> str:
    if approval is None:
        return _("%(w)s niet voorgelegd aan de OR/PVT", w=what)
    if approval.decision is None:
        return _("%(w)s voorgelegd op %(d)s, besluit OR/PVT volgt", w=what, d=_fmt(approval.submitted_on))
    if approval.decision == "verleend":
        return _("instemming OR/PVT met %(w)s op %(d)s", w=what, d=_fmt(approval.decided_on))
    if approval.decision == "geweigerd":
        return _("OR/PVT weigerde instemming met %(w)s op %(d)s", w=what, d=_fmt(approval.decided_on))
    return _(
        "OR/PVT gaf op %(d)s geen instemming met %(w)s maar '%(s)s'",
        w=what,
        d=_fmt(approval.decided_on),
        s=approval.decision,
    )


# --- B. Plan van Aanpak ----------------------------------------------------------------


def _active(org) -> list:
    """The conditions for the organisation's live measures that have not been cancelled."""
    return [Measure.organisation_id == org.id, Measure.deleted_at.is_(None), Measure.status != "vervallen"]


def _has_measure(org, *where):
    """The risk has an active measure (matching `where`).

    IN over an uncorrelated subquery, so the database builds the set of ids once; a correlated
    EXISTS here made SQLite without planner statistics scan every measure for every risk.
    """
    return Risk.id.in_(
        select(measure_risks.c.risk_id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(*_active(org), *where)
    )


def _risk_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The first risks matching, by id: (id, title), enough for a reference."""
    return list(db.session.execute(select(Risk.id, Risk.title).where(*where).order_by(Risk.id).limit(limit)))


def _plan_fix(label: str) -> Ref:
    return _page(label, "plan.index")


def _plan_evidence() -> list:
    """The plan as a whole as the evidence."""
    return [_page(_("Plan van Aanpak"), "plan.index")]


@rule("every_risk_has_measure")
def every_risk_has_measure(org, today: date) -> Result:
    risk_ids = _ids("risk", *_live_risks(org))
    total = len(risk_ids)
    counts = [
        Count(
            "risicos",
            "risk",
            ngettext("%(n)s PSA-risico", "%(n)s PSA-risico's", total, n=_n(total)),
            tuple(risk_ids),
        )
    ]
    fix = _plan_fix(_("Maatregelen toevoegen"))
    if not total:
        return Result(
            "voldoet_niet",
            _("Er zijn nog geen PSA-risico's vastgelegd, dus ook geen maatregelen."),
            [_page(_("RI&E"), "rie.index")],
            fix,
        )
    without = _live_risks(org, ~_has_measure(org))
    missing_ids = _ids("risk", *without)
    missing = len(missing_ids)
    if not missing:
        return Result(
            "voldoet",
            ngettext(
                "Het PSA-risico heeft minstens één maatregel.",
                "Alle %(n)s PSA-risico's hebben minstens één maatregel.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_maatregel",
            "risk",
            ngettext("%(n)s zonder maatregel", "%(n)s zonder maatregel", missing, n=_n(missing)),
            tuple(missing_ids),
        )
    )
    first = _risk_briefs(*without)
    answer = "voldoet_niet" if missing == total else "deels"
    fix = _edit(_("Maatregel toevoegen"), "plan.new", {"risico": first[0].id}, "plan.index", "edit_plan")
    return Result(
        answer,
        ngettext(
            "%(m)s van %(n)s PSA-risico's heeft geen maatregel: %(list)s.",
            "%(m)s van %(n)s PSA-risico's hebben geen maatregel: %(list)s.",
            missing,
            m=_n(missing),
            n=_n(total),
            list=_names([r.title for r in first], missing),
        ),
        [risk_ref(r) for r in first],
        fix,
        missing,
        _page(_("Maatregelen per risico"), "plan.hierarchy"),
        counts,
    )


def _without_owner(org) -> list:
    """Active measures without a termijn or whose responsible is not an active member any more."""
    members = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org.id, User.active.is_(True))
    )
    return [
        *_active(org),
        or_(
            Measure.responsible_id.is_(None),
            Measure.responsible_id.not_in(members),
            Measure.termijn.is_(None),
        ),
    ]


@rule("measures_have_owner_and_termijn")
def measures_have_owner_and_termijn(org, today: date) -> Result:
    active_ids = _ids("measure", *_active(org))
    total = len(active_ids)
    counts = [
        Count(
            "maatregelen",
            "measure",
            ngettext("%(n)s maatregel", "%(n)s maatregelen", total, n=_n(total)),
            tuple(active_ids),
        )
    ]
    fix = _plan_fix(_("Verantwoordelijke en termijn invullen"))
    if not total:
        return Result("voldoet_niet", _("Er zijn nog geen maatregelen in het Plan van Aanpak."), fix=fix)
    lacking_ids = _ids("measure", *_without_owner(org))
    lacking = len(lacking_ids)
    if not lacking:
        return Result(
            "voldoet",
            ngettext(
                "De maatregel heeft een verantwoordelijke en een termijn.",
                "Alle %(n)s maatregelen hebben een verantwoordelijke en een termijn.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_eigenaar",
            "measure",
            ngettext(
                "%(n)s zonder termijn of actieve verantwoordelijke",
                "%(n)s zonder termijn of actieve verantwoordelijke",
                lacking,
                n=_n(lacking),
            ),
            tuple(lacking_ids),
        )
    )
    first = _measure_briefs(*_without_owner(org))
    return Result(
        "deels" if lacking < total else "voldoet_niet",
        ngettext(
            "%(m)s van %(n)s maatregelen heeft geen termijn of een verantwoordelijke die geen actieve "
            "gebruiker van de organisatie meer is: %(list)s.",
            "%(m)s van %(n)s maatregelen hebben geen termijn of een verantwoordelijke die geen actieve "
            "gebruiker van de organisatie meer is: %(list)s.",
            lacking,
            m=_n(lacking),
            n=_n(total),
            list=_names([_brief_label(m) for m in first], lacking),
        ),
        [_brief_ref(m) for m in first],
        fix,
        lacking,
        _page(_("Maatregelen per verantwoordelijke"), "plan.index", groep="verantwoordelijke"),
        counts,
    )


def _level_ids(org) -> dict:
    """Ids of the active measures per level (every level in the data, not only the three known ones)."""
    found: dict = {}
    for measure_id, level in db.session.execute(select(Measure.id, Measure.level).where(*_active(org))):
        found.setdefault(level, []).append(measure_id)
    return found


def _level_lists(by_level: dict) -> list:
    """The counts per level of organisation_level_first, each with the measures it counted."""
    organisatie, team, individu = (len(by_level.get(k, ())) for k in ("organisatie", "team", "individu"))
    return [
        Count(
            "organisatie",
            "measure",
            ngettext(
                "%(n)s op organisatieniveau", "%(n)s op organisatieniveau", organisatie, n=_n(organisatie)
            ),
            tuple(by_level.get("organisatie", ())),
        ),
        Count(
            "team",
            "measure",
            ngettext("%(n)s op teamniveau", "%(n)s op teamniveau", team, n=_n(team)),
            tuple(by_level.get("team", ())),
        ),
        Count(
            "individu",
            "measure",
            ngettext("%(n)s op individueel niveau", "%(n)s op individueel niveau", individu, n=_n(individu)),
            tuple(by_level.get("individu", ())),
        ),
    ]


def _only_lower(org) -> list:
    """Organisation-wide risks with team or individual measures only, and no team-bound reason."""
    rows = db.session.execute(
        select(Risk.id, Risk.title, Risk.team_bound_reason)
        .where(
            *_live_risks(org, Risk.scope == "organisatie"),
            _has_measure(org),
            ~_has_measure(org, Measure.level == "organisatie"),
        )
        .order_by(Risk.id)
    )
    return [r for r in rows if not (r.team_bound_reason or "").strip()]


@rule("organisation_level_first")
def organisation_level_first(org, today: date) -> Result:
    by_level = _level_ids(org)
    found = {level: len(ids) for level, ids in by_level.items()}
    listed = _level_lists(by_level)
    fix = _page(_("Maatregelen per niveau bekijken"), "plan.hierarchy")
    if not sum(found.values()):
        return Result("voldoet_niet", _("Er zijn nog geen maatregelen in het Plan van Aanpak."), fix=fix)
    levels = {lvl: found.get(lvl, 0) for lvl in ("organisatie", "team", "individu")}
    counts = _(
        "%(o)s op organisatie-, %(t)s op team- en %(i)s op individueel niveau",
        o=_n(levels["organisatie"]),
        t=_n(levels["team"]),
        i=_n(levels["individu"]),
    )
    if levels["organisatie"] == 0:
        return Result(
            "voldoet_niet",
            _("Geen enkele maatregel werkt op organisatieniveau (%(c)s).", c=counts),
            _plan_evidence(),
            fix,
            counts=listed,
        )
    only_lower = _only_lower(org)
    if only_lower:
        wide = _count(Risk, *_live_risks(org, Risk.scope == "organisatie"))
        return Result(
            "deels",
            ngettext(
                "%(c)s; %(m)s van %(n)s organisatiebrede risico's heeft alleen team- of individuele "
                "maatregelen: %(list)s.",
                "%(c)s; %(m)s van %(n)s organisatiebrede risico's hebben alleen team- of "
                "individuele maatregelen: %(list)s.",
                len(only_lower),
                c=counts,
                m=_n(len(only_lower)),
                n=_n(wide),
                list=_names([r.title for r in only_lower]),
            ),
            [risk_ref(r) for r in only_lower[:EVIDENCE_MAX]],
            fix,
            len(only_lower),
            fix,
            [
                *listed,
                Count(
                    "alleen_lager",
                    "risk",
                    ngettext(
                        "%(n)s organisatiebreed risico met alleen team- of individuele maatregelen",
                        "%(n)s organisatiebrede risico's met alleen team- of individuele maatregelen",
                        len(only_lower),
                        n=_n(len(only_lower)),
                    ),
                    tuple(r.id for r in only_lower),
                ),
            ],
        )
    # Organisation-wide risks with only lower measures left now all have a recorded team-bound reason.
    team_bound = _count(
        Risk,
        *_live_risks(org, Risk.scope == "organisatie"),
        _has_measure(org),
        ~_has_measure(org, Measure.level == "organisatie"),
    )
    sentence = _(
        "Maatregelen: %(c)s; elk organisatiebreed risico met maatregelen heeft er een op organisatieniveau",
        c=counts,
    )
    if team_bound:
        sentence += ngettext(
            ", behalve %(n)s risico waarvan is vastgelegd waarom het teamgebonden is",
            ", behalve %(n)s risico's waarvan is vastgelegd waarom ze teamgebonden zijn",
            team_bound,
            n=_n(team_bound),
        )
    return Result("voldoet", sentence + ".", _plan_evidence(), fix, counts=listed)


@rule("rust_en_herstel_measures")
def rust_en_herstel_measures(org, today: date) -> Result:
    rest = [*_active(org), Measure.approach == "rust_en_herstel"]
    rest_ids = _ids("measure", *rest)
    total = len(rest_ids)
    fix = _plan_fix(_("Maatregel voor rust en herstel toevoegen"))
    if not total:
        return Result(
            "voldoet_niet",
            _("Er is geen maatregel gericht op rust en herstel (pauzes, bereikbaarheid, avondmail)."),
            fix=fix,
        )
    collective_ids = _ids("measure", *rest, Measure.level != "individu")
    collective = len(collective_ids)
    evidence = [_brief_ref(m) for m in _measure_briefs(*rest, limit=LIST_MAX)]
    counts = [
        Count(
            "rust_en_herstel",
            "measure",
            ngettext(
                "%(n)s maatregel voor rust en herstel",
                "%(n)s maatregelen voor rust en herstel",
                total,
                n=_n(total),
            ),
            tuple(rest_ids),
        ),
        Count(
            "collectief",
            "measure",
            ngettext(
                "%(n)s op organisatie- of teamniveau",
                "%(n)s op organisatie- of teamniveau",
                collective,
                n=_n(collective),
            ),
            tuple(collective_ids),
        ),
    ]
    if not collective:
        return Result(
            "deels",
            ngettext(
                "Er is %(n)s maatregel voor rust en herstel, maar alleen voor een individuele medewerker.",
                "Er zijn %(n)s maatregelen voor rust en herstel, maar alleen voor individuele medewerkers.",
                total,
                n=_n(total),
            ),
            evidence,
            fix,
            counts=counts[:1],
        )
    return Result(
        "voldoet",
        ngettext(
            "%(n)s maatregel is gericht op rust en herstel, op organisatie- of teamniveau.",
            "%(n)s maatregelen zijn gericht op rust en herstel, waarvan %(c)s op organisatie- of teamniveau.",
            total,
            n=_n(total),
            c=_n(collective),
        ),
        evidence,
        fix,
        counts=counts,
    )


def _participation_text(org, today: date) -> tuple[str, bool]:
    """How employees took part in choosing the measures of the newest plan version (docs/domain.md §10)."""
    from riecycle.models import PlanParticipation, PlanVersion

    version = db.session.scalar(_live(PlanVersion, org).order_by(PlanVersion.number.desc()))
    if version is None:
        return _("inspraak van medewerkers bij het kiezen van de maatregelen is niet vastgelegd"), False
    rows = _all(
        _live(PlanParticipation, org)
        .where(PlanParticipation.plan_version_id == version.id, PlanParticipation.held_on <= today)
        .order_by(PlanParticipation.held_on, PlanParticipation.id)
    )
    if not rows:
        return (
            _(
                "bij versie %(n)s van het Plan van Aanpak is niet vastgelegd hoe medewerkers meedachten "
                "over de maatregelen",
                n=version.number,
            ),
            False,
        )
    parts = [
        ngettext(
            "%(m)s op %(d)s (%(num)s medewerker)",
            "%(m)s op %(d)s (%(num)s medewerkers)",
            r.participants,
            m=r.method,
            d=_fmt(r.held_on),
        )
        for r in rows
    ]
    return (
        _(
            "medewerkers dachten mee over de maatregelen van versie %(n)s: %(p)s",
            n=version.number,
            p=", ".join(parts),
        ),
        True,
    )


@rule("participation_in_choice")
def participation_in_choice(org, today: date) -> Result:
    """Employees' participation record for the newest plan version, and the OR's plan decision."""
    from riecycle.models import PlanVersion

    approval = _latest_decided(org, "plan_version")
    has_version = db.session.scalar(_live(PlanVersion, org).limit(1)) is not None
    if approval is None and not has_version:
        return Result(
            None,
            _(
                "Er is nog geen Plan van Aanpak aan de OR/PVT voorgelegd; de betrokkenheid van "
                "medewerkers en OR bij het kiezen van maatregelen staat niet in de gegevens. Beantwoord "
                "dit item met de hand."
            ),
        )
    participation, took_part = _participation_text(org, today)
    or_ok = approval is not None and approval.decision == "verleend"
    sentence = _describe_approval(approval, _("Plan van Aanpak")) + "; " + participation + "."
    sentence = sentence[:1].upper() + sentence[1:]
    evidence = [_page(_("Versies van het Plan van Aanpak"), "plan.versions")]
    fix = _edit(
        _("Inspraak vastleggen"), "plan.versions", {"_anchor": "inspraak"}, "plan.versions", "edit_plan"
    )
    answer = "voldoet" if took_part and or_ok else "deels" if took_part or or_ok else "voldoet_niet"
    return Result(answer, sentence, evidence, fix)


@rule("measures_on_schedule")
def measures_on_schedule(org, today: date) -> Result:
    active_ids = _ids("measure", *_active(org))
    total = len(active_ids)
    counts = [
        Count(
            "maatregelen",
            "measure",
            ngettext("%(n)s maatregel", "%(n)s maatregelen", total, n=_n(total)),
            tuple(active_ids),
        )
    ]
    fix = _plan_fix(_("Verlopen maatregelen bespreken"))
    if not total:
        return Result("nvt", _("Er zijn nog geen maatregelen om te volgen."), fix=fix)
    late = [*_active(org), Measure.status.in_(OPEN_STATUSES), Measure.termijn < today]
    overdue_ids = _ids("measure", *late)
    overdue = len(overdue_ids)
    if not overdue:
        return Result(
            "voldoet",
            ngettext(
                "De maatregel is niet over de termijn.",
                "Geen van de %(n)s maatregelen is over de termijn.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "over_termijn",
            "measure",
            ngettext("%(n)s over de termijn", "%(n)s over de termijn", overdue, n=_n(overdue)),
            tuple(overdue_ids),
        )
    )
    share = overdue / total
    answer = "voldoet" if share <= OVERDUE_OK else "deels" if share <= OVERDUE_PARTLY else "voldoet_niet"
    oldest = _measure_briefs(*late, order=(Measure.termijn, Measure.id))
    return Result(
        answer,
        ngettext(
            "%(m)s van %(n)s maatregelen (%(p)s%%) is over de termijn: %(list)s.",
            "%(m)s van %(n)s maatregelen (%(p)s%%) zijn over de termijn: %(list)s.",
            overdue,
            m=_n(overdue),
            n=_n(total),
            p=_pct(overdue, total),
            list=_names([_brief_label(m) for m in oldest], overdue),
        ),
        [_brief_ref(m) for m in oldest],
        fix,
        overdue,
        _page(_("Alle maatregelen over de termijn"), "plan.index", te_laat=1, groep="geen"),
        counts,
    )


# --- C. Voorlichting -------------------------------------------------------------------


def _session_window(org, since: date, today: date, *where) -> list:
    """The conditions for the organisation's live sessions after `since` up to today."""
    return [
        VoorlichtingSession.organisation_id == org.id,
        VoorlichtingSession.deleted_at.is_(None),
        VoorlichtingSession.session_date > since,
        VoorlichtingSession.session_date <= today,
        *where,
    ]


def _session_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The newest sessions matching: (id, topic, session_date), enough for a reference."""
    stmt = (
        select(VoorlichtingSession.id, VoorlichtingSession.topic, VoorlichtingSession.session_date)
        .where(*where)
        .order_by(VoorlichtingSession.session_date.desc(), VoorlichtingSession.id)
    )
    return list(db.session.execute(stmt.limit(limit)))


def _low_teams(org, today: date) -> list[str]:
    """'Team (40%)' for every team with staff below the coverage norm, by team name."""
    from riecycle.services import voorlichting

    return [
        f"{name} ({_pct(i, t)}%)"
        for name, i, t in voorlichting.team_coverage_counts(org, 12, today)
        if t and i / t < COVERAGE_OK
    ]


@rule("voorlichting_coverage")
def voorlichting_coverage(org, today: date) -> Result:
    from riecycle.services import voorlichting

    informed, total = voorlichting.coverage(org, months=12, on=today)
    fix = _edit(
        _("Voorlichting plannen"), "voorlichting.session_new", {}, "voorlichting.index", "edit_voorlichting"
    )
    evidence = [
        session_ref(s)
        for s in _session_briefs(*_session_window(org, _months_before(today, 12), today), limit=LIST_MAX)
    ]
    if not total:
        return Result(
            "voldoet_niet",
            _("Er zijn geen medewerkers geregistreerd, dus voorlichting is niet aan te tonen."),
            evidence,
            _page(_("Medewerkers"), "beheer.employees_index"),
        )
    share = informed / total
    answer = "voldoet" if share >= COVERAGE_OK else "deels" if share >= COVERAGE_PARTLY else "voldoet_niet"
    sentence = _(
        "%(p)s%% van de medewerkers (%(i)s van %(t)s) kreeg voorlichting in de afgelopen 12 maanden",
        p=_pct(informed, total),
        i=_n(informed),
        t=_n(total),
    )
    low = _low_teams(org, today) if answer != "voldoet_niet" else []
    if low:
        sentence += _("; laag bij %(list)s", list=_names(low))
    return Result(answer, sentence + ".", evidence, fix)


@rule("leidinggevenden_instructed")
def leidinggevenden_instructed(org, today: date) -> Result:
    from riecycle.services import voorlichting

    done, total = voorlichting.leidinggevenden_instructed(org, months=INSTRUCTION_MONTHS, on=today)
    fix = _edit(
        _("Instructie leidinggevenden plannen"),
        "voorlichting.session_new",
        {},
        "voorlichting.index",
        "edit_voorlichting",
    )
    window = _session_window(
        org,
        _months_before(today, INSTRUCTION_MONTHS),
        today,
        VoorlichtingSession.is_leidinggevenden_instructie.is_(True),
    )
    evidence = [session_ref(s) for s in _session_briefs(*window, limit=LIST_MAX)]
    if not total:
        return Result(
            None,
            _(
                "Bij de medewerkers is niemand als leidinggevende gemarkeerd; markeer ze in Beheer of "
                "beantwoord dit item met de hand."
            ),
            evidence,
            _page(_("Medewerkers"), "beheer.employees_index"),
        )
    answer = "voldoet" if done == total else "deels" if done * 2 >= total else "voldoet_niet"
    return Result(
        answer,
        ngettext(
            "%(d)s van %(t)s leidinggevenden (%(p)s%%) volgde in de afgelopen %(m)s maanden een "
            "instructie over signalen van werkstress en ongewenst gedrag.",
            "%(d)s van %(t)s leidinggevenden (%(p)s%%) volgden in de afgelopen %(m)s maanden een "
            "instructie over signalen van werkstress en ongewenst gedrag.",
            done,
            d=_n(done),
            t=_n(total),
            p=_pct(done, total),
            m=INSTRUCTION_MONTHS,
        ),
        evidence,
        fix,
    )


def _unregistered(org):
    """No (live) attendance row for the session (NOT IN over an uncorrelated subquery, see _has_measure)."""
    return VoorlichtingSession.id.not_in(
        select(Attendance.session_id).where(
            Attendance.organisation_id == org.id,
            Attendance.deleted_at.is_(None),
            Attendance.session_id.is_not(None),
        )
    )


@rule("attendance_register")
def attendance_register(org, today: date) -> Result:
    window = _session_window(org, _months_before(today, 12), today)
    session_ids = _ids("session", *window)
    total = len(session_ids)
    fix = _page(_("Presentie registreren"), "voorlichting.index")
    counts = [
        Count(
            "sessies",
            "session",
            ngettext("%(n)s voorlichtingssessie", "%(n)s voorlichtingssessies", total, n=_n(total)),
            tuple(session_ids),
        )
    ]
    if not total:
        # Whether voorlichting was given at all is C13's question; without sessions there is no
        # register to keep.
        return Result(
            "nvt",
            _(
                "Er zijn in de afgelopen 12 maanden geen voorlichtingssessies gehouden, dus er is geen "
                "presentielijst bij te houden."
            ),
            fix=fix,
        )
    missing_ids = _ids("session", *window, _unregistered(org))
    missing = len(missing_ids)
    if not missing:
        return Result(
            "voldoet",
            ngettext(
                "Van de voorlichtingssessie van de afgelopen 12 maanden is de presentie geregistreerd.",
                "Van alle %(n)s voorlichtingssessies van de afgelopen 12 maanden is de presentie "
                "geregistreerd.",
                total,
                n=_n(total),
            ),
            [session_ref(s) for s in _session_briefs(*window, limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_presentie",
            "session",
            ngettext("%(n)s zonder presentie", "%(n)s zonder presentie", missing, n=_n(missing)),
            tuple(missing_ids),
        )
    )
    first = _session_briefs(*window, _unregistered(org))
    answer = "voldoet_niet" if missing == total else "deels"
    fix = _edit(
        _("Presentie registreren"),
        "voorlichting.register",
        {"session_id": first[0].id},
        "voorlichting.index",
        "edit_voorlichting",
    )
    return Result(
        answer,
        _(
            "Van %(m)s van %(n)s gehouden voorlichtingssessies in de afgelopen 12 maanden is geen "
            "presentie geregistreerd: %(list)s.",
            m=_n(missing),
            n=_n(total),
            list=_names([f"{s.topic} ({_fmt(s.session_date)})" for s in first], missing),
        ),
        [session_ref(s) for s in first],
        fix,
        missing,
        counts=counts,
    )


# --- D. Ongewenst gedrag ---------------------------------------------------------------


def _instruments(org, kind: str) -> list[PolicyInstrument]:
    return _all(
        _live(PolicyInstrument, org).where(PolicyInstrument.kind == kind).order_by(PolicyInstrument.id)
    )


def _best(instruments: list[PolicyInstrument], today: date) -> PolicyInstrument | None:
    """The adopted instrument that was made known, else any adopted one, else the newest concept."""
    adopted = [i for i in instruments if i.is_adopted(today)]
    known = [i for i in adopted if i.made_known_on(today)]
    concepts = [i for i in instruments if i.status == "concept"]
    for group in (known, adopted, concepts):
        if group:
            return group[-1]
    return None


def _known_text(instrument: PolicyInstrument, today: date) -> str:
    return _("bekendgemaakt op %(d)s", d=_fmt(instrument.made_known_on(today)))


def _basic_instrument(org, today: date, kind: str, extra_checks) -> Result:
    """Adopted + made known (+ kind-specific checks) -> voldoet; adopted with gaps -> deels; else voldoet niet."""
    from riecycle.services.policy import kind_name

    best = _best(_instruments(org, kind), today)
    name = kind_name(kind)
    fix = _instrument_fix(kind, best)
    if best is None:
        return Result(
            "voldoet_niet",
            _("Er is geen %(k)s vastgelegd in het beleidsregister.", k=name.lower()),
            [_page(_("Beleidsregister"), "beleid.index")],
            fix,
        )
    evidence = [instrument_ref(best)]
    if not best.is_adopted(today):
        return Result(
            "voldoet_niet",
            _("De %(k)s is nog niet vastgesteld (status: %(s)s).", k=name.lower(), s=best.status),
            evidence,
            fix,
        )
    gaps = list(extra_checks(best))
    if not best.made_known_on(today):
        gaps.append(_("niet aantoonbaar bekendgemaakt aan medewerkers"))
    if kind == "vertrouwenspersoon":
        adopted = _("aangesteld sinds %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("aangesteld")
    else:
        adopted = _("vastgesteld op %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("vastgesteld")
    if gaps:
        return Result(
            "deels",
            _("De %(k)s is %(a)s, maar: %(g)s.", k=name.lower(), a=adopted, g="; ".join(gaps)),
            evidence,
            fix,
        )
    return Result(
        "voldoet",
        _("De %(k)s is %(a)s en %(known)s.", k=name.lower(), a=adopted, known=_known_text(best, today)),
        evidence,
        fix,
    )


@rule("gedragscode")
def gedragscode(org, today: date) -> Result:
    return _basic_instrument(org, today, "gedragscode", lambda i: [])


def _vp_checks(instrument: PolicyInstrument):
    if not instrument.trained:
        yield _("niet aangetoond dat de vertrouwenspersoon is opgeleid")
    if not (instrument.contact or "").strip():
        yield _("niet vastgelegd hoe medewerkers de vertrouwenspersoon bereiken")


def _how_known(instrument: PolicyInstrument, today: date) -> str:
    """When and how it was made known: the communication and the voorlichting sessions."""
    ways = (
        [instrument.communication]
        if instrument.communicated_on and instrument.communicated_on <= today
        else []
    )
    ways += [
        _("voorlichting '%(t)s'", t=s.topic)
        for s in instrument.sessions
        if s.deleted_at is None and s.session_date <= today
    ]
    return _(
        "bekendgemaakt op %(d)s via %(w)s",
        d=_fmt(instrument.made_known_on(today)),
        w=", ".join(w for w in ways if w),
    )


def _vp_facts(vp: PolicyInstrument, today: date) -> tuple[list[str], list[str]]:
    """What the records say about the vertrouwenspersoon (docs/domain.md §10), and what is missing."""
    facts, gaps = [_("intern") if vp.vp_kind == "intern" else _("extern")], []
    trained_on = vp.trained_on if vp.trained_on and vp.trained_on <= today else None
    if vp.trained and trained_on:
        facts.append(_("opgeleid op %(d)s", d=_fmt(trained_on)))
    elif vp.trained:
        facts.append(_("opgeleid"))
        gaps.append(_("de datum van de opleiding is niet vastgelegd"))
    else:
        gaps.append(_("niet aangetoond dat de vertrouwenspersoon is opgeleid"))
    if not (vp.contact or "").strip():
        gaps.append(_("niet vastgelegd hoe medewerkers de vertrouwenspersoon bereiken"))
    elif vp.anonymous_contact:
        facts.append(_("bereikbaarheid vastgelegd, ook anoniem"))
    else:
        facts.append(_("bereikbaarheid vastgelegd"))
        gaps.append(_("niet vastgelegd dat medewerkers de vertrouwenspersoon anoniem kunnen benaderen"))
    if vp.made_known_on(today):
        facts.append(_how_known(vp, today))
    else:
        gaps.append(_("niet aantoonbaar bekendgemaakt aan medewerkers"))
    report_on = vp.annual_report_on if vp.annual_report_on and vp.annual_report_on <= today else None
    year = vp.annual_report_year if vp.annual_report_year and vp.annual_report_year <= today.year else None
    one_year = vp.adopted_on is None or vp.adopted_on <= today - timedelta(days=365)
    if year:
        facts.append(
            _("jaarverslag over %(y)s (%(d)s)", y=year, d=_fmt(report_on))
            if report_on
            else _("jaarverslag over %(y)s", y=year)
        )
        if one_year and year < today.year - 1:
            gaps.append(_("het laatste jaarverslag gaat over %(y)s", y=year))
    elif one_year:
        gaps.append(_("er is geen jaarverslag van de vertrouwenspersoon vastgelegd"))
    else:
        facts.append(_("nog geen jaarverslag nodig (korter dan een jaar aangesteld)"))
    return facts, gaps


@rule("vertrouwenspersoon")
def vertrouwenspersoon(org, today: date) -> Result:
    """Appointed, and what an inspector asks: kind, training, anonymous contact, made known, jaarverslag."""
    best = _best(_instruments(org, "vertrouwenspersoon"), today)
    if best is None or not best.is_adopted(today):
        return _basic_instrument(org, today, "vertrouwenspersoon", _vp_checks)
    facts, gaps = _vp_facts(best, today)
    since = _("aangesteld sinds %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("aangesteld")
    sentence = _("De vertrouwenspersoon is %(a)s: %(f)s.", a=since, f="; ".join(facts))
    evidence, fix = [instrument_ref(best)], _instrument_fix("vertrouwenspersoon", best)
    if gaps:
        return Result("deels", sentence + " " + _("Ontbreekt: %(g)s.", g="; ".join(gaps)), evidence, fix)
    return Result("voldoet", sentence, evidence, fix)


def _klachten_checks(instrument: PolicyInstrument):
    if not (instrument.committee or "").strip():
        yield _("er is geen klachtencommissie vastgelegd")


@rule("klachtenregeling")
def klachtenregeling(org, today: date) -> Result:
    return _basic_instrument(org, today, "klachtenregeling", _klachten_checks)


def _recent_incidents(org, today: date, *where) -> list[int]:
    """The ids of the (live) meldingen of the last 12 months that match the conditions."""
    return _ids(
        "incident",
        Incident.organisation_id == org.id,
        Incident.deleted_at.is_(None),
        Incident.occurred_on > _months_before(today, 12),
        Incident.occurred_on <= today,
        *where,
    )


@rule("opvang_nazorg")
def opvang_nazorg(org, today: date) -> Result:
    week_ago = today - timedelta(days=7)
    without_ids = _recent_incidents(
        org, today, Incident.opvang_done.is_not(True), Incident.occurred_on <= week_ago
    )
    without = len(without_ids)

    def checks(instrument):
        if without:
            yield ngettext(
                "bij %(n)s melding van de afgelopen 12 maanden is geen opvang vastgelegd",
                "bij %(n)s meldingen van de afgelopen 12 maanden is geen opvang vastgelegd",
                without,
                n=_n(without),
            )

    result = _basic_instrument(org, today, "opvang_nazorg", checks)
    if without:
        result.evidence.append(_page(_("Incidentregistratie"), "beleid.incidents"))
        result.counts.append(
            Count(
                "zonder_opvang",
                "incident",
                ngettext(
                    "%(n)s melding zonder opvang", "%(n)s meldingen zonder opvang", without, n=_n(without)
                ),
                tuple(without_ids),
            )
        )
    return result


@rule("incidents_registered")
def incidents_registered(org, today: date) -> Result:
    incident_ids = _recent_incidents(org, today)
    incidents = len(incident_ids)
    counts = [
        Count(
            "meldingen",
            "incident",
            ngettext("%(n)s melding", "%(n)s meldingen", incidents, n=_n(incidents)),
            tuple(incident_ids),
        )
    ]
    analysis = db.session.scalar(
        _live(IncidentAnalysis, org)
        .where(
            IncidentAnalysis.analysed_on > _months_before(today, 12), IncidentAnalysis.analysed_on <= today
        )
        .order_by(IncidentAnalysis.analysed_on.desc())
    )
    procedure = _best(_instruments(org, "meldprocedure"), today)
    evidence = [_page(_("Incidentregistratie"), "beleid.incidents")] + (
        [instrument_ref(procedure)] if procedure else []
    )
    fix = _instrument_fix("meldprocedure", procedure)
    gaps = []
    if procedure is None or not procedure.is_adopted(today):
        gaps.append(_("er is geen vastgestelde meldprocedure"))
    elif not procedure.made_known_on(today):
        gaps.append(_("de meldprocedure is niet aantoonbaar bekendgemaakt"))
    if incidents and analysis is None:
        gaps.append(_("de meldingen zijn in de afgelopen 12 maanden niet geanalyseerd"))
        fix = Ref(
            "fix",
            _("Analyse vastleggen"),
            None,
            "beleid.analysis_new",
            {},
            "beleid.incidents",
            "edit_zelfinspectie",
        )
    registered = ngettext(
        "%(n)s melding geregistreerd in de afgelopen 12 maanden",
        "%(n)s meldingen geregistreerd in de afgelopen 12 maanden",
        incidents,
        n=_n(incidents),
    )
    if analysis is not None:
        registered += _(", geanalyseerd op %(d)s", d=_fmt(analysis.analysed_on))
    if not gaps:
        return Result("voldoet", registered + ".", evidence, fix, counts=counts)
    if not incidents and (procedure is None or not procedure.is_adopted(today)):
        return Result(
            "voldoet_niet",
            _("Er is geen meldprocedure en er zijn geen meldingen geregistreerd."),
            evidence,
            fix,
        )
    return Result("deels", registered + "; " + "; ".join(gaps) + ".", evidence, fix, counts=counts)


# --- E. Evaluatie en borging -----------------------------------------------------------


def _done(org, today: date, *where) -> list:
    """The conditions for the organisation's live evaluations done by today."""
    return [
        Evaluation.organisation_id == org.id,
        Evaluation.deleted_at.is_(None),
        Evaluation.done_on.is_not(None),
        Evaluation.done_on <= today,
        *where,
    ]


def _evaluation_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The most recent evaluations matching: (id, done_on, planned_on), enough for a reference."""
    stmt = (
        select(Evaluation.id, Evaluation.done_on, Evaluation.planned_on)
        .where(*where)
        .order_by(Evaluation.done_on.desc(), Evaluation.id)
    )
    return list(db.session.execute(stmt.limit(limit)))


def _evaluated(org, today: date, *where):
    """The measure has a done evaluation (matching `where`); IN over an uncorrelated subquery, as above."""
    return Measure.id.in_(
        select(Evaluation.measure_id).where(*_done(org, today, Evaluation.measure_id.is_not(None), *where))
    )


# Evaluated on process and effect: both an effect and an implementation rating are recorded.
_FULL = (
    Evaluation.effect.is_not(None),
    Evaluation.effect != "",
    Evaluation.implementation_rating.is_not(None),
    Evaluation.implementation_rating != 0,
)


@rule("measures_evaluated")
def measures_evaluated(org, today: date) -> Result:
    cutoff = today - timedelta(days=EVALUATE_AFTER_DAYS)
    completed = [
        Measure.organisation_id == org.id,
        Measure.deleted_at.is_(None),
        Measure.status.in_(("uitgevoerd", "geevalueerd")),
        func.coalesce(Measure.completed_on, Measure.termijn) <= cutoff,
    ]
    completed_ids = _ids("measure", *completed)
    total = len(completed_ids)
    counts = [
        Count(
            "afgerond",
            "measure",
            ngettext(
                "%(n)s maatregel langer dan drie maanden afgerond",
                "%(n)s maatregelen langer dan drie maanden afgerond",
                total,
                n=_n(total),
            ),
            tuple(completed_ids),
        )
    ]
    fix = _edit(_("Evaluatie plannen"), "evaluatie.new", {}, "evaluatie.index", "edit_evaluatie")
    if not total:
        return Result(
            "nvt", _("Er zijn nog geen maatregelen die langer dan drie maanden zijn afgerond."), fix=fix
        )
    missing = [*completed, ~_evaluated(org, today, *_FULL)]
    missing_ids = _ids("measure", *missing)
    n_missing = len(missing_ids)
    if not n_missing:
        evaluations = _evaluation_briefs(
            *_done(org, today, Evaluation.measure_id.is_not(None)), limit=LIST_MAX
        )
        return Result(
            "voldoet",
            ngettext(
                "De maatregel die langer dan drie maanden is afgerond, is geëvalueerd op proces en effect.",
                "Alle %(n)s maatregelen die langer dan drie maanden zijn afgerond, zijn geëvalueerd op "
                "proces en effect.",
                total,
                n=_n(total),
            ),
            [evaluation_ref(e) for e in evaluations],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "niet_geevalueerd",
            "measure",
            ngettext(
                "%(n)s nog niet op proces én effect geëvalueerd",
                "%(n)s nog niet op proces én effect geëvalueerd",
                n_missing,
                n=_n(n_missing),
            ),
            tuple(missing_ids),
        )
    )
    n_full = total - n_missing
    # Nothing evaluated on both counts and nothing evaluated at all: voldoet niet; otherwise deels.
    none_at_all = n_full == 0 and not _count(Measure, *missing, _evaluated(org, today))
    answer = "voldoet_niet" if none_at_all else "deels"
    first = _measure_briefs(*missing)
    fix = _edit(
        _("Evaluatie plannen"),
        "evaluatie.new",
        {"measure_id": first[0].id},
        "evaluatie.index",
        "edit_evaluatie",
    )
    return Result(
        answer,
        ngettext(
            "%(f)s van %(n)s maatregelen die langer dan drie maanden zijn afgerond, is op proces én "
            "effect geëvalueerd; nog niet: %(list)s.",
            "%(f)s van %(n)s maatregelen die langer dan drie maanden zijn afgerond, zijn op proces én "
            "effect geëvalueerd; nog niet: %(list)s.",
            n_full,
            f=_n(n_full),
            n=_n(total),
            list=_names([_brief_label(m) for m in first], n_missing),
        ),
        [_brief_ref(m) for m in first],
        fix,
        n_missing,
        _page(_("Evaluaties en maatregelen zonder evaluatie"), "evaluatie.index"),
        counts,
    )


def _baseline_onderzoek(org, today: date):
    """E22's nulmeting: the earliest verdiepend onderzoek with scores per factor, and its factors."""
    from riecycle.models import OnderzoekScore, OnderzoekTeam

    first = db.session.execute(
        select(VerdiependOnderzoek.id, VerdiependOnderzoek.period_start)
        .join(OnderzoekTeam, OnderzoekTeam.onderzoek_id == VerdiependOnderzoek.id)
        .join(OnderzoekScore, OnderzoekScore.onderzoek_team_id == OnderzoekTeam.id)
        .where(
            VerdiependOnderzoek.organisation_id == org.id,
            VerdiependOnderzoek.deleted_at.is_(None),
            VerdiependOnderzoek.period_start <= today,
            OnderzoekTeam.deleted_at.is_(None),
            OnderzoekScore.deleted_at.is_(None),
        )
        .order_by(VerdiependOnderzoek.period_start, VerdiependOnderzoek.id)
        .limit(1)
    ).first()
    if first is None:
        return None, set()
    keys = set(
        db.session.scalars(
            select(OnderzoekScore.factor_key)
            .join(OnderzoekTeam, OnderzoekTeam.id == OnderzoekScore.onderzoek_team_id)
            .where(
                OnderzoekTeam.onderzoek_id == first.id,
                OnderzoekTeam.deleted_at.is_(None),
                OnderzoekScore.deleted_at.is_(None),
            )
        )
    )
    return db.session.get(VerdiependOnderzoek, first.id), keys


def _factor_names(keys) -> list[str]:
    """The factors' names in the taxonomy's order."""
    if not keys:
        return []
    return list(
        db.session.scalars(select(Factor.name_nl).where(Factor.key.in_(keys)).order_by(Factor.position))
    )


def _onderzoek_ref(onderzoek) -> Ref:
    return Ref(
        "onderzoek",
        onderzoek.title,
        onderzoek.id,
        "rie.onderzoek_show",
        {"onderzoek_id": onderzoek.id},
        "rie.index",
    )


@rule("effect_same_sources")
def effect_same_sources(org, today: date) -> Result:
    from riecycle.models import EvaluationFactorScore

    fix = _edit(
        _("Effectmeting plannen"), "evaluatie.new", {"kind": "thema"}, "evaluatie.index", "edit_evaluatie"
    )
    baseline, baseline_keys = _baseline_onderzoek(org, today)
    repeats = _evaluation_briefs(
        *_done(org, today, Evaluation.is_repeat_measurement.is_(True)), limit=LIST_MAX
    )
    if repeats:
        latest = repeats[0]
        evidence = [evaluation_ref(e) for e in repeats] + ([_onderzoek_ref(baseline)] if baseline else [])
        asked = set(
            db.session.scalars(
                select(EvaluationFactorScore.factor_key).where(
                    EvaluationFactorScore.evaluation_id == latest.id
                )
            )
        )
        fix = _edit(
            _("Gevraagde bronnen vastleggen"),
            "evaluatie.record",
            {"evaluation_id": latest.id},
            "evaluatie.index",
            "edit_evaluatie",
        )
        if baseline is None:
            return Result(
                "deels",
                _(
                    "De herhaalde meting van %(d)s is niet te vergelijken: er is geen nulmeting "
                    "(verdiepend onderzoek) met scores per werkdrukbron en energiebron vastgelegd.",
                    d=_fmt(latest.done_on),
                ),
                evidence,
                _page(_("Verdiepend onderzoek vastleggen"), "rie.onderzoeken"),
            )
        if not asked:
            return Result(
                "deels",
                _(
                    "Bij de herhaalde meting van %(d)s is niet vastgelegd welke werkdrukbronnen en "
                    "energiebronnen zij uitvroeg, dus de vergelijking met de nulmeting (%(o)s) is niet "
                    "aan te tonen.",
                    d=_fmt(latest.done_on),
                    o=baseline.title,
                ),
                evidence,
                fix,
            )
        missing, new = baseline_keys - asked, asked - baseline_keys
        if not missing and not new:
            return Result(
                "voldoet",
                ngettext(
                    "De herhaalde meting van %(d)s vraagt dezelfde bron als de nulmeting (%(o)s van "
                    "%(b)s): %(list)s.",
                    "De herhaalde meting van %(d)s vraagt dezelfde %(n)s werkdrukbronnen en "
                    "energiebronnen als de nulmeting (%(o)s van %(b)s): %(list)s.",
                    len(asked),
                    d=_fmt(latest.done_on),
                    n=_n(len(asked)),
                    o=baseline.title,
                    b=_fmt(baseline.period_start),
                    list=_names(_factor_names(asked)),
                ),
                evidence,
                fix,
            )
        gaps = []
        if missing:
            gaps.append(_("niet meer gevraagd: %(list)s", list=", ".join(_factor_names(missing))))
        if new:
            gaps.append(_("nieuw, niet in de nulmeting: %(list)s", list=", ".join(_factor_names(new))))
        return Result(
            "deels",
            _(
                "De herhaalde meting van %(d)s vraagt niet dezelfde bronnen als de nulmeting (%(o)s van "
                "%(b)s): %(gaps)s.",
                d=_fmt(latest.done_on),
                o=baseline.title,
                b=_fmt(baseline.period_start),
                gaps="; ".join(gaps),
            ),
            evidence,
            fix,
        )
    questionnaires = _evaluation_briefs(
        *_done(org, today, Evaluation.method == "herhaalde_vragenlijst"), limit=LIST_MAX
    )
    if questionnaires:
        return Result(
            "deels",
            _(
                "Er is een vragenlijst afgenomen (%(d)s), maar niet vastgelegd dat die een herhaling "
                "van de nulmeting is.",
                d=_fmt(questionnaires[0].done_on),
            ),
            [evaluation_ref(e) for e in questionnaires],
            fix,
        )
    first_rie = db.session.scalar(
        select(func.min(Rie.performed_on)).where(Rie.organisation_id == org.id, Rie.deleted_at.is_(None))
    )
    starts = [d for d in (first_rie, baseline.period_start if baseline else None) if d is not None]
    start = min(starts) if starts else None
    if start is None or start > today - timedelta(days=REPEAT_AFTER_DAYS):
        return Result(
            "nvt",
            _("De nulmeting is minder dan een jaar oud; een effectmeting volgt na één tot twee jaar."),
            [_onderzoek_ref(baseline)] if baseline else [],
            fix=fix,
        )
    return Result(
        "voldoet_niet",
        _("Sinds de nulmeting van %(d)s is geen effectmeting met dezelfde bronnen gedaan.", d=_fmt(start)),
        [_onderzoek_ref(baseline)] if baseline else [],
        fix=fix,
    )


def _not_adjusted():
    """The policy was not adjusted after the evaluation, and it led to no follow-up measure."""
    follow_up = (
        select(evaluation_follow_ups.c.evaluation_id)
        .join(Measure, Measure.id == evaluation_follow_ups.c.measure_id)
        .where(evaluation_follow_ups.c.evaluation_id == Evaluation.id)
        .exists()
    )
    return [Evaluation.policy_adjusted.is_not(True), ~follow_up]


@rule("policy_adjusted")
def policy_adjusted(org, today: date) -> Result:
    done_ids = _ids("evaluation", *_done(org, today))
    total = len(done_ids)
    counts = [
        Count(
            "evaluaties",
            "evaluation",
            ngettext("%(n)s afgeronde evaluatie", "%(n)s afgeronde evaluaties", total, n=_n(total)),
            tuple(done_ids),
        )
    ]
    fix = _page(_("Evaluaties verwerken"), "evaluatie.index")
    if not total:
        return Result("nvt", _("Er zijn nog geen afgeronde evaluaties."), fix=fix)
    needing = _done(org, today, Evaluation.effect.in_(("niet", "deels")))
    needing_ids = _ids("evaluation", *needing)
    n_needing = len(needing_ids)
    if not n_needing:
        # Only evaluations that recorded the effect "opgelost" showed the desired effect.
        unknown = total - _count(Evaluation, *_done(org, today, Evaluation.effect == "opgelost"))
        sentence = ngettext(
            "De afgeronde evaluatie liet het gewenste effect zien; bijstellen was niet nodig.",
            "Alle %(n)s afgeronde evaluaties lieten het gewenste effect zien; bijstellen was niet nodig.",
            total,
            n=_n(total),
        )
        if unknown:
            sentence = ngettext(
                "Geen van de %(n)s afgeronde evaluaties liet een tekort aan effect zien; bij %(u)s "
                "evaluatie is het effect niet vastgelegd.",
                "Geen van de %(n)s afgeronde evaluaties liet een tekort aan effect zien; bij %(u)s "
                "evaluaties is het effect niet vastgelegd.",
                unknown,
                n=_n(total),
                u=_n(unknown),
            )
        return Result(
            "voldoet",
            sentence,
            [evaluation_ref(e) for e in _evaluation_briefs(*_done(org, today), limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts = [
        Count(
            "zonder_effect",
            "evaluation",
            ngettext(
                "%(n)s evaluatie zonder (volledig) effect",
                "%(n)s evaluaties zonder (volledig) effect",
                n_needing,
                n=_n(n_needing),
            ),
            tuple(needing_ids),
        )
    ]
    open_ids = _ids("evaluation", *needing, *_not_adjusted())
    n_open = len(open_ids)
    sentence = _(
        "Na %(a)s van %(n)s evaluaties zonder (volledig) effect is het beleid bijgesteld",
        a=_n(n_needing - n_open),
        n=_n(n_needing),
    )
    if not n_open:
        return Result(
            "voldoet",
            sentence + ".",
            [evaluation_ref(e) for e in _evaluation_briefs(*needing, limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "niet_bijgesteld",
            "evaluation",
            ngettext("%(n)s nog niet bijgesteld", "%(n)s nog niet bijgesteld", n_open, n=_n(n_open)),
            tuple(open_ids),
        )
    )
    answer = "voldoet_niet" if n_open == n_needing else "deels"
    first = [evaluation_ref(e) for e in _evaluation_briefs(*needing, *_not_adjusted())]
    fix = _edit(
        _("Bijstellen na de evaluatie"),
        "evaluatie.follow_up",
        {"evaluation_id": first[0].id},
        "evaluatie.index",
        "edit_evaluatie",
    )
    return Result(
        answer,
        sentence + _("; nog niet na: %(list)s.", list=_names([e.label for e in first], n_open)),
        first,
        fix,
        n_open,
        _page(_("Alle evaluaties"), "evaluatie.index"),
        counts,
    )


@rule("preventiemedewerker_appointed")
def preventiemedewerker_appointed(org, today: date) -> Result:
    appointments = [
        a
        for a in _all(
            _live(PreventiemedewerkerAppointment, org).order_by(PreventiemedewerkerAppointment.since)
        )
        if a.is_active(today)
    ]
    evidence = [_page(_("Beleidsregister"), "beleid.index", _anchor="preventiemedewerker")]
    if not appointments:
        has_role = db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == org.id, Membership.role == "preventiemedewerker")
        )
        fix = Ref(
            "fix",
            _("Aanstelling vastleggen"),
            None,
            "beleid.appointment_new",
            {},
            "beleid.index",
            "edit_zelfinspectie",
        )
        if has_role:
            return Result(
                "deels",
                _(
                    "Er is een gebruiker met de rol preventiemedewerker, maar de aanstelling (sinds "
                    "wanneer, instemming OR/PVT) is niet vastgelegd."
                ),
                evidence,
                fix,
            )
        return Result("voldoet_niet", _("Er is geen preventiemedewerker aangesteld."), evidence, fix)
    current = appointments[-1]
    fix = Ref(
        "fix",
        _("Aanstelling bijwerken"),
        current.id,
        "beleid.appointment_edit",
        {"appointment_id": current.id},
        "beleid.index",
        "edit_zelfinspectie",
    )
    facts, gaps = _preventie_facts(current, today)
    sentence = _("Preventiemedewerker aangesteld sinds %(s)s", s=_fmt(current.since))
    if facts:
        sentence += ", " + ", ".join(facts)
    if gaps:
        return Result("deels", sentence + _(", maar %(g)s.", g="; ".join(gaps)), evidence, fix)
    return Result("voldoet", sentence + ".", evidence, fix)


def _preventie_facts(appointment: PreventiemedewerkerAppointment, today: date) -> tuple[list[str], list[str]]:
    """What an inspector asks about the preventiemedewerker (docs/domain.md §10): OR date, hours, training."""
    facts, gaps = [], []
    if appointment.or_instemming_on and appointment.or_instemming_on <= today:
        facts.append(_("met instemming van de OR/PVT op %(d)s", d=_fmt(appointment.or_instemming_on)))
    else:
        gaps.append(_("de instemming van de OR/PVT is niet vastgelegd"))
    if appointment.hours_per_week:
        facts.append(ngettext("%(num)s uur per week", "%(num)s uur per week", appointment.hours_per_week))
    else:
        gaps.append(_("het aantal uren per week is niet vastgelegd"))
    trained_on = (
        appointment.trained_on if appointment.trained_on and appointment.trained_on <= today else None
    )
    if appointment.training and trained_on:
        facts.append(_("opgeleid: %(t)s (%(d)s)", t=appointment.training, d=_fmt(trained_on)))
    elif appointment.training:
        facts.append(_("opgeleid: %(t)s", t=appointment.training))
        gaps.append(_("de datum van de opleiding is niet vastgelegd"))
    else:
        gaps.append(_("de opleiding van de preventiemedewerker is niet vastgelegd"))
    return facts, gaps
