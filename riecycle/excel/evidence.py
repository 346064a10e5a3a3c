"""The evidence workbook: one .xlsx per organisation with every step of the PSA cycle.

Optionally limited to a period: events (sessions, attendance, evaluations, meldingen, the audit
log) are those within the period; every sheet shows the state as of its end date
(riecycle.services.asof): the RI&E versions, risks and measures that existed then, with the
status they had then, and the decisions and runs dated by then. Built with openpyxl's write-only
mode and queries that stream, so memory stays bounded.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from riecycle import clock
from riecycle.access.evidence import masked_run
from riecycle.clock import AMSTERDAM
from riecycle.excel import rows, schema, stamp
from riecycle.excel.lookups import Labels, Lookups, grouped, stream
from riecycle.excel.writer import Col, SheetWriter, new_workbook, save
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import (
    Attendance,
    AuditEntry,
    Employee,
    Evaluation,
    Incident,
    IncidentAnalysis,
    Measure,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    RieTheme,
    Risk,
    Team,
    Theme,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import OPEN_STATUSES, MeasureStatus, overdue
from riecycle.models.policy import InstrumentKind
from riecycle.models.rie import RiskStatus
from riecycle.services import asof

SHEET_SAMENVATTING = _l("Samenvatting")
SHEET_RIE = _l("RI&E")
SHEET_VOORLICHTING = _l("Voorlichting")
SHEET_AANWEZIGHEID = _l("Aanwezigheid")
SHEET_EVALUATIES = _l("Evaluaties")
SHEET_ZELFINSPECTIE = _l("Zelfinspectie")
SHEET_BELEID_EN_MELDINGEN = _l("Beleid en meldingen")
SHEET_AUDIT_LOG = _l("Audit log")
SHEETS = (
    "Samenvatting",
    "RI&E",
    "Risico's",
    "Plan van aanpak",
    "Voorlichting",
    "Aanwezigheid",
    "Evaluaties",
    "Zelfinspectie",
    "Beleid en meldingen",
    "Audit log",
)
# Only in the beheerder's copy, after the others: enough to move the organisation.
MOVE_SHEETS = ("Teams", "Medewerkers")


@dataclass(frozen=True)
class Period:
    """An optional date range (inclusive, Dutch days)."""

    start: date | None = None
    end: date | None = None

    @property
    def start_moment(self) -> datetime | None:
        return datetime.combine(self.start, time(), AMSTERDAM) if self.start else None

    @property
    def end_moment(self) -> datetime | None:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), AMSTERDAM) if self.end else None

    def days(self, column):
        """A where-clause: a date column within the period."""
        clauses = []
        if self.start:
            clauses.append(column >= self.start)
        if self.end:
            clauses.append(column <= self.end)
        return and_(True, *clauses)

    def moments(self, column):
        """A where-clause: a datetime column within the period."""
        clauses = []
        if self.start:
            clauses.append(column >= self.start_moment)
        if self.end:
            clauses.append(column < self.end_moment)
        return and_(True, *clauses)

    def file_part(self) -> str | None:
        """The period as a file name says it (None without a period)."""
        if self.start and self.end:
            return f"{self.start.isoformat()}-tot-{self.end.isoformat()}"
        if self.end:
            return f"tot-{self.end.isoformat()}"
        if self.start:
            return f"vanaf-{self.start.isoformat()}"
        return None

    def as_of(self, today: date) -> date | None:
        """The day whose state the sheets show: the end of the period, None for today's state."""
        return self.end if self.end and self.end < today else None


# --- column sets of the other sheets ----------------------------------------------------


def _cols(*specs) -> list[Col]:
    return [Col(header, kind, width) for header, kind, width in specs]


