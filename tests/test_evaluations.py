"""Evaluations: default dates, recording the outcome, the geëvalueerd step and follow-up measures."""

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, MeasureStatusChange
from riecycle.services import ServiceError
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
        data={
            "kind": "thema",
            "theme_key": "werkdruk",
            "method": "herhaalde_vragenlijst",
            "is_repeat_measurement": "y",
            "planned_on": "",
        },
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


def _theme_repeat(world):
    return service.plan_evaluation(
        world.org,
        {
            "kind": "thema",
            "theme_key": "werkdruk",
            "method": "herhaalde_vragenlijst",
            "is_repeat_measurement": True,
            "planned_on": clock.today(),
        },
    )


def test_a_questionnaire_is_not_forced_to_be_a_repeat_measurement(world):
    """Only the user's tick makes an evaluation a repeat of the nulmeting."""
    evaluation = service.plan_evaluation(
        world.org,
        {
            "kind": "thema",
            "theme_key": "werkdruk",
            "method": "herhaalde_vragenlijst",
            "planned_on": clock.today(),
        },
    )
    assert evaluation.is_repeat_measurement is False


def test_effect_measurement_records_the_factors_it_asked(world, client_as):
    from riecycle.models import Factor

    evaluation = _theme_repeat(world)
    db.session.commit()
    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.position))
    energie = db.session.scalar(select(Factor).where(Factor.kind == "energiebron").order_by(Factor.position))
    individueel = db.session.scalar(select(Factor).where(Factor.kind == "individueel"))
    client = client_as("preventiemedewerker")
    form = client.get(f"/o/acme/evaluatie/{evaluation.id}/uitkomst").get_data(as_text=True)
    assert f'name="score_{bron.key}"' in form and f'name="score_{energie.key}"' in form
    assert f'name="score_{individueel.key}"' not in form  # only werkdruk- and energiebronnen
    response = client.post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={
            "done_on": clock.today().isoformat(),
            "effect": "deels",
            "conclusion": "Tijdsdruk daalt, steun blijft gelijk.",
            f"score_{bron.key}": "3.2",
            f"score_{energie.key}": "2.5",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Gevraagde bronnen" in page and bron.name_nl in page and "3.2" in page
    db.session.expire_all()
    scores = {s.factor_key: s.score for s in db.session.get(Evaluation, evaluation.id).factor_scores}
    assert scores == {bron.key: 3.2, energie.key: 2.5}
    # Emptying a score drops the factor: it was not asked.
    client.post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={
            "done_on": clock.today().isoformat(),
            "effect": "deels",
            "conclusion": "Alleen tijdsdruk gevraagd.",
            f"score_{bron.key}": "3.0",
            "version_id": str(db.session.get(Evaluation, evaluation.id).version_id),
        },
    )
    db.session.expire_all()
    scores = {s.factor_key: s.score for s in db.session.get(Evaluation, evaluation.id).factor_scores}
    assert scores == {bron.key: 3.0}


@pytest.mark.parametrize("score", ["0.5", "6", "abc"])
def test_bad_factor_score_changes_nothing(world, client_as, score):
    from riecycle.models import Factor

    evaluation = _theme_repeat(world)
    db.session.commit()
    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.position))
    response = client_as("preventiemedewerker").post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={
            "done_on": clock.today().isoformat(),
            "effect": "deels",
            "conclusion": "Test.",
            f"score_{bron.key}": score,
        },
    )
    assert response.status_code == 400
    assert "Een score ligt tussen 1 en 5" in response.get_data(as_text=True) or score == "abc"
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluation.done_on is None and evaluation.factor_scores == []


def test_service_refuses_factors_outside_the_werkdrukmodel(world):
    from riecycle.models import Factor

    evaluation = _theme_repeat(world)
    individueel = db.session.scalar(select(Factor).where(Factor.kind == "individueel"))
    data = {"done_on": clock.today(), "effect": "deels", "conclusion": "x"}
    with pytest.raises(ServiceError):
        service.record_outcome(world.org, evaluation, data | {"factor_scores": {individueel.key: 3}})
    with pytest.raises(ServiceError):
        service.record_outcome(world.org, evaluation, data | {"factor_scores": {"bestaat_niet": 3}})


def test_evidence_export_lists_the_factors_asked(world, client_as):
    from io import BytesIO

    from openpyxl import load_workbook

    from riecycle.models import Factor

    evaluation = _theme_repeat(world)
    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.position))
    service.record_outcome(
        world.org,
        evaluation,
        {"done_on": clock.today(), "effect": "deels", "conclusion": "x", "factor_scores": {bron.key: 3.5}},
    )
    db.session.commit()
    data = client_as("auditor").get("/o/acme/export/bewijsdossier").data
    ws = load_workbook(BytesIO(data))["Evaluaties"]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    index = head.index("Gevraagde bronnen (score)")
    values = [row[index].value for row in ws.iter_rows(min_row=2)]
    assert f"{bron.name_nl}: 3.5" in values
