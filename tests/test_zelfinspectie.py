"""The self-inspection: runs as immutable snapshots, hand-given answers and overrides, the report,
the CLI, privacy and tenant isolation."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.models import ChecklistAnswer, ChecklistRun, Measure, PolicyInstrument, Risk
from riecycle.models.zelfinspectie import SnapshotImmutableError
from riecycle.services import ServiceError
from riecycle.services import zelfinspectie as service

JUSTIFICATION = "Besproken in de werkgroep PSA op 3 maart; verslag staat op intranet."
EXTRA_ITEM = """
groups:
  - {key: A, name: {nl: "RI&E", en: "RI&E"}}
  - {key: F, name: {nl: "Extra", en: "Extra"}}
items:
  - id: A4
    group: A
    question: {nl: "Hybride werken?", en: "Hybrid work?"}
    legal_basis: "Arbowet art. 5"
    guidance: {nl: "Uitleg", en: "Guidance"}
    action: {nl: "Doe iets", en: "Do something"}
    importance: 1
    rule: hybrid_work_considered
  - id: F25
    group: F
    question: {nl: "Is er een werkgroep PSA?", en: "Is there a PSA working group?"}
    legal_basis: "Arbowet art. 3 lid 2"
    guidance: {nl: "Een vaste werkgroep.", en: "A standing working group."}
    action: {nl: "Richt een werkgroep op.", en: "Set up a working group."}
    importance: 2
    rule: null
