"""The right to erasure (AVG art. 17) next to an append-only audit trail."""

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from riecycle.extensions import db
from riecycle.models import AuditContent, AuditEntry, Employee, Measure, MeasureNote, Risk

SECRET_TITLE = "Minder uren voor Jansen (burn-out, mantelzorg moeder)"
SECRET_NOTE = "Gesprek met bedrijfsarts over herstelplan"


def _individual_measure(world, employee, title=SECRET_TITLE, note=SECRET_NOTE):
    risk = Risk(organisation_id=world.org.id, theme_key="werkdruk", title="Werkdruk", description="x")
    db.session.add(risk)
    db.session.flush()
    measure = Measure(
        organisation_id=world.org.id,
        title=title,
        description="Zorgtaken thuis, slaapt slecht" if title == SECRET_TITLE else "Toelichting",
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
        MeasureNote(organisation_id=world.org.id, measure_id=measure.id, noted_on=date(2026, 1, 5), text=note)
    )
    db.session.commit()
    return measure


def _all_audit_text() -> str:
    rows = db.session.execute(select(AuditContent.label, AuditContent.changes)).all()
    return "\n".join(f"{label} {changes}" for label, changes in rows)


def _xlsx_text(data: bytes) -> str:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value
    )


def _erase(client_as, employee_id):
    return client_as("beheerder").post(
        f"/o/acme/beheer/medewerkers/{employee_id}/wissen", data={"bevestigd": "wissen"}
    )


def test_beheerder_erases_employee_measures_and_their_audit_content(world, client_as):
    employee = world.employees[0]
    name = employee.name
    measure = _individual_measure(world, employee)
    other = _individual_measure(
        world, world.employees[1], title="Aangepaste werkplek voor Pietersen", note="Stoel besteld"
    )
    # The employee's name is changed once, so the old name sits in an update entry too.
    client_as("beheerder").post(
        f"/o/acme/beheer/medewerkers/{employee.id}",
        data={"name": name + " Sr", "team_id": employee.team_id or "", "email": "", "function": ""},
    )
    assert SECRET_TITLE in _all_audit_text() and SECRET_NOTE in _all_audit_text()
    page = client_as("beheerder").get(f"/o/acme/beheer/medewerkers/{employee.id}").get_data(as_text=True)
    assert "Wissen (AVG)" in page
    entries_before = db.session.scalar(select(db.func.count(AuditEntry.id)))
    response = _erase(client_as, employee.id)
    assert response.status_code == 302
    db.session.expire_all()

    # Records: tombstones, no personal content.
    erased = db.session.get(Employee, employee.id)
    assert erased.name.startswith("gewist op ") and f"door {world.users['beheerder'].name}" in erased.name
    assert erased.email is None and erased.deleted_at is not None
    gone = db.session.get(Measure, measure.id)
    assert gone.title.startswith("gewist op ") and gone.description is None and gone.deleted_at is not None
    # Audit content: nothing of the employee's or measure's content is left.
    everything = _all_audit_text()
    for secret in (name, SECRET_TITLE, SECRET_NOTE, "slaapt slecht"):
        assert secret not in everything
    # Other people's measures and history are untouched.
    assert db.session.get(Measure, other.id).title == "Aangepaste werkplek voor Pietersen"
    assert "Aangepaste werkplek voor Pietersen" in everything
    # No entry went away; one was added: the erasure itself, without the erased content.
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) == entries_before + 1
    [erase] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert erase.entity == "Medewerker" and erase.entity_id == employee.id
    assert erase.user_id == world.users["beheerder"].id
    assert erase.label.startswith("gewist op ") and world.users["beheerder"].name in erase.label
    assert name not in str(erase.changes)
    # The audit page shows the tombstones and the erasure.
    html = client_as("beheerder").get("/o/acme/audit/?entity=Medewerker").get_data(as_text=True)
    assert "gewist (AVG)" in html and name not in html
    erasures = client_as("auditor").get("/o/acme/audit/?action=erase").get_data(as_text=True)
    assert erase.label in erasures and "Aangepaste werkplek" not in erasures
    html = client_as("beheerder").get("/o/acme/audit/").get_data(as_text=True)
    assert SECRET_TITLE not in html and SECRET_NOTE not in html
    workbook = client_as("beheerder").get("/o/acme/export/auditlog.xlsx")
    assert workbook.status_code == 200
    cells = _xlsx_text(workbook.data)
    assert "gewist op " in cells
    for secret in (name, SECRET_TITLE, SECRET_NOTE):
        assert secret not in cells


def test_erasure_needs_the_confirmation_and_only_once(world, client_as):
    employee = world.employees[0]
    response = client_as("beheerder").post(f"/o/acme/beheer/medewerkers/{employee.id}/wissen")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).name == employee.name  # nothing erased
    _erase(client_as, employee.id)
    assert _erase(client_as, employee.id).status_code == 302
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()) == 1


