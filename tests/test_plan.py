"""Plan van Aanpak: measures, the status workflow, optimistic locking, hierarchy, catalogue, scores."""

import json
from datetime import timedelta

import pytest

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import CatalogueEntry, Measure, MeasureNote, MeasureScore, MeasureStatusChange, Risk
from riecycle.models.measure import STATUSES
from riecycle.services import ServiceError, prioritisation
from riecycle.services import catalogue as catalogue_service
from riecycle.services import plan as plan_service
from tests.factories import make_measure, make_risk
from tests.support.forms import edit_form_fields, measure_data, measure_form

# --- create and validate ---------------------------------------------------------------


def test_create_measure_records_first_status(app, world):
    risk = make_risk(world)
    measure = plan_service.create_measure(
        world.org, world.users["preventiemedewerker"], measure_data(world, risk)
    )
    db.session.commit()
    assert measure.status == "gepland"
    assert str(measure.budget_eur) == "1500.50"
    assert [r.id for r in measure.risks] == [risk.id]
    history = plan_service.status_history(measure)
    assert [(h.from_status, h.to_status) for h in history] == [(None, "gepland")]
    assert history[0].changed_by_id == world.users["preventiemedewerker"].id


@pytest.mark.parametrize(
    "override, field",
    [
        ({"title": " "}, "title"),
        ({"risk_ids": []}, "risk_ids"),
        ({"level": "bestuur"}, "level"),
        ({"level": "team", "team_ids": []}, "team_ids"),
        ({"level": "individu", "employee_id": None}, "employee_id"),
        ({"approach": "magie"}, "approach"),
        ({"responsible_id": None}, "responsible_id"),
        ({"termijn": None}, "termijn"),
        ({"start_date": clock.today() + timedelta(days=90)}, "start_date"),
        ({"budget_eur": "veel"}, "budget_eur"),
        ({"budget_eur": "-5"}, "budget_eur"),
        ({"change_type": "revolutie"}, "change_type"),
    ],
)
def test_create_measure_refuses_bad_input(app, world, override, field):
    risk = make_risk(world)
    with pytest.raises(ServiceError) as error:
        plan_service.create_measure(
            world.org, world.users["beheerder"], measure_data(world, risk, **override)
        )
    assert error.value.field == field


def test_create_refuses_records_of_another_tenant(app, world):
    foreign_risk = make_risk(world, org=world.other_org)
    with pytest.raises(ServiceError):
        plan_service.create_measure(world.org, world.users["beheerder"], measure_data(world, foreign_risk))
    risk = make_risk(world)
    with pytest.raises(ServiceError) as error:
        plan_service.create_measure(
            world.org,
            world.users["beheerder"],
            measure_data(world, risk, level="individu", employee_id=world.other_employee.id),
        )
    assert error.value.field == "employee_id"
    with pytest.raises(ServiceError) as error:
        plan_service.create_measure(
            world.org,
            world.users["beheerder"],
            measure_data(world, risk, responsible_id=world.users["other"].id),
        )
    assert error.value.field == "responsible_id"


