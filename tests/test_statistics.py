"""The daily job refreshes SQLite's planner statistics (PostgreSQL's autovacuum keeps its own)."""

from sqlalchemy import text

from riecycle import jobs
from riecycle.extensions import db


def test_the_daily_job_gathers_sqlite_statistics(app, world, outbox):
    sqlite = db.engine.dialect.name == "sqlite"
    jobs.daily_reminders(app)
    assert jobs.refresh_statistics() is sqlite
    if sqlite:
        analysed = {row[0] for row in db.session.execute(text("SELECT tbl FROM sqlite_stat1"))}
        assert {"employees", "teams", "memberships"} <= analysed  # (empty tables get no row)
