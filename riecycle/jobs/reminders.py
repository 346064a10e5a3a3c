"""The reminder pass: the exactly-once protocol of riecycle/services/reminders.py, with its commits.

The service plans, renders and writes ledger rows in the open transaction; this job decides
when each write is committed (a mail's claim before the mail is sent, its sent mark with the
next claim) and keeps one organisation's failure from stopping the others.
"""

import smtplib
from datetime import datetime

from flask import current_app

from riecycle import clock, mail
from riecycle.audit import reset_actor, set_actor
from riecycle.extensions import db
from riecycle.services import reminder_rules, reminders
from riecycle.services.reminder_rules import RuleFailure
from riecycle.services.reminders import Claim, PassReport

# In-app claims committed together; a mail's claim is always committed before it is sent.
CLAIM_BATCH = 100


class Writes:
    """The pass's ledger writes, committed as seldom as the protocol allows (see the module doc)."""

    def __init__(self):
        self.marks: list[dict] = []  # outcomes of sends, written but not yet committed
        self.uncommitted = 0

    def run(self, write, *args):
        """Call `write(*args)` in the open transaction; should it fail, the marks still commit."""
        try:
            return write(*args)
        except BaseException:
            self._rescue()
            raise

    def mark(self, entry_id: int, **values) -> None:
        """Record the outcome of a send, committed with the next commit."""
        self.marks.append({"entry_id": entry_id, **values})
        self.run(reminders.write_mark, self.marks[-1])

    def commit(self) -> None:
        """Commit the open transaction: the pending claims and marks."""
        self.run(db.session.commit)
        self.marks, self.uncommitted = [], 0

    def batch(self) -> None:
        """Count one write that mails nothing; commit every CLAIM_BATCH of them, or a pending mark."""
        self.uncommitted += 1
        if self.marks or self.uncommitted >= CLAIM_BATCH:
            self.commit()

    def _rescue(self) -> None:
        """After a failed write: roll back, then commit the marks on their own (mails went out)."""
        db.session.rollback()
        marks, self.marks, self.uncommitted = self.marks, [], 0
        for values in marks:
            reminders.write_mark(values)
        db.session.commit()


def deliver(entry: dict, attachments: list, report: PassReport, writes: Writes) -> None:
    """Send a committed claim, then mark it sent (the only duplicate window is between the two).

    A message that cannot be built (or that the mail library refuses) fails for good at once:
    the row becomes ``failed`` with the error, and the pass goes on with the next reminder.
    A server or network error fails for good after REMINDER_MAX_ATTEMPTS tries."""
    try:
        reminders.send(entry, attachments)
    except (smtplib.SMTPException, OSError) as error:
        retry = entry["attempts"] < reminders.max_attempts()
        _failed(entry, error, report, writes, final=not retry)
        return
    except Exception as error:
        current_app.logger.exception("herinnering %s kon niet worden verzonden", entry["id"])
        _failed(entry, error, report, writes, final=True)
        return
    writes.mark(entry["id"], status="sent", sent_at=clock.now(), last_error=None)
    report.mailed += 1
    report.add(entry, "verzonden")


def _failed(entry: dict, error: BaseException, report: PassReport, writes: Writes, final: bool) -> None:
    """Record a failed delivery on its ledger row (``failed`` when it is not tried again)."""
    status = {"status": "failed"} if final else {}
    writes.mark(entry["id"], last_error=reminders.error_text(error), **status)
    report.failed += 1
    report.add(entry, "mislukt")


def claim_and_deliver(claims: list[Claim], report: PassReport, writes: Writes) -> None:
    """Claim each reminder; commit a mail's claim before sending it.

    When the claim of one reminder fails (a database error), it is logged and reported and the
    pass goes on with the next one: one bad row never stops the reminders of others."""
    for item in claims:
        try:
            ledger_id = writes.run(reminders.claim, item)
        except Exception as error:
            current_app.logger.exception("herinnering %s kon niet worden vastgelegd", item.row["rule"])
            report.errors.append(f"{item.row['rule']} organisatie {item.row['organisation_id']}: {error}")
            continue
        if ledger_id is None:
            continue
        report.claimed += 1
        entry = item.row | {"id": ledger_id, "attempts": 1}
        if item.mails:
            writes.commit()
            deliver(entry, item.attachments, report, writes)
        else:
            report.add(entry, "in de app")
            writes.batch()
    writes.commit()


