"""The reminder jobs: pure, re-runnable functions with stable ids.

A job acts only on what is due and not yet in the reminder ledger, and records what it did,
so running it twice (or two copies at once) sends nothing twice. See
riecycle/services/reminders.py for the exactly-once protocol.
"""

from datetime import datetime

from riecycle.audit import reset_actor, set_actor
from riecycle.services import reminders

# Stable ids: APScheduler replaces a job with the same id instead of adding a second one.
DAILY_REMINDERS_JOB_ID = "riecycle.reminders.daily"


def run_reminders(now: datetime | None = None) -> reminders.PassReport:
    """One reminder pass (needs an app context); returns what it sent."""
    token = set_actor(None)  # the system acts, not a user
    try:
        return reminders.run_pass(now)
    finally:
        reset_actor(token)


def open_pulse_rounds(now: datetime | None = None) -> list:
    """Open every pulse round that is due and mail its links (needs an app context)."""
    from riecycle.services import pulse

    token = set_actor(None)
    try:
        return pulse.open_due_rounds(now)
    finally:
        reset_actor(token)


def refresh_statistics() -> bool:
    """SQLite: refresh the query planner's statistics (PostgreSQL's autovacuum does this itself)."""
    from riecycle.dbsetup import refresh_statistics as refresh
    from riecycle.extensions import db

    ran = refresh(db.session)
    db.session.commit()
    return ran


def daily_reminders(app) -> None:
    """The scheduled entry point: the reminder pass, the pulse rounds and the planner statistics.

    The parts are independent: when one fails (logged with its traceback), the others still
    run, and the next run retries what was missed (each is idempotent).
    """
    with app.app_context():
        try:
            report = run_reminders()
            app.logger.info(
                "herinneringen: %s verzonden, %s opnieuw geprobeerd, %s mislukt",
                report.mailed,
                report.retried,
                report.failed,
            )
            for error in report.errors:  # each also logged with its traceback where it happened
                app.logger.warning("herinneringen: %s", error)
        except Exception:
            app.logger.exception("herinneringen: de ronde is mislukt")
            from riecycle.extensions import db

            db.session.rollback()
        try:
            opened = open_pulse_rounds()
            app.logger.info("pulsmetingen: %s ronde(s) geopend", len(opened))
        except Exception:
            app.logger.exception("pulsmetingen: openen is mislukt")
            from riecycle.extensions import db

            db.session.rollback()
        try:
            if refresh_statistics():
                app.logger.info("database: statistieken voor de planner bijgewerkt")
        except Exception:
            app.logger.exception("database: statistieken bijwerken is mislukt")
