"""The reminder engine: which reminders are due, and delivering each exactly once.

Protocol for one reminder (a `Due`):

1. **Claim.** ``INSERT INTO reminder_ledger ... ON CONFLICT (rule, object_type, object_id,
   due_date, recipient_key) DO NOTHING RETURNING id``. The in-app Notification is added in the
   same transaction, then the transaction COMMITS before anything is mailed. Of two passes
   racing for the same key only the one whose INSERT returned an id goes on; on PostgreSQL the
   loser's INSERT waits for the winner's commit and then does nothing, on SQLite writers are
   serialised. So the in-app notification exists exactly once, always.
2. **Send.** The message text was rendered into the ledger row at claim time; the mail is sent
   from that row (an invitation gets its .ics rebuilt from the session).
3. **Mark sent.** ``status='sent', sent_at=now`` is committed right after the SMTP server
   accepted the message, one row at a time.

A pass that dies between 1 and 3 leaves a row in status ``claimed``. The next pass re-sends
rows that have been claimed for longer than REMINDER_RETRY_AFTER_MINUTES (default 5; a live
pass needs seconds), taking over each row with a compare-and-set on ``attempts`` so two
passes never retry the same row. After REMINDER_MAX_ATTEMPTS failed deliveries a row becomes
``failed`` and is shown in the reminder log.

The one window we cannot close: the SMTP server accepted the message but the process died
before step 3 committed (milliseconds). The next pass then sends that one message again.
SMTP has no two-phase commit, so "exactly once" here means: never twice except after a crash
inside that window, and never lost.

Catch-up: a rule yields every reminder whose due date is <= today and still inside the
lookback window (REMINDER_LOOKBACK_DAYS, default 14). Whatever fell due while the scheduler was
down is therefore sent by the next pass, once, because its key is then in the ledger.
"""

import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.routing import BuildError

from riecycle import clock, mail
from riecycle.extensions import db
from riecycle.filters import fmt_date
from riecycle.models import (
    Approval,
    Employee,
    Evaluation,
    Measure,
    Membership,
    Notification,
    Organisation,
    ReminderLedger,
    Rie,
    User,
    VoorlichtingSession,
)
from riecycle.models.measure import OPEN_STATUSES
from riecycle.services import voorlichting

KEY_COLUMNS = ("rule", "object_type", "object_id", "due_date", "recipient_key")
EDITOR_ROLES = ("beheerder", "preventiemedewerker")


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


@dataclass
class Due:
    """One reminder for one recipient; `render` builds (subject, lines, path) in their language."""

    rule: str
    org: Organisation
    object_type: str
    object_id: int
    due_date: date
    recipient: User | Employee
    render: Callable[[], tuple[str, list[str], str | None]]

    @property
    def recipient_key(self) -> str:
        prefix = "u" if isinstance(self.recipient, User) else "e"
        return f"{prefix}{self.recipient.id}"

    @property
    def key(self) -> tuple:
        return (self.rule, self.object_type, self.object_id, self.due_date, self.recipient_key)


@dataclass
class PassReport:
    """What one pass did: sent lines for the CLI, and counters."""

    lines: list[str] = field(default_factory=list)
    claimed: int = 0
    mailed: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, entry: ReminderLedger, what: str) -> None:
        self.lines.append(
            f"{what}: {entry.rule} {entry.object_type}#{entry.object_id} ({entry.due_date.isoformat()}) "
            f"-> {entry.recipient_email or entry.recipient_key} [{entry.channel}]"
        )


# --- helpers -------------------------------------------------------------------


def _path(org, candidates: tuple[str, ...], **values) -> str | None:
    """The first endpoint of `candidates` that exists, as a path; areas may not be built yet."""
    for endpoint in candidates:
        try:
            return url_for(endpoint, org_slug=org.slug, **values)
        except BuildError:
            continue
    return None


def _measure_path(org, measure) -> str | None:
    return _path(org, ("plan.detail",), measure_id=measure.id) or _path(org, ("plan.index",))


def _members(org, roles=None) -> list[User]:
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id, User.active.is_(True))
    )
    if roles:
        stmt = stmt.where(Membership.role.in_(roles))
    return list(db.session.scalars(stmt.order_by(User.id)))


