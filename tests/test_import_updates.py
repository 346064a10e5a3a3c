"""Issue 17 point 2: an exported plan, edited in Excel, imports back as updates."""

import html
import re
from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import AuditEntry, Measure, MeasureStatusChange, Risk
from riecycle.services import plan as plan_service
from tests.factories import make_detailed_measure as make_measure
from tests.factories import make_evaluated_risk as make_risk
from tests.factories import make_individual_measure
from tests.support.files import download_xlsx as download

EVIDENCE = "/o/acme/export/bewijsdossier"


def _plan(world):
    risk = make_risk(world)
    other = make_risk(world, "Pesten op de werkvloer", theme="pesten")
    measures = [make_measure(world, risk if i % 2 else other, title=f"Maatregel {i}") for i in range(1, 7)]
    db.session.commit()
    return risk, measures


def _edit(data: bytes, edits: dict) -> bytes:
    """Change cells of the Plan van aanpak sheet: {(reference, header): value}."""
    wb = load_workbook(BytesIO(data))
    ws = wb["Plan van aanpak"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for (ref, column), value in edits.items():
            if row[0].value == ref:
                row[head.index(column)].value = value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, data: bytes):
    return client.post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )


def _counts(org_id):
    return (
        db.session.scalar(select(func.count(Risk.id)).where(Risk.organisation_id == org_id)),
        db.session.scalar(select(func.count(Measure.id)).where(Measure.organisation_id == org_id)),
    )


def test_round_trip_makes_exactly_the_changes(client_as, world):
    _risk, measures = _plan(world)
    m1, m2, m3, m4, m5, m6 = measures
    client = client_as("beheerder")
    exported = download(client_as, "beheerder", EVIDENCE)
    edited = _edit(
        exported,
        {
            (m1.reference, "Status"): "In uitvoering",
            (m2.reference, "Status"): "In uitvoering",
            (m3.reference, "Status"): "Vervallen",
            (m3.reference, "Reden vervallen"): "Niet meer nodig na de reorganisatie.",
            (m4.reference, "Termijn"): date(2099, 6, 30),
            (m5.reference, "Verantwoordelijke"): world.users["beheerder"].email,
        },
    )
    before = _counts(world.org.id)
    audit_before = db.session.scalar(select(func.max(AuditEntry.id))) or 0

    response = _upload(client, edited)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Dit wordt aangemaakt: 0 risico's en 0 maatregelen." in preview
    assert "Bijgewerkt: 5 bestaande risico's en maatregelen. Ongewijzigd: 3 rijen." in preview
    changes = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.split('data-testid="preview-changes"')[1]))
    assert f"{m4.reference} Termijn 31 mrt 2099 30 jun 2099" in changes
    assert f"{m5.reference} Verantwoordelijke Preventiemedewerker Acme Beheerder Acme" in changes
    assert f"{m3.reference} Status Gepland Vervallen" in changes
    assert m6.reference not in changes
    assert db.session.scalar(select(Measure.status).where(Measure.id == m1.id)) == "gepland", (
        "nothing saved yet"
    )

    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    assert _counts(world.org.id) == before, "no duplicates"
    got = {m.id: db.session.get(Measure, m.id) for m in measures}
    assert [got[m.id].status for m in measures] == [
        "in_uitvoering",
        "in_uitvoering",
        "vervallen",
        "gepland",
        "gepland",
        "gepland",
    ]
    assert got[m3.id].status_reason == "Niet meer nodig na de reorganisatie."
    assert got[m4.id].termijn == date(2099, 6, 30)
    assert got[m5.id].responsible_id == world.users["beheerder"].id
    assert got[m6.id].termijn == date(2099, 3, 31) and got[m6.id].title == "Maatregel 6"

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    measure_updates = [e for e in entries if e.entity == "Maatregel" and e.action == "update"]
    status_changes = [e for e in entries if e.entity == "Statuswijziging" and e.action == "create"]
    assert sorted(e.entity_id for e in measure_updates) == sorted([m1.id, m2.id, m3.id, m4.id, m5.id])
    assert len(status_changes) == 3
    changed = {e.entity_id: set(e.changes) - {"updated_at", "version_id"} for e in measure_updates}
    assert changed[m4.id] == {"termijn"} and changed[m5.id] == {"responsible_id"}
    assert "status" in changed[m1.id] and "termijn" not in changed[m1.id]
    # Besides the changes: only the uploaded file, kept until the confirm (Document).
    assert {e.entity for e in entries} <= {"Maatregel", "Statuswijziging", "Document"}, "nothing else touched"