def test_new_measure_via_form(app, world, client_as):
    risk = make_risk(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    response = client.post("/o/acme/plan/nieuw", data=measure_form(world, risk, budget_eur="250"))
    assert response.status_code == 302
    measure = db.session.scalar(db.select(Measure).where(Measure.title == "Vaste pauzes in het rooster"))
    assert measure is not None and str(measure.budget_eur) == "250.00"
    page = client.get(response.headers["Location"])
    assert "Vaste pauzes in het rooster" in page.get_data(as_text=True)


def test_bad_form_input_never_500s(app, world, client_as):
    risk = make_risk(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    for bad in (
        {"termijn": "gisteren"},
        {"risk_ids": ["abc"]},
        {"responsible_id": "x"},
        {"level": "x"},
        {"budget_eur": "1e999"},
        {"budget_eur": "NaN"},
        {"team_ids": ["x"], "level": "team"},
        {"employee_id": "99999", "level": "individu"},
        {"title": "x" * 500},
    ):
        response = client.post("/o/acme/plan/nieuw", data=measure_form(world, risk, **bad))
        assert response.status_code == 400, bad
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 0
    measure = make_measure(world)
    db.session.commit()
    for url, data in (
        (f"/o/acme/plan/{measure.id}/status", {"to_status": "zweven"}),
        (f"/o/acme/plan/{measure.id}/status", {"to_status": "uitgevoerd", "on": "nooit"}),
        (f"/o/acme/plan/{measure.id}/notities", {"text": "", "noted_on": "morgen"}),
        (f"/o/acme/plan/{measure.id}/prioriteren", {"c_knelpunten": "9"}),
        (f"/o/acme/plan/{measure.id}/bewerken", {"version_id": "abc", **measure_form(world, risk)}),
        (
            f"/o/acme/plan/{measure.id}/bewerken",
            {"version_id": "1", "original": "{kapot", **measure_form(world, risk)},
        ),
    ):
        assert client.post(url, data=data).status_code in (302, 400, 409), url
    for url in (
        "/o/acme/plan/?team=x&status=zzz&groep=<script>",
        "/o/acme/plan/versies/vergelijk?van=x&naar=y",
        "/o/acme/plan/catalogus?niveau=x&factor=y",
        "/o/acme/plan/nieuw?catalogus=org-abc&risico=x",
        "/o/acme/plan/tijdlijn?status=zzz",
        "/o/acme/plan/team?team=abc",
        "/o/acme/plan/999999",
    ):
        assert client.get(url).status_code in (200, 404), url


# --- the status workflow -----------------------------------------------------------------


LEGAL = {(a, b) for a, targets in plan_service.TRANSITIONS.items() for b in targets}


def _at_status(world, status):
    return make_measure(world, status=status)


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_transition(app, world, current, target):
    measure = _at_status(world, current)
    user = world.users["preventiemedewerker"]
    if (current, target) == ("uitgevoerd", "geevalueerd"):
        # Only a recorded evaluation makes a measure geëvalueerd (tests/test_evaluation_status.py).
        with pytest.raises(ServiceError) as error:
            plan_service.change_status(measure, user, target)
        assert "vastgelegde evaluatie" in error.value.message and measure.status == current
    elif (current, target) in LEGAL:
        reason = "Omdat het moet" if (current, target) in plan_service.NEEDS_REASON else None
        plan_service.change_status(measure, user, target, reason)
        assert measure.status == target
        last = plan_service.status_history(measure)[-1]
        assert (last.from_status, last.to_status, last.changed_by_id) == (current, target, user.id)
        assert last.changed_at is not None
    else:
        with pytest.raises(ServiceError) as error:
            plan_service.change_status(measure, user, target, "reden")
        assert measure.status == current
        assert error.value.message  # a clear Dutch message
        assert len(plan_service.status_history(measure)) == 1


def test_illegal_skip_explains_the_next_step(app, world):
    measure = _at_status(world, "gepland")
    with pytest.raises(ServiceError) as error:
        plan_service.change_status(measure, world.users["beheerder"], "uitgevoerd")
    assert "eerst op 'In uitvoering'" in error.value.message
    done = _at_status(world, "geevalueerd")
    with pytest.raises(ServiceError) as error:
        plan_service.change_status(done, world.users["beheerder"], "vervallen", "reden")
    assert "afgerond" in error.value.message


def test_vervallen_needs_a_reason(app, world):
    measure = _at_status(world, "gepland")
    with pytest.raises(ServiceError) as error:
        plan_service.change_status(measure, world.users["beheerder"], "vervallen", "  ")
    assert error.value.field == "reason" and measure.status == "gepland"
    plan_service.change_status(measure, world.users["beheerder"], "vervallen", "Budget ingetrokken")
    assert measure.status_reason == "Budget ingetrokken"
    plan_service.change_status(measure, world.users["beheerder"], "gepland", "Budget toch rond")
    assert measure.status == "gepland" and measure.status_reason is None


def test_uitgevoerd_sets_completion_date_and_refuses_future(app, world):
    measure = _at_status(world, "in_uitvoering")
    with pytest.raises(ServiceError):
        plan_service.change_status(
            measure, world.users["beheerder"], "uitgevoerd", on=clock.today() + timedelta(days=1)
        )
    plan_service.change_status(
        measure, world.users["beheerder"], "uitgevoerd", on=clock.today() - timedelta(days=2)
    )
    assert measure.completed_on == clock.today() - timedelta(days=2)
    plan_service.change_status(measure, world.users["beheerder"], "in_uitvoering", "Toch nog niet af")
    assert measure.completed_on is None


def test_status_route_shows_refusal(app, world, client_as):
    measure = _at_status(world, "gepland")
    db.session.commit()
    client = client_as("preventiemedewerker")
    response = client.post(
        f"/o/acme/plan/{measure.id}/status", data={"to_status": "geevalueerd"}, follow_redirects=True
    )
    assert "kan niet direct naar" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "gepland"
    client.post(f"/o/acme/plan/{measure.id}/status", data={"to_status": "in_uitvoering"})
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "in_uitvoering"
    changes = db.session.scalars(
        db.select(MeasureStatusChange)
        .where(MeasureStatusChange.measure_id == measure.id)
        .order_by(MeasureStatusChange.id)
    ).all()
    assert changes[-1].changed_by_id == world.users["preventiemedewerker"].id


# --- optimistic locking ----------------------------------------------------------------------


def test_second_save_gets_conflict_and_first_value_stays(app, world, client_as):
    risk = make_risk(world)
    measure = make_measure(world, risk=risk, title="Oude titel")
    db.session.commit()
    url = f"/o/acme/plan/{measure.id}/bewerken"
    alice, bob = client_as("preventiemedewerker"), client_as("beheerder")
    form_a = edit_form_fields(alice.get(url).get_data(as_text=True))
    form_b = edit_form_fields(bob.get(url).get_data(as_text=True))
    assert json.loads(form_a["original"])["title"] == "Oude titel"
    first = alice.post(url, data={**measure_form(world, risk, title="Titel van Alice"), **form_a})
    assert first.status_code == 302
    second = bob.post(url, data={**measure_form(world, risk, title="Titel van Bob"), **form_b})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "iemand anders heeft deze maatregel intussen gewijzigd" in html
    assert "Titel van Alice" in html and "Titel van Bob" in html  # their value vs yours
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).title == "Titel van Alice"
    # The re-rendered form carries the new version: saving again is a deliberate choice.
    third = bob.post(url, data={**measure_form(world, risk, title="Titel van Bob"), **edit_form_fields(html)})
    assert third.status_code == 302
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).title == "Titel van Bob"


