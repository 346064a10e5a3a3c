"""Engine settings per database: SQLite gets foreign keys, WAL and a busy timeout."""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def refresh_statistics(session) -> bool:
    """Refresh the query planner's statistics on SQLite (ANALYZE); PostgreSQL's autovacuum does its own.

    Without statistics SQLite guesses that any indexed equality matches about ten rows, and walks
    a whole organisation's measures to find the few of one page. Returns whether it ran.
    """
    from sqlalchemy import text

    if session.get_bind().dialect.name != "sqlite":
        return False
    session.execute(text("ANALYZE"))
    return True