def test_a_record_changed_after_the_export_is_a_conflict(client_as, world):
    _risk, measures = _plan(world)
    target = measures[0]
    exported = download(client_as, "beheerder", EVIDENCE)
    plan_service.update_measure(target, {"termijn": date(2099, 5, 1)}, target.version_id)
    db.session.commit()
    edited = _edit(exported, {(target.reference, "Termijn"): date(2099, 7, 1)})
    response = _upload(client_as("beheerder"), edited)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "gewijzigd na de export" in html and target.reference in html
    assert "1 jul 2099" in html and "1 mei 2099" in html, "both values are shown"
    db.session.expire_all()
    assert db.session.get(Measure, target.id).termijn == date(2099, 5, 1)


def test_illegal_status_step_and_missing_reason_are_refused(client_as, world):
    _risk, measures = _plan(world)
    plan_service.change_status(measures[1], world.users["beheerder"], "in_uitvoering")
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    edited = _edit(
        exported,
        {
            (measures[0].reference, "Status"): "Uitgevoerd",  # gepland cannot jump to uitgevoerd
            (measures[1].reference, "Status"): "Gepland",  # back without a reason
            (measures[2].reference, "Termijn"): date(2099, 1, 1),  # fine, but all or nothing
        },
    )
    response = _upload(client_as("beheerder"), edited)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "kan niet direct naar" in html and "vraagt een reden" in html
    db.session.expire_all()
    assert db.session.get(Measure, measures[2].id).termijn == date(2099, 3, 31)


def test_new_rows_are_created_and_missing_rows_are_kept(client_as, world):
    risk, measures = _plan(world)
    wb = load_workbook(BytesIO(download(client_as, "beheerder", EVIDENCE)))
    ws = wb["Plan van aanpak"]
    head = [c.value for c in ws[1]]
    template = [c.value for c in ws[2]]
    ws.delete_rows(3)  # a missing row deletes nothing
    new = list(template)
    new[head.index("Maatregel-ref")] = None
    new[head.index("Titel")] = "Een nieuwe maatregel"
    new[head.index("Versie")] = None
    new[head.index("Budget")] = 250
    ws.append(new)
    ws.cell(row=2, column=head.index("Budget") + 1).value = 2000  # the first measure's budget
    out = BytesIO()
    wb.save(out)
    client = client_as("beheerder")
    response = _upload(client, out.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview))
    assert f"{measures[0].reference} Budget € 1.500,50 € 2.000,00" in text, "budget changes are shown"
    assert "€ 250,00" in text, "and the budget of a new measure"
    assert "Ongewijzigd: 6 rijen." in text  # 2 risks and 4 measures; the deleted row is no change
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    titles = db.session.scalars(
        select(Measure.title).where(Measure.organisation_id == world.org.id, Measure.deleted_at.is_(None))
    ).all()
    assert len(titles) == 7 and "Een nieuwe maatregel" in titles


