"""Self-tests for tests/support (PostgreSQL cluster, SMTP sink, browser)."""

from __future__ import annotations

import os
import smtplib
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.browser import LiveServer
from tests.support.pg import PostgresCluster, pg_available
from tests.support.smtp import SmtpSink

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    """Fail in CI, skip locally."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_cluster():
    if not pg_available():
        _unavailable("PostgreSQL server binaries (initdb/pg_ctl) or 'postgres' user not available")
    t0 = time.monotonic()
    cluster = PostgresCluster()
    cluster.start()
    print(f"\nPostgresCluster startup: {time.monotonic() - t0:.2f}s on port {cluster.port}")
    base_dir = cluster.base_dir
    try:
        yield cluster
    finally:
        cluster.stop()
        assert base_dir is not None and not base_dir.exists(), "cluster temp dir not removed"


@pytest.fixture()
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def chromium_browser(browser):
    """The suite's shared Chromium (one Playwright instance per process)."""
    return browser


def test_pg_select_1_psycopg(pg_cluster):
    import psycopg

    with psycopg.connect(pg_cluster.conninfo) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        user, db = conn.execute("select current_user, current_database()").fetchone()
        assert (user, db) == ("riecycle", "riecycle")
        assert conn.execute("show server_encoding").fetchone() == ("UTF8",)


def test_pg_select_1_sqlalchemy(pg_cluster):
    from sqlalchemy import create_engine, text

    assert pg_cluster.url == f"postgresql+psycopg://riecycle@127.0.0.1:{pg_cluster.port}/riecycle"
    engine = create_engine(pg_cluster.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_pg_create_and_drop_database(pg_cluster):
    from sqlalchemy import create_engine, text

    name = "scratch_" + uuid.uuid4().hex[:8]
    url = pg_cluster.create_database(name)
    assert url.endswith(f"/{name}")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("create table t (id int primary key)"))
            conn.execute(text("insert into t values (1)"))
            assert conn.execute(text("select current_database()")).scalar_one() == name
            assert conn.execute(text("select count(*) from t")).scalar_one() == 1
        # leave a pooled connection open: drop_database must still work (FORCE)
        engine.connect().close()
    finally:
        pg_cluster.drop_database(name)
        engine.dispose()

    main = create_engine(pg_cluster.url)
    try:
        with main.connect() as conn:
            exists = conn.execute(
                text("select count(*) from pg_database where datname = :n"), {"n": name}
            ).scalar_one()
        assert exists == 0
    finally:
        main.dispose()


def test_pg_rejects_unsafe_database_name(pg_cluster):
    with pytest.raises(ValueError):
        pg_cluster.create_database('x"; drop database riecycle; --')


def test_smtp_sink_receives_message(smtp_sink):
    msg = EmailMessage()
    msg["From"] = "noreply@riecycle.test"
    msg["To"] = "helfer@example.org"
    msg["Subject"] = "Schicht bestätigt ✓"
    msg.set_content("Hallo Welt\nÄÖÜ")

    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, timeout=10) as client:
        client.send_message(msg)

    [received] = smtp_sink.wait_for(1, timeout=5)
    assert received["Subject"] == "Schicht bestätigt ✓"
    assert received["To"] == "helfer@example.org"
    assert "ÄÖÜ" in received.get_body(("plain",)).get_content()
    [env] = smtp_sink.envelopes
    assert env.mail_from == "noreply@riecycle.test"
    assert env.rcpt_tos == ["helfer@example.org"]

    smtp_sink.clear()
    assert smtp_sink.messages == []
    with pytest.raises(TimeoutError):
        smtp_sink.wait_for(1, timeout=0.3)


def test_live_server_with_chromium(chromium_browser):
    from flask import Flask

    app = Flask("support_selftest")

    @app.get("/")
    def index():
        return "<h1>Hallo</h1>"

    with LiveServer(app) as server:
        assert server.url.startswith("http://127.0.0.1:")
        page = chromium_browser.new_page()
        try:
            page.goto(server.url + "/")
            assert page.locator("h1").inner_text() == "Hallo"
        finally:
            page.close()
