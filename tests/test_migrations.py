"""The Alembic migrations build exactly the schema the models describe."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from riecycle import create_app
from riecycle.extensions import db
from tests.factories import make_org


def test_upgrade_matches_models(fresh_url):
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def _checks(engine) -> dict[str, set[str]]:
    inspector = sa_inspect(engine)
    return {
        table: {check["name"] for check in inspector.get_check_constraints(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def test_upgrade_adds_the_check_constraints_the_models_declare(fresh_url, tmp_path):
    """Autogenerate does not compare CHECK constraints: the models' own (create_all, as the test
    databases are built) and the migrated database's are compared by name, table by table."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade()
        migrated = _checks(db.engine)
        db.engine.dispose()
    models = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'models.sqlite'}"}
    )
    with models.app_context():
        db.create_all()
        declared = _checks(db.engine)
        db.engine.dispose()
    assert sum(len(names) for names in declared.values()) > 40  # the stored choices of every model
    differ = {
        t: (declared.get(t), migrated.get(t))
        for t in declared | migrated
        if declared.get(t) != migrated.get(t)
    }
    assert not differ, f"check constraints differ (models, migrations): {differ}"


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


def test_a_stored_runs_counted_ids_move_out_of_its_items_and_back(fresh_url):
    from flask_migrate import downgrade

    items = [
        {"id": "B12", "counts": [{"key": "maatregelen", "n": 3, "ids": [[4, 6]]}, {"key": "leeg", "n": 0}]},
        {"id": "A1", "counts": []},
    ]
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_url})
    with app.app_context():
        upgrade(revision="risk_checks_1")
        org_id = make_org("oud", "Oud").id
        db.session.commit()
        db.session.remove()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO checklist_runs (id, organisation_id, run_at, run_on, origin, group_scores, "
                    "items, created_at) VALUES (5, :org, CURRENT_TIMESTAMP, CURRENT_DATE, 'web', '{}', :items, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"org": org_id, "items": json.dumps(items)},
            )
        upgrade()
        from riecycle.models import ChecklistRun

        run = db.session.get(ChecklistRun, 5)
        assert run.counted("B12", "maatregelen") == [[4, 6]] and run.counted("A1", "x") == []
        assert run.item("B12")["counts"] == [{"key": "maatregelen", "n": 3}, {"key": "leeg", "n": 0}]
        db.session.remove()
        downgrade(revision="risk_checks_1")
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT items FROM checklist_runs WHERE id = 5")).scalar_one()
        assert (json.loads(stored) if isinstance(stored, str) else stored) == items
        db.engine.dispose()
