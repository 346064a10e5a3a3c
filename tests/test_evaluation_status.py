"""No evaluation, no Geëvalueerd: the status follows only from a recorded evaluation of the measure,
on every way in (status button, service, evaluation delete, import, demo seed, bench generator)."""

import re

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.excel import importer
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, MeasureStatusChange
from riecycle.services import ServiceError
from riecycle.services import evaluations as service
from riecycle.services import plan as plan_service
from tests.factories import (
    MEASURE_HEADERS,
    RISK_HEADERS,
    make_done_measure,
    make_evaluation,
    measure_row,
    risk_row,
    xlsx,
)

OUTCOME = {
    "done_on": clock.today(),
    "effect": "deels",
    "implementation_rating": 4,
    "satisfaction": 3,
    "conclusion": "Minder registratie, maar de piek in juni blijft.",
}


def _history(measure) -> list[tuple]:
    return [(c.from_status, c.to_status) for c in plan_service.status_history(measure)]


def _recorded(world, measure) -> Evaluation:
    evaluation = make_evaluation(world, measure)
    service.record_outcome(world.org, evaluation, OUTCOME, world.users["preventiemedewerker"])
    db.session.commit()
    return evaluation


def test_service_refuses_geevalueerd_without_an_evaluation(world):
    measure = make_done_measure(world)
    with pytest.raises(ServiceError) as error:
        plan_service.change_status(measure, world.users["preventiemedewerker"], "geevalueerd")
    assert "alleen geëvalueerd door een vastgelegde evaluatie" in error.value.message
    assert measure.status == "uitgevoerd" and _history(measure) == []
    # A planned evaluation without an outcome does not count either.
    planned = make_evaluation(world, measure)
    with pytest.raises(ServiceError):
        plan_service.change_status(
            measure, world.users["preventiemedewerker"], "geevalueerd", evaluation=planned
        )
    # Nor a recorded evaluation of another measure.
    other = make_done_measure(world, title="Iets anders")
    elsewhere = _recorded(world, other)
    with pytest.raises(ServiceError):
        plan_service.change_status(
            measure, world.users["preventiemedewerker"], "geevalueerd", evaluation=elsewhere
        )
    assert measure.status == "uitgevoerd"


def test_an_evaluation_without_the_process_is_refused(world, client_as):
    measure = make_done_measure(world)
    evaluation = make_evaluation(world, measure)
    response = client_as("preventiemedewerker").post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={"done_on": clock.today().isoformat(), "effect": "opgelost", "conclusion": "Werkt."},
    )
    assert response.status_code == 400
    assert "Geef aan hoe de uitvoering ging (het proces)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "uitgevoerd"
    assert db.session.get(Evaluation, evaluation.id).done_on is None


def test_status_route_refuses_a_direct_geevalueerd(world, client_as):
    measure = make_done_measure(world)
    response = client_as("preventiemedewerker").post(
        f"/o/acme/plan/{measure.id}/status", data={"to_status": "geevalueerd"}, follow_redirects=True
    )
    assert "alleen geëvalueerd door een vastgelegde evaluatie" in response.get_data(as_text=True)
    db.session.expire_all()
    measure = db.session.get(Measure, measure.id)
    assert measure.status == "uitgevoerd" and _history(measure) == []


def test_the_geevalueerd_button_leads_to_the_evaluation_form(world, client_as):
    measure = make_done_measure(world)
    client = client_as("preventiemedewerker")
    page = client.get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    assert 'value="geevalueerd"' not in page  # no button that sets the status directly
    link = re.search(r'href="([^"]*/evaluatie/nieuw\?[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"measure_id={measure.id}" in link and "vastleggen=1" in link

    form = client.get(link).get_data(as_text=True)
    assert f'<option selected value="{measure.id}">' in form or re.search(
        rf'<option[^>]*value="{measure.id}"[^>]*selected', form
    )
    assert f'value="{clock.today().isoformat()}"' in form  # done now, not planned in 3 months
    response = client.post(
        link,
        data={
            "kind": "maatregel",
            "measure_id": measure.id,
            "method": "groepsgesprek",
            "planned_on": clock.today().isoformat(),
            "responsible_id": world.users["preventiemedewerker"].id,
        },
    )
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.measure_id == measure.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evaluatie/{evaluation.id}/uitkomst")
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "uitgevoerd"  # planning alone changes nothing

    # Now that an evaluation is planned, the button leads straight to its outcome form.
    page = client.get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    assert f"/evaluatie/{evaluation.id}/uitkomst" in page
    client.post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data=OUTCOME | {"done_on": clock.today().isoformat()},
    )
    db.session.expire_all()
    measure = db.session.get(Measure, measure.id)
    assert measure.status == "geevalueerd"
    assert _history(measure)[-1] == ("uitgevoerd", "geevalueerd")


def test_no_button_for_who_may_not_evaluate(world, client_as):
    measure = make_done_measure(world)
    page = client_as("leidinggevende").get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    assert 'value="geevalueerd"' not in page
    assert "vastleggen=1" not in page


