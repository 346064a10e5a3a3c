"""Throw-away PostgreSQL cluster for tests.

Usage::

    with PostgresCluster() as pg:
        engine = sqlalchemy.create_engine(pg.url)
        other_url = pg.create_database("scratch")
        ...
        pg.drop_database("scratch")

The cluster lives in a fresh temp directory, listens on 127.0.0.1 on a free
port (plus a Unix socket inside the temp dir), uses trust auth and no fsync.
PostgreSQL refuses to run as root; when we are root every server binary is run
as the ``postgres`` OS user via ``runuser``.  When not root, binaries run as
the current user.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

from tests.support.ports import free_port

__all__ = [
    "PostgresCluster",
    "PostgresClusterError",
    "find_pg_bin",
    "pg_available",
]

APP_ROLE = "riecycle"
APP_DB = "riecycle"
OS_USER = "postgres"
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class PostgresClusterError(RuntimeError):
    """Raised when the test cluster cannot be created/started."""


def _version_key(path: str) -> tuple:
    parts = re.findall(r"\d+", path)
    return tuple(int(p) for p in parts)


def find_pg_bin() -> Path | None:
    """Directory containing ``initdb``/``pg_ctl``/``psql`` or None.

    Prefers ``initdb`` on PATH, then the newest /usr/lib/postgresql/*/bin.
    """
    found = shutil.which("initdb")
    if found:
        bindir = Path(found).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir
    candidates = [
        d
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "pg_ctl"), os.X_OK)
    ]
    if not candidates:
        return None
    candidates.sort(key=_version_key)
    return Path(candidates[-1])


def _need_runuser() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def pg_available() -> bool:
    """True if a PostgreSQL server can plausibly be started here."""
    if find_pg_bin() is None:
        return False
    if _need_runuser():
        if shutil.which("runuser") is None:
            return False
        try:
            import pwd

            pwd.getpwnam(OS_USER)
        except KeyError:
            return False
    return True


def _free_port() -> int:
    return free_port("127.0.0.1")


def _quote_ident(name: str) -> str:
    if not _IDENT_RE.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    return '"' + name + '"'


class PostgresCluster:
    """A private, disposable PostgreSQL cluster.

    After ``start()``, role ``riecycle`` (SUPERUSER LOGIN) owns database
    ``riecycle``; ``url`` is
    ``postgresql+psycopg://riecycle@127.0.0.1:PORT/riecycle``.
    """

    def __init__(
        self,
        *,
        bin_dir: str | os.PathLike | None = None,
        startup_timeout: int = 60,
        extra_settings: dict[str, str] | None = None,
    ) -> None:
        self._bin_dir = Path(bin_dir) if bin_dir else None
        self.startup_timeout = startup_timeout
        self.extra_settings = dict(extra_settings or {})
        self.base_dir: Path | None = None
        self.data_dir: Path | None = None
        self.socket_dir: Path | None = None
        self.log_file: Path | None = None
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.startup_seconds: float | None = None
        self._running = False
        self._atexit_registered = False

    # ------------------------------------------------------------------ utils
    @property
    def bin_dir(self) -> Path:
        if self._bin_dir is None:
            found = find_pg_bin()
            if found is None:
                raise PostgresClusterError(
                    "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH "
                    "or in /usr/lib/postgresql/*/bin"
                )
            self._bin_dir = found
        return self._bin_dir

    def _cmd(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", OS_USER, "--"] if _need_runuser() else []
        return prefix + [str(a) for a in args]

    def _run(self, *args: str, timeout: float = 120, check: bool = True):
        cmd = self._cmd(*args)
        env = dict(os.environ)
        env.setdefault("LC_ALL", "C.UTF-8")
        env.pop("PGDATA", None)
        proc = subprocess.run(
            cmd,
            cwd=str(self.base_dir) if self.base_dir else "/",
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise PostgresClusterError(
                f"command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}" + self._log_tail_text()
            )
        return proc

    def _log_tail_text(self, lines: int = 40) -> str:
        tail = self.log_tail(lines)
        return f"\n--- server log tail ({self.log_file}) ---\n{tail}" if tail else ""

    def log_tail(self, lines: int = 40) -> str:
        """Last ``lines`` lines of the server log ('' if none)."""
        if not self.log_file or not self.log_file.exists():
            return ""
        try:
            content = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(content[-lines:])

    def _chown(self, path: Path) -> None:
        if _need_runuser():
            import pwd

            pw = pwd.getpwnam(OS_USER)
            os.chown(path, pw.pw_uid, pw.pw_gid)

    # --------------------------------------------------------------- lifecycle
    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> PostgresCluster:
        if self._running:
            return self
        t0 = time.monotonic()
        if not pg_available() and self._bin_dir is None:
            raise PostgresClusterError(
                "PostgreSQL not available (need initdb/pg_ctl and, as root, runuser + a 'postgres' OS user)"
            )
        bindir = self.bin_dir
        self.base_dir = Path(tempfile.mkdtemp(prefix="riecycle-pg-"))
        try:
            self._chown(self.base_dir)
            self.base_dir.chmod(0o700)
            self.data_dir = self.base_dir / "data"
            self.socket_dir = self.base_dir / "sock"
            self.log_file = self.base_dir / "server.log"
            for d in (self.socket_dir,):
                d.mkdir()
                self._chown(d)
            self._initdb(bindir)
            self._start_server(bindir)
            self._running = True
            if not self._atexit_registered:
                atexit.register(self.stop)
                self._atexit_registered = True
            self._bootstrap()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _initdb(self, bindir: Path) -> None:
        base = [
            str(bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]
        proc = self._run(*base, "--locale=C.UTF-8", check=False)
        if proc.returncode == 0:
            return
        first_err = proc.stdout + proc.stderr
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)
        proc = self._run(*base, "--no-locale", check=False)
        if proc.returncode != 0:
            raise PostgresClusterError(
                "initdb failed with --locale=C.UTF-8 and with --no-locale.\n"
                f"--- first attempt ---\n{first_err}\n"
                f"--- second attempt ---\n{proc.stdout}{proc.stderr}"
            )

    def _start_server(self, bindir: Path, attempts: int = 3) -> None:
        last_err: Exception | None = None
        for _ in range(attempts):
            self.port = _free_port()
            settings = {
                "listen_addresses": "127.0.0.1",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "200",
                **self.extra_settings,
            }
            opts = f"-p {self.port} -k {self.socket_dir} " + " ".join(
                f"-c {k}={v}" for k, v in settings.items()
            )
            proc = self._run(
                str(bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                opts,
                "-l",
                str(self.log_file),
                "-t",
                str(self.startup_timeout),
                "-w",
                "start",
                check=False,
                timeout=self.startup_timeout + 30,
            )
            if proc.returncode == 0:
                return
            last_err = PostgresClusterError(
                f"pg_ctl start failed (exit {proc.returncode}) on port {self.port}\n"
                f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}" + self._log_tail_text()
            )
            log = self.log_tail(20)
            if "could not bind" not in log and "in use" not in log:
                break
            self._kill_postmaster()
        assert last_err is not None
        raise last_err

    def _bootstrap(self) -> None:
        with self._admin_connect() as conn:
            conn.execute(f"CREATE ROLE {_quote_ident(APP_ROLE)} SUPERUSER LOGIN")
            conn.execute(f"CREATE DATABASE {_quote_ident(APP_DB)} OWNER {_quote_ident(APP_ROLE)}")

    def _admin_connect(self):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def _kill_postmaster(self) -> None:
        pidfile = self.data_dir / "postmaster.pid" if self.data_dir else None
        if not pidfile or not pidfile.exists():
            return
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        """Stop the server (immediate mode) and delete all its files. Idempotent."""
        if self.data_dir is not None and (self.data_dir / "postmaster.pid").exists():
            try:
                proc = self._run(
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "30",
                    "stop",
                    check=False,
                    timeout=60,
                )
                if proc.returncode != 0:
                    self._kill_postmaster()
            except (OSError, subprocess.SubprocessError, PostgresClusterError):
                self._kill_postmaster()
        self._running = False
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = self.data_dir = self.socket_dir = self.log_file = None
        self.port = None
        if self._atexit_registered:
            atexit.unregister(self.stop)
            self._atexit_registered = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----------------------------------------------------------------- access
    def _require_running(self) -> None:
        if not self._running or self.port is None:
            raise PostgresClusterError("PostgresCluster is not running; call start()")

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL for database ``dbname`` as role riecycle."""
        self._require_running()
        return f"postgresql+psycopg://{APP_ROLE}@{self.host}:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        """``postgresql+psycopg://riecycle@127.0.0.1:PORT/riecycle``."""
        return self.url_for(APP_DB)

    @property
    def conninfo(self) -> str:
        """libpq conninfo for psycopg.connect() to the riecycle database."""
        self._require_running()
        return f"host={self.host} port={self.port} user={APP_ROLE} dbname={APP_DB}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` owned by riecycle; return its SQLAlchemy URL."""
        self._require_running()
        with self._admin_connect() as conn:
            conn.execute(f"CREATE DATABASE {_quote_ident(name)} OWNER {_quote_ident(APP_ROLE)}")
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` (if it exists), terminating open connections."""
        self._require_running()
        with self._admin_connect() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")

    def __repr__(self) -> str:
        state = f"port={self.port}" if self._running else "stopped"
        return f"<PostgresCluster {state} base_dir={self.base_dir}>"