def test_service_conflict_and_stale_data(app, world):
    measure = make_measure(world)
    db.session.commit()
    version = measure.version_id
    plan_service.update_measure(measure, {"title": "Nieuw"}, version)
    db.session.commit()
    assert measure.version_id == version + 1
    with pytest.raises(plan_service.EditConflict):
        plan_service.update_measure(measure, {"title": "Ouder"}, version)
    rows = plan_service.conflict_rows(
        measure, {**plan_service.state(measure), "title": "Oud"}, {"title": "Ouder"}
    )
    assert [(r["field"], r["theirs"], r["yours"]) for r in rows] == [("title", "Nieuw", "Ouder")]


def test_linking_only_a_risk_bumps_the_version(app, world):
    measure = make_measure(world)
    other = make_risk(world)
    db.session.commit()
    version = measure.version_id
    assert plan_service.update_measure(measure, {"risk_ids": [measure.risks[0].id, other.id]}, version)
    db.session.commit()
    assert measure.version_id == version + 1


def test_leidinggevende_updates_own_team_only(app, world, client_as):
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    risk = make_risk(world)
    own = make_measure(world, "team", risk=risk, teams=[noord])
    foreign = make_measure(world, "team", risk=risk, teams=[zuid])
    db.session.commit()
    client = client_as("leidinggevende")
    assert (
        client.post(f"/o/acme/plan/{foreign.id}/status", data={"to_status": "in_uitvoering"}).status_code
        == 403
    )
    assert (
        client.post(f"/o/acme/plan/{own.id}/status", data={"to_status": "in_uitvoering"}).status_code == 302
    )
    html = client.get(f"/o/acme/plan/{own.id}/bewerken").get_data(as_text=True)
    form = edit_form_fields(html)
    # Level and team fields are not offered, and ignored when posted.
    data = {**measure_form(world, risk, title="Team Noord bijgewerkt", level="organisatie"), **form}
    assert client.post(f"/o/acme/plan/{own.id}/bewerken", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Measure, own.id)
    assert (
        saved.title == "Team Noord bijgewerkt"
        and saved.level == "team"
        and [t.id for t in saved.teams] == [noord.id]
    )