def test_recording_sets_geevalueerd_and_deleting_takes_it_back(world, client_as):
    measure = make_done_measure(world)
    evaluation = _recorded(world, measure)
    assert measure.status == "geevalueerd"
    response = client_as("preventiemedewerker").post(
        f"/o/acme/evaluatie/{evaluation.id}/verwijderen", follow_redirects=True
    )
    assert "weer op uitgevoerd" in response.get_data(as_text=True)
    db.session.expire_all()
    measure = db.session.get(Measure, measure.id)
    assert measure.status == "uitgevoerd"
    last = plan_service.status_history(measure)[-1]
    assert (last.from_status, last.to_status) == ("geevalueerd", "uitgevoerd")
    assert "verwijderd" in last.reason and last.changed_by_id == world.users["preventiemedewerker"].id
    assert measure in service.measures_awaiting_evaluation(world.org)


def test_deleting_one_of_two_recorded_evaluations_keeps_geevalueerd(world):
    measure = make_done_measure(world)
    first = _recorded(world, measure)
    second = make_evaluation(world, measure)
    service.record_outcome(world.org, second, OUTCOME, None)
    assert service.delete_evaluation(first, world.users["preventiemedewerker"]) is False
    db.session.commit()
    assert measure.status == "geevalueerd"
    assert service.delete_evaluation(second, world.users["preventiemedewerker"]) is True
    db.session.commit()
    assert measure.status == "uitgevoerd"
    assert db.session.scalar(select(Evaluation.deleted_at).where(Evaluation.id == second.id)) is not None


def test_deleting_a_planned_evaluation_changes_no_status(world):
    measure = make_done_measure(world)
    planned = make_evaluation(world, measure)
    assert service.delete_evaluation(planned) is False
    assert measure.status == "uitgevoerd" and _history(measure) == []


def test_import_refuses_a_geevalueerd_row_and_names_it(world):
    data = xlsx(
        {
            "Risico's": (RISK_HEADERS, [risk_row()]),
            "Plan van aanpak": (
                MEASURE_HEADERS,
                [
                    measure_row(Status="Uitgevoerd"),
                    measure_row(title="Al geëvalueerd", Status="Geëvalueerd"),
                ],
            ),
        }
    )
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    problems = refused.value.problems
    assert len(problems) == 1
    assert problems[0].sheet == "Plan van aanpak" and problems[0].row == 3
    assert problems[0].message.startswith("Rij 3: status Geëvalueerd kan niet worden ingelezen")
    assert "geen evaluaties" in problems[0].message
    assert db.session.scalar(select(Measure.id)) is None


def test_import_route_shows_the_refusal(world, client_as):
    data = xlsx(
        {
            "Risico's": (RISK_HEADERS, [risk_row()]),
            "Plan van aanpak": (MEASURE_HEADERS, [measure_row(Status="Geëvalueerd")]),
        }
    )
    from io import BytesIO

    response = client_as("beheerder").post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    assert "Rij 2: status Geëvalueerd kan niet worden ingelezen" in response.get_data(as_text=True)
    assert db.session.scalar(select(Measure.id)) is None


def _every_evaluated_measure_is_covered(org_id) -> int:
    measures = db.session.scalars(
        select(Measure).where(Measure.organisation_id == org_id, Measure.deleted_at.is_(None))
    ).all()
    evaluated = [m for m in measures if m.status == "geevalueerd"]
    for measure in evaluated:
        assert service.recorded_evaluation_of(measure) is not None, measure.title
    for measure in measures:
        if measure.status == "uitgevoerd":
            assert service.recorded_evaluation_of(measure) is None, measure.title
    return len(evaluated)


def test_demo_seed_records_the_evaluations_behind_its_evaluated_measures(app):
    from riecycle.models import Organisation

    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "demo"))
    assert _every_evaluated_measure_is_covered(org.id) >= 8
    # Each geëvalueerd step in the history is dated on its evaluation, not on the seed day.
    steps = db.session.scalars(
        select(MeasureStatusChange).where(
            MeasureStatusChange.organisation_id == org.id, MeasureStatusChange.to_status == "geevalueerd"
        )
    ).all()
    assert steps and all(s.changed_at.date() < clock.today() for s in steps)


def test_bench_generator_creates_the_evaluations_behind_its_evaluated_measures(app):
    from bench import generate

    with generate._request_context():
        generate.large_employer(scale=0.01)
    from riecycle.models import Organisation

    org = db.session.scalar(select(Organisation).where(Organisation.slug == generate.LARGE_SLUG))
    assert _every_evaluated_measure_is_covered(org.id) > 0


def test_restoring_a_recorded_evaluation_makes_the_measure_geevalueerd_again(world, client_as):
    measure = make_done_measure(world)
    evaluation = _recorded(world, measure)
    service.delete_evaluation(evaluation, world.users["beheerder"])
    db.session.commit()
    assert measure.status == "uitgevoerd"
    response = client_as("beheerder").post(f"/o/acme/beheer/prullenbak/evaluatie/{evaluation.id}/terugzetten")
    assert response.status_code == 302
    db.session.expire_all()
    measure = db.session.get(Measure, measure.id)
    assert measure.status == "geevalueerd"
    assert _history(measure)[-2:] == [("geevalueerd", "uitgevoerd"), ("uitgevoerd", "geevalueerd")]


def test_a_recorded_evaluation_keeps_its_measure(world):
    measure = make_done_measure(world)
    other = make_done_measure(world, title="Iets anders")
    evaluation = _recorded(world, measure)
    with pytest.raises(ServiceError) as error:
        service.update_plan(
            world.org,
            evaluation,
            {"kind": "maatregel", "measure_id": other.id, "method": "interview", "planned_on": clock.today()},
        )
    assert "al vastgelegd" in error.value.message
    db.session.rollback()
    assert db.session.get(Evaluation, evaluation.id).measure_id == measure.id
