"""The Alembic migrations build exactly the schema the models describe."""

import itertools

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from riecycle import create_app
from riecycle.extensions import db

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


def test_upgrade_matches_models(fresh_url):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_audit_trail_is_append_only_on_postgresql(fresh_url, backend):
    if backend != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_entries (created_at, entity, entity_id, action, changes) "
                    "VALUES (now(), 'Test', 1, 'create', '{}')"
                )
            )
        for statement in ("UPDATE audit_entries SET action = 'update'", "DELETE FROM audit_entries"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(statement))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT action FROM audit_entries")).scalar_one() == "create"
        db.engine.dispose()