RIE_COLS = _cols(
    (_l("Versie"), "int", 8),
    (_l("Huidige versie"), "bool", 10),
    (_l("Datum RI&E"), "date", None),
    (_l("Uitgevoerd door"), "text", 24),
    (_l("Intern of extern"), "text", 28),
    (_l("Instrument"), "text", 24),
    (_l("Erkend instrument"), "bool", 11),
    (_l("Herzieningstermijn (maanden)"), "int", 14),
    (_l("Herzien vóór"), "date", None),
    (_l("Hybride werken meegenomen"), "bool", 14),
    (_l("Toelichting hybride werken"), "longtext", 36),
    (_l("Thema's behandeld"), "longtext", 36),
    (_l("Thema's niet van toepassing (reden)"), "longtext", 40),
    (_l("Toetsing door"), "text", 24),
    (_l("Soort deskundige"), "text", 26),
    (_l("Registratienummer"), "text", 16),
    (_l("Getoetst op"), "date", None),
    (_l("Advies toetsing"), "longtext", 40),
    (_l("Soort toetsing"), "text", 18),
    (_l("Instemming OR/PVT"), "text", 26),
    (_l("Voorgelegd op"), "date", None),
    (_l("Besluit op"), "date", None),
    (_l("Opmerkingen OR/PVT"), "longtext", 36),
)
SESSION_COLS = _cols(
    (_l("Datum"), "date", None),
    (_l("Onderwerp"), "text", 34),
    (_l("Doelgroep"), "text", 20),
    (_l("Instructie leidinggevenden"), "bool", 14),
    (_l("Begintijd"), "time", 9),
    (_l("Eindtijd"), "time", 9),
    (_l("Locatie"), "text", 20),
    (_l("Presentator"), "text", 20),
    (_l("Organisator"), "text", 20),
    (_l("Herhaling"), "text", 16),
    (_l("Teams"), "text", 22),
    (_l("Risico's"), "longtext", 30),
    (_l("Maatregelen"), "longtext", 30),
    (_l("Aanwezig"), "int", 10),
    (_l("Afwezig"), "int", 10),
    (_l("Afgemeld"), "int", 10),
    (_l("Doelgroep (aantal)"), "int", 12),
    (_l("Opkomst"), "pct", 10),
)
ATTENDANCE_COLS = _cols(
    (_l("Datum"), "date", None),
    (_l("Bijeenkomst"), "text", 34),
    (_l("Medewerker"), "text", 28),
    (_l("Team"), "text", 22),
    (_l("Functie"), "text", 20),
    (_l("Status"), "text", 12),
)
EVALUATION_COLS = schema.columns(schema.EVALUATION_FIELDS)  # read back by excel/evaluations_import.py
ZELF_COLS = _cols(
    (_l("Nr"), "text", 6),
    (_l("Groep"), "text", 18),
    (_l("Vraag"), "longtext", 44),
    (_l("Belang"), "int", 8),
    (_l("Antwoord"), "text", 16),
    (_l("Hoe beantwoord"), "text", 14),
    (_l("Toelichting"), "longtext", 48),
    (_l("Bewijs"), "longtext", 40),
    (_l("Onderbouwing"), "longtext", 36),
    (_l("Beantwoord op"), "date", None),
)
POLICY_COLS = _cols(
    (_l("Soort"), "text", 26),
    (_l("Onderwerp"), "text", 34),
    (_l("Datum"), "date", None),
    (_l("Status"), "text", 14),
    (_l("Thema"), "text", 20),
    (_l("Team"), "text", 20),
    (_l("Bekendgemaakt op"), "date", None),
    (_l("Toelichting"), "longtext", 48),
)
AUDIT_COLS = _cols(
    (_l("Datum en tijd"), "datetime", None),
    (_l("Door"), "text", 22),
    (_l("Gegeven"), "text", 22),
    (_l("Record-id"), "int", 10),
    (_l("Actie"), "text", 12),
    (_l("Omschrijving"), "text", 36),
    (_l("Wijzigingen (oud → nieuw)"), "longtext", 60),
)


# --- the workbook -----------------------------------------------------------------------


def build(org, viewer: rows.Viewer, period: Period | None = None):
    """The evidence workbook as a rewound spooled file."""
    period = period or Period()
    with force_locale("nl"):
        wb = new_workbook()
        today = clock.today()
        day = period.as_of(today)
        lookups = Lookups(org, viewer)
        summary_sheet(wb, org, period, today, viewer)
        rie_sheet(wb, org, period)
        risks = asof.with_statuses(stream(_risks_stmt(org, day, viewer)), asof.risk_statuses(org, day))
        risk_sheet(wb, org, risks, viewer, lookups=lookups, as_of=day)
        measures = asof.with_statuses(
            stream(_measures_stmt(org, day, viewer)), asof.measure_statuses(org, day)
        )
        measure_sheet(wb, org, measures, viewer, day or today, lookups=lookups, as_of=day)
        sessions = _sessions_stmt(org, period)
        session_sheet(wb, org, stream(sessions), viewer, lookups=lookups)
        attendance_sheet(wb, org, sessions, viewer)
        evaluation_sheet(wb, org, period, lookups)
        zelfinspectie_sheet(wb, org, period, viewer)
        policy_sheet(wb, org, period, lookups)
        audit_sheet(wb, org, _audit_stmt(org, period), viewer, lookups=lookups)
        if viewer.can("manage"):
            # Only the beheerder's copy: with these the workbook can move the organisation.
            teams_sheet(wb, org)
            employees_sheet(wb, org)
        stamp.mark(wb, org, viewer, as_of=day)
        return save(wb)


