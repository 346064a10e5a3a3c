"""Fixtures: the app on SQLite and on a throwaway PostgreSQL cluster, clients per role,
an SMTP sink, and a Chromium browser.

Every test that uses `app` runs twice: once per database, except browser tests (marker e2e)
and tests marked one_database, which run on the first selected one. Set RIECYCLE_TEST_DB=sqlite
(or postgresql) to run one backend while developing.

Under pytest-xdist (`make test` passes -n) each worker process has its own session fixtures: its
own SQLite file, its own PostgreSQL cluster, and ports from its own block (tests/support/ports.py).
"""

import itertools
import os
import re
import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from riecycle import cache, create_app
from riecycle.extensions import db as _db
from tests.factories import PASSWORD, add_staff, build_world
from tests.support.browser import LiveServer, chromium_available, launch
from tests.support.pg import PostgresCluster, pg_available
from tests.support.smtp import SmtpSink

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = [b for b in ("sqlite", "postgresql") if os.environ.get("RIECYCLE_TEST_DB", b) == b]


def pytest_collection_modifyitems(config, items):
    """Browser tests (and tests marked one_database) run on the first selected database only:
    the database adds nothing to what they check, and each one costs seconds."""
    if len(BACKENDS) < 2:
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        one = item.get_closest_marker("e2e") or item.get_closest_marker("one_database")
        (drop if one and backend not in (None, BACKENDS[0]) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def require(available: bool, what: str):
    """Skip locally when a component is missing; in CI a missing component fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but not available", pytrace=False)
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def pg_cluster():
    require(pg_available(), "PostgreSQL (initdb/pg_ctl)")
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, request, tmp_path_factory):
    if backend == "postgresql":
        return request.getfixturevalue("pg_cluster").url
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, so g, the login cache and the database
    session are not shared with the test (or with the previous request)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": None,
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        if _db.engine.dialect.name == "sqlite":
            # A pristine copy of the empty database, made once: each test starts from it.
            app.extensions["pristine_sqlite"] = pristine = sqlite3.connect(
                ":memory:", check_same_thread=False
            )
            with _db.engine.connect() as conn:
                conn.connection.dbapi_connection.backup(pristine)
    return app


def _wipe(app):
    """A fresh, empty database for each test.

    The audit triggers forbid DELETE, on SQLite too; they do not fire on TRUNCATE (PostgreSQL),
    and SQLite gets a copy of the pristine empty database (the backup API, under a lock).
    """
    with app.app_context():
        _db.session.remove()
        if _db.engine.dialect.name == "sqlite":
            # Idle pooled connections hold no lock and notice the new schema by themselves.
            with _db.engine.connect() as conn:
                app.extensions["pristine_sqlite"].backup(conn.connection.dbapi_connection)
            return
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(_app):
    """The app with empty tables, inside an app context."""
    _wipe(_app)
    cache.clear()  # cached aggregates are keyed by organisation id and counter, which restart
    saved = dict(_app.config)
    with _app.app_context():
        yield _app
        _db.session.remove()
    _app.config.clear()
    _app.config.update(saved)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(app):
    """Org 'acme' (a user per role, two teams, six employees) and org 'other'."""
    world = build_world()
    _db.session.commit()
    return world


def login(client, email: str, password: str = PASSWORD):
    """Log a test client in through the real login form."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"login as {email} failed ({response.status_code})"
    return client


@pytest.fixture
def client_as(app, world):
    """client_as('preventiemedewerker') -> a test client logged in with that role.

    'other' is the beheerder of another organisation; 'anon' is not logged in.
    """
    clients = {}

    def factory(role: str):
        if role not in clients:
            client = app.test_client()
            if role != "anon":
                login(client, world.users[role].email)
            clients[role] = client
        return clients[role]

    return factory


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost; the app sends its mail there."""
    sink = SmtpSink().start()
    app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port)
    yield sink
    sink.stop()


@pytest.fixture
def outbox(app):
    """Mail written as .eml files (no SMTP configured), parsed."""
    import email
    from email import policy

    folder = Path(app.instance_path) / "outbox"

    def read():
        if not folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime)
        ]

    for old in folder.glob("*.eml") if folder.exists() else []:
        old.unlink()
    return read


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)


# --- browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    require(chromium_available(), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = launch(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


def browser_login(page, email: str, password: str = PASSWORD):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def staffed(world):
    """The world for the pulse tests: Noord has 8 people with e-mail, Zuid 6."""

    add_staff(world, "Zorgteam Noord", 5)
    add_staff(world, "Zorgteam Zuid", 3)
    _db.session.commit()
    return world


# A database that only the migrations build (tests of the migrations themselves).
_names = itertools.count(1)


@pytest.fixture
def fresh_url(backend, tmp_path, request):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"migrated_{next(_names)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)
