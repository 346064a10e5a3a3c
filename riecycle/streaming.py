"""Reading large selects in batches, for the exports and the report.

`stream` uses a server-side cursor on PostgreSQL, so memory stays bounded; `grouped` collects
(key, value) rows into key -> [values].
"""

from riecycle.extensions import db

BATCH = 1000


def stream(stmt, size: int = BATCH):
    """The rows of a select in batches: a server-side cursor on PostgreSQL, so memory stays bounded.

    Plain Core rows from the session's connection (about half the cost of ORM-processed rows);
    pending changes are flushed first, as Session.execute would.
    """
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(stmt.execution_options(stream_results=True, yield_per=size))


def grouped(stmt) -> dict:
    """key -> [value, ...] from a select of (key, value) or (key, *values) rows, in row order."""
    result: dict = {}
    for key, *values in stream(stmt):
        result.setdefault(key, []).append(values[0] if len(values) == 1 else tuple(values))
    return result
