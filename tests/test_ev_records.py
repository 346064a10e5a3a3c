"""Participation, vertrouwenspersoon and preventiemedewerker details,
restrisico, grondoorzaak, toetsing type and the arbodienst basiscontract: forms, rules and exports."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from riecycle import clock
from riecycle.models import (
    ArbodienstContract,
    Attachment,
    PlanParticipation,
    PlanVersion,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Risk,
)
from riecycle.services import ServiceError, plan_versions, policy, risks
from riecycle.services import rie as rie_service
from riecycle.zelfinspectie_rules import RULES
from tests.matrix.plan import make_version

TODAY = clock.today()


def iso(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def live(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None)))


@pytest.fixture
def version(db, world):
    version = make_version(world)
    db.session.commit()
    return version


# --- point 4: participation per plan version ------------------------------------------------


def test_participation_recorded_on_the_versions_page_and_read_by_b11(client_as, db, world, version):
    client = client_as("preventiemedewerker")
    data = {
        "plan_version_id": str(version.id),
        "method": "teamoverleg",
        "held_on": iso(5),
        "participants": "14",
    }
    response = client.post("/o/acme/plan/versies/inspraak", data=data)
    assert response.status_code == 302 and live(db, PlanParticipation) == 1
    page = client_as("or_lid").get("/o/acme/plan/versies").text
    assert "Teamoverleg" in page and "14 medewerkers" in page
    result = RULES["participation_in_choice"](world.org, TODAY)
    # The OR has not decided yet: participation alone is "deels", and the sentence says both.
    assert result.answer == "deels"
    assert "teamoverleg op" in result.explanation and "(14 medewerkers)" in result.explanation
    assert "besluit OR/PVT volgt" in result.explanation
    plan_versions.record_decision(world.org, version, world.users["or_lid"], "verleend", TODAY)
    db.session.commit()
    assert RULES["participation_in_choice"](world.org, TODAY).answer == "voldoet"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"participants": "0"}, "vul een geldige datum en een aantal in"),
        ({"participants": "veel"}, "vul een geldige datum en een aantal in"),
        ({"method": "enquête"}, "Kies hoe medewerkers meedachten"),
        ({"held_on": (TODAY + timedelta(days=3)).isoformat()}, "toekomst"),
        ({"plan_version_id": "999999"}, "Kies een versie"),
    ],
)
def test_participation_bad_input_changes_nothing(client_as, db, world, version, change, message):
    data = {"plan_version_id": str(version.id), "method": "werkgroep", "held_on": iso(5), "participants": "6"}
    response = client_as("beheerder").post(
        "/o/acme/plan/versies/inspraak", data=data | change, follow_redirects=True
    )
    assert response.status_code == 200 and message in response.text
    assert live(db, PlanParticipation) == 0


def test_participation_of_another_organisation_is_not_found(client_as, db, world, version):
    other_version = PlanVersion(
        organisation_id=world.other_org.id, number=1, snapshot={"measures": []}, fingerprint="y" * 64
    )
    db.session.add(other_version)
    db.session.commit()
    data = {
        "plan_version_id": str(other_version.id),
        "method": "werkgroep",
        "held_on": iso(5),
        "participants": "6",
    }
    client_as("beheerder").post("/o/acme/plan/versies/inspraak", data=data)
    assert live(db, PlanParticipation) == 0
    row = plan_versions.add_participation(
        world.org, version, {"method": "werkgroep", "held_on": TODAY, "participants": 3}
    )
    db.session.commit()
    assert client_as("other").post(f"/o/other/plan/versies/inspraak/{row.id}/verwijderen").status_code == 404
    assert client_as("or_lid").post(f"/o/acme/plan/versies/inspraak/{row.id}/verwijderen").status_code == 403
    assert (
        client_as("beheerder").post(f"/o/acme/plan/versies/inspraak/{row.id}/verwijderen").status_code == 302
    )
    assert live(db, PlanParticipation) == 0


# --- point 7: vertrouwenspersoon and preventiemedewerker ---------------------------------------


def test_vertrouwenspersoon_training_date_and_jaarverslag_through_the_form(client_as, db, world):
    base = {
        "name": "Mw. Vertrouwen",
        "status": "vastgesteld",
        "adopted_on": iso(500),
        "vp_kind": "extern",
        "contact": "vp@example.nl",
        "anonymous_contact": "y",
        "trained_on": iso(400),
        "communicated_on": iso(450),
        "communication": "Nieuwsbrief",
    }
    client = client_as("preventiemedewerker")
    url = "/o/acme/beleid/instrumenten/nieuw?kind=vertrouwenspersoon"
    response = client.post(url, data=base | {"annual_report_year": str(TODAY.year + 1)})
    assert response.status_code == 400 and live(db, PolicyInstrument) == 0
    response = client.post(url, data=base)
    assert response.status_code == 302
    vp = db.session.scalar(select(PolicyInstrument))
    assert vp.trained and vp.trained_on == TODAY - timedelta(days=400)
    result = RULES["vertrouwenspersoon"](world.org, TODAY)
    assert result.answer == "deels" and "geen jaarverslag van de vertrouwenspersoon" in result.explanation
    assert "opgeleid op" in result.explanation and "via Nieuwsbrief" in result.explanation
    response = client.post(
        f"/o/acme/beleid/instrumenten/{vp.id}",
        data=base
        | {
            "annual_report_year": str(TODAY.year - 1),
            "annual_report_on": iso(1),
            "version_id": vp.version_id,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    result = RULES["vertrouwenspersoon"](world.org, TODAY)
    assert result.answer == "voldoet", result.explanation
    assert f"jaarverslag over {TODAY.year - 1}" in result.explanation
    assert "vp@example.nl" not in result.explanation
    assert f"{TODAY.year - 1}" in client_as("auditor").get("/o/acme/beleid/").text


def test_preventiemedewerker_training_through_the_form(client_as, db, world):
    client = client_as("beheerder")
    data = {
        "user_id": str(world.users["preventiemedewerker"].id),
        "since": iso(100),
        "or_instemming_on": iso(110),
        "hours_per_week": "6",
        "trained_on": iso(50),
    }
    response = client.post("/o/acme/beleid/preventiemedewerker/nieuw", data=data)
    assert response.status_code == 400 and "Noem de opleiding" in response.text
    assert live(db, PreventiemedewerkerAppointment) == 0
    response = client.post(
        "/o/acme/beleid/preventiemedewerker/nieuw", data=data | {"training": "Basiscursus"}
    )
    assert response.status_code == 302
    result = RULES["preventiemedewerker_appointed"](world.org, TODAY)
    assert result.answer == "voldoet"
    assert "6 uur per week" in result.explanation and "opgeleid: Basiscursus" in result.explanation
    assert "Basiscursus" in client_as("or_lid").get("/o/acme/beleid/").text


# --- point 9: restrisico, grondoorzaak, toetsing type, basiscontract ---------------------------


def _risk(world, **extra):
    data = {"title": "Werkdruk", "description": "Te veel werk.", "theme_key": "werkdruk"} | extra
    return risks.create_risk(world.org, data)


def test_restrisico_uses_the_priority_scale(db, world):
    with pytest.raises(ServiceError):
        _risk(world, restrisico="enorm")
    risk = _risk(world, restrisico="laag", grondoorzaak="Onderbezetting in de avond")
    db.session.commit()
    assert (risk.restrisico, risk.grondoorzaak) == ("laag", "Onderbezetting in de avond")


def test_risk_page_shows_grondoorzaak_and_restrisico(client_as, db, world):
    risk = _risk(world, restrisico="middel", grondoorzaak="Roosters zonder marge")
    db.session.commit()
    page = client_as("auditor").get(f"/o/acme/rie/risicos/{risk.id}").text
    assert "Roosters zonder marge" in page and "Middel" in page


def test_toets_type_is_checked(db, world):
    rie = rie_service.create_rie(
        world.org,
        {
            "performed_on": TODAY - timedelta(days=20),
            "performed_by_kind": "intern",
            "review_interval_months": 36,
        },
    )
    data = {"expert_name": "K.", "expert_kind": "kerndeskundige", "tested_on": TODAY}
    with pytest.raises(ServiceError):
        rie_service.add_toetsing(world.org, rie, data | {"toets_type": "halve toets"})
    assert rie_service.add_toetsing(world.org, rie, data | {"toets_type": "scopetoets"}).parts == {
        "scopetoets"
    }


def test_basiscontract_with_document(client_as, db, world):
    client = client_as("preventiemedewerker")
    data = {"provider": "Arbo Unie", "since": iso(300)}
    response = client.post("/o/acme/beleid/arbodienst/nieuw", data=data | {"until": iso(400)})
    assert response.status_code == 400 and live(db, ArbodienstContract) == 0
    response = client.post(
        "/o/acme/beleid/arbodienst/nieuw",
        data=data | {"document": (io.BytesIO(b"%PDF-1.4 contract"), "contract.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and live(db, ArbodienstContract) == 1
    doc = db.session.scalar(select(Attachment).where(Attachment.owner_type == "arbodienst_contract"))
    assert doc is not None and client_as("auditor").get(f"/o/acme/documenten/{doc.id}").status_code == 200
    assert client_as("other").get(f"/o/acme/documenten/{doc.id}").status_code in (403, 404)
    page = client_as("or_lid").get("/o/acme/beleid/").text
    assert "Arbo Unie" in page and "contract.pdf" in page
    world.org.weekly_paid_hours = 30  # exempt from the toetsing: the basiscontract decides A5
    db.session.commit()
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "voldoet" and "Basiscontract met Arbo Unie" in result.explanation
    assert "met document" in result.explanation


def test_exports_carry_the_new_records(client_as, db, world):
    rie = rie_service.create_rie(
        world.org,
        {
            "performed_on": TODAY - timedelta(days=20),
            "performed_by_kind": "intern",
            "review_interval_months": 36,
        },
    )
    rie_service.add_toetsing(
        world.org,
        rie,
        {"expert_name": "K.", "expert_kind": "kerndeskundige", "tested_on": TODAY, "toets_type": "beide"},
    )
    _risk(world, restrisico="hoog", grondoorzaak="Geen vervanging bij ziekte")
    policy.create_contract(world.org, {"provider": "Arbo Unie", "since": TODAY - timedelta(days=10)})
    db.session.commit()
    for url in ("/o/acme/export/bewijsdossier", "/o/acme/export/risicos.xlsx"):
        response = client_as("auditor").get(url)
        assert response.status_code == 200, url
        wb = load_workbook(io.BytesIO(response.data))
        text = "\n".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
        assert "Grondoorzaak" in text and "Geen vervanging bij ziekte" in text and "Hoog" in text, url
    wb = load_workbook(io.BytesIO(client_as("auditor").get("/o/acme/export/bewijsdossier").data))
    text = "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "Soort toetsing" in text and "beide" in text and "Basiscontract arbodienst" in text
    assert db.session.scalar(select(func.count()).select_from(Risk)) == 1


# --- point 4: a hand answer stands on its justification -------------------------------------------


def test_hand_answer_hides_the_contradicting_automatic_sentence(client_as, db, world):
    from riecycle.services import zelfinspectie

    user = world.users["beheerder"]
    justification = "Werkgroep met 9 medewerkers op 3 maart; verslag op intranet."
    zelfinspectie.record_answer(world.org, user, "B11", "voldoet", justification)
    zelfinspectie.record_answer(world.org, user, "D16", "voldoet", "Gedragscode hangt in elke teamruimte.")
    zelfinspectie.run_checklist(world.org, user)
    db.session.commit()
    page = client_as("auditor").get("/o/acme/zelfinspectie/").text
    assert justification in page and "Gedragscode hangt in elke teamruimte." in page
    # B11's "answer this by hand" and D16's "no gedragscode" no longer stand beside a voldoet.
    assert "Beantwoord dit item met de hand" not in page
    assert "Er is geen gedragscode vastgelegd" not in page
    assert "Automatisch: Voldoet niet." in page
    # An automatic sentence that agrees is still shown (E24 has no hand answer).
    assert "Er is een gebruiker met de rol preventiemedewerker" in page
