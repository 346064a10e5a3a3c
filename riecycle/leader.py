"""One active scheduler: a PostgreSQL advisory lock (or a file lock on SQLite) with hot standby.

Every scheduler process tries to take the lock; the one that gets it runs the reminder jobs,
the others wait and try again every few seconds. On PostgreSQL the lock is a session-level
advisory lock held on a dedicated connection that stays open while the scheduler is active:
when that process dies (or its machine, or its network), the server ends the session, the
lock is released, and a standby takes over within one retry interval. On SQLite (one machine
by definition) an fcntl lock on a file next to the database does the same between processes.

The lock keeps one scheduler active; it is not what makes reminders exactly-once. The reminder
ledger does that (riecycle/services/reminders.py), so the short overlap that is possible when a
partitioned leader has not yet noticed it lost the lock sends nothing twice.
"""

import fcntl
import logging
import os
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger("riecycle.scheduler")

# Advisory locks are per database; any fixed 64-bit key works. This one spells "riecycle".
SCHEDULER_LOCK_KEY = int.from_bytes(b"riecycle", "big") & 0x7FFFFFFFFFFFFFFF


class LockLost(RuntimeError):
    """The connection holding the lock went away: this process is no longer the leader."""


class PostgresLeaderLock:
    """pg_try_advisory_lock on its own connection (NullPool, so closing really disconnects)."""

    def __init__(self, url, key: int = SCHEDULER_LOCK_KEY):
        self.key = key
        self.engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            # Keepalives: a dead peer is noticed in about a minute, not after hours.
            connect_args={
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
                "application_name": "riecycle-scheduler",
            },
        )
        self.conn = None

    def try_acquire(self) -> bool:
        """Take the lock if no other scheduler holds it; never blocks."""
        try:
            if self.conn is None:
                self.conn = self.engine.connect()
            got = self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        except Exception as error:  # noqa: BLE001 - database down: stay standby and retry
            log.warning("planner: database niet bereikbaar (%s); opnieuw proberen", error)
            self._close()
            return False
        return bool(got)

    def check(self) -> None:
        """Raise LockLost when the lock's session is gone (database restart, network loss)."""
        # A session-level advisory lock lives exactly as long as its session: if the session
        # answers, we still hold it.
        try:
            self.conn.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means we cannot be sure we lead
            self._close()
            raise LockLost(str(error)) from error

    def release(self) -> None:
        """Unlock and disconnect (disconnecting alone would also release it)."""
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            except Exception:  # noqa: BLE001,S110 - closing the session releases it anyway
                pass
        self._close()

    def _close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001,S110 - already broken
                pass
            self.conn = None

    def describe(self) -> str:
        return f"PostgreSQL advisory lock {self.key}"


class FileLeaderLock:
    """fcntl lock on <database>.scheduler.lock: one active scheduler per SQLite database."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def check(self) -> None:
        """A file lock cannot be lost while the process lives."""

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def describe(self) -> str:
        return f"bestandsvergrendeling {self.path}"


def lock_for(database_url: str, instance_path: str):
    """The leader lock that fits this database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeaderLock(url)
    database = url.database
    if database and database != ":memory:":
        return FileLeaderLock(Path(f"{database}.scheduler.lock"))
    return FileLeaderLock(Path(instance_path) / "scheduler.lock")


def wait_for_leadership(lock, retry_seconds: float, echo=print) -> None:
    """Block (hot standby) until this process holds the lock."""
    announced = False
    while not lock.try_acquire():
        if not announced:
            echo(
                f"Planner stand-by: een andere planner is actief ({lock.describe()}); "
                f"elke {retry_seconds:g} s opnieuw proberen."
            )
            announced = True
        time.sleep(retry_seconds)
    echo(f"Planner actief: {lock.describe()} verkregen (pid {os.getpid()}).")
