"""The policy register and the incident log: validation, privacy, documents, trend and tenancy."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.models import (
    Attachment,
    Incident,
    IncidentAnalysis,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    VoorlichtingSession,
)
from riecycle.services import ServiceError, incidents, policy

TODAY = clock.today()


def iso(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None)))


# --- instruments ---------------------------------------------------------------------------


def test_register_page_lists_every_kind_for_readers(client_as, world):
    for role in ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor"):
        page = client_as(role).get("/o/acme/beleid/")
        assert page.status_code == 200
        for name in (
            "Gedragscode",
            "Vertrouwenspersoon",
            "Klachtenregeling",
            "Opvang en nazorg",
            "Meldprocedure",
        ):
            assert name in page.text
    assert "Toevoegen" not in client_as("or_lid").get("/o/acme/beleid/").text


def test_record_a_gedragscode(client_as, db, world):
    client = client_as("preventiemedewerker")
    assert client.get("/o/acme/beleid/instrumenten/nieuw?kind=gedragscode").status_code == 200
    data = {"name": "Gedragscode Acme", "status": "vastgesteld", "adopted_on": ""}
    response = client.post("/o/acme/beleid/instrumenten/nieuw?kind=gedragscode", data=data)
    assert response.status_code == 400 and "Vul in wanneer het is vastgesteld" in response.text
    assert count(db, PolicyInstrument) == 0
    data |= {"adopted_on": iso(10), "communicated_on": iso(5), "communication": ""}
    response = client.post("/o/acme/beleid/instrumenten/nieuw?kind=gedragscode", data=data)
    assert response.status_code == 400 and "Beschrijf hoe het is bekendgemaakt" in response.text
    data["communication"] = "Nieuwsbrief maart"
    response = client.post("/o/acme/beleid/instrumenten/nieuw?kind=gedragscode", data=data)
    assert response.status_code == 302
    instrument = db.session.scalar(select(PolicyInstrument))
    assert instrument.kind == "gedragscode" and instrument.made_known_on(TODAY) == TODAY - timedelta(days=5)
    assert "Gedragscode Acme" in client_as("auditor").get("/o/acme/beleid/").text


def test_future_dates_and_unknown_kind(client_as, db, world):
    client = client_as("beheerder")
    response = client.post(
        "/o/acme/beleid/instrumenten/nieuw?kind=gedragscode",
        data={"name": "Code", "status": "vastgesteld", "adopted_on": iso(-10)},
    )
    assert response.status_code == 400
    response = client.post(
        "/o/acme/beleid/instrumenten/nieuw?kind=onzin", data={"name": "Code", "status": "concept"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(PolicyInstrument.kind)) == "gedragscode"


def test_vertrouwenspersoon_needs_intern_or_extern(db, world):
    with pytest.raises(ServiceError) as error:
        policy.create_instrument(world.org, "vertrouwenspersoon", {"name": "VP", "status": "concept"})
    assert error.value.field == "vp_kind"
    vp = policy.create_instrument(
        world.org,
        "vertrouwenspersoon",
        {"name": "VP", "status": "concept", "vp_kind": "extern", "trained": True, "contact": "06-0"},
    )
    assert vp.trained and vp.contact == "06-0"
    # Fields of another kind are not kept.
    code = policy.create_instrument(
        world.org, "gedragscode", {"name": "Code", "status": "concept", "trained": True, "committee": "X"}
    )
    assert not code.trained and code.committee is None


def test_sessions_must_belong_to_the_organisation(db, world):
    mine = VoorlichtingSession(organisation_id=world.org.id, topic="PSA", session_date=TODAY)
    theirs = VoorlichtingSession(organisation_id=world.other_org.id, topic="PSA", session_date=TODAY)
    db.session.add_all([mine, theirs])
    db.session.flush()
    with pytest.raises(ServiceError):
        policy.create_instrument(
            world.org, "gedragscode", {"name": "C", "status": "concept", "session_ids": [theirs.id]}
        )
    code = policy.create_instrument(
        world.org, "gedragscode", {"name": "C", "status": "concept", "session_ids": [mine.id]}
    )
    assert [s.id for s in code.sessions] == [mine.id]


def test_document_upload_on_an_instrument(client_as, db, world):
    client = client_as("preventiemedewerker")
    data = {
        "name": "Klachtenregeling",
        "status": "concept",
        "document": (io.BytesIO(b"not a pdf"), "regeling.pdf"),
    }
    response = client.post(
        "/o/acme/beleid/instrumenten/nieuw?kind=klachtenregeling",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and count(db, PolicyInstrument) == 0
    data["document"] = (io.BytesIO(b"%PDF-1.4 regeling"), "regeling.pdf")
    response = client.post(
        "/o/acme/beleid/instrumenten/nieuw?kind=klachtenregeling",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    doc = db.session.scalar(select(Attachment).where(Attachment.owner_type == "policy_instrument"))
    assert doc is not None and doc.filename == "regeling.pdf"
    assert client_as("or_lid").get(f"/o/acme/documenten/{doc.id}").status_code == 200
    assert client_as("or_lid").post(f"/o/acme/documenten/{doc.id}/verwijderen").status_code == 403


def test_readers_cannot_edit_the_register(client_as, db, world):
    code = policy.create_instrument(world.org, "gedragscode", {"name": "C", "status": "concept"})
    db.session.commit()
    for role in ("leidinggevende", "or_lid", "auditor"):
        client = client_as(role)
        assert client.get("/o/acme/beleid/instrumenten/nieuw").status_code == 403
        assert (
            client.post(
                f"/o/acme/beleid/instrumenten/{code.id}", data={"name": "X", "status": "concept"}
            ).status_code
            == 403
        )
        assert client.post(f"/o/acme/beleid/instrumenten/{code.id}/verwijderen").status_code == 403
    assert count(db, PolicyInstrument) == 1


def test_delete_and_other_tenant(client_as, db, world):
    code = policy.create_instrument(world.org, "gedragscode", {"name": "C", "status": "concept"})
    db.session.commit()
    assert client_as("other").get(f"/o/other/beleid/instrumenten/{code.id}").status_code == 404
    assert (
        client_as("beheerder").post(f"/o/acme/beleid/instrumenten/{code.id}/verwijderen").status_code == 302
    )
    assert count(db, PolicyInstrument) == 0


# --- preventiemedewerker -----------------------------------------------------------------------


def test_appointment(client_as, db, world):
    client = client_as("beheerder")
    response = client.post(
        "/o/acme/beleid/preventiemedewerker/nieuw",
        data={"user_id": str(world.users["other"].id), "since": iso(100)},
    )
    assert response.status_code == 400 and count(db, PreventiemedewerkerAppointment) == 0
    response = client.post("/o/acme/beleid/preventiemedewerker/nieuw", data={"since": iso(100)})
    assert response.status_code == 400 and "Kies een gebruiker of vul een naam in" in response.text
    response = client.post(
        "/o/acme/beleid/preventiemedewerker/nieuw",
        data={
            "user_id": str(world.users["preventiemedewerker"].id),
            "since": iso(100),
            "or_instemming_on": iso(110),
            "hours_per_week": "6",
        },
    )
    assert response.status_code == 302
    page = client_as("or_lid").get("/o/acme/beleid/").text
    assert world.users["preventiemedewerker"].name in page


@pytest.mark.parametrize(
    "data",
    [
        {"since": "gisteren"},
        {"name": "Bureau", "since": iso(10), "until": iso(20)},
        {"name": "Bureau", "since": iso(10), "hours_per_week": "500"},
        {"name": "Bureau", "since": iso(10), "or_instemming_on": iso(-5)},
        {"user_id": "abc", "since": iso(10)},
    ],
)
def test_appointment_bad_input(client_as, db, world, data):
    assert (
        client_as("beheerder").post("/o/acme/beleid/preventiemedewerker/nieuw", data=data).status_code == 400
    )
    assert count(db, PreventiemedewerkerAppointment) == 0


# --- incidents ---------------------------------------------------------------------------------


def incident_data(world, **changes):
    team = world.teams["Zorgteam Noord"]
    return {
        "occurred_on": iso(3),
        "theme_key": "agressie_extern",
        "team_id": str(team.id),
        "party": "ouder_klant",
        "description": "Een ouder schold de verzorgende uit bij de receptie.",
    } | changes


def test_register_an_incident(client_as, db, world):
    client = client_as("preventiemedewerker")
    assert client.get("/o/acme/beleid/meldingen/nieuw").status_code == 200
    assert client.post("/o/acme/beleid/meldingen/nieuw", data=incident_data(world)).status_code == 302
    incident = db.session.scalar(select(Incident))
    assert incident.theme_key == "agressie_extern" and incident.team.name == "Zorgteam Noord"
    response = client.post(
        f"/o/acme/beleid/meldingen/{incident.id}",
        data=incident_data(world, opvang_on=iso(2), follow_up="Nazorggesprek na twee weken."),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).opvang_done is True


@pytest.mark.parametrize(
    "text",
    [
        "Medewerker 1 Zorgteam Noord werd uitgescholden.",
        "Een ouder schold mevrouw Jansen uit.",
        "Dhr. De Vries dreigde bij de balie.",
    ],
)
def test_incident_refuses_names(client_as, db, world, text):
    response = client_as("preventiemedewerker").post(
        "/o/acme/beleid/meldingen/nieuw", data=incident_data(world, description=text)
    )
    assert response.status_code == 400 and "Noem geen namen" in response.text
    assert count(db, Incident) == 0


def test_name_check_has_few_false_positives(world):
    assert incidents.find_name(world.org, "De heer werd boos; mevrouw was overstuur.") is None
    assert incidents.find_name(world.org, "Een ouder schold de leerkracht uit.") is None
    assert incidents.find_name(world.org, "juf Anna werd bedreigd") == "juf Anna"


@pytest.mark.parametrize(
    "changes",
    [
        {"occurred_on": iso(-3)},
        {"occurred_on": "32-13-2024"},
        {"theme_key": "werkdruk"},
        {"theme_key": "bestaat_niet"},
        {"party": "buurman"},
        {"description": ""},
        {"team_id": "999999"},
        {"measure_id": "abc"},
        {"opvang_on": iso(10)},
    ],
)
def test_incident_bad_input_never_500s(client_as, db, world, changes):
    response = client_as("beheerder").post(
        "/o/acme/beleid/meldingen/nieuw", data=incident_data(world, **changes)
    )
    assert response.status_code == 400
    assert count(db, Incident) == 0


def test_incident_team_of_other_org_is_refused(client_as, db, world):
    response = client_as("beheerder").post(
        "/o/acme/beleid/meldingen/nieuw", data=incident_data(world, team_id=str(world.other_team.id))
    )
    assert response.status_code == 400


def test_descriptions_only_for_those_who_may_see_the_team(client_as, db, world):
    incidents.create_incident(
        world.org,
        {
            "occurred_on": TODAY,
            "theme_key": "pesten",
            "team_id": world.teams["Zorgteam Zuid"].id,
            "party": "collega",
            "description": "Geheime omschrijving Zuid",
        },
    )
    incidents.create_incident(
        world.org,
        {
            "occurred_on": TODAY,
            "theme_key": "pesten",
            "team_id": world.teams["Zorgteam Noord"].id,
            "party": "collega",
            "description": "Geheime omschrijving Noord",
        },
    )
    db.session.commit()
    assert (
        "Geheime omschrijving Zuid" in client_as("preventiemedewerker").get("/o/acme/beleid/meldingen").text
    )
    for role in ("or_lid", "auditor"):
        page = client_as(role).get("/o/acme/beleid/meldingen").text
        assert "Geheime omschrijving" not in page and "Pesten" in page
    page = client_as("leidinggevende").get("/o/acme/beleid/meldingen").text
    assert "Geheime omschrijving Noord" in page and "Geheime omschrijving Zuid" not in page


def test_counts_and_trend_per_theme_per_quarter(db, world):
    q_now = incidents.quarter_of(TODAY)
    for days, theme in ((1, "agressie_extern"), (2, "agressie_extern"), (200, "pesten"), (800, "pesten")):
        incidents.create_incident(
            world.org,
            {
                "occurred_on": TODAY - timedelta(days=days),
                "theme_key": theme,
                "party": "onbekend",
                "description": "Iets gebeurde.",
            },
        )
    trend = incidents.trend(world.org)
    assert trend.quarters[-1] == q_now and len(trend.quarters) == 5
    rows = {theme.key: (per_q, total) for theme, per_q, total in trend.rows}
    assert rows["agressie_extern"][1] == 2 and rows["agressie_extern"][0][-1] >= 1
    assert rows["pesten"][1] == 1  # the one of 800 days ago is outside the five quarters
    assert sum(trend.totals) == 3
    assert incidents.trend(world.other_org).rows == []


def test_incident_page_with_filters(client_as, db, world):
    incidents.create_incident(
        world.org, {"occurred_on": TODAY, "theme_key": "pesten", "party": "collega", "description": "x"}
    )
    db.session.commit()
    client = client_as("auditor")
    assert client.get("/o/acme/beleid/meldingen?thema=pesten&team=abc&page=-4").status_code == 200
    page = client.get("/o/acme/beleid/meldingen?thema=agressie_extern")
    assert page.status_code == 200 and "Geen meldingen gevonden" in page.text


def test_analysis(client_as, db, world):
    client = client_as("preventiemedewerker")
    assert client.get("/o/acme/beleid/meldingen/analyse/nieuw").status_code == 200
    data = {"analysed_on": iso(0), "period_start": iso(10), "period_end": iso(20), "conclusions": "x"}
    assert client.post("/o/acme/beleid/meldingen/analyse/nieuw", data=data).status_code == 400
    data |= {
        "period_start": iso(365),
        "period_end": iso(0),
        "conclusions": "Meeste meldingen: ouders.",
        "discussed_with_or": "y",
    }
    assert client.post("/o/acme/beleid/meldingen/analyse/nieuw", data=data).status_code == 302
    assert count(db, IncidentAnalysis) == 1
    assert "Meeste meldingen: ouders." in client_as("or_lid").get("/o/acme/beleid/meldingen").text


def test_trash_can_restore_register_records(client_as, db, world):
    incident = incidents.create_incident(
        world.org, {"occurred_on": TODAY, "theme_key": "pesten", "party": "collega", "description": "x"}
    )
    db.session.commit()
    client = client_as("beheerder")
    assert client.post(f"/o/acme/beleid/meldingen/{incident.id}/verwijderen").status_code == 302
    assert count(db, Incident) == 0
    assert "Meldingen" in client.get("/o/acme/beheer/prullenbak").text
    response = client.post(f"/o/acme/beheer/prullenbak/melding/{incident.id}/terugzetten")
    assert response.status_code == 302
    assert count(db, Incident) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"session_ids": "abc"},
        {"session_ids": "999999"},
        {"status": "onzin"},
        {"adopted_on": "gisteren"},
        {"name": ""},
        {"name": "x" * 500},
    ],
)
def test_instrument_bad_input_never_500s(client_as, db, world, changes):
    data = {"name": "Gedragscode", "status": "concept"} | changes
    response = client_as("beheerder").post("/o/acme/beleid/instrumenten/nieuw?kind=gedragscode", data=data)
    assert response.status_code == 400
    assert count(db, PolicyInstrument) == 0