@pytest.mark.parametrize("role", ["preventiemedewerker", "leidinggevende", "or_lid", "auditor"])
def test_only_a_beheerder_may_erase(world, client_as, role):
    employee = world.employees[0]
    response = client_as(role).post(
        f"/o/acme/beheer/medewerkers/{employee.id}/wissen", data={"bevestigd": "wissen"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).name == employee.name


def test_nothing_but_a_tombstone_can_change_the_log(world):
    """After the erasure too: entries are append-only, content only ever becomes a tombstone."""
    entry_id = db.session.scalar(select(AuditEntry.id).limit(1))
    forbidden = [
        "UPDATE audit_entries SET action = 'update'",
        "UPDATE audit_entries SET entity_id = 0",
        "DELETE FROM audit_entries",
        "DELETE FROM audit_content",
        f"DELETE FROM audit_content WHERE entry_id = {entry_id}",
        "UPDATE audit_content SET label = 'iets anders'",
        # A tombstone label, but the content kept:
        "UPDATE audit_content SET label = 'gewist op 1-1-2026 door X', erased_at = CURRENT_TIMESTAMP",
        # Erased content without a tombstone label:
        "UPDATE audit_content SET label = NULL, changes = NULL, erased_at = CURRENT_TIMESTAMP",
    ]
    for statement in forbidden:
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    # The sanctioned change, once; then that row is fixed too.
    db.session.execute(
        text(
            "UPDATE audit_content SET label = 'gewist op 1-1-2026 door X', changes = NULL, "
            f"erased_at = CURRENT_TIMESTAMP WHERE entry_id = {entry_id}"
        )
    )
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(
            text(f"UPDATE audit_content SET label = 'gewist op 2-2-2026 door Y' WHERE entry_id = {entry_id}")
        )
    db.session.rollback()
    entry = db.session.get(AuditEntry, entry_id)
    assert entry.label == "gewist op 1-1-2026 door X" and entry.changes == {}


def test_cli_erases_with_confirmation(world, app):
    employee = world.employees[0]
    _individual_measure(world, employee)
    runner = app.test_cli_runner()
    args = [
        "avg-wissen",
        "--org",
        "acme",
        "--medewerker",
        str(employee.id),
        "--door",
        world.users["beheerder"].email,
    ]
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "--ja" in refused.output
    not_beheerder = runner.invoke(args=[*args[:-1], world.users["auditor"].email, "--ja"])
    assert not_beheerder.exit_code != 0
    result = runner.invoke(args=[*args, "--ja"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).name.startswith("gewist op ")
    assert SECRET_TITLE not in _all_audit_text()
    assert (
        db.session.scalar(select(AuditEntry.user_id).where(AuditEntry.action == "erase"))
        == world.users["beheerder"].id
    )


def test_quotes_elsewhere_reminders_and_notifications_are_erased_too(world, client_as):
    from riecycle.models import Notification, ReminderLedger, VoorlichtingSession

    employee = world.employees[0]
    measure = _individual_measure(world, employee)
    user = world.users["preventiemedewerker"]
    # A session that lists the measure: its audit entry quotes the title.
    db.session.add(
        VoorlichtingSession(
            organisation_id=world.org.id,
            topic="Omgaan met werkdruk",
            session_date=date(2026, 3, 1),
            measures=[measure],
        )
    )
    reminder = ReminderLedger(
        organisation_id=world.org.id,
        rule="measure_overdue",
        object_type="measure",
        object_id=measure.id,
        due_date=date(2027, 1, 1),
        recipient_key=f"u{user.id}",
        recipient_user_id=user.id,
        subject=f"Termijn verstreken: {SECRET_TITLE}",
        body=f"De maatregel {SECRET_TITLE} is over de termijn.",
        status="sent",
    )
    digest = ReminderLedger(
        organisation_id=world.org.id,
        rule="digest",
        object_type="user",
        object_id=user.id,
        due_date=date(2027, 1, 4),
        recipient_key=f"u{user.id}",
        recipient_user_id=user.id,
        subject="Uw weekoverzicht",
        body=f"- {SECRET_TITLE}\n- Aangepaste werkplek voor Pietersen",
        status="sent",
    )
    db.session.add_all([reminder, digest])
    db.session.flush()
    db.session.add(
        Notification(
            user_id=user.id,
            organisation_id=world.org.id,
            ledger_id=reminder.id,
            rule="measure_overdue",
            title=f"Termijn verstreken: {SECRET_TITLE}",
        )
    )
    db.session.commit()
    assert SECRET_TITLE in _all_audit_text()

    assert _erase(client_as, employee.id).status_code == 302
    db.session.expire_all()
    assert SECRET_TITLE not in _all_audit_text()
    # The session's entry quoted the title: its content is a tombstone now, the entry remains.
    [session_entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "Voorlichting")).all()
    assert session_entry.erased_at is not None and session_entry.label.startswith("gewist op ")
    texts = [
        *db.session.execute(select(ReminderLedger.subject, ReminderLedger.body)).all(),
        *db.session.execute(select(Notification.title, Notification.body)).all(),
    ]
    flat = "\n".join(str(value) for row in texts for value in row)
    assert SECRET_TITLE not in flat
    assert "Aangepaste werkplek voor Pietersen" in flat  # the rest of the digest stays
    assert "Uw weekoverzicht" in flat


def test_a_deleted_employee_can_be_erased_from_the_prullenbak(world, client_as):
    employee = world.employees[0]
    client = client_as("beheerder")
    client.post(f"/o/acme/beheer/medewerkers/{employee.id}/verwijderen")
    trash = client.get("/o/acme/beheer/prullenbak").text
    assert f"/o/acme/beheer/medewerkers/{employee.id}/wissen" in trash
    assert _erase(client_as, employee.id).status_code == 302
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).name.startswith("gewist op ")
    assert (
        f"/o/acme/beheer/medewerkers/{employee.id}/wissen" not in client.get("/o/acme/beheer/prullenbak").text
    )
