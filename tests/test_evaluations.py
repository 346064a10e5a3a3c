"""Evaluations: default dates, recording the outcome, the geëvalueerd step and follow-up measures."""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, MeasureStatusChange
from riecycle.services import evaluations as service
from tests.factories import make_done_measure, make_evaluation


def test_default_dates(world):
    m = make_done_measure(world)
    assert service.default_planned_on(m) == date(2025, 4, 15)  # 3 months after completion
    with time_machine.travel(date(2025, 6, 30), tick=False):
        assert service.default_planned_on(is_repeat=True) == date(2026, 6, 30)  # 12 months
        assert service.default_planned_on(None) == date(2025, 9, 30)


def test_plan_form_prefills_and_service_defaults(world, client_as):
    m = make_done_measure(world)
    client = client_as("preventiemedewerker")
    page = client.get(f"/o/acme/evaluatie/nieuw?measure_id={m.id}").get_data(as_text=True)
    assert 'value="2025-04-15"' in page
    response = client.post(
        "/o/acme/evaluatie/nieuw",
        data={
            "kind": "maatregel",
            "measure_id": str(m.id),
            "method": "interview",
            "planned_on": "",
            "responsible_id": str(world.users["preventiemedewerker"].id),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    evaluation = db.session.scalar(select(Evaluation))
    assert evaluation.planned_on == date(2025, 4, 15) and evaluation.method == "interview"
    client.post(
        "/o/acme/evaluatie/nieuw",
        data={"kind": "thema", "theme_key": "werkdruk", "method": "herhaalde_vragenlijst", "planned_on": ""},
    )
    db.session.expire_all()
    repeat = db.session.scalar(select(Evaluation).where(Evaluation.kind == "thema"))
    assert repeat.is_repeat_measurement and repeat.measure_id is None
    assert repeat.planned_on == service.add_months(clock.today(), 12)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "maatregel", "method": "interview"},
        {"kind": "maatregel", "measure_id": "999999", "method": "interview"},
        {"kind": "thema", "theme_key": "bestaat_niet", "method": "pulse"},
        {"kind": "thema", "theme_key": "werkdruk", "method": "telepathie"},
        {"kind": "thema", "theme_key": "werkdruk", "method": "pulse", "planned_on": "31-02-2025"},
        {"kind": "thema", "theme_key": "werkdruk", "method": "pulse", "responsible_id": "x"},
    ],
)
def test_bad_plan_input_never_500s(world, client_as, data):
    response = client_as("beheerder").post("/o/acme/evaluatie/nieuw", data=data)
    assert response.status_code in (200, 400)
    assert db.session.scalar(select(Evaluation)) is None


def test_recording_moves_an_uitgevoerd_measure_to_geevalueerd(world, client_as):
    m = make_done_measure(world)
    evaluation = make_evaluation(world, m)
    client = client_as("preventiemedewerker")
    response = client.post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={
            "done_on": clock.today().isoformat(),
            "effect": "deels",
            "implementation_rating": "4",
            "satisfaction": "3",
            "conclusion": "Minder registratie, maar de piek in juni blijft.",
        },
        follow_redirects=True,
    )
    assert "geëvalueerd" in response.get_data(as_text=True)
    db.session.expire_all()
    m = db.session.get(Measure, m.id)
    assert m.status == "geevalueerd"
    change = db.session.scalars(
        select(MeasureStatusChange).where(MeasureStatusChange.measure_id == m.id)
    ).all()[-1]
    assert (change.from_status, change.to_status) == ("uitgevoerd", "geevalueerd")
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert (evaluation.effect, evaluation.implementation_rating, evaluation.satisfaction) == ("deels", 4, 3)


def test_recording_explains_when_the_measure_is_not_uitgevoerd(world, client_as):
    m = make_done_measure(world, status="in_uitvoering")
    evaluation = make_evaluation(world, m)
    page = (
        client_as("beheerder")
        .post(
            f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
            data={
                "done_on": clock.today().isoformat(),
                "effect": "niet",
                "implementation_rating": "2",
                "conclusion": "Nog te vroeg.",
            },
            follow_redirects=True,
        )
        .get_data(as_text=True)
    )
    assert "niet op &#39;uitgevoerd&#39;" in page or "niet op 'uitgevoerd'" in page
    db.session.expire_all()
    assert db.session.get(Measure, m.id).status == "in_uitvoering"
    assert db.session.get(Evaluation, evaluation.id).done_on == clock.today()