def _risks_stmt(org, day: date | None, viewer, columns=rows.RISK_COLUMNS):
    """The risks as they existed at the end of the day (today's without one)."""
    return asof.risks_stmt(org, day, viewer, columns)


def _measures_stmt(org, day: date | None, viewer, columns=rows.MEASURE_COLUMNS):
    """The measures as they existed at the end of the day (today's without one)."""
    return asof.measures_stmt(org, day, viewer, columns)


def _sessions_stmt(org, period: Period):
    return (
        select(*rows.SESSION_COLUMNS)
        .where(
            VoorlichtingSession.organisation_id == org.id,
            VoorlichtingSession.deleted_at.is_(None),
            period.days(VoorlichtingSession.session_date),
        )
        .order_by(VoorlichtingSession.session_date, VoorlichtingSession.id)
    )


def _audit_stmt(org, period: Period):
    return (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == org.id, period.moments(AuditEntry.created_at))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )


# --- Samenvatting ---------------------------------------------------------------------------


def summary_sheet(wb, org, period: Period, today: date, viewer=None) -> None:
    """Organisation, date, key figures, and per theme where it stands in the cycle.

    With a period the figures are those as of its end date, counted from the same records as the
    sheets (riecycle.services.asof), so the summary and the sheets agree.
    """
    from riecycle.services import dashboard, plan_versions, voorlichting
    from riecycle.services import rie as rie_service

    # Two tables share the columns: the key figures (A-C), then the themes (A-J).
    sheet = SheetWriter(
        wb,
        str(SHEET_SAMENVATTING),
        _cols((_l("Onderdeel"), "text", 40), (_l("Waarde"), "text", 24), (_l("Toelichting"), "longtext", 48)),
        extra_widths=(*[15] * len(dashboard.STAGES), 20, 40),
    )
    day = period.as_of(today)
    rie = asof.current_rie(org, day)
    run = asof.latest_run(org, day)
    informed, total = voorlichting.coverage(org, on=day or today)
    plan_label, plan_status, plan_decided = _plan_facts(org, day, plan_versions)
    measures, open_, late, done = _measure_counts(org, day, today, viewer)
    risks, risks_by_theme = _risk_counts(org, day, viewer)
    facts = [
        (_l("Organisatie"), org.name, "text", org.sector),
        (_l("Datum export"), today, "date", None),
        (
            _l("Periode van"),
            period.start,
            "date",
            None if period.start else _("Geen begindatum: alles tot de einddatum."),
        ),
        (
            _l("Periode tot en met"),
            period.end,
            "date",
            _("Alle tabbladen tonen de stand op deze datum.")
            if day
            else (None if period.end else _("Geen einddatum: tot vandaag.")),
        ),
        (_l("Huidige RI&E"), rie.label if rie else _("Nog geen RI&E"), "text", None),
        (_l("Datum huidige RI&E"), rie.performed_on if rie else None, "date", None),
        (_l("RI&E herzien vóór"), rie.review_due_on if rie else None, "date", None),
        (_l("Toetsing (art. 14)"), None, "text", rie_service.exemption(org, rie).reason),
        (_l("Plan van Aanpak: laatste versie"), plan_label, "text", plan_status),
        (_l("Plan van Aanpak: instemming OR/PVT"), plan_decided, "date", None),
        (
            _l("Zelfinspectie: score"),
            run.score if run else None,
            "pct",
            None if run else _("Nog geen zelfinspectie uitgevoerd."),
        ),
        (_l("Zelfinspectie: datum"), run.run_on if run else None, "date", None),
        (
            _l("Voorlichting: bereik laatste 12 maanden"),
            voorlichting.pct(informed, total),
            "pct",
            _("%(i)s van %(t)s medewerkers", i=informed, t=total),
        ),
        (_l("Risico's"), risks, "int", None),
        (_l("Maatregelen"), measures, "int", None),
        (_l("Maatregelen open"), open_, "int", None),
        (_l("Maatregelen te laat"), late, "int", None),
        (_l("Maatregelen uitgevoerd of geëvalueerd"), done, "int", None),
    ]
    for name, value, kind, note in facts:
        sheet.plain_row([str(name), value, note], ["text", kind, "longtext"])
    sheet.plain_row([])
    stages = dashboard.STAGES
    sheet.header_row(
        [
            _l("Thema"),
            _l("In de RI&E"),
            _l("Risico's"),
            *[str(dashboard.STAGE_LABELS[s]) for s in stages],
            _l("Huidige stap"),
            _l("Reden niet van toepassing"),
        ]
    )
    stages_then = asof.theme_stages(org, day) if day else dashboard.theme_stages(org, today)
    for stage in stages_then:
        state = _("Van toepassing") if stage.applicable else _("Niet van toepassing")
        marks = [stage.reached.get(s, False) for s in stages]
        current = str(dashboard.STAGE_LABELS[stage.current]) if stage.current else _("Nog niet gestart")
        risk_count = risks_by_theme.get(stage.key, 0) if day else stage.risks
        sheet.plain_row(
            [stage.name, state, risk_count, *marks, current, stage.reason],
            ["text", "text", "int", *["bool"] * len(stages), "text", "longtext"],
        )
    if day:
        sheet.plain_row([])
        sheet.plain_row(
            [_("De stappen per thema en het aantal risico's tonen de stand op de einddatum.")],
            ["longtext"],
        )
    sheet.close()