def _reachable(org, user: User | None) -> bool:
    return user is not None and user.active and user.membership_for(org.id) is not None


def _unique(users) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            result.append(user)
    return result


# --- rules ---------------------------------------------------------------------
# Each rule yields the reminders due on `today` (within the lookback window).


def rule_measure_termijn(org, today: date, lookback: int) -> Iterator[Due]:
    """A measure's termijn is 14 days away, then 1 day away (only the nearer one after downtime)."""
    measures = db.session.scalars(
        select(Measure).where(
            Measure.organisation_id == org.id,
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Measure.termijn >= today,
            Measure.termijn <= today + timedelta(days=14),
        )
    )
    for measure in measures:
        days = 14 if measure.termijn > today + timedelta(days=1) else 1
        if not _reachable(org, measure.responsible):
            continue

        def render(m=measure, d=days):
            subject = (
                _("Termijn over 14 dagen: %(t)s", t=m.title)
                if d == 14
                else _("Termijn morgen: %(t)s", t=m.title)
            )
            lines = [
                _("De termijn van de maatregel '%(t)s' is %(d)s.", t=m.title, d=fmt_date(m.termijn, "long")),
                _("Werk de status of de voortgang bij in het Plan van Aanpak."),
            ]
            return subject, lines, _measure_path(org, m)

        yield Due(
            f"measure_termijn_{days}d",
            org,
            "measure",
            measure.id,
            measure.termijn - timedelta(days=days),
            measure.responsible,
            render,
        )


def rule_measure_overdue(org, today: date, lookback: int) -> Iterator[Due]:
    """An open measure past its termijn: the day after, then weekly, at most REMINDER_OVERDUE_LIMIT times."""
    limit = _setting("REMINDER_OVERDUE_LIMIT", 6)
    measures = db.session.scalars(
        select(Measure).where(
            Measure.organisation_id == org.id,
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Measure.termijn < today,
            Measure.termijn >= today - timedelta(days=7 * limit + 1),
        )
    )
    for measure in measures:
        week = (today - measure.termijn - timedelta(days=1)).days // 7
        if week >= limit or not _reachable(org, measure.responsible):
            continue

        def render(m=measure, n=week + 1):
            subject = _("Termijn verstreken: %(t)s", t=m.title)
            lines = [
                _(
                    "De termijn van de maatregel '%(t)s' was %(d)s en de maatregel is nog niet uitgevoerd.",
                    t=m.title,
                    d=fmt_date(m.termijn, "long"),
                ),
                _(
                    "Dit is herinnering %(n)s van %(l)s. Zet de maatregel op uitgevoerd of stel de termijn "
                    "bij met een reden.",
                    n=n,
                    l=limit,
                ),
            ]
            return subject, lines, _measure_path(org, m)

        yield Due(
            "measure_overdue",
            org,
            "measure",
            measure.id,
            measure.termijn + timedelta(days=1 + 7 * week),
            measure.responsible,
            render,
        )


def _session_lines(s: VoorlichtingSession) -> list[str]:
    when = fmt_date(s.session_date, "full")
    if s.start_time:
        when += (
            " " + s.start_time.strftime("%H:%M") + (f"–{s.end_time.strftime('%H:%M')}" if s.end_time else "")
        )
    lines = [_("Wanneer: %(w)s", w=when)]
    if s.location:
        lines.append(_("Waar: %(l)s", l=s.location))
    if s.online_link:
        lines.append(_("Online: %(l)s", l=s.online_link))
    if s.presenter:
        lines.append(_("Door: %(p)s", p=s.presenter))
    return lines


