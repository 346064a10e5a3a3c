"""The Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from riecycle import create_app
from riecycle.extensions import db


def test_upgrade_matches_models(fresh_url):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_audit_trail_is_append_only_after_the_migrations(fresh_url, backend):
    """Both databases: entries never change; content only becomes a tombstone, once."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_entries (id, created_at, entity, entity_id, action) "
                    "VALUES (1, CURRENT_TIMESTAMP, 'Test', 1, 'create')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO audit_content (entry_id, label, changes) VALUES (1, 'Jansen', '{\"a\": [null, 1]}')"
                )
            )
        forbidden = (
            "UPDATE audit_entries SET action = 'update'",
            "DELETE FROM audit_entries",
            "DELETE FROM audit_content",
            "UPDATE audit_content SET label = 'Pietersen'",
            "UPDATE audit_content SET changes = NULL, label = 'gewist op 1 jan'",  # no erased_at
            "UPDATE audit_content SET erased_at = CURRENT_TIMESTAMP, label = 'x', changes = NULL",
            "UPDATE audit_content SET erased_at = CURRENT_TIMESTAMP, label = 'gewist op 1 jan door A'",
        )
        for statement in forbidden:
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(statement))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT action FROM audit_entries")).scalar_one() == "create"
            assert conn.execute(text("SELECT label FROM audit_content")).scalar_one() == "Jansen"
        tombstone = "UPDATE audit_content SET erased_at = CURRENT_TIMESTAMP, label = 'gewist op 1 jan door A', changes = NULL"
        with db.engine.begin() as conn:
            conn.execute(text(tombstone))
        with pytest.raises(DBAPIError, match="append-only"):  # erased once, then fixed
            with db.engine.begin() as conn:
                conn.execute(text(tombstone.replace("door A", "door B")))
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT label FROM audit_content")).scalar_one() == "gewist op 1 jan door A"
            )
        db.engine.dispose()


def test_existing_audit_content_moves_to_its_own_table(fresh_url):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade(revision="d33a3bc4debd")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_entries (id, created_at, entity, entity_id, action, label, changes) "
                    "VALUES (7, CURRENT_TIMESTAMP, 'Maatregel', 3, 'create', 'Minder uren Jansen', "
                    '\'{"title": [null, "Minder uren Jansen"]}\')'
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa_inspect(conn).get_columns("audit_entries")}
            content = conn.execute(text("SELECT entry_id, label FROM audit_content")).one()
        assert "label" not in columns and "changes" not in columns
        assert tuple(content) == (7, "Minder uren Jansen")
        from riecycle.models import AuditEntry

        entry = db.session.get(AuditEntry, 7)
        assert entry.changes == {"title": [None, "Minder uren Jansen"]}
        assert entry.label == "Minder uren Jansen"
        db.session.remove()
        db.engine.dispose()


def test_audit_content_migration_downgrades(fresh_url):
    from flask_migrate import downgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_entries (id, created_at, entity, entity_id, action) "
                    "VALUES (5, CURRENT_TIMESTAMP, 'Team', 1, 'create')"
                )
            )
            conn.execute(
                text("INSERT INTO audit_content (entry_id, label, changes) VALUES (5, 'Noord', '{}')")
            )
        downgrade(revision="d33a3bc4debd")
        with db.engine.connect() as conn:
            assert tuple(conn.execute(text("SELECT id, label FROM audit_entries")).one()) == (5, "Noord")
        db.engine.dispose()