def _plan_facts(org, day: date | None, plan_versions) -> tuple[str, str | None, date | None]:
    """The latest Plan van Aanpak version, its state with the OR/PVT and the date of the decision."""
    if day is None:
        plan = plan_versions.plan_state(org)
        if plan.latest is None:
            return _("Nog niet voorgelegd"), None, None
        approval = plan.approval(plan.latest)
        return plan.latest.label, plan.status_of(plan.latest)[1], approval.decided_on if approval else None
    latest = asof.latest_plan_version(org, day)
    if latest is None:
        return _("Nog niet voorgelegd"), None, None
    decision = asof.approval(plan_versions.SUBJECT, latest.id, day)
    if decision is None:
        status = _("Niet voorgelegd")
    elif decision.is_pending:
        status = _("Ligt voor bij de OR/PVT")
    else:
        status = label(decision.decision, "decision")
    return latest.label, status, decision.decided_on if decision else None


def _risk_counts(org, day: date | None, viewer) -> tuple[int, dict[str, int]]:
    """All risks, and per theme those that apply (status not nvt, as the dashboard counts them),
    of the same records and statuses as the Risico's sheet."""
    total, per_theme = 0, {}
    rows_ = stream(_risks_stmt(org, day, viewer, (Risk.id, Risk.theme_key, Risk.status)))
    for risk in asof.with_statuses(rows_, asof.risk_statuses(org, day)):
        total += 1
        if risk.status != RiskStatus.NVT:
            per_theme[risk.theme_key] = per_theme.get(risk.theme_key, 0) + 1
    return total, per_theme


def _measure_counts(org, day: date | None, today: date, viewer=None) -> tuple[int, int, int, int]:
    """Measures: all, open, overdue, and done (uitgevoerd or geëvalueerd), as the Plan sheet shows them."""
    total = open_ = late = done = 0
    statuses = asof.measure_statuses(org, day)
    columns = (Measure.id, Measure.status, Measure.termijn)
    for measure in asof.with_statuses(stream(_measures_stmt(org, day, viewer, columns)), statuses):
        status = measure.status
        total += 1
        open_ += status in OPEN_STATUSES
        late += overdue(status, measure.termijn, day or today)
        done += status in (MeasureStatus.UITGEVOERD, MeasureStatus.GEEVALUEERD)
    return total, open_, late, done


# --- RI&E -----------------------------------------------------------------------------------


def rie_sheet(wb, org, period: Period) -> None:
    """Every RI&E version with its themes, latest toetsing and the OR/PVT decision."""
    sheet = SheetWriter(wb, str(SHEET_RIE), RIE_COLS)
    themes = {t.key: t.name_nl for t in db.session.scalars(select(Theme))}
    day = period.as_of(clock.today())
    current = asof.current_rie(org, day)
    for rie in asof.rie_versions(org, day):
        entries = db.session.scalars(
            select(RieTheme).where(RieTheme.rie_id == rie.id, RieTheme.deleted_at.is_(None))
        ).all()
        covered = "; ".join(sorted(themes.get(e.theme_key, e.theme_key) for e in entries if e.applicable))
        not_applicable = "\n".join(
            f"{themes.get(e.theme_key, e.theme_key)}: {e.reason or ''}" for e in entries if not e.applicable
        )
        toetsing = asof.toetsing(rie, day)
        approval = asof.approval("rie", rie.id, day)
        sheet.row(
            [
                rie.version,
                current is not None and rie.id == current.id,
                rie.performed_on,
                rie.performed_by,
                label(rie.performed_by_kind, "performed_by_kind"),
                rie.instrument,
                rie.instrument_erkend,
                rie.review_interval_months,
                rie.review_due_on,
                rie.hybrid_work_considered,
                rie.hybrid_work_notes,
                covered or None,
                not_applicable or None,
                toetsing.expert_name if toetsing else None,
                label(toetsing.expert_kind, "expert_kind") if toetsing else None,
                toetsing.registration if toetsing else None,
                toetsing.tested_on if toetsing else None,
                toetsing.advice_summary if toetsing else None,
                toetsing.toets_type if toetsing else None,
                label(approval.decision, "decision") if approval else _("Niet voorgelegd"),
                approval.submitted_on if approval else None,
                approval.decided_on if approval else None,
                approval.remarks if approval else None,
            ]
        )
    sheet.close()