def rule_session(org, today: date, lookback: int) -> Iterator[Due]:
    """A session 7 days away: a reminder to the organiser and an invitation (.ics) to the audience."""
    sessions = db.session.scalars(
        select(VoorlichtingSession).where(
            VoorlichtingSession.organisation_id == org.id,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= today,
            VoorlichtingSession.session_date <= today + timedelta(days=7),
        )
    )
    for session in sessions:
        due = session.session_date - timedelta(days=7)
        path = _path(org, ("voorlichting.session_detail",), session_id=session.id)
        if _reachable(org, session.organiser):

            def render(s=session, p=path):
                lines = [
                    _("Over een week is de voorlichting '%(t)s'.", t=s.topic),
                    *_session_lines(s),
                    _("De deelnemers krijgen vandaag een uitnodiging. Leg na afloop de aanwezigheid vast."),
                ]
                return _("Voorlichting over 7 dagen: %(t)s", t=s.topic), lines, p

            yield Due("session_7d", org, "session", session.id, due, session.organiser, render)
        for employee in voorlichting.audience_employees(session):
            if not employee.email:
                continue

            def invite(s=session, e=employee):
                lines = [
                    _("Beste %(n)s,", n=e.name),
                    "",
                    _("U bent uitgenodigd voor de voorlichting '%(t)s' van %(o)s.", t=s.topic, o=org.name),
                    *_session_lines(s),
                    "",
                    _("De bijlage zet de bijeenkomst in uw agenda."),
                    *([s.description] if s.description else []),
                ]
                return _("Uitnodiging: %(t)s", t=s.topic), lines, None

            yield Due("session_invitation", org, "session", session.id, due, employee, invite)


def rule_evaluation_due(org, today: date, lookback: int) -> Iterator[Due]:
    """A planned evaluation has reached its date and is not done."""
    evaluations = db.session.scalars(
        select(Evaluation).where(
            Evaluation.organisation_id == org.id,
            Evaluation.deleted_at.is_(None),
            Evaluation.done_on.is_(None),
            Evaluation.planned_on <= today,
            Evaluation.planned_on > today - timedelta(days=lookback),
        )
    )
    for evaluation in evaluations:
        owner = evaluation.responsible or (evaluation.measure.responsible if evaluation.measure else None)
        recipients = [owner] if _reachable(org, owner) else _members(org, ("preventiemedewerker",))
        for user in recipients:

            def render(ev=evaluation):
                what = ev.measure.title if ev.measure else (ev.theme_key or "")
                lines = [
                    _(
                        "De evaluatie van '%(w)s' staat gepland op %(d)s.",
                        w=what,
                        d=fmt_date(ev.planned_on, "long"),
                    ),
                    _(
                        "Evalueer het effect op het knelpunt en hoe de uitvoering ging, en leg de uitkomst vast."
                    ),
                ]
                return (
                    _("Evaluatie gepland: %(w)s", w=what),
                    lines,
                    _path(org, ("evaluatie.detail",), evaluation_id=ev.id),
                )

            yield Due("evaluation_due", org, "evaluation", evaluation.id, evaluation.planned_on, user, render)


def rule_rie_review(org, today: date, lookback: int) -> Iterator[Due]:
    """The current RI&E's review date (performed_on + review interval) is within 90 days."""
    rie = db.session.scalar(
        select(Rie).where(Rie.organisation_id == org.id, Rie.deleted_at.is_(None), Rie.is_current.is_(True))
    )
    if rie is None:
        return
    review = voorlichting.add_months(rie.performed_on, rie.review_interval_months or 36)
    due = review - timedelta(days=90)
    if not (due <= today and review >= today - timedelta(days=lookback)):
        return
    for user in _members(org, EDITOR_ROLES):

        def render(r=rie, when=review):
            lines = [
                _(
                    "De RI&E (versie %(v)s) moet uiterlijk %(d)s worden herzien.",
                    v=r.version,
                    d=fmt_date(when, "long"),
                ),
                _("Plan de herziening, en betrek de OR/PVT en de toetsing."),
            ]
            return _("RI&E herzien vóór %(d)s", d=fmt_date(when, "long")), lines, _path(org, ("rie.index",))

        yield Due("rie_review", org, "rie", rie.id, due, user, render)


def rule_pva_review(org, today: date, lookback: int) -> Iterator[Due]:
    """The yearly discussion of the PvA progress, on the 1st of the organisation's review month."""
    month = org.pva_review_month if 1 <= (org.pva_review_month or 0) <= 12 else 2
    due = date(today.year, month, 1)
    if due > today:
        due = date(today.year - 1, month, 1)
    if (today - due).days > lookback:
        return
    for user in _members(org, EDITOR_ROLES):

        def render(d=due):
            lines = [
                _("Het is tijd voor de jaarlijkse bespreking van de voortgang van het Plan van Aanpak."),
                _("Bespreek welke maatregelen zijn uitgevoerd, wat het effect was en wat u bijstelt."),
            ]
            return (
                _("Jaarlijkse voortgangsbespreking Plan van Aanpak (%(y)s)", y=d.year),
                lines,
                _path(org, ("plan.index",)),
            )

        yield Due("pva_review", org, "organisation", org.id, due, user, render)


