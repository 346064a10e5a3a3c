"""The policy layer (riecycle/access): the static document table, and what the audit log and the
evidence workbook hide (they must not bypass what the pages hide)."""

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from riecycle.access import Viewer
from riecycle.access.documents import DOCUMENTS, may_delete_document, may_read_document
from riecycle.extensions import db
from riecycle.models import Approval, Attachment, Factor, Incident, OnderzoekTeam, VerdiependOnderzoek
from riecycle.services import attachments
from riecycle.services import onderzoek as onderzoek_service
from tests.factories import make_rie, make_risk


def _cells(response) -> str:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return "\n".join(
        str(v)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )


def _decided_rie(world):
    """An RI&E with the OR's decision and its decision document."""
    rie = make_rie(world)
    approval = Approval(
        organisation_id=world.org.id,
        subject_type="rie",
        subject_id=rie.id,
        submitted_on=date(2026, 1, 5),
        decision="verleend",
        decided_on=date(2026, 2, 1),
        decided_by_id=world.users["or_lid"].id,
    )
    db.session.add(approval)
    db.session.flush()
    document = attachments.store(world.org, "rie_approval", approval.id, "besluit-or.pdf", b"%PDF-1.4 x")
    db.session.commit()
    return rie, document


def test_the_ors_decision_document_belongs_to_the_or(app, world, client_as):
    rie, document = _decided_rie(world)
    for role in ("beheerder", "preventiemedewerker"):
        client = client_as(role)
        assert client.get(f"/o/acme/documenten/{document.id}").status_code == 200
        assert "besluit-or.pdf" in client.get(f"/o/acme/rie/versies/{rie.id}").get_data(as_text=True)
        response = client.post(f"/o/acme/documenten/{document.id}/verwijderen")
        assert response.status_code == 403, role
    db.session.expire_all()
    assert db.session.get(Attachment, document.id).deleted_at is None
    response = client_as("or_lid").post(f"/o/acme/documenten/{document.id}/verwijderen")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attachment, document.id).deleted_at is not None


def test_documents_of_a_deleted_rie_are_gone(app, world, client_as):
    rie, document = _decided_rie(world)
    rie.deleted_at = rie.created_at
    db.session.commit()
    assert client_as("beheerder").get(f"/o/acme/documenten/{document.id}").status_code == 404


def test_an_owner_type_missing_from_the_table_is_nobodys(app, world, client_as):
    document = attachments.store(world.org, "nieuw_soort", 1, "x.pdf", b"%PDF-1.4 x")
    db.session.commit()
    assert "nieuw_soort" not in DOCUMENTS
    assert client_as("beheerder").get(f"/o/acme/documenten/{document.id}").status_code == 404
    viewer = Viewer("beheerder", world.users["beheerder"].id, world.org.id)
    assert not may_read_document(viewer, document) and not may_delete_document(viewer, document)


def test_a_pending_import_is_for_its_uploader_only(app, world, client_as):
    mine = world.users["preventiemedewerker"]
    data = io.BytesIO()
    openpyxl.Workbook().save(data)
    document = attachments.store(world.org, "import_plan", mine.id, "plan.xlsx", data.getvalue(), mine)
    db.session.commit()
    assert client_as("preventiemedewerker").get(f"/o/acme/documenten/{document.id}").status_code == 200
    assert client_as("beheerder").get(f"/o/acme/documenten/{document.id}").status_code == 404
    assert client_as("auditor").get(f"/o/acme/documenten/{document.id}").status_code == 404


def test_small_onderzoek_teams_stay_anonymous_in_the_audit_log(app, world, client_as):
    onderzoek = VerdiependOnderzoek(organisation_id=world.org.id, title="MTO", period_start=date(2026, 1, 1))
    db.session.add(onderzoek)
    db.session.flush()
    factor = db.session.scalars(select(Factor.key)).first()
    onderzoek_service.set_team_result(
        world.org, onderzoek, world.teams["Zorgteam Zuid"].id, 3, 2, {factor: 4.37}
    )
    db.session.commit()
    assert db.session.scalar(select(OnderzoekTeam.respondents)) == 2
    for role in ("auditor", "beheerder"):
        client = client_as(role)
        assert "4.37" not in client.get("/o/acme/audit/").get_data(as_text=True), role
        assert "4.37" not in _cells(client.get("/o/acme/export/auditlog.xlsx")), role
        assert "4.37" not in _cells(client.get("/o/acme/export/bewijsdossier")), role
    assert "respondenten" in client_as("auditor").get("/o/acme/audit/").get_data(as_text=True)


def test_incident_texts_hidden_from_the_auditor_everywhere(app, world, client_as):
    incident = Incident(
        organisation_id=world.org.id,
        occurred_on=date(2026, 3, 2),
        theme_key="werkdruk",
        team_id=world.teams["Zorgteam Zuid"].id,
        description="Meldingtekst Vx3",
        follow_up="Nazorgtekst Vx3",
    )
    db.session.add(incident)
    db.session.commit()
    auditor = client_as("auditor")
    assert "Meldingtekst Vx3" not in auditor.get("/o/acme/beleid/meldingen").get_data(as_text=True)
    for text in (
        auditor.get("/o/acme/audit/").get_data(as_text=True),
        _cells(auditor.get("/o/acme/export/auditlog.xlsx")),
        _cells(auditor.get("/o/acme/export/bewijsdossier")),
    ):
        assert "Meldingtekst Vx3" not in text and "Nazorgtekst Vx3" not in text
    beheerder = client_as("beheerder")
    assert "Meldingtekst Vx3" in beheerder.get("/o/acme/audit/").get_data(as_text=True)
    assert "Meldingtekst Vx3" in _cells(beheerder.get("/o/acme/export/bewijsdossier"))


def test_a_stored_run_hides_other_teams_risks_from_a_leidinggevende(app, world):
    from riecycle.access import viewer_of
    from riecycle.access.evidence import EvidenceMask

    zuid = make_risk(world, title="Zuidrisico Wq2", scope="teams")
    zuid.teams = [world.teams["Zorgteam Zuid"]]
    noord = make_risk(world, title="Noordrisico Wq2", scope="teams")
    noord.teams = [world.teams["Zorgteam Noord"]]
    db.session.commit()
    entry = {
        "evidence": [
            {"kind": "risk", "id": zuid.id, "label": zuid.title, "endpoint": "rie.risk_show", "params": {}},
            {"kind": "risk", "id": noord.id, "label": noord.title, "endpoint": "rie.risk_show", "params": {}},
        ],
        "explanation": "Zonder bron: Zuidrisico Wq2, Noordrisico Wq2",
    }
    leader = viewer_of("leidinggevende", world.users["leidinggevende"].id, world.org.id)
    masked = EvidenceMask(leader, world.org.id).entry(entry)
    shown = str(masked)
    assert "Zuidrisico Wq2" not in shown and "Noordrisico Wq2" in shown
    assert masked["evidence"][0]["endpoint"] is None
    auditor = viewer_of("auditor", world.users["auditor"].id, world.org.id)
    assert "Zuidrisico Wq2" in str(EvidenceMask(auditor, world.org.id).entry(entry))