@pytest.mark.parametrize(
    "data",
    [
        {"done_on": "2999-01-01", "effect": "deels", "conclusion": "x"},
        {"done_on": "2024-01-01", "effect": "super", "conclusion": "x"},
        {"done_on": "2024-01-01", "effect": "deels", "conclusion": ""},
        {"done_on": "2024-01-01", "effect": "deels", "conclusion": "x", "satisfaction": "9"},
        {"done_on": "gisteren", "effect": "deels", "conclusion": "x"},
    ],
)
def test_bad_outcome_input_changes_nothing(world, client_as, data):
    m = make_done_measure(world)
    evaluation = make_evaluation(world, m)
    response = client_as("beheerder").post(f"/o/acme/evaluatie/{evaluation.id}/uitkomst", data=data)
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).done_on is None
    assert db.session.get(Measure, m.id).status == "uitgevoerd"


def test_follow_up_measure_is_prefilled_and_linked(world, client_as):
    m = make_done_measure(world)
    evaluation = make_evaluation(world, m)
    client = client_as("preventiemedewerker")
    form = client.get(f"/o/acme/evaluatie/{evaluation.id}/vervolg").get_data(as_text=True)
    assert "Administratie schrappen (bijgesteld)" in form
    response = client.post(
        f"/o/acme/evaluatie/{evaluation.id}/vervolg",
        data={
            "title": "Administratie schrappen, ronde 2",
            "level": "team",
            "approach": "bronaanpak",
            "risk_ids": [str(r.id) for r in m.risks],
            "team_ids": [str(world.teams["Zorgteam Noord"].id)],
            "responsible_id": str(world.users["leidinggevende"].id),
            "termijn": "2031-09-01",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    [follow] = evaluation.follow_up_measures
    assert follow.title == "Administratie schrappen, ronde 2" and follow.status == "gepland"
    assert [r.id for r in follow.risks] == [r.id for r in m.risks] and evaluation.policy_adjusted
    detail = client.get(f"/o/acme/evaluatie/{evaluation.id}").get_data(as_text=True)
    assert "Administratie schrappen, ronde 2" in detail


def test_follow_up_bad_input(world, client_as):
    m = make_done_measure(world)
    evaluation = make_evaluation(world, m)
    response = client_as("beheerder").post(
        f"/o/acme/evaluatie/{evaluation.id}/vervolg", data={"title": "", "level": "nope", "termijn": "x"}
    )
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).follow_up_measures == []


def test_individual_measures_are_pseudonymised_for_or_members(world, client_as):
    employee = world.employees[1]  # Zorgteam Zuid: not the leidinggevende's team
    m = make_done_measure(world, level="individu", title="Mantelzorg Jansen", employee_id=employee.id)
    evaluation = make_evaluation(
        world, m, done_on=date(2025, 2, 1), effect="opgelost", conclusion="Persoonlijke toelichting"
    )
    page = client_as("or_lid").get(f"/o/acme/evaluatie/{evaluation.id}").get_data(as_text=True)
    assert "Mantelzorg Jansen" not in page and "Persoonlijke toelichting" not in page
    assert f"individuele maatregel #{m.id}" in page
    assert "Mantelzorg Jansen" not in client_as("auditor").get("/o/acme/evaluatie/").get_data(as_text=True)
    assert client_as("leidinggevende").get(f"/o/acme/evaluatie/{evaluation.id}").status_code == 404
    assert "Persoonlijke toelichting" in client_as("beheerder").get(
        f"/o/acme/evaluatie/{evaluation.id}"
    ).get_data(as_text=True)


def test_index_lists_measures_awaiting_evaluation(world, client_as):
    m = make_done_measure(world)
    page = client_as("beheerder").get("/o/acme/evaluatie/").get_data(as_text=True)
    assert "Administratie schrappen" in page and f"measure_id={m.id}" in page
    make_evaluation(world, m)
    assert service.measures_awaiting_evaluation(world.org) == []