# --- notes and evidence -------------------------------------------------------------------------


def test_notes_and_evidence(app, world, client_as):
    measure = make_measure(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    client.post(
        f"/o/acme/plan/{measure.id}/notities",
        data={"text": "Eerste overleg gehouden", "noted_on": (clock.today() - timedelta(days=1)).isoformat()},
    )
    assert (
        db.session.scalar(db.select(MeasureNote.text).where(MeasureNote.measure_id == measure.id))
        == "Eerste overleg gehouden"
    )
    from io import BytesIO

    client.post(
        f"/o/acme/plan/{measure.id}/documenten",
        data={"file": (BytesIO(b"%PDF-1.4 verslag"), "verslag.pdf")},
        content_type="multipart/form-data",
    )
    html = client.get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    assert "Eerste overleg gehouden" in html and "verslag.pdf" in html
    response = client.post(
        f"/o/acme/plan/{measure.id}/documenten",
        data={"file": (BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "niet toegestaan" in response.get_data(as_text=True)


# --- hierarchy -------------------------------------------------------------------------------


def test_hierarchy_flag(app, world, client_as):
    risk = make_risk(world, title="Pieken in de zorgvraag")
    make_measure(world, "team", risk=risk, teams=[world.teams["Zorgteam Noord"]])
    other = make_risk(world, title="Alles op orde")
    make_measure(world, "organisatie", risk=other)
    make_measure(world, "individu", risk=other, employee=world.employees[0])
    db.session.commit()
    assert [r.risk.id for r in plan_service.flagged_risks(world.org)] == [risk.id]
    html = client_as("preventiemedewerker").get("/o/acme/plan/niveaus").get_data(as_text=True)
    assert "eerst organisatieniveau" in html
    # An organisation measure that is vervallen does not count.
    dropped = make_measure(world, "organisatie", risk=risk, status="vervallen")
    db.session.commit()
    assert risk.id in {r.risk.id for r in plan_service.flagged_risks(world.org)}
    # Recording why the risk is team-bound silences the flag.
    client_as("preventiemedewerker").post(
        f"/o/acme/plan/risico/{risk.id}/teamgebonden",
        data={"reason": "Speelt alleen op de nachtdienst van Noord"},
    )
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).team_bound_reason == "Speelt alleen op de nachtdienst van Noord"
    assert plan_service.flagged_risks(world.org) == []
    plan_service.set_team_bound_reason(db.session.get(Risk, risk.id), "")
    assert [r.risk.id for r in plan_service.flagged_risks(world.org)] == [risk.id]
    plan_service.change_status(
        db.session.get(Measure, dropped.id), world.users["beheerder"], "gepland", "toch"
    )
    assert plan_service.flagged_risks(world.org) == []


# --- plan views ------------------------------------------------------------------------------


def test_plan_views_group_filter_and_overdue(app, world, client_as):
    risk = make_risk(world, title="Werkdruk planning")
    late = make_measure(world, risk=risk, title="Te laat", termijn=clock.today() - timedelta(days=3))
    make_measure(
        world,
        risk=risk,
        title="Op tijd",
        termijn=clock.today() + timedelta(days=90),
        responsible=world.users["beheerder"],
    )
    make_measure(world, "team", risk=risk, title="Team Zuid", teams=[world.teams["Zorgteam Zuid"]])
    db.session.commit()
    client = client_as("preventiemedewerker")
    html = client.get("/o/acme/plan/").get_data(as_text=True)
    assert 'class="overdue"' in html and "3 dagen te laat" in html
    overdue = client.get("/o/acme/plan/?te_laat=1&groep=geen").get_data(as_text=True)
    assert "Te laat" in overdue and "Op tijd" not in overdue
    by_team = client.get(f"/o/acme/plan/?team={world.teams['Zorgteam Zuid'].id}").get_data(as_text=True)
    assert "Team Zuid" in by_team and "Op tijd" not in by_team
    for grouping in ("risico", "niveau", "verantwoordelijke", "status", "geen"):
        assert client.get(f"/o/acme/plan/?groep={grouping}").status_code == 200
    mine = client.get("/o/acme/plan/mijn").get_data(as_text=True)
    assert "Te laat" in mine and "Op tijd" not in mine
    timeline = client.get("/o/acme/plan/tijdlijn").get_data(as_text=True)
    assert "gantt-bar" in timeline and f"/plan/{late.id}" in timeline
    this_month = client.get("/o/acme/plan/?deze_maand=1&groep=geen").get_data(as_text=True)
    assert ("Op tijd" in this_month) == ((clock.today() + timedelta(days=90)).month == clock.today().month)


def test_team_view_for_leidinggevende(app, world, client_as):
    risk = make_risk(world)
    make_measure(world, "team", risk=risk, title="Noord-overleg", teams=[world.teams["Zorgteam Noord"]])
    make_measure(world, "team", risk=risk, title="Zuid-overleg", teams=[world.teams["Zorgteam Zuid"]])
    db.session.commit()
    html = client_as("leidinggevende").get("/o/acme/plan/team").get_data(as_text=True)
    assert "Noord-overleg" in html and "Zuid-overleg" not in html
    # A leidinggevende cannot pick another team in the team view.
    html = (
        client_as("leidinggevende")
        .get(f"/o/acme/plan/team?team={world.teams['Zorgteam Zuid'].id}")
        .get_data(as_text=True)
    )
    assert "Zuid-overleg" not in html


# --- catalogue -------------------------------------------------------------------------------


def test_catalogue_loads_seed_in_both_languages(app, world):
    nl = catalogue_service.standard_entries("nl")
    en = catalogue_service.standard_entries("en")
    assert len(nl) >= 40 and len(nl) == len(en)
    assert nl[0].title != en[0].title
    for entry in nl:
        assert (
            entry.level in ("organisatie", "team", "individu")
            and entry.approach
            and entry.factors is not None
        )
    team = catalogue_service.entries(world.org, level="team", approach="veerkracht")
    assert team and all(e.level == "team" and e.approach == "veerkracht" for e in team)
    assert all("werkdruk" in e.themes for e in catalogue_service.entries(world.org, theme="werkdruk"))
    assert all("tijdsdruk" in e.factors for e in catalogue_service.entries(world.org, factor="tijdsdruk"))


def test_pick_from_catalogue_prefills_and_keeps_key(app, world, client_as):
    risk = make_risk(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    html = client.get(f"/o/acme/plan/nieuw?catalogus=geen_avondmail&risico={risk.id}").get_data(as_text=True)
    entry = catalogue_service.get_entry(world.org, "geen_avondmail")
    assert entry.title in html and 'value="geen_avondmail"' in html
    response = client.post(
        "/o/acme/plan/nieuw",
        data=measure_form(world, risk, title="Geen mail na 19 uur", catalogue_key="geen_avondmail"),
    )
    assert response.status_code == 302
    measure = db.session.scalar(db.select(Measure).where(Measure.title == "Geen mail na 19 uur"))
    assert measure.catalogue_key == "geen_avondmail"


def test_beheerder_adds_own_entries(app, world, client_as):
    response = client_as("beheerder").post(
        "/o/acme/plan/catalogus/nieuw",
        data={
            "title": "Stilteruimte op elke locatie",
            "description": "Een ruimte om even bij te komen.",
            "level": "organisatie",
            "approach": "rust_en_herstel",
            "themes": ["werkdruk"],
            "factors": ["herstelmogelijkheden"],
            "change_type": "eenvoudig",
        },
    )
    assert response.status_code == 302
    entry = db.session.scalar(db.select(CatalogueEntry))
    assert entry.organisation_id == world.org.id and entry.factors == ["herstelmogelijkheden"]
    assert catalogue_service.get_entry(world.org, entry.key).title == "Stilteruimte op elke locatie"
    assert catalogue_service.get_entry(world.other_org, entry.key) is None  # tenant isolation
    html = client_as("preventiemedewerker").get("/o/acme/plan/catalogus").get_data(as_text=True)
    assert "Stilteruimte op elke locatie" in html
    assert "Stilteruimte" not in client_as("other").get("/o/other/plan/catalogus").get_data(as_text=True)
    assert client_as("preventiemedewerker").post("/o/acme/plan/catalogus/nieuw", data={}).status_code == 403


def test_catalogue_for_a_risk_keeps_to_what_the_member_may_see(app, world, client_as):
    zuid = make_risk(world, title="Zuidrisico Kt7", scope="teams")
    zuid.teams = [world.teams["Zorgteam Zuid"]]
    noord = make_risk(world, title="Noordrisico Kt7", scope="teams")
    noord.teams = [world.teams["Zorgteam Noord"]]
    foreign = make_risk(world, title="Vreemd risico Kt7", org=world.other_org)
    zuid_employee = next(e for e in world.employees if e.team.name == "Zorgteam Zuid")
    make_measure(world, "individu", risk=zuid, employee=zuid_employee, catalogue_key="geen_avondmail")
    db.session.commit()
    leader = client_as("leidinggevende")

    def page(client, risk_id):
        response = client.get(f"/o/acme/plan/catalogus?risico={risk_id}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    # Another team's risk: no title, no banner, no hidden field carrying the id.
    html = page(leader, zuid.id)
    assert "Zuidrisico Kt7" not in html
    assert "U kiest een maatregel voor het risico" not in html
    assert f'name="risico" value="{zuid.id}"' not in html
    # Another organisation's risk is not found either.
    html = page(leader, foreign.id)
    assert "Vreemd risico Kt7" not in html and "U kiest een maatregel voor het risico" not in html
    # The leader's own team's risk is shown.
    assert "U kiest een maatregel voor het risico: Noordrisico Kt7" in page(leader, noord.id)
    # Another team's individual measure is not even counted for the leader.
    assert "al 1 keer in het plan" not in page(leader, noord.id)
    # The preventiemedewerker sees the risk and the count.
    html = page(client_as("preventiemedewerker"), zuid.id)
    assert "U kiest een maatregel voor het risico: Zuidrisico Kt7" in html
    assert "al 1 keer in het plan" in html
    assert "Vreemd risico Kt7" not in page(client_as("preventiemedewerker"), foreign.id)


# --- prioritisation --------------------------------------------------------------------------


def test_prioritisation_ranks_candidates(app, world, client_as):
    assert len(prioritisation.criteria()) == 12
    weak = make_measure(world, title="Zwakke kandidaat")
    strong = make_measure(world, title="Sterke kandidaat")
    make_measure(world, title="Niet gescoord")
    db.session.commit()
    client = client_as("preventiemedewerker")
    keys = [c.key for c in prioritisation.criteria()]
    client.post(f"/o/acme/plan/{weak.id}/prioriteren", data={f"c_{k}": "2" for k in keys})
    client.post(
        f"/o/acme/plan/{strong.id}/prioriteren", data={**{f"c_{k}": "5" for k in keys[:6]}, "c_weerstand": ""}
    )
    db.session.expire_all()
    assert db.session.scalar(db.select(MeasureScore.total).where(MeasureScore.measure_id == strong.id)) == 30
    candidates = db.session.scalars(db.select(Measure)).all()
    assert [r.measure.title for r in prioritisation.ranking(candidates)][:2] == [
        "Sterke kandidaat",
        "Zwakke kandidaat",
    ]
    html = client.get("/o/acme/plan/prioriteren").get_data(as_text=True)
    assert html.index("Sterke kandidaat") < html.index("Zwakke kandidaat") < html.index("Niet gescoord")
    bad = client.post(f"/o/acme/plan/{weak.id}/prioriteren", data={"c_knelpunten": "7"})
    assert bad.status_code == 400


# --- tenant isolation ------------------------------------------------------------------------


def test_tenant_isolation(app, world, client_as):
    measure = make_measure(world, title="Geheim van Acme")
    db.session.commit()
    other = client_as("other")
    assert other.get(f"/o/other/plan/{measure.id}").status_code == 404
    assert (
        other.post(f"/o/other/plan/{measure.id}/status", data={"to_status": "in_uitvoering"}).status_code
        == 404
    )
    assert other.get(f"/o/acme/plan/{measure.id}").status_code == 404
    assert "Geheim van Acme" not in other.get("/o/other/plan/?groep=geen").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "gepland"