def test_pseudonymised_copy_never_overwrites_titles(client_as, world):
    risk = make_risk(world)
    individual = make_individual_measure(world, risk)
    db.session.commit()
    stored = (individual.title, individual.description, individual.employee_id)
    exported = download(client_as, "auditor", EVIDENCE)
    wb = load_workbook(BytesIO(exported))
    assert wb.custom_doc_props["riecycle-gepseudonimiseerd"].value is True
    ws = wb["Plan van aanpak"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == individual.reference)
    assert row[head.index("Titel")].value != individual.title, "the auditor's copy is pseudonymised"
    row[head.index("Termijn")].value = date(2099, 8, 1)
    out = BytesIO()
    wb.save(out)
    client = client_as("beheerder")
    response = _upload(client, out.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "niet overgenomen: dit bestand is gepseudonimiseerd" in preview
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    measure = db.session.get(Measure, individual.id)
    assert (measure.title, measure.description, measure.employee_id) == stored
    assert measure.termijn == date(2099, 8, 1)


def test_plan_list_export_imports_back(client_as, world):
    _risk, measures = _plan(world)
    exported = download(client_as, "beheerder", "/o/acme/export/plan.xlsx")
    edited = _edit(exported, {(measures[0].reference, "Status"): "In uitvoering"})
    client = client_as("beheerder")
    response = _upload(client, edited)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    assert db.session.get(Measure, measures[0].id).status == "in_uitvoering"
    assert (
        db.session.scalar(
            select(func.count(MeasureStatusChange.id)).where(MeasureStatusChange.measure_id == measures[0].id)
        )
        == 2
    )


def test_cli_dry_run_shows_the_diff_and_writes_nothing(app, client_as, world, tmp_path):
    _risk, measures = _plan(world)
    exported = download(client_as, "beheerder", EVIDENCE)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_edit(exported, {(measures[0].reference, "Termijn"): date(2099, 9, 1)}))
    result = app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        measures[0].reference in result.output
        and "31 mrt 2099" in result.output
        and "1 sep 2099" in result.output
    )
    db.session.expire_all()
    assert db.session.get(Measure, measures[0].id).termijn == date(2099, 3, 31)


def test_risk_rows_update_the_risk_through_the_form_services(client_as, world):
    risk, _measures = _plan(world)
    exported = download(client_as, "beheerder", EVIDENCE)
    wb = load_workbook(BytesIO(exported))
    ws = wb["Risico's"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == risk.reference)
    row[head.index("Titel")].value = "Hoge werkdruk in de avond"
    row[head.index("Kans")].value = 1  # a new evaluation: kinney 1·4·5
    row[head.index("Datum beoordeling")].value = None
    out = BytesIO()
    wb.save(out)
    client = client_as("beheerder")
    audit_before = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    response = _upload(client, out.getvalue())
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Hoge werkdruk op de afdeling" in preview and "Hoge werkdruk in de avond" in preview
    assert "Kinney 3·4·5" in preview and "Kinney 1·4·5" in preview
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    stored = db.session.get(Risk, risk.id)
    assert stored.title == "Hoge werkdruk in de avond" and stored.current_kans == 1
    assert stored.reference == risk.reference
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    risk_updates = [e for e in entries if e.entity == "Risico" and e.action == "update"]
    assert [set(e.changes) - {"updated_at", "version_id"} for e in risk_updates] == [{"title"}]
    assert [e.action for e in entries if e.entity == "Risicobeoordeling"] == ["create"]
    assert {e.entity for e in entries} <= {"Risico", "Risicobeoordeling", "Document"}


def test_a_workbook_with_a_period_cannot_update(client_as, world):
    """An export with a past end date shows the state of that day: importing it would undo changes."""
    _risk, measures = _plan(world)
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    exported = download(client_as, "beheerder", f"{EVIDENCE}?van=2020-01-01&tot={yesterday}")
    response = _upload(client_as("beheerder"), exported)
    assert response.status_code == 400
    assert "een export met een periode" in html.unescape(response.get_data(as_text=True))


def test_geevalueerd_needs_an_evaluation(client_as, world):
    _risk, measures = _plan(world)
    user = world.users["beheerder"]
    plan_service.change_status(measures[0], user, "in_uitvoering")
    plan_service.change_status(measures[0], user, "uitgevoerd")
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    response = _upload(
        client_as("beheerder"), _edit(exported, {(measures[0].reference, "Status"): "Geëvalueerd"})
    )
    assert response.status_code == 400
    assert "Status Geëvalueerd kan niet worden ingelezen" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Measure, measures[0].id).status == "uitgevoerd"