"""


def item(run, item_id):
    found = run.item(item_id)
    assert found is not None, item_id
    return found


def test_a_run_answers_every_item_and_is_stored(db, world):
    run = service.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    ids = [i.id for i in service.load_checklist().items]
    assert [i["id"] for i in run.items] == ids and len(ids) == 24
    for entry in run.items:
        assert {"answer", "source", "explanation", "evidence", "fix"} <= set(entry)
    assert run.user_id == world.users["preventiemedewerker"].id
    assert service.latest_run(world.org).id == run.id
    assert service.latest_score(world.org) == run.score
    assert service.latest_score(world.other_org) is None and service.latest_run(world.other_org) is None


def test_score_counts_voldoet_deels_and_excludes_nvt_and_open():
    items = [{"answer": a, "group": "A"} for a in ("voldoet", "deels", "voldoet_niet", "nvt", None)]
    assert service.score(items) == pytest.approx(0.5)
    assert service.score([{"answer": "nvt"}]) is None


def test_gaps_most_important_first_then_worst(db, world):
    run = service.run_checklist(world.org)
    gaps = service.gaps(run)
    keys = [(-g["importance"], service.SEVERITY[g["answer"]]) for g in gaps]
    assert keys == sorted(keys)
    assert all(g["answer"] in ("voldoet_niet", "deels", None) for g in gaps)
    assert all(g["fix"] for g in gaps), "every gap says where to fix it"


def test_snapshots_are_immutable(db, world):
    run = service.run_checklist(world.org)
    db.session.commit()
    with pytest.raises(ServiceError):
        service.change_run(run, score=1.0)
    with pytest.raises(ServiceError):
        service.delete_run(run)
    run.score = 1.0
    with pytest.raises(SnapshotImmutableError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ChecklistRun, run.id))
    with pytest.raises(SnapshotImmutableError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(ChecklistRun, run.id).score != 1.0


def test_override_needs_a_justification_and_stays_visible(db, world):
    user = world.users["preventiemedewerker"]
    for bad in ("", "   ", "kort"):
        with pytest.raises(ServiceError) as error:
            service.record_answer(world.org, user, "D16", "voldoet", bad)
        assert error.value.field == "justification"
    service.record_answer(world.org, user, "D16", "voldoet", JUSTIFICATION)
    run = service.run_checklist(world.org, user)
    entry = item(run, "D16")
    assert entry["answer"] == "voldoet" and entry["source"] == "override"
    assert entry["auto_answer"] == "voldoet_niet" and entry["justification"] == JUSTIFICATION
    service.clear_answer(world.org, "D16")
    entry = item(service.run_checklist(world.org, user), "D16")
    assert entry["source"] == "auto" and entry["answer"] == "voldoet_niet"
    # Answering again after withdrawing reuses the record.
    service.record_answer(world.org, user, "D16", "deels", JUSTIFICATION)
    assert db.session.scalar(select(func.count()).select_from(ChecklistAnswer)) == 1


def test_manual_answer_for_an_item_the_records_cannot_answer(db, world):
    user = world.users["beheerder"]
    assert item(service.run_checklist(world.org), "B11")["answer"] is None
    with pytest.raises(ServiceError):
        service.record_answer(world.org, user, "B11", "voldoet", None)
    with pytest.raises(ServiceError):
        service.record_answer(world.org, user, "B11", "misschien", JUSTIFICATION)
    with pytest.raises(ServiceError):
        service.record_answer(world.org, user, "Z99", "voldoet", JUSTIFICATION)
    service.record_answer(world.org, user, "B11", "voldoet", JUSTIFICATION)
    entry = item(service.run_checklist(world.org), "B11")
    assert (entry["answer"], entry["source"]) == ("voldoet", "manual")


def test_new_hand_answered_item_from_data_needs_no_code(app, db, world, tmp_path):
    path = tmp_path / "checklist.yaml"
    path.write_text(EXTRA_ITEM, encoding="utf-8")
    app.config["CHECKLIST_PATH"] = str(path)
    run = service.run_checklist(world.org)
    assert [i["id"] for i in run.items] == ["A4", "F25"]
    entry = item(run, "F25")
    assert entry["answer"] is None and entry["source"] == "manual"
    assert entry["fix"]["endpoint"] == "zelfinspectie.answer"
    service.record_answer(world.org, world.users["beheerder"], "F25", "voldoet", JUSTIFICATION)
    run = service.run_checklist(world.org)
    assert item(run, "F25")["answer"] == "voldoet"
    assert run.group_scores["F"] == 1.0


def test_ref_url_falls_back_without_500(app, world):
    with app.test_request_context():
        assert service.ref_url({"endpoint": "bestaat.niet", "params": {}, "label": "x"}) is None
        url = service.ref_url(
            {"endpoint": "bestaat.niet", "params": {}, "fallback": "beleid.index", "label": "x"}.copy()
            | {"params": {"org_slug": "acme"}}
        )
        assert url is None or url.startswith("/o/")
        assert (
            service.ref_url(
                {
                    "endpoint": "beleid.instrument_new",
                    "params": {"kind": "gedragscode", "org_slug": "acme"},
                    "requires": "edit_zelfinspectie",
                    "fallback": "beleid.index",
                },
                may=lambda p: False,
            )
            is None
        )


# --- views -----------------------------------------------------------------------------


def test_report_page_without_and_with_a_run(client_as, db, world):
    client = client_as("preventiemedewerker")
    page = client.get("/o/acme/zelfinspectie/")
    assert page.status_code == 200 and "nog geen zelfinspectie uitgevoerd" in page.text
    response = client.post("/o/acme/zelfinspectie/uitvoeren")
    assert response.status_code == 302
    page = client.get("/o/acme/zelfinspectie/")
    assert "Eerst doen" in page.text and "Score per onderdeel" in page.text
    assert "Wat moet er nog gebeuren" in page.text
    run = service.latest_run(world.org)
    assert client.get(f"/o/acme/zelfinspectie/uitvoeringen/{run.id}/afdrukken").status_code == 200
    assert client.get("/o/acme/zelfinspectie/historie").status_code == 200


def test_readers_cannot_run_or_answer(client_as, db, world):
    for role in ("leidinggevende", "or_lid", "auditor"):
        client = client_as(role)
        assert client.get("/o/acme/zelfinspectie/").status_code == 200
        assert client.post("/o/acme/zelfinspectie/uitvoeren").status_code == 403
        assert (
            client.post(
                "/o/acme/zelfinspectie/items/D16/antwoord",
                data={"answer": "voldoet", "justification": JUSTIFICATION},
            ).status_code
            == 403
        )
    db.session.expire_all()
    assert service.latest_run(world.org) is None


def test_answer_form_refuses_without_justification(client_as, db, world):
    client = client_as("beheerder")
    response = client.post(
        "/o/acme/zelfinspectie/items/D16/antwoord", data={"answer": "voldoet", "justification": ""}
    )
    assert response.status_code == 400 and "onderbouwing is verplicht" in response.text
    response = client.post(
        "/o/acme/zelfinspectie/items/D16/antwoord", data={"answer": "voldoet", "justification": "x"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ChecklistAnswer)) == 0
    response = client.post(
        "/o/acme/zelfinspectie/items/D16/antwoord", data={"answer": "voldoet", "justification": JUSTIFICATION}
    )
    assert response.status_code == 302
    db.session.expire_all()
    entry = service.latest_run(world.org).item("D16")
    assert entry["source"] == "override"
    page = client.get("/o/acme/zelfinspectie/").text
    assert "overschreven" in page and JUSTIFICATION in page
    assert client.post("/o/acme/zelfinspectie/items/D16/antwoord/intrekken").status_code == 302
    db.session.expire_all()
    assert service.latest_run(world.org).item("D16")["source"] == "auto"


@pytest.mark.parametrize(
    "url, status",
    [
        ("/o/acme/zelfinspectie/items/XX/antwoord", 404),
        ("/o/acme/zelfinspectie/items/<script>/antwoord", 404),
        ("/o/acme/zelfinspectie/uitvoeringen/999999", 404),
        ("/o/acme/zelfinspectie/uitvoeringen/999999/afdrukken", 404),
    ],
)
def test_bad_input_never_500s(client_as, world, url, status):
    assert client_as("beheerder").get(url).status_code == status


def test_bad_answer_choice_is_refused(client_as, db, world):
    response = client_as("beheerder").post(
        "/o/acme/zelfinspectie/items/B11/antwoord", data={"answer": "ja", "justification": JUSTIFICATION}
    )
    assert response.status_code == 400


def test_clear_without_answer_is_a_message_not_an_error(client_as, db, world):
    def state():
        return (
            db.session.scalar(select(func.count()).select_from(ChecklistRun)),
            db.session.scalar(select(func.count()).select_from(ChecklistAnswer)),
        )

    before = state()
    response = client_as("beheerder").post(
        "/o/acme/zelfinspectie/items/B11/antwoord/intrekken", follow_redirects=True
    )
    assert response.status_code == 200
    assert response.request.path == "/o/acme/zelfinspectie/items/B11/antwoord"
    assert "Voor dit item is geen handmatig antwoord vastgelegd." in response.text
    assert "is ingetrokken" not in response.text
    db.session.expire_all()
    assert state() == before  # no answer withdrawn, and the checklist was not run again


def test_other_tenant_sees_nothing(client_as, db, world):
    run = service.run_checklist(world.org)
    db.session.commit()
    other = client_as("other")
    assert other.get("/o/acme/zelfinspectie/").status_code == 404
    assert other.get(f"/o/other/zelfinspectie/uitvoeringen/{run.id}").status_code == 404
    assert other.get(f"/o/other/zelfinspectie/uitvoeringen/{run.id}/afdrukken").status_code == 404
    page = other.get("/o/other/zelfinspectie/")
    assert page.status_code == 200 and "nog geen zelfinspectie uitgevoerd" in page.text


def _individual_measure(db, world):
    employee = world.employees[0]
    risk = Risk(
        organisation_id=world.org.id,
        theme_key="werkdruk",
        title="Mantelzorg en werk",
        description="x",
        scope="organisatie",
    )
    db.session.add(risk)
    measure = Measure(
        organisation_id=world.org.id,
        title=f"Rooster aanpassen voor {employee.name}",
        level="individu",
        employee_id=employee.id,
        approach="rust_en_herstel",
        responsible_id=world.users["preventiemedewerker"].id,
        termijn=clock.today() - timedelta(days=10),
    )
    measure.risks = [risk]
    db.session.add(measure)
    db.session.commit()
    return employee


@pytest.mark.parametrize("role", ["or_lid", "auditor", "leidinggevende", "preventiemedewerker"])
def test_no_employee_names_in_the_report(client_as, db, world, role):
    employee = _individual_measure(db, world)
    service.run_checklist(world.org)
    db.session.commit()
    run = service.latest_run(world.org)
    client = client_as(role)
    for url in (
        "/o/acme/zelfinspectie/",
        f"/o/acme/zelfinspectie/uitvoeringen/{run.id}/afdrukken",
        "/o/acme/zelfinspectie/historie",
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert employee.name not in page.text
        for other in world.employees:
            assert other.name not in page.text
    assert "Zorgteam Noord – individuele maatregel" in client.get("/o/acme/zelfinspectie/").text


def test_evidence_links_point_to_existing_pages(client_as, db, world):
    PolicyInstrument.__table__  # noqa: B018 - the register is part of the evidence
    db.session.add(
        PolicyInstrument(
            organisation_id=world.org.id,
            kind="gedragscode",
            name="Code",
            status="vastgesteld",
            adopted_on=clock.today(),
        )
    )
    db.session.commit()
    client = client_as("auditor")
    service.run_checklist(world.org)
    db.session.commit()
    page = client.get("/o/acme/zelfinspectie/").text
    assert "/o/acme/beleid/#instrument-" in page
    # Readers get the readable page, never an edit form they may not open.
    assert "/o/acme/beleid/instrumenten/" not in page


# --- CLI -------------------------------------------------------------------------------


def test_cli_json_lists_every_item(app, db, world):
    result = app.test_cli_runner().invoke(args=["zelfinspectie", "--org", "acme", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["organisation"] == "acme" and len(data["items"]) == 24
    for entry in data["items"]:
        assert {"id", "answer", "explanation", "evidence"} <= set(entry)
        for ref in entry["evidence"]:
            assert {"kind", "id", "label", "endpoint", "params"} <= set(ref)
    db.session.expire_all()
    run = service.latest_run(world.org)
    assert run.id == data["run_id"] and run.user_id is None and run.origin == "cli"


def test_cli_text_and_unknown_org(app, db, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["zelfinspectie", "--org", "acme"])
    assert result.exit_code == 0 and "Zelfinspectie Acme Zorg" in result.output and "D16" in result.output
    result = runner.invoke(args=["zelfinspectie", "--org", "bestaat-niet"])
    assert result.exit_code != 0 and "bestaat niet" in result.output


def test_checklist_content_follows_the_users_language(client_as, db, world):
    service.run_checklist(world.org)
    world.users["auditor"].locale = "en"
    db.session.commit()
    page = client_as("auditor").get("/o/acme/zelfinspectie/").text
    assert "Does the written RI&amp;E cover every PSA theme" in page
    dutch = client_as("or_lid").get("/o/acme/zelfinspectie/").text
    assert "Behandelt de schriftelijke RI&amp;E alle PSA-thema" in dutch


def test_verdict_names_failing_core_items(db, world):
    run = service.run_checklist(world.org)
    level, sentence = service.verdict(run)
    failing = sum(1 for i in run.items if int(i["importance"]) >= 3 and i["answer"] == "voldoet_niet")
    assert failing > 1
    assert level == "danger" and f"{failing} wettelijke kernpunten voldoen niet" in sentence