def rule_or_pending(org, today: date, lookback: int) -> Iterator[Due]:
    """An OR/PVT decision has been pending for more than 30 days."""
    approvals = db.session.scalars(
        select(Approval).where(
            Approval.organisation_id == org.id,
            Approval.deleted_at.is_(None),
            Approval.decision.is_(None),
            Approval.submitted_on < today - timedelta(days=30),
            Approval.submitted_on >= today - timedelta(days=31 + lookback),
        )
    )
    for approval in approvals:
        submitter = db.session.get(User, approval.submitted_by_id) if approval.submitted_by_id else None
        recipients = _unique([submitter if _reachable(org, submitter) else None, *_members(org, ("or_lid",))])
        subject_path = _path(org, ("rie.index",) if approval.subject_type == "rie" else ("plan.index",))
        for user in recipients:

            def render(a=approval, p=subject_path):
                what = _("de RI&E") if a.subject_type == "rie" else _("het Plan van Aanpak")
                lines = [
                    _(
                        "Op %(d)s is %(w)s voorgelegd aan de OR/PVT. Er is nog geen besluit.",
                        d=fmt_date(a.submitted_on, "long"),
                        w=what,
                    ),
                    _("Leg het besluit (instemming, weigering of advies) met datum vast."),
                ]
                return _("Besluit OR/PVT staat al meer dan 30 dagen open"), lines, p

            yield Due(
                "or_pending",
                org,
                "approval",
                approval.id,
                approval.submitted_on + timedelta(days=31),
                user,
                render,
            )


def rule_newcomer(org, today: date, lookback: int) -> Iterator[Due]:
    """A new employee has had no voorlichting within N weeks of starting."""
    weeks = voorlichting.newcomer_weeks(org)
    editors = _members(org, ("preventiemedewerker",)) or _members(org, ("beheerder",))
    window_start = today - timedelta(weeks=weeks, days=lookback)
    employees = db.session.scalars(
        select(Employee).where(
            Employee.organisation_id == org.id,
            voorlichting.current_staff_filter(today),
            Employee.start_date.is_not(None),
            Employee.start_date > window_start,
            Employee.start_date <= today - timedelta(weeks=weeks),
        )
    )
    present = voorlichting.presence_dates(org, window_start, today)
    for employee in employees:
        if any(day >= employee.start_date for day in present.get(employee.id, ())):
            continue
        manager = employee.team.manager if employee.team else None
        for user in _unique([manager if _reachable(org, manager) else None, *editors]):

            def render(e=employee, w=weeks):
                lines = [
                    _(
                        "%(n)s is op %(d)s begonnen en heeft na %(w)s weken nog geen voorlichting over "
                        "werkstress en PSA gehad.",
                        n=e.name,
                        d=fmt_date(e.start_date, "long"),
                        w=w,
                    ),
                    _("Nodig de nieuwe medewerker uit voor een nieuwkomersbijeenkomst of een gesprek."),
                ]
                return (
                    _("Nieuwe medewerker zonder voorlichting: %(n)s", n=e.name),
                    lines,
                    _path(org, ("voorlichting.index",)),
                )

            yield Due(
                "newcomer_no_voorlichting",
                org,
                "employee",
                employee.id,
                employee.start_date + timedelta(weeks=weeks),
                user,
                render,
            )


RULES = {
    "measure_termijn": rule_measure_termijn,
    "measure_overdue": rule_measure_overdue,
    "session": rule_session,
    "evaluation_due": rule_evaluation_due,
    "rie_review": rule_rie_review,
    "pva_review": rule_pva_review,
    "or_pending": rule_or_pending,
    "newcomer": rule_newcomer,
}