def retry_stale(report: PassReport, writes: Writes) -> None:
    """Send again what an earlier pass claimed but never marked sent (it died or SMTP failed)."""
    for entry in reminders.stale_entries():
        try:
            _retry(entry, report, writes)
        except Exception as error:
            # Never let one row stop the pass (and every later pass, which starts here).
            current_app.logger.exception("herinnering %s: opnieuw proberen is mislukt", entry["id"])
            report.errors.append(f"herinnering {entry['id']}: {error}")
            _give_up(entry["id"], error, writes)
    writes.commit()


def _retry(entry: dict, report: PassReport, writes: Writes) -> None:
    """Take over one stale claim (compare-and-set on attempts) and deliver it."""
    taken = writes.run(reminders.take_over, entry)
    writes.commit()
    if taken:
        report.retried += 1
        attachments = reminders._attachments(entry)
        deliver(entry | {"attempts": entry["attempts"] + 1}, attachments, report, writes)


def _give_up(entry_id: int, error: BaseException, writes: Writes) -> None:
    """Mark a row failed after an unexpected error, so no later pass trips over it again."""
    try:
        writes._rescue()  # roll back, keep the sent marks of this pass
        reminders.mark_failed(entry_id, error)
        db.session.commit()
    except Exception:
        current_app.logger.exception("herinnering %s kon niet als mislukt worden gemarkeerd", entry_id)
        db.session.rollback()


def send_digests(today, report: PassReport, writes: Writes) -> None:
    """One mail per digest user per week, listing the notifications queued before this Monday."""
    monday, pending = reminders.pending_digest(today)
    for user in reminders.digest_recipients(pending):
        try:
            entry = writes.run(reminders.claim_digest, user, monday, pending)
            if entry is None:
                continue
            writes.commit()
            report.claimed += 1
            deliver(entry, [], report, writes)
        except Exception as error:
            current_app.logger.exception("overzicht voor gebruiker %s is mislukt", user.id)
            report.errors.append(f"overzicht gebruiker {user.id}: {error}")
            writes._rescue()
    writes.commit()


def record_failures(failures: list[RuleFailure], today, report: PassReport, writes: Writes) -> None:
    """Show each failed rule in its organisation's reminder log: one failed ledger row per day."""
    for failure in failures:
        values = reminders.failure_row(failure, today)
        report.errors.append(f"{failure.rule} organisatie {failure.org.id}: {values['last_error']}")
        report.failed += 1
        try:
            writes.run(reminders.insert_failure, values)
            writes.commit()
        except Exception:
            current_app.logger.exception("fout van regel %s kon niet worden vastgelegd", failure.rule)


def run_pass(now: datetime | None = None) -> PassReport:
    """One pass over every organisation: retry stale claims, claim and send what is due, digests.

    Nothing one organisation's data or one message does stops the pass for the others: a
    failing rule is run per organisation and its failure recorded (record_failures), a message
    that cannot be sent is marked failed (deliver)."""
    now = now or clock.now()
    today = clock.local(now).date()
    lookback = reminders.lookback_days()
    report, writes, failures = PassReport(), Writes(), []
    with current_app.test_request_context("/"), mail.connection():
        retry_stale(report, writes)
        claims = reminders.plan(today, lookback, failures)
        record_failures(failures, today, report, writes)
        claim_and_deliver(claims, report, writes)
        send_digests(today, report, writes)
    return report


def run_reminders(now: datetime | None = None) -> PassReport:
    """One reminder pass (needs an app context); returns what it sent."""
    token = set_actor(None)  # the system acts, not a user
    try:
        return run_pass(now)
    finally:
        reset_actor(token)


def notify_approval(approval) -> PassReport:
    """Tell the OR members of a submission, or the submitter of the decision, at once: the
    notices of the rule or_pending for this approval, through the same ledger, so the next pass
    sends nothing again (and sends them should this fail). Call after the approval is committed.
    Never raises: a notice that cannot be made now is left to the next pass."""
    report, writes = PassReport(), Writes()
    try:
        tenants = reminder_rules.tenants_of(approval.organisation_id)
        claims = [reminders.render_claim(due) for due in reminder_rules.approval_notices(tenants, approval)]
        with mail.connection():
            claim_and_deliver(claims, report, writes)
    except Exception as error:  # noqa: BLE001 - the decision stands; the pass sends the notice
        current_app.logger.exception(
            "melding over instemmingsverzoek %s kon niet worden gemaakt", approval.id
        )
        db.session.rollback()
        report.errors.append(str(error))
    return report
