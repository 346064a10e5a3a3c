"""The audit log reads as Dutch: record names, field labels, local times and formatted values, on
the page, in auditlog.xlsx and in the evidence workbook; masking unchanged."""

import re
from datetime import UTC, date, datetime
from html import unescape
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from riecycle import clock
from riecycle.audit_labels import AuditFormatter, entity_label, field_label
from riecycle.clock import AMSTERDAM
from riecycle.extensions import db
from riecycle.models import AuditEntry, VoorlichtingSession
from riecycle.services import organisations
from riecycle.services import plan as plan_service
from tests.factories import SECRET_TITLE, make_detailed_measure, make_evaluated_risk, make_individual_measure

RAW_KEYS = ("is_leidinggevenden_instructie", "budget_eur", "responsible_id", "deleted_at", "Organisation")


@pytest.fixture
def changed(world):
    owner = world.users["preventiemedewerker"]
    risk = make_evaluated_risk(world, evaluations=())
    measure = make_detailed_measure(world, risk, termijn=date(2099, 3, 31))
    plan_service.change_status(measure, owner, "in_uitvoering")
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Signalen herkennen",
        audience="leidinggevenden",
        session_date=date(2026, 5, 4),
        is_leidinggevenden_instructie=False,
    )
    db.session.add(session)
    db.session.flush()
    session.is_leidinggevenden_instructie = True
    organisations.update_organisation(world.org, {"name": "Acme Zorg", "uses_branche_rie": True})
    make_individual_measure(world, risk)
    db.session.flush()
    measure.deleted_at = clock.now()
    db.session.commit()
    deleted = db.session.scalars(
        select_entries(world.org.id, "Maatregel").where(AuditEntry.action == "delete")
    ).one()
    moment = datetime.fromisoformat(deleted.changes["deleted_at"][1])
    return {
        "measure": measure,
        "deleted_local": moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(AMSTERDAM),
    }


def select_entries(org_id, entity):
    return select(AuditEntry).where(AuditEntry.organisation_id == org_id, AuditEntry.entity == entity)


def _page_text(client_as, role="beheerder", query="") -> str:
    response = client_as(role).get(f"/o/acme/audit/{query}")
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_labels_come_from_one_mapping():
    assert entity_label("Organisation") == "Organisatie"
    assert entity_label("Maatregel") == "Maatregel"
    assert field_label("Voorlichting", "is_leidinggevenden_instructie") == "Instructie voor leidinggevenden"
    assert field_label("Maatregel", "budget_eur") == "Budget"
    assert field_label("Maatregel", "termijn") == "Termijn"
    assert field_label("Maatregel", "teams") == "Team(s)"
    assert field_label("Risico", "factors") == "Werkdrukfactoren"
    assert field_label("Maatregel", "deleted_at") == "Verwijderd op"


def test_values_are_formatted(app, world):
    words = AuditFormatter(world.org.id)
    assert words.value("Voorlichting", "is_leidinggevenden_instructie", True) == "Ja"
    assert words.value("Voorlichting", "is_leidinggevenden_instructie", False) == "Nee"
    assert words.value("Maatregel", "termijn", "2099-03-31") == "31-03-2099"
    assert words.value("Maatregel", "budget_eur", "1500.50") == "€ 1.500,50"
    assert words.value("Maatregel", "status", "in_uitvoering") == "In uitvoering"
    assert words.value("Risico", "status", "in_behandeling") == "In behandeling"
    # Summer time: 10:00 UTC is 12:00 in Amsterdam.
    assert words.value("Maatregel", "deleted_at", "2026-06-01T10:00:00+00:00") == "01-06-2026 12:00"
    owner = world.users["preventiemedewerker"]
    assert words.value("Maatregel", "responsible_id", owner.id) == owner.name
    assert words.value("Maatregel", "title", None) == "—"
    assert words.value("Voorlichting", "start_time", "09:30:00") == "09:30"


def test_the_audit_page_reads_as_dutch(client_as, world, changed):
    text = _page_text(client_as)
    for raw in RAW_KEYS:
        assert raw not in text, raw
    assert "Organisatie #" in text
    assert "Instructie voor leidinggevenden Nee → Ja" in text
    assert "Budget € 1.500,50" in text
    assert "Termijn 31-03-2099" in text
    assert "Nieuwe status In uitvoering" in text
    assert f"Verwijderd op — → {changed['deleted_local'].strftime('%d-%m-%Y %H:%M')}" in text
    assert "uses_branche_rie" not in text
    assert f"{field_label('Organisation', 'uses_branche_rie')} Nee → Ja" in text
    # The entity filter lists Dutch names and still filters on the stored value.
    filtered = _page_text(client_as, query="?entity=Organisation")
    assert "Organisatie #" in filtered and "Maatregel #" not in filtered


def test_the_audit_sheets_read_as_dutch(client_as, world, changed):
    for url in ("/o/acme/export/auditlog.xlsx", "/o/acme/export/bewijsdossier"):
        response = client_as("beheerder").get(url)
        assert response.status_code == 200
        ws = load_workbook(BytesIO(response.data))["Audit log"]
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        text = "\n".join(str(v) for row in rows for v in row if v is not None)
        for raw in RAW_KEYS:
            assert raw not in text, (url, raw)
        entities = {row[2] for row in rows}
        assert "Organisatie" in entities and "Organisation" not in entities
        assert "Instructie voor leidinggevenden: Nee → Ja" in text
        assert "Budget: € 1.500,50" in text
        assert f"Verwijderd op: — → {changed['deleted_local'].strftime('%d-%m-%Y %H:%M')}" in text


def test_masking_is_unchanged(client_as, world, changed):
    # The auditor may read the audit log but not the individual measure: still masked.
    text = _page_text(client_as, "auditor")
    assert SECRET_TITLE not in text
    assert "Afgeschermd: deze wijziging betreft een individuele maatregel van een medewerker (AVG)." in text
    response = client_as("auditor").get("/o/acme/export/bewijsdossier")
    sheet_text = "\n".join(
        str(c.value)
        for row in load_workbook(BytesIO(response.data))["Audit log"].iter_rows()
        for c in row
        if c.value is not None
    )
    assert SECRET_TITLE not in sheet_text
    assert "individuele maatregel" in sheet_text


def test_every_audited_field_has_a_dutch_label(app):
    """A new audited column needs a label (riecycle/audit_labels.py: DEFINED, FIELDS or a form in FORMS)."""
    from riecycle.audit import _audited_attrs
    from riecycle.audit_labels import defined_label
    from riecycle.models.base import Base

    missing = []
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if not getattr(model, "__audited__", False):
            continue
        entity = model.__audit_label__ or model.__name__
        assert entity_label(entity) != "Organisation"
        for key, _collection in _audited_attrs(model.__new__(model)):
            if key != "id" and defined_label(entity, key) is None:
                missing.append(f"{entity}.{key}")
    assert not missing, missing
