"""The report model: what the records show, as plain dataclasses both renderers read.

Rules (docs/domain.md §9 and the report's purpose: it goes to the OR/PVT and the inspector):
- individual measures are always pseudonymised (the auditor's view, riecycle.access), whoever
  makes the report; incidents appear only as totals;
- onderzoek results under the anonymity threshold are withheld (riecycle.access.anonymity);
- as of a day, records are those of that day (riecycle.services.asof);
- nothing is invented: a section without records says so; every list has a fixed sort order,
  so two runs on the same data give the same document.

Above a set number of measures (REPORT_FULL_MAX_MEASURES, default 300) the plan lists in full
only the measures of risks with priority hoog and middel; the rest is counted per theme and
risk, and the evidence workbook is named as the complete annex. Read-only: nothing flushes.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from riecycle import clock
from riecycle.access import AUDITOR, Viewer
from riecycle.access.anonymity import min_respondents
from riecycle.access.documents import may_read_document
from riecycle.access.evidence import masked_run
from riecycle.access.pseudonym import pseudonym_of
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import (
    Attachment,
    Attendance,
    Employee,
    Evaluation,
    Incident,
    Measure,
    PlanComment,
    PolicyInstrument,
    RieTheme,
    Risk,
    RiskEvaluation,
    Team,
    Theme,
    User,
    VerdiependOnderzoek,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import OPEN_STATUSES, MeasureLevel, MeasureStatus, measure_risks, overdue
from riecycle.models.policy import InstrumentKind
from riecycle.models.references import measure_reference, risk_reference
from riecycle.models.rie import Priority, RiskStatus, risk_teams
from riecycle.services import asof
from riecycle.streaming import grouped, stream

FULL_PRIORITIES = (Priority.HOOG, Priority.MIDDEL)
PRIORITY_ORDER = {Priority.HOOG: 0, Priority.MIDDEL: 1, Priority.LAAG: 2, None: 3}
# Kinds of documents that are records of the cycle (pending imports are not).
DOCUMENT_KINDS = {
    "rie": _l("RI&E"),
    "toetsing": _l("Toetsing"),
    "onderzoek": _l("Verdiepend onderzoek"),
    "rie_approval": _l("Instemming OR/PVT"),
    "plan_version": _l("Plan van Aanpak"),
    "measure": _l("Maatregel"),
    "voorlichting": _l("Voorlichting"),
    "policy_instrument": _l("Beleid"),
    "arbodienst_contract": _l("Basiscontract arbodienst"),
}


def list_max() -> int:
    """A summarised report shows at most this many rows of every other long list (REPORT_LIST_MAX)."""
    return int(current_app.config.get("REPORT_LIST_MAX", 100) or 100)


def _cap(rows: list, n: int, newest_last: bool = False) -> tuple[list, int]:
    """At most n rows (the last n when the list runs oldest first), and how many were left out."""
    if len(rows) <= n:
        return rows, 0
    return (rows[-n:] if newest_last else rows[:n]), len(rows) - n


def full_max_measures() -> int:
    """Up to this many measures the plan lists every measure (config REPORT_FULL_MAX_MEASURES)."""
    return int(current_app.config.get("REPORT_FULL_MAX_MEASURES", 300) or 300)


# --- the model ------------------------------------------------------------------------------


@dataclass
class Fact:
    label: str
    value: str
    note: str | None = None


@dataclass
class MeasureItem:
    reference: str
    title: str  # the pseudonym for an individual measure
    pseudonymised: bool
    level: str
    approach: str
    responsible: str
    termijn: date | None
    status: str
    overdue: bool
    budget: Decimal | None


@dataclass
class RiskItem:
    id: int
    reference: str
    title: str
    theme: str
    description: str | None
    kans: int | None
    frequentie: int | None
    effect: int | None
    score: int | None
    priority: str | None  # a priority key (hoog/middel/laag), None: not scored
    priority_label: str
    restrisico: str
    grondoorzaak: str | None
    teams: str
    status: str
    top5_rank: int | None
    onderzoek: str | None
    theme_key: str = ""
    measures: list[MeasureItem] = field(default_factory=list)
    measure_count: int = 0
    open_count: int = 0
    overdue_count: int = 0


@dataclass
class OnderzoekResult:
    label: str
    invited: int | None
    respondents: int
    shown: bool
    scores: list[tuple[str, str]]  # (factor, score) only when shown


@dataclass
class OnderzoekItem:
    title: str
    instrument: str | None
    period: str
    invited: int | None
    respondents: int | None
    anonymous: bool
    reveals_causes: bool
    discussed_on: date | None
    summary: str | None
    results: list[OnderzoekResult]
    themes: list[str]


@dataclass
class ThemeSection:
    key: str
    name: str
    state: str  # behandeld / niet van toepassing / niet vastgelegd
    reason: str | None
    stage: str
    overdue: int
    risks: list[RiskItem]
    onderzoeken: list[str]
    risk_count: int = 0  # all risks of the theme (a summarised report lists only some in full)

    @property
    def other_risks(self) -> int:
        return self.risk_count - len(self.risks)


@dataclass
class PlanGroup:
    """A risk with its measures (full), or one line of counts (summarised)."""

    risk: RiskItem | None  # None: measures without a risk
    theme: str
    measures: list[MeasureItem]


@dataclass
class SummaryLine:
    """The risks of one theme and priority that are not listed in full, counted."""

    theme: str
    priority: str
    risks: int
    measures: int
    open: int
    overdue: int


@dataclass
class Approval:
    subject: str
    submitted_on: date | None
    decision: str
    decided_on: date | None
    remarks: str | None


@dataclass
class Report:
    org_name: str
    org_slug: str
    lang: str
    report_date: date
    as_of: date | None
    title: str
    cover: list[Fact]
    toetsing: list[Fact]
    summary_stages: list[ThemeSection]
    top5: list[RiskItem]
    key_figures: list[Fact]
    zelfinspectie_score: Fact
    themes: list[ThemeSection]
    onderzoeken: list[OnderzoekItem]
    min_respondents: int
    summarised: bool
    full_max: int
    measure_total: int
    plan_groups: list[PlanGroup]
    summary_lines: list[SummaryLine]
    annex: tuple[str, str] | None  # (file name, SHA-256) of the evidence workbook
    sessions: list[dict]
    team_coverage: list[dict]
    coverage: Fact
    instruction: Fact
    evaluations: list[dict]
    instruments: list[dict]
    vertrouwenspersoon: list[Fact]
    incident_totals: list[dict]
    incident_total: int
    zelfinspectie_date: date | None
    zelfinspectie_items: list[dict]
    approvals: list[Approval]
    comments: list[Fact]
    kinney: list[dict]
    thresholds: list[Fact]
    documents: list[dict]
    headings: dict = field(default_factory=dict)
    # A summarised report shows the most recent rows of long lists; how many more the annex holds.
    more: dict = field(default_factory=dict)

    @property
    def risks(self) -> list[RiskItem]:
        return [r for t in self.themes for r in t.risks]


# --- building ---------------------------------------------------------------------------------


def _d(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else "—"


def _yes(value: bool) -> str:
    return _("ja") if value else _("nee")


class _Builder:
    """Collects the records once; each section method returns plain values."""

    def __init__(self, org, as_of: date | None, today: date, annex):
        self.org, self.day, self.today, self.annex = org, as_of, today, annex
        self.ref_day = as_of or today
        self.viewer = Viewer(role=AUDITOR, org_id=org.id)
        self.lang = "nl"
        self.themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.key)))
        self.theme_names = {t.key: t.name(self._lang()) for t in self.themes}
        self.users = dict(db.session.execute(select(User.id, User.name)).tuples().all())
        self.team_names = dict(
            db.session.execute(select(Team.id, Team.name).where(Team.organisation_id == org.id))
            .tuples()
            .all()
        )
        self.rie = asof.current_rie(org, as_of)

    def _lang(self) -> str:
        from riecycle.i18n import language

        return language()

    # --- cover ---------------------------------------------------------------------------

    def cover(self) -> list[Fact]:
        org, rie = self.org, self.rie
        facts = [Fact(_("Organisatie"), org.name, org.sector), Fact(_("Datum rapport"), _d(self.report_date))]
        if self.day:
            facts.append(Fact(_("Stand per"), _d(self.day), _("Het rapport toont de stand op deze datum.")))
        if rie is None:
            facts.append(Fact(_("RI&E"), _("Er is (nog) geen RI&E vastgelegd.")))
            return facts
        facts += [
            Fact(_("RI&E-versie"), str(rie.version), _("Uitgevoerd op %(d)s", d=_d(rie.performed_on))),
            Fact(
                _("Uitgevoerd door"),
                rie.performed_by or _("niet vastgelegd"),
                label(rie.performed_by_kind, "performed_by_kind"),
            ),
            Fact(
                _("Instrument"),
                rie.instrument or _("niet vastgelegd"),
                _("Erkende branche-RI&E") if rie.instrument_erkend else _("Geen erkende branche-RI&E"),
            ),
            Fact(_("Herzien vóór"), _d(rie.review_due_on)),
        ]
        return facts

    @property
    def report_date(self) -> date:
        return self.day or self.today

    def toetsing(self) -> list[Fact]:
        from riecycle.services import rie as rie_service

        if self.rie is None:
            return [Fact(_("Toetsing"), _("Geen RI&E, dus geen toetsing."))]
        toetsing = asof.toetsing(self.rie, self.day)
        exemption = rie_service.exemption(self.org, self.rie)
        facts = [Fact(_("Vrijstelling (art. 14)"), _yes(exemption.exempt), exemption.reason)]
        if toetsing is None:
            facts.append(Fact(_("Toetsing"), _("Geen toetsing vastgelegd.")))
            return facts
        return facts + [
            Fact(_("Getoetst door"), toetsing.expert_name, label(toetsing.expert_kind, "expert_kind")),
            Fact(_("Registratienummer"), toetsing.registration or "—"),
            Fact(_("Soort toetsing"), _toets_type(toetsing.toets_type)),
            Fact(_("Getoetst op"), _d(toetsing.tested_on)),
            Fact(_("Advies"), toetsing.advice_summary or "—"),
        ]

    # --- risks and measures ----------------------------------------------------------------

    def evaluations(self) -> dict[int, tuple]:
        """Risk id -> (kans, frequentie, effect, score, priority) of its latest evaluation by the day."""
        stmt = (
            select(
                RiskEvaluation.risk_id,
                RiskEvaluation.kans,
                RiskEvaluation.frequentie,
                RiskEvaluation.effect,
                RiskEvaluation.score,
                RiskEvaluation.priority,
            )
            .where(RiskEvaluation.organisation_id == self.org.id, RiskEvaluation.deleted_at.is_(None))
            .order_by(RiskEvaluation.risk_id, RiskEvaluation.evaluated_at, RiskEvaluation.id)
        )
        if self.day is not None:
            stmt = stmt.where(RiskEvaluation.evaluated_at < asof.end_of(self.day))
        return {row[0]: tuple(row[1:]) for row in stream(stmt)}

    def risk_items(self) -> list[RiskItem]:
        columns = (
            Risk.id,
            Risk.number,
            Risk.theme_key,
            Risk.title,
            Risk.description,
            Risk.status,
            Risk.top5_rank,
            Risk.grondoorzaak,
            Risk.restrisico,
            Risk.onderzoek_id,
        )
        teams = grouped(
            select(risk_teams.c.risk_id, Team.name)
            .join(Team, Team.id == risk_teams.c.team_id)
            .join(Risk, Risk.id == risk_teams.c.risk_id)
            .where(Risk.organisation_id == self.org.id)
        )
        onderzoeken = dict(
            db.session.execute(
                select(VerdiependOnderzoek.id, VerdiependOnderzoek.title).where(
                    VerdiependOnderzoek.organisation_id == self.org.id
                )
            )
            .tuples()
            .all()
        )
        evaluations = self.evaluations()
        statuses = asof.risk_statuses(self.org, self.day)
        items = []
        rows = stream(asof.risks_stmt(self.org, self.day, None, columns))
        for risk in asof.with_statuses(rows, statuses):
            kans, freq, effect, score, priority = evaluations.get(risk.id, (None,) * 5)
            items.append(
                RiskItem(
                    id=risk.id,
                    reference=risk_reference(risk.number) or "",
                    title=risk.title,
                    theme=self.theme_names.get(risk.theme_key) or risk.theme_key or "",
                    description=risk.description,
                    kans=kans,
                    frequentie=freq,
                    effect=effect,
                    score=score,
                    priority=priority,
                    priority_label=label(priority, "priority") if priority else _("niet beoordeeld"),
                    restrisico=label(risk.restrisico, "priority") if risk.restrisico else "—",
                    grondoorzaak=risk.grondoorzaak,
                    teams=", ".join(sorted(teams.get(risk.id, []))) or _("hele organisatie"),
                    status=label(risk.status, "risk_status"),
                    top5_rank=risk.top5_rank,
                    onderzoek=onderzoeken.get(risk.onderzoek_id),
                    theme_key=risk.theme_key,
                )
            )
        return items

    def measure_items(self) -> tuple[dict[int | None, list[MeasureItem]], int]:
        """Risk id (None: no risk) -> its measures, sorted by reference; and the number of measures."""
        columns = (
            Measure.id,
            Measure.number,
            Measure.title,
            Measure.level,
            Measure.employee_id,
            Measure.approach,
            Measure.responsible_id,
            Measure.termijn,
            Measure.budget_eur,
            Measure.status,
        )
        links = grouped(
            select(measure_risks.c.measure_id, measure_risks.c.risk_id)
            .join(Measure, Measure.id == measure_risks.c.measure_id)
            .where(Measure.organisation_id == self.org.id)
            .order_by(measure_risks.c.measure_id, measure_risks.c.risk_id)
        )
        employee_teams = dict(
            db.session.execute(
                select(Employee.id, Employee.team_id).where(Employee.organisation_id == self.org.id)
            )
            .tuples()
            .all()
        )
        by_risk: dict[int | None, list[MeasureItem]] = {}
        total = 0
        rows = stream(asof.measures_stmt(self.org, self.day, None, columns))
        for measure in asof.with_statuses(rows, asof.measure_statuses(self.org, self.day)):
            total += 1
            item = self._measure_item(measure, employee_teams)
            for risk_id in links.get(measure.id) or [None]:
                by_risk.setdefault(risk_id, []).append(item)
        for items in by_risk.values():
            items.sort(key=lambda m: m.reference)
        return by_risk, total

    def _measure_item(self, measure, employee_teams) -> MeasureItem:
        individual = measure.level == MeasureLevel.INDIVIDU
        team_id = employee_teams.get(measure.employee_id)
        title = pseudonym_of(measure.id, self.team_names.get(team_id)) if individual else measure.title
        return MeasureItem(
            reference=measure_reference(measure.number) or "",
            title=title,
            pseudonymised=individual,
            level=label(measure.level, "level"),
            approach=label(measure.approach, "approach"),
            responsible=self.users.get(measure.responsible_id) or "—",
            termijn=measure.termijn,
            status=label(measure.status, "measure_status"),
            overdue=overdue(measure.status, measure.termijn, self.ref_day),
            budget=measure.budget_eur,
        )

    # --- sections ---------------------------------------------------------------------------

    def theme_sections(self, risks: list[RiskItem], stages) -> list[ThemeSection]:
        entries = {}
        if self.rie is not None:
            entries = {
                e.theme_key: e
                for e in db.session.scalars(
                    select(RieTheme).where(RieTheme.rie_id == self.rie.id, asof.existed(RieTheme, self.day))
                )
            }
        stage_of = {s.key: s for s in stages}
        sections = []
        for theme in self.themes:
            entry = entries.get(theme.key)
            own = sorted(
                (r for r in risks if r.theme_key == theme.key),
                key=lambda r: (PRIORITY_ORDER.get(r.priority, 3), -(r.score or 0), r.reference),
            )
            stage = stage_of.get(theme.key)
            if entry is None:
                state = _("niet vastgelegd in de RI&E")
            else:
                state = _("behandeld") if entry.applicable else _("niet van toepassing")
            sections.append(
                ThemeSection(
                    key=theme.key,
                    name=self.theme_names[theme.key],
                    state=state,
                    reason=entry.reason if entry is not None else None,
                    stage=_stage_label(stage),
                    overdue=stage.overdue if stage else 0,
                    risks=own,
                    onderzoeken=sorted({r.onderzoek for r in own if r.onderzoek}),
                    risk_count=len(own),
                )
            )
        return sections

    def onderzoeken(self, risks: list[RiskItem]) -> list[OnderzoekItem]:
        threshold = min_respondents()
        stmt = select(VerdiependOnderzoek).where(
            VerdiependOnderzoek.organisation_id == self.org.id, asof.existed(VerdiependOnderzoek, self.day)
        )
        if self.day is not None:
            stmt = stmt.where(VerdiependOnderzoek.period_start <= self.day)
        items = []
        for onderzoek in db.session.scalars(
            stmt.order_by(VerdiependOnderzoek.period_start, VerdiependOnderzoek.id)
        ):
            results = []
            for result in sorted(onderzoek.teams, key=lambda t: (t.label, t.id)):
                shown = (result.respondents or 0) >= threshold
                scores = (
                    [
                        (s.factor.name(self._lang()), f"{s.score:.1f}")
                        for s in sorted(result.scores, key=lambda s: (s.factor.position, s.factor_key))
                    ]
                    if shown
                    else []
                )
                results.append(
                    OnderzoekResult(result.label, result.invited, result.respondents or 0, shown, scores)
                )
            end = f" – {_d(onderzoek.period_end)}" if onderzoek.period_end else ""
            items.append(
                OnderzoekItem(
                    title=onderzoek.title,
                    instrument=onderzoek.instrument,
                    period=f"{_d(onderzoek.period_start)}{end}",
                    invited=onderzoek.invited,
                    respondents=onderzoek.respondents,
                    anonymous=onderzoek.anonymous,
                    reveals_causes=onderzoek.reveals_causes,
                    discussed_on=onderzoek.discussed_on,
                    summary=onderzoek.summary,
                    results=results,
                    themes=sorted({r.theme for r in risks if r.onderzoek == onderzoek.title}),
                )
            )
        return items

    def key_figures(self, risks, measures_by_risk, measure_total) -> list[Fact]:
        seen: dict[str, MeasureItem] = {}
        for items in measures_by_risk.values():
            for m in items:
                seen[m.reference] = m
        open_ = sum(1 for m in seen.values() if m.status in _open_labels())
        late = sum(1 for m in seen.values() if m.overdue)
        done = sum(1 for m in seen.values() if m.status in _done_labels())
        applicable = [r for r in risks if r.status != label(RiskStatus.NVT, "risk_status")]
        return [
            Fact(_("Risico's"), str(len(risks)), _("waarvan %(n)s van toepassing", n=len(applicable))),
            Fact(
                _("Risico's per prioriteit"),
                ", ".join(
                    f"{label(p, 'priority')}: {sum(1 for r in risks if r.priority == p)}"
                    for p in reversed(Priority)
                ),
                _("niet beoordeeld: %(n)s", n=sum(1 for r in risks if r.priority is None)),
            ),
            Fact(_("Maatregelen"), str(measure_total)),
            Fact(_("Maatregelen open"), str(open_)),
            Fact(
                _("Maatregelen te laat"), str(late), _("open en over de termijn op %(d)s", d=_d(self.ref_day))
            ),
            Fact(_("Maatregelen uitgevoerd of geëvalueerd"), str(done)),
        ]

    def zelfinspectie(self) -> tuple[Fact, date | None, list[dict]]:
        from riecycle.services import zelfinspectie

        run = asof.latest_run(self.org, self.day)
        if run is None:
            return Fact(_("Zelfinspectie"), _("Nog geen zelfinspectie uitgevoerd.")), None, []
        checklist = zelfinspectie.load_checklist()
        run = masked_run(run, self.viewer)
        items = []
        for item in run.items:
            answered = item.get("answered_on")
            items.append(
                {
                    "id": item.get("id"),
                    "group": checklist.group_name(item.get("group") or "", self._lang()),
                    "question": _question(checklist, item, self._lang()),
                    "answer": label(item.get("answer"), "checklist_answer"),
                    "explanation": item.get("justification") or item.get("explanation"),
                    "evidence": zelfinspectie.evidence_text(item),
                    "date": date.fromisoformat(answered) if answered else run.run_on,
                }
            )
        score = f"{round(run.score * 100)}%" if run.score is not None else "—"
        fact = Fact(_("Zelfinspectie: score"), score, _("uitgevoerd op %(d)s", d=_d(run.run_on)))
        return fact, run.run_on, items

    def voorlichting(self) -> tuple[list[dict], list[dict], Fact, Fact]:
        from riecycle.services import voorlichting

        on = self.ref_day
        stmt = (
            select(VoorlichtingSession)
            .where(
                VoorlichtingSession.organisation_id == self.org.id,
                asof.existed(VoorlichtingSession, self.day),
                VoorlichtingSession.session_date <= on,
            )
            .order_by(VoorlichtingSession.session_date, VoorlichtingSession.id)
        )
        present = dict(
            db.session.execute(
                select(Attendance.session_id, func.count(Attendance.id))
                .where(
                    Attendance.organisation_id == self.org.id,
                    Attendance.deleted_at.is_(None),
                    Attendance.status == "aanwezig",
                )
                .group_by(Attendance.session_id)
            )
            .tuples()
            .all()
        )
        sessions = [
            {
                "date": s.session_date,
                "topic": s.topic,
                "audience": label(s.audience, "audience"),
                "instructie": s.is_leidinggevenden_instructie,
                "teams": ", ".join(sorted(t.name for t in s.teams)) or "—",
                "present": present.get(s.id, 0),
            }
            for s in db.session.scalars(stmt)
        ]
        teams = [
            {"team": name, "informed": informed, "total": total, "pct": _pct(informed, total)}
            for name, informed, total in voorlichting.team_coverage_counts(self.org, on=on)
        ]
        informed, total = voorlichting.coverage(self.org, on=on)
        instructed, leaders = voorlichting.leidinggevenden_instructed(self.org, on=on)
        coverage = Fact(
            _("Bereik laatste 12 maanden"),
            _pct(informed, total),
            _("%(i)s van %(t)s medewerkers aanwezig bij een voorlichting", i=informed, t=total),
        )
        instruction = Fact(
            _("Instructie leidinggevenden"),
            _pct(instructed, leaders),
            _(
                "%(i)s van %(t)s leidinggevenden geïnstrueerd in de laatste 12 maanden",
                i=instructed,
                t=leaders,
            ),
        )
        return sessions, teams, coverage, instruction

    def evaluation_rows(self) -> list[dict]:
        stmt = (
            select(Evaluation)
            .where(
                Evaluation.organisation_id == self.org.id,
                asof.existed(Evaluation, self.day),
                Evaluation.planned_on <= self.ref_day,
            )
            .order_by(Evaluation.planned_on, Evaluation.id)
        )
        follow_ups = grouped(
            select(evaluation_follow_ups.c.evaluation_id, evaluation_follow_ups.c.measure_id)
            .join(Evaluation, Evaluation.id == evaluation_follow_ups.c.evaluation_id)
            .where(Evaluation.organisation_id == self.org.id)
            .order_by(evaluation_follow_ups.c.evaluation_id, evaluation_follow_ups.c.measure_id)
        )
        titles = self._measure_titles()
        result = []
        for ev in db.session.scalars(stmt):
            done = ev.done_on is not None and ev.done_on <= self.ref_day
            title, shown = (
                titles.get(ev.measure_id, (None, True)) if ev.measure_id is not None else (None, True)
            )
            subject = title or (self.theme_names.get(ev.theme_key) if ev.theme_key else "—")
            result.append(
                {
                    "kind": label(ev.kind, "evaluation_kind"),
                    "subject": subject,
                    "method": label(ev.method, "evaluation_method"),
                    "planned_on": ev.planned_on,
                    "done_on": ev.done_on if done else None,
                    "effect": label(ev.effect, "effect") if done and ev.effect else "—",
                    "conclusion": (ev.conclusion if shown else _("afgeschermd (individuele maatregel)"))
                    if done
                    else None,
                    "adjusted": done and ev.policy_adjusted,
                    "follow_ups": sorted(
                        titles.get(m, ("?", True))[0] for m in follow_ups.get(ev.id, []) if m in titles
                    ),
                }
            )
        return result

    def _measure_titles(self) -> dict[int, tuple[str, bool]]:
        rows = db.session.execute(
            select(Measure.id, Measure.number, Measure.title, Measure.level, Employee.team_id)
            .outerjoin(Employee, Employee.id == Measure.employee_id)
            .where(Measure.organisation_id == self.org.id)
        ).all()
        result = {}
        for mid, number, title, level, team_id in rows:
            individual = level == MeasureLevel.INDIVIDU
            shown = pseudonym_of(mid, self.team_names.get(team_id)) if individual else title
            result[mid] = (f"{measure_reference(number)} {shown}", not individual)
        return result

    def policy(self) -> tuple[list[dict], list[Fact]]:
        from riecycle.services import policy

        stmt = (
            select(PolicyInstrument)
            .where(PolicyInstrument.organisation_id == self.org.id, asof.existed(PolicyInstrument, self.day))
            .order_by(PolicyInstrument.kind, PolicyInstrument.name, PolicyInstrument.id)
        )
        instruments, vp = [], []
        for instrument in db.session.scalars(stmt):
            instruments.append(
                {
                    "kind": policy.kind_name(instrument.kind),
                    "name": instrument.name,
                    "status": label(instrument.status, "instrument_status"),
                    "adopted_on": instrument.adopted_on,
                    "made_known_on": instrument.made_known_on(self.ref_day),
                }
            )
            if instrument.kind == InstrumentKind.VERTROUWENSPERSOON:
                vp += _vp_facts(instrument)
        return instruments, vp

    def incidents(self) -> tuple[list[dict], int]:
        stmt = (
            select(Incident.theme_key, func.count(Incident.id), func.sum(_int(Incident.opvang_done)))
            .where(
                Incident.organisation_id == self.org.id,
                asof.existed(Incident, self.day),
                Incident.occurred_on <= self.ref_day,
            )
            .group_by(Incident.theme_key)
        )
        rows = [
            {"theme": self.theme_names.get(key, key), "count": int(n), "opvang": int(opvang or 0)}
            for key, n, opvang in db.session.execute(stmt)
        ]
        rows.sort(key=lambda r: r["theme"])
        return rows, sum(r["count"] for r in rows)

    def approvals(self) -> tuple[list[Approval], list[Fact]]:
        from riecycle.services import plan_versions

        result, comments = [], []
        if self.rie is not None:
            result.append(
                _approval(
                    _("RI&E versie %(v)s", v=self.rie.version), asof.approval("rie", self.rie.id, self.day)
                )
            )
        version = asof.latest_plan_version(self.org, self.day)
        if version is not None:
            decision = asof.approval(plan_versions.SUBJECT, version.id, self.day)
            result.append(_approval(version.label, decision))
            stmt = select(PlanComment).where(
                PlanComment.plan_version_id == version.id, asof.existed(PlanComment, self.day)
            )
            all_comments = list(db.session.scalars(stmt))
            on_measures = sum(1 for c in all_comments if c.measure_id is not None)
            comments = [
                Fact(
                    _("Opmerkingen bij %(v)s", v=version.label),
                    str(len(all_comments)),
                    _("waarvan %(n)s bij een maatregel", n=on_measures),
                )
            ]
        return result, comments

    def documents(self) -> list[dict]:
        stmt = select(Attachment).where(
            Attachment.organisation_id == self.org.id,
            Attachment.owner_type.in_(DOCUMENT_KINDS),
            Attachment.deleted_at.is_(None),
        )
        if self.day is not None:
            stmt = stmt.where(Attachment.created_at < asof.end_of(self.day))
        docs = []
        for attachment in db.session.scalars(stmt):
            if not may_read_document(self.viewer, attachment):
                continue
            docs.append(
                {
                    "kind": str(DOCUMENT_KINDS[attachment.owner_type]),
                    "filename": attachment.filename,
                    "date": attachment.created_at.astimezone(clock.AMSTERDAM).date(),
                    "sha256": attachment.sha256,
                }
            )
        docs.sort(key=lambda d: (d["kind"], d["filename"], d["sha256"]))
        return docs


def _int(column):
    from sqlalchemy import Integer, cast

    return cast(column, Integer)


def _pct(part: int, total: int) -> str:
    return f"{round(100 * part / total)}%" if total else "—"


def _open_labels() -> set[str]:
    return {label(s, "measure_status") for s in OPEN_STATUSES}


def _done_labels() -> set[str]:
    return {label(s, "measure_status") for s in (MeasureStatus.UITGEVOERD, MeasureStatus.GEEVALUEERD)}


def _toets_type(value: str | None) -> str:
    names = {
        "systeemtoets": _("systeemtoets"),
        "scopetoets": _("scopetoets"),
        "beide": _("systeemtoets en scopetoets"),
    }
    return names.get(value or "", _("niet vastgelegd"))


def _stage_label(stage) -> str:
    from riecycle.services import dashboard

    if stage is None:
        return "—"
    if not stage.applicable:
        return _("niet van toepassing")
    return str(dashboard.STAGE_LABELS[stage.current]) if stage.current else _("nog niet gestart")


def _question(checklist, item: dict, lang: str) -> str:
    found = checklist.item(item.get("id"))
    if found is not None and lang == "en":
        return found.text("question", "en")
    return item.get("question") or ""


def _vp_facts(instrument) -> list[Fact]:
    return [
        Fact(
            _("Vertrouwenspersoon"),
            instrument.name,
            label(instrument.vp_kind, "vp_kind") if instrument.vp_kind else None,
        ),
        Fact(
            _("Opgeleid"),
            _d(instrument.trained_on) if instrument.trained_on else _yes(instrument.trained),
        ),
        Fact(
            _("Bereikbaar"),
            instrument.contact or "—",
            _("ook anoniem") if instrument.anonymous_contact else None,
        ),
        Fact(
            _("Bekendgemaakt"),
            _d(instrument.communicated_on),
            instrument.communication,
        ),
        Fact(
            _("Jaarverslag"),
            str(instrument.annual_report_year) if instrument.annual_report_year else _("niet vastgelegd"),
        ),
    ]


def _approval(subject: str, decision) -> Approval:
    if decision is None:
        return Approval(subject, None, _("niet voorgelegd"), None, None)
    state = _("ligt voor bij de OR/PVT") if decision.is_pending else label(decision.decision, "decision")
    return Approval(subject, decision.submitted_on, state, decision.decided_on, decision.remarks)


def _kinney() -> tuple[list[dict], list[Fact]]:
    from riecycle.services import scoring

    scales = [
        {"factor": _("Kans (W)"), "values": [(k, str(v)) for k, v in sorted(scoring.KINNEY_KANS.items())]},
        {
            "factor": _("Frequentie (B)"),
            "values": [(k, str(v)) for k, v in sorted(scoring.KINNEY_FREQUENTIE.items())],
        },
        {
            "factor": _("Effect (E)"),
            "values": [(k, str(v)) for k, v in sorted(scoring.KINNEY_EFFECT.items())],
        },
    ]
    thresholds = [
        Fact(_("Laag"), _("score tot en met %(n)s", n=scoring.KINNEY_LAAG_MAX)),
        Fact(
            _("Middel"),
            _("score %(a)s tot en met %(b)s", a=scoring.KINNEY_LAAG_MAX + 1, b=scoring.KINNEY_MIDDEL_MAX),
        ),
        Fact(_("Hoog"), _("score boven %(n)s", n=scoring.KINNEY_MIDDEL_MAX)),
    ]
    return scales, thresholds


def _plan(
    risks, measures_by_risk, summarised: bool, budget: int
) -> tuple[list[PlanGroup], list[SummaryLine]]:
    """The plan per risk. Summarised: the risks of priority hoog, then middel, highest score first,
    are listed in full with their measures while their measures fit in the budget (at least one
    risk); every other risk is counted per theme and priority (its rows are in the annex)."""
    open_labels = _open_labels()
    for risk in risks:
        items = measures_by_risk.get(risk.id, [])
        risk.measure_count = len(items)
        risk.open_count = sum(1 for m in items if m.status in open_labels)
        risk.overdue_count = sum(1 for m in items if m.overdue)
    loose = measures_by_risk.get(None, [])
    if not summarised:
        groups = [PlanGroup(r, r.theme, measures_by_risk.get(r.id, [])) for r in risks]
        return groups + ([PlanGroup(None, "", loose)] if loose else []), []
    full, used = set(), 0
    candidates = sorted(
        (r for r in risks if r.priority in FULL_PRIORITIES),
        key=lambda r: (PRIORITY_ORDER[r.priority], -(r.score or 0), r.reference),
    )
    for risk in candidates:
        if full and used + risk.measure_count > budget:
            break
        full.add(risk.id)
        used += risk.measure_count
    groups = [PlanGroup(r, r.theme, measures_by_risk.get(r.id, [])) for r in candidates if r.id in full]
    counts: dict[tuple, list[int]] = {}
    for risk in risks:
        if risk.id in full:
            continue
        row = counts.setdefault(
            (risk.theme, PRIORITY_ORDER.get(risk.priority, 3), risk.priority_label), [0] * 4
        )
        for i, n in enumerate((1, risk.measure_count, risk.open_count, risk.overdue_count)):
            row[i] += n
    lines = [SummaryLine(theme, label_, *row) for (theme, _order, label_), row in sorted(counts.items())]
    if loose:
        open_ = sum(1 for m in loose if m.status in open_labels)
        late = sum(1 for m in loose if m.overdue)
        lines.append(SummaryLine(_("Maatregelen zonder risico"), "—", 0, len(loose), open_, late))
    return groups, lines


def build_report(
    org, as_of: date | None = None, lang: str = "nl", today: date | None = None, annex=None, full_max=None
) -> Report:
    """The report of an organisation (as of a day), in Dutch or English.

    annex: (file name, SHA-256) of the evidence workbook handed over with a summarised report.
    """
    today = today or clock.today()
    if as_of is not None and as_of >= today:
        as_of = None
    with force_locale(lang):
        return _build(
            org, as_of, lang, today, annex, full_max if full_max is not None else full_max_measures()
        )


def _build(org, as_of, lang, today, annex, full_max) -> Report:
    from riecycle.services import dashboard

    b = _Builder(org, as_of, today, annex)
    stages = dashboard.theme_stages(org, b.ref_day)
    risks = b.risk_items()
    measures_by_risk, measure_total = b.measure_items()
    summarised = measure_total > full_max
    themes = b.theme_sections(risks, stages)
    ordered = [r for t in themes for r in t.risks]
    groups, lines = _plan(ordered, measures_by_risk, summarised, full_max)
    if summarised:
        # The themes chapter lists in full the same risks as the plan; the others are counted.
        listed = {g.risk.id for g in groups if g.risk is not None}
        for theme in themes:
            theme.risks = [r for r in theme.risks if r.id in listed]
    zelf_fact, zelf_date, zelf_items = b.zelfinspectie()
    sessions, team_cov, coverage, instruction = b.voorlichting()
    instruments, vp = b.policy()
    incident_rows, incident_total = b.incidents()
    approvals, comments = b.approvals()
    kinney, thresholds = _kinney()
    top5 = sorted((r for r in risks if r.top5_rank), key=lambda r: (r.top5_rank, r.reference))[:5]
    evaluations, documents, more = b.evaluation_rows(), b.documents(), {}
    if summarised:
        n = list_max()
        sessions, more["sessions"] = _cap(sessions, n, newest_last=True)
        evaluations, more["evaluations"] = _cap(evaluations, n, newest_last=True)
        team_cov, more["teams"] = _cap(team_cov, n)
        documents, more["documents"] = _cap(documents, n)
    return Report(
        org_name=org.name,
        org_slug=org.slug,
        lang=lang,
        report_date=b.report_date,
        as_of=as_of,
        title=_("RI&E en Plan van Aanpak PSA"),
        cover=b.cover(),
        toetsing=b.toetsing(),
        summary_stages=themes,
        top5=top5,
        key_figures=b.key_figures(risks, measures_by_risk, measure_total),
        zelfinspectie_score=zelf_fact,
        themes=themes,
        onderzoeken=b.onderzoeken(risks),
        min_respondents=min_respondents(),
        summarised=summarised,
        full_max=full_max,
        measure_total=measure_total,
        plan_groups=groups,
        summary_lines=lines,
        annex=annex,
        sessions=sessions,
        team_coverage=team_cov,
        coverage=coverage,
        instruction=instruction,
        evaluations=evaluations,
        instruments=instruments,
        vertrouwenspersoon=vp,
        incident_totals=incident_rows,
        incident_total=incident_total,
        zelfinspectie_date=zelf_date,
        zelfinspectie_items=zelf_items,
        approvals=approvals,
        comments=comments,
        kinney=kinney,
        thresholds=thresholds,
        documents=documents,
        headings=headings(),
        more={k: v for k, v in more.items() if v},
    )


def headings() -> dict[str, str]:
    """The section headings, in the report's language (both renderers use these)."""
    return {
        "contents": _("Inhoud"),
        "summary": _("Samenvatting"),
        "themes": _("Risico's per thema"),
        "onderzoek": _("Verdiepend onderzoek"),
        "plan": _("Plan van Aanpak"),
        "voorlichting": _("Voorlichting en onderricht"),
        "evaluaties": _("Evaluaties en bijstellingen"),
        "gedrag": _("Ongewenst gedrag"),
        "zelfinspectie": _("Zelfinspectie"),
        "or": _("Instemming OR/PVT en ondertekening"),
        "appendix": _("Bijlage: methode en documenten"),
    }
