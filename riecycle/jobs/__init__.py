"""Jobs: the orchestration that runs outside a request and commits (services only flush).

- reminders.py: the reminder pass (exactly once per reminder, per-organisation isolation);
- pulse.py: the daily pulse rounds (freeze, open, mail links);
- maintenance.py: housekeeping (planner statistics);
- reports.py: the report queue (large reports made outside the web workers);
- this module: the scheduled daily entry point that runs them in turn.

Each job is re-runnable: it acts only on what is due and not yet recorded, so running it twice
(or two copies at once) does nothing twice. See riecycle/services/reminders.py for the
exactly-once protocol.
"""

from riecycle.jobs.maintenance import refresh_statistics
from riecycle.jobs.pulse import open_pulse_rounds
from riecycle.jobs.reminders import run_reminders
from riecycle.jobs.reports import make_waiting_reports, report_queue

# Stable ids: APScheduler replaces a job with the same id instead of adding a second one.
DAILY_REMINDERS_JOB_ID = "riecycle.reminders.daily"
REPORT_QUEUE_JOB_ID = "riecycle.reports.queue"

__all__ = [
    "DAILY_REMINDERS_JOB_ID",
    "REPORT_QUEUE_JOB_ID",
    "make_waiting_reports",
    "report_queue",
    "daily_reminders",
    "open_pulse_rounds",
    "refresh_statistics",
    "run_reminders",
]


def daily_reminders(app) -> None:
    """The scheduled entry point: the reminder pass, the pulse rounds and the planner statistics.

    The parts are independent: when one fails (logged with its traceback), the others still
    run, and the next run retries what was missed (each is idempotent).
    """
    from riecycle.extensions import db

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
            db.session.rollback()
        try:
            opened = open_pulse_rounds()
            app.logger.info("pulsmetingen: %s ronde(s) geopend", len(opened))
        except Exception:
            app.logger.exception("pulsmetingen: openen is mislukt")
            db.session.rollback()
        try:
            if refresh_statistics():
                app.logger.info("database: statistieken voor de planner bijgewerkt")
        except Exception:
            app.logger.exception("database: statistieken bijwerken is mislukt")