# --- risks and measures (importable) ---------------------------------------------------------


def risk_sheet(
    wb, org, risks, viewer: rows.Viewer, title: str | None = None, lookups=None, as_of: date | None = None
) -> None:
    """The Risico's sheet: every risk (ORM objects or rows) with its current and its first evaluation
    (as of a day: the evaluations by then)."""
    sheet = SheetWriter(wb, title or str(schema.RISKS_SHEET), schema.columns(schema.RISK_FIELDS))
    links = rows.RiskLinks.load(org, lookups or Lookups(org, viewer), as_of)
    for risk in risks:
        sheet.row(rows.risk_row(risk, links))
    sheet.close()


def measure_sheet(
    wb,
    org,
    measures,
    viewer: rows.Viewer,
    today: date,
    title: str | None = None,
    lookups=None,
    as_of: date | None = None,
) -> None:
    """The Plan van aanpak sheet: measures with their risks, status dates and responsible person
    (as of a day: the status dates by then; `today` is then that day)."""
    sheet = SheetWriter(wb, title or str(schema.MEASURES_SHEET), schema.columns(schema.MEASURE_FIELDS))
    links = rows.MeasureLinks.load(org, lookups or Lookups(org, viewer), as_of)
    for measure in measures:
        sheet.row(rows.measure_row(measure, links, viewer, today))
    sheet.close()


# --- voorlichting -----------------------------------------------------------------------------


def session_sheet(wb, org, sessions, viewer: rows.Viewer, lookups=None) -> None:
    """Every voorlichting session (ORM objects or rows) with its audience and attendance counts."""
    sheet = SheetWriter(wb, str(SHEET_VOORLICHTING), SESSION_COLS)
    lookups = lookups or Lookups(org, viewer)
    links = rows.SessionLinks.load(org)
    for session in sessions:
        sheet.row(rows.session_row(session, links, lookups))
    sheet.close()


def attendance_sheet(wb, org, sessions_stmt, viewer: rows.Viewer) -> None:
    """The attendance register: who was present at which session."""
    sheet = SheetWriter(wb, str(SHEET_AANWEZIGHEID), ATTENDANCE_COLS)
    if not viewer.attendance:
        sheet.plain_row([None, _("De presentielijst is niet zichtbaar voor uw rol.")])
        sheet.close()
        return
    labels = Labels()
    for row in stream(_attendance_stmt(org, sessions_stmt)):
        sheet.row([*row[:-1], labels.label(row[-1], "attendance")])
    sheet.close()


