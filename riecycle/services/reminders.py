"""The reminder engine: which reminders are due, and delivering each exactly once.

Protocol for one reminder (a `Due`, found by the rules in reminder_rules.py):

1. **Claim.** ``INSERT INTO reminder_ledger ... ON CONFLICT (rule, object_type, object_id,
   due_date, recipient_key) DO NOTHING RETURNING id``. The in-app Notification is added in the
   same transaction, then the transaction COMMITS before anything is mailed. Of two passes
   racing for the same key only the one whose INSERT returned an id goes on; on PostgreSQL the
   loser's INSERT waits for the winner's commit and then does nothing, on SQLite writers are
   serialised. So the in-app notification exists exactly once, always.
2. **Send.** The message text was rendered into the ledger row at claim time; the mail is sent
   from that row (an invitation gets its .ics rebuilt from the session).
3. **Mark sent.** ``status='sent', sent_at=now`` is written right after the SMTP server
   accepted the message, and committed with the next claim (or on its own at the end of the
   pass), so a mail costs one commit rather than two. Claims that mail nothing (in-app, digest)
   are committed in batches. Should a later write of that transaction fail,
   the marks are committed on their own before the error goes on.

A pass that dies between 1 and 3 leaves a row in status ``claimed``. The next pass re-sends
rows that have been claimed for longer than REMINDER_RETRY_AFTER_MINUTES (default 5; a live
pass needs seconds), taking over each row with a compare-and-set on ``attempts`` so two
passes never retry the same row. After REMINDER_MAX_ATTEMPTS failed deliveries a row becomes
``failed`` and is shown in the reminder log.

The one window we cannot close: the SMTP server accepted the message but the process died
before its mark was committed (with the next claim, milliseconds later). The next pass then
sends that one message again. SMTP has no two-phase commit, so "exactly once" here means: never
twice except after a crash inside that window, and never lost.

Catch-up: a rule yields every reminder whose due date is <= today and still inside the
lookback window (REMINDER_LOOKBACK_DAYS, default 14). Whatever fell due while the scheduler was
down is therefore sent by the next pass, once, because its key is then in the ledger.

Cost: a pass is a few queries for all organisations together (the rules, the ledger keys) plus
the writes of each new reminder (its claim, its notification, its sent mark); every mail of the
pass goes over one SMTP connection (mail.connection()).

This module plans, renders and writes (flush only); the pass itself, with its commits, is
riecycle/jobs/reminders.py.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace
from typing import cast

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import lazyload, selectinload

from riecycle import changes, clock, mail
from riecycle.access import reminders as reminder_access
from riecycle.access import viewer_of
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import (
    Employee,
    Evaluation,
    Measure,
    Membership,
    Notification,
    ReminderLedger,
    User,
    VoorlichtingSession,
)
from riecycle.models.reminders import Channel, LedgerStatus
from riecycle.models.user import NotifyMode
from riecycle.services.reminder_rules import Due, RuleFailure, Tenants, due_reminders

KEY_COLUMNS = ("rule", "object_type", "object_id", "due_date", "recipient_key")
# What sending needs of a ledger row (a fresh claim has these in memory; a retry selects them).
MAIL_COLUMNS = (*KEY_COLUMNS, "id", "recipient_email", "channel", "subject", "body", "attempts")


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


@dataclass
class PassReport:
    """What one pass did: sent lines for the CLI, and counters."""

    lines: list[str] = field(default_factory=list)
    claimed: int = 0
    mailed: int = 0
    retried: int = 0
    failed: int = 0
    # What went wrong outside one mail: a rule for an organisation, a claim, a retry.
    errors: list[str] = field(default_factory=list)

    def add(self, entry: dict, what: str) -> None:
        self.lines.append(
            f"{what}: {entry['rule']} {entry['object_type']}#{entry['object_id']} "
            f"({entry['due_date'].isoformat()}) "
            f"-> {entry['recipient_email'] or entry['recipient_key']} [{entry['channel']}]"
        )


@dataclass
class Claim:
    """A reminder rendered for its recipient: the ledger row to claim, its notification, attachments."""

    row: dict
    notification: dict | None
    attachments: list

    @property
    def mails(self) -> bool:
        return self.row["channel"] in ("mail", "invitation")


# --- rendering -------------------------------------------------------------------


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


def render_claim(due: Due) -> Claim:
    """The ledger row and notification of a reminder, in the recipient's language."""
    user = due.recipient if isinstance(due.recipient, User) else None
    channel = _channel(due.recipient)
    with force_locale(user.locale if user else current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject, lines, path = due.render()
        body = _body(due.recipient, lines, path, channel)
    subject = mail.header_value(subject)  # one line, whatever the title stored before the checks
    row = dict(zip(KEY_COLUMNS, due.key, strict=True)) | {
        "organisation_id": due.org.id,
        "recipient_user_id": user.id if user else None,
        "recipient_employee_id": None if user else due.recipient.id,
        "recipient_email": due.recipient.email,
        "channel": channel,
        "subject": subject[:300],
        "body": body,
        "link": path,
    }
    notification = None
    if user is not None:
        notification = {
            "user_id": user.id,
            "organisation_id": due.org.id,
            "rule": due.rule,
            "title": subject[:300],
            "body": "\n".join(lines),
            "link": path,
            "in_digest": channel == Channel.DIGEST,
        }
    return Claim(row, notification, due.attach() if due.attach and channel == "invitation" else [])


# --- claim, send, retry (flush only: riecycle/jobs/reminders.py commits) ---------


LEDGER = cast(Table, ReminderLedger.__table__)
# The sent mark of one row; the values to set are the other parameters.
MARK = LEDGER.update().where(LEDGER.c.id == bindparam("entry_id")).returning(LEDGER.c.organisation_id)
NOTICES = cast(Table, Notification.__table__)
NOTIFY = insert(NOTICES)


@cache
def _claim_stmt(dialect: str):
    """INSERT ... ON CONFLICT (ledger key) DO NOTHING RETURNING id, for this database."""
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert_(LEDGER).on_conflict_do_nothing(index_elements=list(KEY_COLUMNS)).returning(LEDGER.c.id)


def _insert(values: dict) -> int | None:
    """Insert a ledger row unless its key exists; the new id, or None."""
    changes.touch(values.get("organisation_id"))  # Core writes: the change counter (riecycle/changes.py)
    return db.session.execute(_claim_stmt(db.session.get_bind().dialect.name), values).scalar()


def write_mark(values: dict) -> None:
    """Set the outcome of a send on its ledger row (MARK), raising its organisation's counter."""
    changes.touch(db.session.execute(MARK, values).scalar())


def claim(item: Claim) -> int | None:
    """Claim the reminder (and its notification) in the open transaction; None when already claimed."""
    mails_now, now = item.mails, clock.now()
    status = {
        "status": LedgerStatus.CLAIMED if mails_now else LedgerStatus.SENT,
        "sent_at": None if mails_now else now,
    }
    ledger_id = _insert(item.row | status | {"claimed_at": now, "attempts": 1})
    if ledger_id is not None and item.notification:
        values = item.notification | {"ledger_id": ledger_id, "created_at": now}
        changes.touch(values.get("organisation_id"))
        db.session.execute(NOTIFY, values)
    return ledger_id


def send(entry: dict, attachments: list) -> None:
    """Build and send the mail of a claimed ledger row (raises what building or SMTP raises)."""
    message = mail.build_message(entry["recipient_email"], entry["subject"], entry["body"], attachments)
    mail.send(message)


def max_attempts() -> int:
    return _setting("REMINDER_MAX_ATTEMPTS", 5)


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _attachments(entry: dict) -> list:
    """A retried invitation's .ics, rebuilt from its session (none once the session is deleted)."""
    if entry["channel"] != "invitation" or entry["object_type"] != "session":
        return []
    from riecycle.services import calendar

    session = db.session.get(VoorlichtingSession, entry["object_id"], options=[lazyload("*")])
    if session is None or session.deleted_at is not None:
        return []
    return [("uitnodiging.ics", "text/calendar", calendar.session_ics(session))]


def stale_entries() -> list[dict]:
    """Rows an earlier pass claimed but never marked sent (it died or SMTP failed), oldest first."""
    cutoff = clock.now() - timedelta(minutes=_setting("REMINDER_RETRY_AFTER_MINUTES", 5))
    rows = db.session.execute(
        select(*(getattr(ReminderLedger, c) for c in MAIL_COLUMNS))
        .where(ReminderLedger.status == LedgerStatus.CLAIMED, ReminderLedger.claimed_at < cutoff)
        .order_by(ReminderLedger.id)
    ).all()
    return [row._asdict() for row in rows]


def take_over(entry: dict) -> bool:
    """Take over one stale claim (compare-and-set on attempts); False when another pass has it."""
    result = db.session.execute(
        LEDGER.update()
        .where(
            LEDGER.c.id == entry["id"],
            LEDGER.c.status == LedgerStatus.CLAIMED,
            LEDGER.c.attempts == entry["attempts"],
        )
        .values(attempts=entry["attempts"] + 1, claimed_at=clock.now())
        .returning(LEDGER.c.organisation_id)
    )
    taken = result.all()
    changes.touch(row[0] for row in taken)
    return len(taken) == 1


def mark_failed(entry_id: int, error: BaseException) -> None:
    """Mark a ledger row failed after an unexpected error (in the open transaction)."""
    write_mark({"entry_id": entry_id, "status": "failed", "last_error": error_text(error)})


# --- weekly digest --------------------------------------------------------------


def _week_start(today: date) -> tuple[date, datetime]:
    monday = today - timedelta(days=today.weekday())
    return monday, datetime.combine(monday, time(0), clock.AMSTERDAM)


def pending_digest(today: date) -> tuple[date, tuple]:
    """This week's Monday, and the conditions of the notifications queued for a digest before it."""
    monday, cutoff = _week_start(today)
    pending = (
        Notification.in_digest.is_(True),
        Notification.digest_ledger_id.is_(None),
        Notification.created_at < cutoff,
    )
    return monday, pending


def digest_recipients(pending: tuple) -> list[SimpleNamespace]:
    """The users with queued notifications who still want a digest, as plain copies
    (each digest commits, and a committed User would be loaded again)."""
    user_ids = db.session.scalars(select(Notification.user_id).where(*pending).distinct()).all()
    users = db.session.scalars(
        select(User).where(User.id.in_(user_ids)).options(lazyload(User.memberships)).order_by(User.id)
    ).all()
    return [
        SimpleNamespace(id=u.id, email=u.email, name=u.name, locale=u.locale)
        for u in users
        if u.active and u.notify_mode != NotifyMode.UIT
    ]


def claim_digest(user, monday: date, pending: tuple) -> dict | None:
    """Claim this week's digest of one user and attach the queued notifications to it, in the
    open transaction; the ledger entry to send, or None when it was claimed already."""
    entry = {
        "organisation_id": None,
        "rule": "weekly_digest",
        "object_type": "user",
        "object_id": user.id,
        "due_date": monday,
        "recipient_key": f"u{user.id}",
        "recipient_user_id": user.id,
        "recipient_email": user.email,
        "channel": "mail",
    }
    values = entry | {
        "subject": "",
        "body": "",
        "status": LedgerStatus.CLAIMED,
        "claimed_at": clock.now(),
        "attempts": 1,
    }
    ledger_id = _insert(values)
    if ledger_id is None:
        return None
    queue = NOTICES.update().where(NOTICES.c.user_id == user.id, *pending)
    queued = queue.values(digest_ledger_id=ledger_id).returning(NOTICES.c.organisation_id)
    changes.touch(db.session.execute(queued).scalars().all())
    subject, body = _render_digest(ledger_id, user)
    write_mark({"entry_id": ledger_id, "subject": subject, "body": body})
    return entry | {"id": ledger_id, "subject": subject, "body": body, "attempts": 1}


def _digest_title(notification, viewers: dict) -> str:
    """The notification's title as the user may read it now (masking decided when read)."""
    org_id = notification.organisation_id
    if org_id is None:
        return notification.title
    return reminder_access.shown_notification(viewers.get(org_id), notification)[0]


def _digest_readers(user, items) -> tuple[dict, list]:
    """The user's viewer per organisation of these items, and the measures the items are about,
    loaded in a few statements (the masking reads them from the session)."""
    org_ids = {n.organisation_id for n in items if n.organisation_id is not None}
    roles = db.session.execute(
        select(Membership.organisation_id, Membership.role).where(
            Membership.user_id == user.id, Membership.organisation_id.in_(org_ids)
        )
    ).all()
    viewers = {org_id: viewer_of(role, user.id, org_id) for org_id, role in roles}
    ledgers = [n.ledger for n in items if n.ledger is not None]
    ids = {
        kind: {e.object_id for e in ledgers if e.object_type == kind} for kind in ("measure", "evaluation")
    }
    evaluations = (
        db.session.scalars(select(Evaluation).where(Evaluation.id.in_(ids["evaluation"]))).all()
        if ids["evaluation"]
        else []
    )
    ids["measure"] |= {e.measure_id for e in evaluations if e.measure_id is not None}
    measures = (
        db.session.scalars(
            select(Measure)
            .where(Measure.id.in_(ids["measure"]))
            .options(selectinload(Measure.employee).selectinload(Employee.team))
        ).all()
        if ids["measure"]
        else []
    )
    return viewers, [*evaluations, *measures]


def _render_digest(ledger_id: int, user) -> tuple[str, str]:
    items = db.session.scalars(
        select(Notification)
        .where(Notification.digest_ledger_id == ledger_id)
        .options(selectinload(Notification.ledger))
        .order_by(Notification.created_at, Notification.id)
    ).all()
    viewers, _loaded = _digest_readers(user, items)
    with force_locale(user.locale):
        subject = _("Uw wekelijkse overzicht van riecycle: %(n)s herinneringen", n=len(items))
        body = render_template(
            "mail/digest.txt",
            recipient=user,
            items=[(n, _digest_title(n, viewers), _absolute(n.link)) for n in items],
            account_link=_absolute(url_for("account.settings")),
        )
    return subject, body


# --- planning the pass (riecycle/jobs/reminders.py runs it) -------------------------


def _existing_keys(today: date, lookback: int) -> set[tuple]:
    rows = db.session.execute(
        select(*(getattr(ReminderLedger, c) for c in KEY_COLUMNS)).where(
            ReminderLedger.due_date >= today - timedelta(days=lookback + 120)
        )
    ).all()
    return {tuple(row) for row in rows}


def plan(today: date, lookback: int, failures: list[RuleFailure] | None = None) -> list[Claim]:
    """Every reminder due today and not yet in the ledger, rendered (before anything is committed).

    A rule or a message that fails for one organisation is appended to `failures`; the others
    are planned as usual."""
    failures = failures if failures is not None else []
    existing = _existing_keys(today, lookback)
    claims = []
    for due in due_reminders(Tenants.load(), today, lookback, failures):
        if due.key in existing:
            continue
        try:
            claims.append(render_claim(due))
        except Exception as error:
            current_app.logger.exception(
                "herinnering %s voor organisatie %s: opmaken mislukt", due.rule, due.org.id
            )
            failures.append(RuleFailure(due.rule, due.org, error))
    return claims


def failure_row(failure: RuleFailure, today: date) -> dict:
    """The failed ledger row that shows a failed rule in its organisation's reminder log (one per day)."""
    text = error_text(failure.error)
    return {
        "organisation_id": failure.org.id,
        "rule": failure.rule[:40],
        "object_type": "organisation",
        "object_id": failure.org.id,
        "due_date": today,
        "recipient_key": "fout",
        "channel": "app",
        "subject": _(
            "Herinneringen van de regel '%(r)s' konden niet worden gemaakt",
            r=label(failure.rule, "reminder_rule"),
        )[:300],
        "body": text,
        "status": "failed",
        "last_error": text,
        "claimed_at": clock.now(),
        "attempts": 1,
    }


def insert_failure(values: dict) -> None:
    """Record a failure row unless that day's row exists (in the open transaction)."""
    _insert(values)


def lookback_days() -> int:
    return _setting("REMINDER_LOOKBACK_DAYS", 14)


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
