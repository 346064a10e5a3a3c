"""The audit trail: field-level, append-only, filterable, visible to beheerder and auditor."""

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import AuditEntry, Team


def _entries(entity=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    return list(db.session.scalars(stmt))


def test_create_update_delete_restore_are_recorded_with_old_and_new(world, client_as):
    client = client_as("beheerder")
    team = world.teams["Zorgteam Zuid"]
    client.post(
        f"/o/acme/beheer/teams/{team.id}",
        data={"name": "Zorgteam Zuid-Oost", "kind": "locatie", "parent_id": "", "manager_id": ""},
    )
    [update] = [e for e in _entries("Team") if e.action == "update" and e.entity_id == team.id]
    assert update.changes["name"] == ["Zorgteam Zuid", "Zorgteam Zuid-Oost"]
    assert update.user_id == world.users["beheerder"].id
    assert update.organisation_id == world.org.id
    assert update.entity_id == team.id

    employee = world.employees[0]
    client.post(f"/o/acme/beheer/medewerkers/{employee.id}/verwijderen")
    client.post(f"/o/acme/beheer/prullenbak/medewerker/{employee.id}/terugzetten")
    actions = [e.action for e in _entries("Medewerker") if e.entity_id == employee.id]
    assert actions == ["create", "delete", "restore"]


def test_audit_page_shows_the_change_and_filters(world, client_as):
    team = world.teams["Zorgteam Zuid"]
    client_as("beheerder").post(
        f"/o/acme/beheer/teams/{team.id}",
        data={"name": "Zorgteam Zuid-Oost", "kind": "locatie", "parent_id": "", "manager_id": ""},
    )
    html = client_as("auditor").get("/o/acme/audit/?entity=Team&action=update").get_data(as_text=True)
    assert "Zorgteam Zuid" in html and "Zorgteam Zuid-Oost" in html
    assert "gewijzigd" in html
    filtered = client_as("auditor").get("/o/acme/audit/?action=delete").get_data(as_text=True)
    assert "Zorgteam Zuid-Oost" not in filtered


def test_audit_page_shows_only_own_organisation(world, client_as):
    html = client_as("other").get("/o/other/audit/").get_data(as_text=True)
    assert "Zorgteam Noord" not in html
    assert "Bouwploeg" in html


def test_audit_never_contains_password_hashes(world):
    users = _entries("Gebruiker")
    assert users, "creating users is audited"
    for entry in users:
        assert "password_hash" not in entry.changes
        assert "session_token" not in entry.changes


def test_bad_filter_values_do_not_break_the_page(world, client_as):
    response = client_as("auditor").get("/o/acme/audit/?van=gisteren&tot=2026-99-99&user=abc&page=-3")
    assert response.status_code == 200


def test_audit_entries_cannot_be_changed_through_the_app(app):
    # No route writes to the audit table except by appending.
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_trigger_rejects_update_and_delete(world):
    """On PostgreSQL and on SQLite alike (tables made by create_all)."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for statement in (
        "UPDATE audit_entries SET action = 'x'",
        "DELETE FROM audit_entries",
        "UPDATE audit_content SET label = 'x'",
        "UPDATE audit_content SET changes = NULL",
        "DELETE FROM audit_content",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AuditEntry.id).limit(1)) is not None


def test_tenant_ids_from_another_organisation_are_404(world, client_as):
    client = client_as("beheerder")
    assert client.get(f"/o/acme/beheer/teams/{world.other_team.id}").status_code == 404
    assert client.get(f"/o/acme/beheer/medewerkers/{world.other_employee.id}").status_code == 404
    # And a member of the other organisation cannot open acme at all.
    assert client_as("other").get("/o/acme/").status_code == 404
    assert db.session.scalar(select(Team.name).where(Team.id == world.other_team.id)) == "Bouwploeg"


def test_changes_to_individual_measures_are_masked_for_auditors(world, client_as):
    from datetime import date

    from riecycle.models import Measure, MeasureNote, Risk

    employee = world.employees[0]
    risk = Risk(organisation_id=world.org.id, theme_key="werkdruk", title="Werk-privebalans", description="x")
    db.session.add(risk)
    db.session.flush()
    measure = Measure(
        organisation_id=world.org.id,
        title="Minder uren voor Jansen (mantelzorg moeder)",
        description="Zorgtaken thuis",
        level="individu",
        employee_id=employee.id,
        approach="werk_prive",
        responsible_id=world.users["preventiemedewerker"].id,
        termijn=date(2027, 1, 1),
        risks=[risk],
    )
    db.session.add(measure)
    db.session.flush()
    db.session.add(
        MeasureNote(
            organisation_id=world.org.id,
            measure_id=measure.id,
            noted_on=date(2026, 11, 1),
            text="Gesprek over mantelzorg gevoerd",
        )
    )
    db.session.commit()
    personal = db.session.scalars(select(AuditEntry).where(AuditEntry.personal.is_(True))).all()
    assert {e.entity for e in personal} == {"Maatregel", "Voortgangsnotitie"}
    auditor_html = client_as("auditor").get("/o/acme/audit/").get_data(as_text=True)
    assert "mantelzorg" not in auditor_html.lower()
    assert "Afgeschermd" in auditor_html
    beheerder_html = client_as("beheerder").get("/o/acme/audit/").get_data(as_text=True)
    assert "Minder uren voor Jansen" in beheerder_html