def _attendance_stmt(org, sessions_stmt):
    """Date, session, employee, team, function and status of each attendance in the sessions."""
    session_ids = sessions_stmt.with_only_columns(VoorlichtingSession.id).order_by(None)
    return (
        select(
            VoorlichtingSession.session_date,
            VoorlichtingSession.topic,
            Employee.name,
            Team.name,
            Employee.function,
            Attendance.status,
        )
        .select_from(Attendance)
        .join(VoorlichtingSession, VoorlichtingSession.id == Attendance.session_id)
        .join(Employee, Employee.id == Attendance.employee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(
            Attendance.organisation_id == org.id,
            Attendance.deleted_at.is_(None),
            Attendance.session_id.in_(session_ids),
        )
        .order_by(VoorlichtingSession.session_date, VoorlichtingSession.id, Employee.name, Attendance.id)
    )


# --- teams and staff (the beheerder's copy) ----------------------------------------------------


def teams_sheet(wb, org) -> None:
    """The Teams sheet in the teams import's format (excel/teams_import.py), parents first."""
    sheet = SheetWriter(wb, str(schema.TEAMS_SHEET), schema.columns(schema.TEAM_FIELDS))
    teams = db.session.scalars(
        select(Team)
        .where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        .order_by(Team.name, Team.id)
    ).all()
    by_id = {t.id: t for t in teams}
    written: set[int] = set()

    def write(team) -> None:
        if team.id in written:
            return
        written.add(team.id)
        parent = by_id.get(team.parent_id)
        if parent is not None:
            write(parent)
        manager = team.manager
        sheet.row(
            [
                team.name,
                label(team.kind, "team_kind"),
                parent.name if parent is not None else None,
                manager.email if manager is not None else None,
            ]
        )

    for team in teams:
        write(team)
    sheet.close()


def employees_sheet(wb, org) -> None:
    """The Medewerkers sheet in the teams import's format."""
    sheet = SheetWriter(wb, str(schema.EMPLOYEES_SHEET), schema.columns(schema.EMPLOYEE_FIELDS))
    for name, team, email, function, start, end, leader in stream(
        select(
            Employee.name,
            Team.name,
            Employee.email,
            Employee.function,
            Employee.start_date,
            Employee.end_date,
            Employee.is_leidinggevende,
        )
        .join(Team, Team.id == Employee.team_id)
        .where(Employee.organisation_id == org.id, Employee.deleted_at.is_(None), Team.deleted_at.is_(None))
        .order_by(Team.name, Employee.name, Employee.id)
    ):
        sheet.row([name, team, email, function, start, end, bool(leader)])
    sheet.close()


# --- evaluaties ---------------------------------------------------------------------------------


def evaluation_sheet(wb, org, period: Period, lookups: Lookups) -> None:
    """Evaluations of measures and themes, planned or done within the period."""
    sheet = SheetWriter(wb, str(SHEET_EVALUATIES), EVALUATION_COLS)
    follow_ups = grouped(
        select(evaluation_follow_ups.c.evaluation_id, evaluation_follow_ups.c.measure_id)
        .join(Evaluation, Evaluation.id == evaluation_follow_ups.c.evaluation_id)
        .where(Evaluation.organisation_id == org.id)
        .order_by(evaluation_follow_ups.c.evaluation_id, evaluation_follow_ups.c.measure_id)
    )
    factors = _evaluation_factors(org)
    day = period.as_of(clock.today())
    for evaluation in stream(_evaluations_stmt(org, period, day)):
        done = not (day and evaluation.done_on and evaluation.done_on > day)
        if not done:
            evaluation = asof.AsOfRow(evaluation, **dict.fromkeys(DONE_FIELDS))  # not yet done then
        row = _evaluation_row(evaluation, follow_ups.get(evaluation.id, []), lookups)
        sheet.row([*row, factors.get(evaluation.id) if done else None])
    sheet.close()


# What an evaluation records when it is done: empty as of a day before it was done.
DONE_FIELDS = ("done_on", "effect", "implementation_rating", "satisfaction", "conclusion", "policy_adjusted")


def _evaluation_factors(org) -> dict:
    """evaluation id -> 'factor: score; ...': the factors an effect measurement asked (E22)."""
    from riecycle.models import EvaluationFactorScore, Factor

    rows = grouped(
        select(EvaluationFactorScore.evaluation_id, Factor.name_nl, EvaluationFactorScore.score)
        .join(Evaluation, Evaluation.id == EvaluationFactorScore.evaluation_id)
        .join(Factor, Factor.key == EvaluationFactorScore.factor_key)
        .where(Evaluation.organisation_id == org.id)
        .order_by(EvaluationFactorScore.evaluation_id, Factor.position)
    )
    return {key: "; ".join(f"{name}: {score:.1f}" for name, score in values) for key, values in rows.items()}


def _evaluations_stmt(org, period: Period, day: date | None = None):
    return (
        select(
            Evaluation.id,
            Evaluation.kind,
            Evaluation.measure_id,
            Evaluation.theme_key,
            Evaluation.planned_on,
            Evaluation.method,
            Evaluation.is_repeat_measurement,
            Evaluation.responsible_id,
            Evaluation.done_on,
            Evaluation.effect,
            Evaluation.implementation_rating,
            Evaluation.satisfaction,
            Evaluation.conclusion,
            Evaluation.policy_adjusted,
        )
        .where(
            Evaluation.organisation_id == org.id,
            asof.existed(Evaluation, day),
            or_(period.days(Evaluation.planned_on), period.days(Evaluation.done_on)),
        )
        .order_by(Evaluation.planned_on, Evaluation.id)
    )


def _evaluation_row(evaluation, follow_ups: list, lookups: Lookups) -> list:
    """One evaluation; the conclusion is left out where its measure is pseudonymised."""
    labels, measure_id = lookups.labels, evaluation.measure_id
    follow_up_titles = (lookups.measure_title(m) for m in follow_ups)
    return [
        labels.label(evaluation.kind, "evaluation_kind"),
        lookups.measure_reference(measure_id),
        lookups.measure_title(measure_id),
        lookups.themes.get(evaluation.theme_key) if evaluation.theme_key else None,
        evaluation.planned_on,
        labels.label(evaluation.method, "evaluation_method"),
        evaluation.is_repeat_measurement,
        lookups.user(evaluation.responsible_id),
        evaluation.done_on,
        labels.label(evaluation.effect, "effect") if evaluation.effect else None,
        evaluation.implementation_rating,
        evaluation.satisfaction,
        evaluation.conclusion if lookups.measure_visible(measure_id) else None,
        evaluation.policy_adjusted,
        "\n".join(t for t in follow_up_titles if t is not None) or None,
    ]


# --- zelfinspectie ------------------------------------------------------------------------------


def zelfinspectie_sheet(wb, org, period: Period, viewer=None) -> None:
    """The latest self-inspection run (up to the end of the period): answer, explanation, evidence."""
    from riecycle.services import zelfinspectie

    sheet = SheetWriter(wb, str(SHEET_ZELFINSPECTIE), ZELF_COLS)
    run = asof.latest_run(org, period.as_of(clock.today()))
    if run is None:
        sheet.plain_row([None, None, _("Nog geen zelfinspectie uitgevoerd.")])
        sheet.close()
        return
    checklist = zelfinspectie.load_checklist()
    run = masked_run(run, viewer)
    for item in run.items:
        evidence = zelfinspectie.evidence_text(item)
        answered = item.get("answered_on")
        sheet.row(
            [
                item.get("id"),
                checklist.group_name(item.get("group"), "nl"),
                item.get("question"),
                item.get("importance"),
                label(item.get("answer"), "checklist_answer"),
                label(item.get("source"), "answer_source"),
                # A hand answer that differs from the automatic one stands on its justification.
                None
                if item.get("justification") and item.get("answer") != item.get("auto_answer")
                else item.get("explanation"),
                evidence,
                item.get("justification"),
                date.fromisoformat(answered) if answered else run.run_on,
            ]
        )
    sheet.close()


# --- beleid en meldingen ------------------------------------------------------------------------


def _fmt_day(day) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _vp_details(instrument) -> str | None:
    """The instrument's toelichting, plus for the vertrouwenspersoon what an inspector asks."""
    if instrument.kind != InstrumentKind.VERTROUWENSPERSOON:
        return instrument.details
    facts = [
        _("Opgeleid op %(d)s", d=_fmt_day(instrument.trained_on))
        if instrument.trained_on
        else (_("Opgeleid") if instrument.trained else _("Opleiding niet vastgelegd")),
        _("Anoniem bereikbaar") if instrument.anonymous_contact else _("Anoniem contact niet vastgelegd"),
        _("Jaarverslag over %(y)s", y=instrument.annual_report_year)
        if instrument.annual_report_year
        else _("Geen jaarverslag vastgelegd"),
    ]
    return "\n".join(filter(None, [instrument.details, "; ".join(facts)]))


def _appointment_details(appointment) -> str:
    hours = _("%(n)s uur per week", n=appointment.hours_per_week) if appointment.hours_per_week else ""
    training = (
        _("Opleiding: %(t)s %(d)s", t=appointment.training, d=_fmt_day(appointment.trained_on)).strip()
        if appointment.training
        else _("Opleiding niet vastgelegd")
    )
    return "; ".join(filter(None, [hours, training]))


def policy_sheet(wb, org, period: Period, lookups: Lookups) -> None:
    """Policy instruments, the preventiemedewerker, meldingen and their analyses, in one filterable table."""
    from riecycle.services import policy

    sheet = SheetWriter(wb, str(SHEET_BELEID_EN_MELDINGEN), POLICY_COLS)
    day = period.as_of(clock.today())
    today = day or clock.today()
    for instrument in db.session.scalars(
        select(PolicyInstrument)
        .where(PolicyInstrument.organisation_id == org.id, asof.existed(PolicyInstrument, day))
        .order_by(PolicyInstrument.kind, PolicyInstrument.id)
    ):
        sheet.row(
            [
                policy.kind_name(instrument.kind),
                instrument.name,
                instrument.adopted_on,
                label(instrument.status, "instrument_status"),
                None,
                None,
                instrument.made_known_on(today),
                _vp_details(instrument),
            ]
        )
    for appointment in db.session.scalars(
        select(PreventiemedewerkerAppointment)
        .where(
            PreventiemedewerkerAppointment.organisation_id == org.id,
            asof.existed(PreventiemedewerkerAppointment, day),
            PreventiemedewerkerAppointment.since <= day if day else and_(True),
        )
        .order_by(PreventiemedewerkerAppointment.since)
    ):
        consent = (
            _("Instemming OR/PVT op %(d)s", d=appointment.or_instemming_on.strftime("%d-%m-%Y"))
            if appointment.or_instemming_on and appointment.or_instemming_on <= today
            else _("Geen instemming OR/PVT vastgelegd")
        )
        sheet.row(
            [
                _("Preventiemedewerker"),
                appointment.person,
                appointment.since,
                _("Actief") if appointment.is_active(today) else _("Beëindigd"),
                None,
                None,
                None,
                "\n".join(filter(None, [consent, _appointment_details(appointment)])),
            ]
        )
    for contract in policy.contracts(org):
        if day and contract.since and contract.since > day:
            continue  # not yet contracted on the end date
        sheet.row(
            [
                _("Basiscontract arbodienst"),
                contract.provider,
                contract.since,
                _("Actief") if contract.is_active(today) else _("Beëindigd"),
                None,
                None,
                None,
                contract.notes,
            ]
        )
    for row in _incident_rows(org, period, lookups):
        sheet.row(row)
    for analysis in db.session.scalars(
        select(IncidentAnalysis)
        .where(
            IncidentAnalysis.organisation_id == org.id,
            IncidentAnalysis.deleted_at.is_(None),
            period.days(IncidentAnalysis.analysed_on),
        )
        .order_by(IncidentAnalysis.analysed_on)
    ):
        sheet.row(
            [
                _("Analyse meldingen"),
                _(
                    "Periode %(s)s – %(e)s",
                    s=analysis.period_start.strftime("%d-%m-%Y"),
                    e=analysis.period_end.strftime("%d-%m-%Y"),
                ),
                analysis.analysed_on,
                _("Besproken met OR/PVT") if analysis.discussed_with_or else None,
                None,
                None,
                None,
                analysis.conclusions,
            ]
        )
    sheet.close()


def _incident_rows(org, period: Period, lookups: Lookups):
    """The meldingen within the period, as rows of the Beleid en meldingen sheet."""
    stmt = (
        select(
            Incident.party,
            Incident.occurred_on,
            Incident.opvang_done,
            Incident.theme_key,
            Incident.team_id,
            Incident.description,
            Incident.follow_up,
            Incident.measure_id,
        )
        .where(
            Incident.organisation_id == org.id,
            Incident.deleted_at.is_(None),
            period.days(Incident.occurred_on),
        )
        .order_by(Incident.occurred_on, Incident.id)
    )
    hidden = _(
        "Afgeschermd: alleen zichtbaar voor preventiemedewerker, beheerder en leidinggevende van het team."
    )
    for incident in stream(stmt):
        readable = lookups.viewer.sees_employee(incident.team_id)
        yield [
            _("Melding"),
            lookups.labels.label(incident.party, "incident_party"),
            incident.occurred_on,
            _("Opvang geboden") if incident.opvang_done else _("Geen opvang vastgelegd"),
            lookups.themes.get(incident.theme_key, incident.theme_key),
            lookups.team_names.get(incident.team_id),
            None,
            "\n".join(
                filter(
                    None,
                    [
                        incident.description if readable else hidden,
                        incident.follow_up if readable else None,
                        lookups.measure_title(incident.measure_id),
                    ],
                )
            ),
        ]


# --- audit log ------------------------------------------------------------------------------------


def audit_sheet(wb, org, stmt, viewer: rows.Viewer, lookups=None) -> None:
    """The audit trail for the period; personal entries pseudonymised for viewers without that right."""
    sheet = SheetWriter(wb, str(SHEET_AUDIT_LOG), AUDIT_COLS)
    if not viewer.audit:
        sheet.plain_row([None, None, _("Het audit log is alleen zichtbaar voor de beheerder en de auditor.")])
        sheet.close()
        return
    audit_rows = rows.AuditRows(lookups or Lookups(org, viewer))
    for entry in stream(stmt.with_only_columns(*rows.AUDIT_COLUMNS)):
        sheet.row(audit_rows.row(entry))
    sheet.close()
