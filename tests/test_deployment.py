"""Production shape: two app processes and two schedulers against one PostgreSQL.

The schedulers elect a leader with a PostgreSQL advisory lock; the other waits as hot standby.
We check that every reminder is mailed once, that both app processes serve (and share
sessions), and that SIGKILL on the active scheduler lets the standby take over and run the
next pass. PostgreSQL only: on SQLite a single machine runs a single scheduler.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from riecycle import clock, create_app
from riecycle.extensions import db
from riecycle.models import Organisation, ReminderLedger, User
from riecycle.services import plan, risks, voorlichting
from tests.factories import PASSWORD, build_world
from tests.support.ports import free_port
from tests.support.smtp import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEADLINE = 50  # seconds for the whole scenario; every wait below is bounded by it


def _free_port() -> int:
    return free_port()


class Proc:
    """A subprocess whose combined output goes to a log file we can poll."""

    def __init__(self, name: str, args: list[str], env: dict, logdir: Path):
        self.name, self.log = name, logdir / f"{name}.log"
        self._out = self.log.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self):
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self._out.close()


def wait_until(check, what: str, until: float, procs=()):
    while time.monotonic() < until:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name} ---\n{p.text()[-3000:]}" for p in procs)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def get(url: str, opener=None):
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read().decode()
    except OSError:
        return None, ""


def login(base: str, email: str):
    """Log in through the real form (CSRF on in production); returns a cookie-carrying opener."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _, html = get(base + "/login", opener)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    with opener.open(base + "/login", data=data, timeout=5) as response:
        assert response.status == 200 and "/login" not in response.url
    return opener


def seed(today):
    """Reminders due today: a measure's termijn tomorrow, and a session in 7 days with its audience."""
    world = build_world()
    org, user = world.org, world.users["preventiemedewerker"]
    risk = risks.create_risk(
        org, {"title": "Hoge werkdruk", "description": "Piekbelasting", "theme_key": "werkdruk"}
    )
    plan.create_measure(
        org,
        user,
        {
            "title": "Werkoverleg over pieken",
            "risk_ids": [risk.id],
            "level": "organisatie",
            "approach": "bronaanpak",
            "responsible_id": user.id,
            "termijn": today + timedelta(days=1),
        },
    )
    voorlichting.create_session(
        org,
        {
            "topic": "Werkdruk herkennen",
            "audience": "alle_medewerkers",
            "session_date": today + timedelta(days=7),
            "organiser_id": user.id,
        },
    )
    db.session.commit()
    return {
        "org_id": org.id,
        "slug": org.slug,
        "org_name": org.name,
        "user_id": user.id,
        "email": user.email,
        "risk_id": risk.id,
    }


def mail_keys(sink) -> Counter:
    return Counter((tuple(sorted(e.rcpt_tos)), str(e.message["Subject"])) for e in sink.envelopes)


def ledger_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(ReminderLedger).order_by(ReminderLedger.id)))