def due_reminders(org, today: date, lookback: int | None = None) -> list[Due]:
    """Every reminder due for one organisation on `today` (whether or not already sent)."""
    lookback = lookback if lookback is not None else _setting("REMINDER_LOOKBACK_DAYS", 14)
    return [due for rule in RULES.values() for due in rule(org, today, lookback)]


# --- claim, deliver, retry ------------------------------------------------------


def _insert(values: dict):
    """INSERT ... ON CONFLICT (ledger key) DO NOTHING RETURNING id, for this database."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(ReminderLedger)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(KEY_COLUMNS))
        .returning(ReminderLedger.id)
    )
    return db.session.execute(stmt).scalar()


def _absolute(path: str | None) -> str | None:
    return current_app.config["BASE_URL"].rstrip("/") + path if path else None


def _channel(recipient) -> str:
    if not isinstance(recipient, User):
        return "invitation"
    return {"direct": "mail", "digest": "digest"}.get(recipient.notify_mode, "app")


def _body(recipient, lines: list[str], path: str | None, channel: str) -> str:
    template = "mail/session_invitation.txt" if channel == "invitation" else "mail/reminder.txt"
    return render_template(
        template,
        recipient=recipient,
        lines=lines,
        link=_absolute(path),
        account_link=_absolute(url_for("account.settings")),
    )


def claim(due: Due) -> ReminderLedger | None:
    """Record the reminder (and its in-app notification) and commit; None when already claimed."""
    user = due.recipient if isinstance(due.recipient, User) else None
    channel = _channel(due.recipient)
    with force_locale(user.locale if user else current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, lines, path = due.render()
        body = _body(due.recipient, lines, path, channel)
    mails_now = channel in ("mail", "invitation")
    ledger_id = _insert(
        {
            "organisation_id": due.org.id,
            "rule": due.rule,
            "object_type": due.object_type,
            "object_id": due.object_id,
            "due_date": due.due_date,
            "recipient_key": due.recipient_key,
            "recipient_user_id": user.id if user else None,
            "recipient_employee_id": None if user else due.recipient.id,
            "recipient_email": due.recipient.email,
            "channel": channel,
            "subject": subject[:300],
            "body": body,
            "link": path,
            "status": "claimed" if mails_now else "sent",
            "claimed_at": clock.now(),
            "sent_at": None if mails_now else clock.now(),
            "attempts": 1,
        }
    )
    if ledger_id is None:
        db.session.rollback()
        return None
    if user is not None:
        db.session.add(
            Notification(
                user_id=user.id,
                organisation_id=due.org.id,
                ledger_id=ledger_id,
                rule=due.rule,
                title=subject[:300],
                body="\n".join(lines),
                link=path,
                created_at=clock.now(),
                in_digest=channel == "digest",
            )
        )
    db.session.commit()
    return db.session.get(ReminderLedger, ledger_id)


def _attachments(entry: ReminderLedger) -> list:
    if entry.channel != "invitation" or entry.object_type != "session":
        return []
    from riecycle.services import calendar

    session = db.session.get(VoorlichtingSession, entry.object_id)
    if session is None or session.deleted_at is not None:
        return []
    return [("uitnodiging.ics", "text/calendar", calendar.session_ics(session))]


def deliver(entry_id: int, report: PassReport) -> None:
    """Send the claimed mail, then mark it sent (the only duplicate window is between the two)."""
    entry = db.session.get(ReminderLedger, entry_id)
    message = mail.build_message(entry.recipient_email, entry.subject, entry.body, _attachments(entry))
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError) as error:
        entry.last_error = f"{type(error).__name__}: {error}"[:500]
        if entry.attempts >= _setting("REMINDER_MAX_ATTEMPTS", 5):
            entry.status = "failed"
        db.session.commit()
        report.failed += 1
        report.add(entry, "mislukt")
        return
    entry.status, entry.sent_at, entry.last_error = "sent", clock.now(), None
    db.session.commit()
    report.mailed += 1
    report.add(entry, "verzonden")


def retry_stale(report: PassReport) -> None:
    """Send again what an earlier pass claimed but never marked sent (it died or SMTP failed)."""
    cutoff = clock.now() - timedelta(minutes=_setting("REMINDER_RETRY_AFTER_MINUTES", 5))
    rows = db.session.execute(
        select(ReminderLedger.id, ReminderLedger.attempts)
        .where(ReminderLedger.status == "claimed", ReminderLedger.claimed_at < cutoff)
        .order_by(ReminderLedger.id)
    ).all()
    for entry_id, attempts in rows:
        # Compare-and-set on attempts: of two passes retrying the same row, one takes it over.
        taken = db.session.execute(
            update(ReminderLedger)
            .where(
                ReminderLedger.id == entry_id,
                ReminderLedger.status == "claimed",
                ReminderLedger.attempts == attempts,
            )
            .values(attempts=attempts + 1, claimed_at=clock.now())
        ).rowcount
        db.session.commit()
        if taken == 1:
            report.retried += 1
            deliver(entry_id, report)


# --- weekly digest --------------------------------------------------------------


def _week_start(today: date) -> tuple[date, datetime]:
    monday = today - timedelta(days=today.weekday())
    return monday, datetime.combine(monday, time(0), clock.AMSTERDAM)


def send_digests(today: date, report: PassReport) -> None:
    """One mail per digest user per week, listing the notifications queued before this Monday."""
    monday, cutoff = _week_start(today)
    pending = (
        Notification.in_digest.is_(True),
        Notification.digest_ledger_id.is_(None),
        Notification.created_at < cutoff,
    )
    user_ids = db.session.scalars(select(Notification.user_id).where(*pending).distinct()).all()
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all():
        if not user.active or user.notify_mode == "uit":
            continue
        ledger_id = _insert(
            {
                "organisation_id": None,
                "rule": "weekly_digest",
                "object_type": "user",
                "object_id": user.id,
                "due_date": monday,
                "recipient_key": f"u{user.id}",
                "recipient_user_id": user.id,
                "recipient_email": user.email,
                "channel": "mail",
                "subject": "",
                "body": "",
                "status": "claimed",
                "claimed_at": clock.now(),
                "attempts": 1,
            }
        )
        if ledger_id is None:
            db.session.rollback()
            continue
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, *pending)
            .values(digest_ledger_id=ledger_id)
        )
        _render_digest(db.session.get(ReminderLedger, ledger_id), user)
        db.session.commit()
        report.claimed += 1
        deliver(ledger_id, report)


def _render_digest(entry: ReminderLedger, user: User) -> None:
    items = db.session.scalars(
        select(Notification)
        .where(Notification.digest_ledger_id == entry.id)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    with force_locale(user.locale):
        entry.subject = _("Uw wekelijkse overzicht van riecycle: %(n)s herinneringen", n=len(items))
        entry.body = render_template(
            "mail/digest.txt",
            recipient=user,
            items=[(n, _absolute(n.link)) for n in items],
            account_link=_absolute(url_for("account.settings")),
        )


# --- the pass ---------------------------------------------------------------------


def _existing_keys(org, today: date, lookback: int) -> set[tuple]:
    rows = db.session.execute(
        select(*(getattr(ReminderLedger, c) for c in KEY_COLUMNS)).where(
            ReminderLedger.organisation_id == org.id,
            ReminderLedger.due_date >= today - timedelta(days=lookback + 120),
        )
    ).all()
    return {tuple(row) for row in rows}


def run_pass(now: datetime | None = None) -> PassReport:
    """One pass over every organisation: retry stale claims, claim and send what is due, digests."""
    now = now or clock.now()
    today = clock.local(now).date()
    lookback = _setting("REMINDER_LOOKBACK_DAYS", 14)
    report = PassReport()
    with current_app.test_request_context("/"):
        retry_stale(report)
        org_ids = db.session.scalars(
            select(Organisation.id).where(Organisation.deleted_at.is_(None)).order_by(Organisation.id)
        ).all()
        for org_id in org_ids:
            org = db.session.get(Organisation, org_id)
            existing = _existing_keys(org, today, lookback)
            for due in due_reminders(org, today, lookback):
                if due.key in existing:
                    continue
                entry = claim(due)
                if entry is None:
                    continue
                report.claimed += 1
                if entry.status == "claimed":
                    deliver(entry.id, report)
                else:
                    report.add(entry, "in de app")
        send_digests(today, report)
    return report


def unread_count(user) -> int:
    """Unread in-app notifications of a user (the header badge)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
