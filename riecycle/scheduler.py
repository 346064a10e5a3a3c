"""The scheduler process (`flask --app wsgi scheduler`, defined in riecycle/cli/reminders.py).

The scheduler runs in its own process, never in web workers: APScheduler's in-memory job store
cannot be shared between processes, and web workers come and go. Several scheduler processes
may be started (one per machine, for failover): they elect one leader with a PostgreSQL
advisory lock (riecycle/leader.py) and the others wait as hot standby. The job itself is
also safe to run from several processes at once (the ledger's UNIQUE key decides), so even an
overlap sends nothing twice.
"""

import logging
import signal
import sys
import threading

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from riecycle import clock, jobs, leader


def build_scheduler(app, catch_up: bool = True, interval_seconds: int | None = None) -> BlockingScheduler:
    """A blocking scheduler with the daily 07:00 (Europe/Amsterdam) reminder pass.

    `interval_seconds` replaces the daily run by a short interval (RIECYCLE_SCHEDULER_INTERVAL_SECONDS,
    for tests and troubleshooting).
    """
    scheduler = BlockingScheduler(timezone=clock.AMSTERDAM)
    trigger = (
        IntervalTrigger(seconds=interval_seconds, timezone=clock.AMSTERDAM)
        if interval_seconds
        else CronTrigger(hour=7, minute=0, timezone=clock.AMSTERDAM)
    )
    scheduler.add_job(
        jobs.daily_reminders,
        trigger,
        args=[app],
        id=jobs.DAILY_REMINDERS_JOB_ID,
        name="Dagelijkse herinneringen",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=6 * 3600,
    )
    # Reports of large organisations wait in a queue; a web worker never makes them.
    scheduler.add_job(
        jobs.report_queue,
        IntervalTrigger(seconds=int(app.config.get("REPORT_POLL_SECONDS") or 30), timezone=clock.AMSTERDAM),
        args=[app],
        id=jobs.REPORT_QUEUE_JOB_ID,
        name="Rapporten maken",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    if catch_up:
        # After downtime: one pass at start-up sends what fell due in the gap (the ledger dedupes).
        scheduler.add_job(
            jobs.daily_reminders,
            args=[app],
            id=f"{jobs.DAILY_REMINDERS_JOB_ID}.startup",
            replace_existing=True,
            next_run_time=clock.now(),
        )
    return scheduler


def _watch_lock(scheduler: BlockingScheduler, lock, every: float) -> threading.Event:
    """A job that checks the leader lock; when it is lost the scheduler stops (back to standby)."""
    lost = threading.Event()

    def check():
        try:
            lock.check()
        except leader.LockLost as error:
            leader.log.error("planner: leiderschap verloren (%s); terug naar stand-by", error)
            lost.set()
            scheduler.shutdown(wait=False)

    scheduler.add_job(
        check, IntervalTrigger(seconds=every), id="riecycle.leader.check", coalesce=True, max_instances=1
    )
    return lost


def _stop_on_sigterm(signum, frame):
    sys.exit(0)


def run(app, catch_up: bool = True, echo=print) -> None:
    """Run the scheduler until stopped: wait to lead, schedule the daily pass, back to standby
    when the leader lock is lost (the `scheduler` command, riecycle/cli/reminders.py)."""
    logging.getLogger(app.name).setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    lock = leader.lock_for(app.config["SQLALCHEMY_DATABASE_URI"], app.instance_path)
    retry = float(app.config.get("SCHEDULER_LOCK_RETRY_SECONDS") or 5)
    interval = app.config.get("SCHEDULER_INTERVAL_SECONDS")
    try:
        while True:
            leader.wait_for_leadership(lock, retry, echo)
            scheduler = build_scheduler(app, catch_up, interval)
            lost = _watch_lock(scheduler, lock, retry)
            when = f"elke {interval} s" if interval else "dagelijks om 07:00 (Europe/Amsterdam)"
            echo(f"Planner gestart: herinneringen {when}. Stoppen met Ctrl+C.")
            scheduler.start()
            if not lost.is_set():
                break
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
    echo("Planner gestopt.")