def test_two_apps_two_schedulers_one_postgresql(backend, request, tmp_path):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: the advisory lock and several app machines need a shared server")
    cluster = request.getfixturevalue("pg_cluster")
    name = f"deploy_{os.getpid()}"
    url = cluster.create_database(name)
    sink = SmtpSink().start()
    procs: list[Proc] = []
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            db.create_all()
            today = clock.today()
            seeded = seed(today)

        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "RIECYCLE_ENV": "production",
            "RIECYCLE_SECRET_KEY": "deployment-test-secret-key-of-32-bytes",
            "RIECYCLE_SECURE_COOKIES": "0",
            "RIECYCLE_DATABASE_URL": url,
            "RIECYCLE_SMTP_HOST": sink.host,
            "RIECYCLE_SMTP_PORT": str(sink.port),
            "RIECYCLE_SCHEDULER_INTERVAL_SECONDS": "1",
            "RIECYCLE_SCHEDULER_LOCK_RETRY_SECONDS": "1",
            "RIECYCLE_ACCESS_LOG": "",
            "RIECYCLE_WORKERS": "1",
        }
        bases = []
        for n in (1, 2):
            port = _free_port()
            bases.append(f"http://127.0.0.1:{port}")
            procs.append(
                Proc(
                    f"app{n}",
                    [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                    {**env, "RIECYCLE_BIND": f"127.0.0.1:{port}"},
                    tmp_path,
                )
            )
        schedulers = [
            Proc(f"scheduler{n}", [str(BIN / "flask"), "--app", "wsgi", "scheduler"], env, tmp_path)
            for n in (1, 2)
        ]
        procs += schedulers
        until = time.monotonic() + DEADLINE

        # Both app processes serve, and a session cookie from one is valid on the other.
        for base in bases:
            status, body = wait_until(
                lambda b=base: get(b + "/healthz")[0] and get(b + "/healthz"), f"{base}/healthz", until, procs
            )
            assert status == 200 and '"ok"' in body
        opener = login(bases[0], seeded["email"])
        status, body = get(f"{bases[1]}/o/{seeded['slug']}/", opener)
        assert status == 200 and seeded["org_name"] in body

        # Exactly one scheduler leads; the other is a hot standby.
        def roles():
            active = [s for s in schedulers if "Planner actief" in s.text()]
            standby = [s for s in schedulers if "stand-by" in s.text()]
            return (active, standby) if len(active) == 1 and len(standby) == 1 else None

        (leader,), (standby,) = wait_until(roles, "one active and one standby scheduler", until, procs)

        # 1 termijn reminder + 1 organiser reminder + an invitation to each of 6 employees.
        wait_until(lambda: len(sink.envelopes) >= 8, "the first reminder mails", until, procs)
        with app.app_context():
            wait_until(
                lambda: all(r.status == "sent" for r in ledger_rows()), "ledger rows sent", until, procs
            )
        time.sleep(3)  # three more passes: nothing may be sent again
        first = mail_keys(sink)
        assert first and max(first.values()) == 1, f"duplicate reminders: {first}"
        with app.app_context():
            rows = ledger_rows()
            mailed = [r for r in rows if r.channel in ("mail", "invitation")]
            assert len(mailed) == sum(first.values())
            assert {r.subject for r in mailed} == {subject for _, subject in first}
        assert "Planner actief" not in standby.text()

        # Kill the leader outright; the standby takes the lock and runs the next pass.
        leader.popen.send_signal(signal.SIGKILL)
        leader.popen.wait(5)
        wait_until(lambda: "Planner actief" in standby.text(), "the standby to take over", until, procs)
        with app.app_context():
            org, user = (
                db.session.get(Organisation, seeded["org_id"]),
                db.session.get(User, seeded["user_id"]),
            )
            plan.create_measure(
                org,
                user,
                {
                    "title": "Nieuwe maatregel na overname",
                    "risk_ids": [seeded["risk_id"]],
                    "level": "organisatie",
                    "approach": "bronaanpak",
                    "responsible_id": user.id,
                    "termijn": today + timedelta(days=14),
                },
            )
            db.session.commit()

        def new_mail():
            return any("Nieuwe maatregel na overname" in s for _, s in mail_keys(sink))

        wait_until(new_mail, "the standby's pass to mail the new reminder", until, procs)
        time.sleep(3)
        final = mail_keys(sink)
        assert max(final.values()) == 1, f"duplicate reminders: {final}"
        assert len(final) == len(first) + 1
        with app.app_context():
            new_rows = [r for r in ledger_rows() if "Nieuwe maatregel na overname" in r.subject]
            assert [r.status for r in new_rows] == ["sent"]
        assert "herinneringen:" in standby.text().split("Planner actief", 1)[1]
    finally:
        for proc in procs:
            proc.stop()
        sink.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        cluster.drop_database(name)
