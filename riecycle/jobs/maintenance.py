"""Housekeeping jobs: database statistics."""

from riecycle.dbsetup import refresh_statistics as refresh
from riecycle.extensions import db


def refresh_statistics() -> bool:
    """SQLite: refresh the query planner's statistics (PostgreSQL's autovacuum does this itself)."""
    ran = refresh(db.session)
    db.session.commit()
    return ran
