"""Forms that do not steer the answer, counts in proper Dutch, and evaluations named by their subject."""

import re
from datetime import timedelta

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Evaluation
from riecycle.services import evaluations
from tests.factories import make_attended_session, make_done_measure, make_evaluation


def test_the_effect_has_no_default_and_must_be_chosen(world, client_as):
    evaluation = make_evaluation(world, make_done_measure(world))
    client = client_as("preventiemedewerker")
    form = client.get(f"/o/acme/evaluatie/{evaluation.id}/uitkomst").get_data(as_text=True)
    effect = re.search(r'<select[^>]*name="effect".*?</select>', form, re.S).group(0)
    assert re.search(r'<option[^>]*value=""[^>]*>— kies het effect —</option>', effect)
    assert "selected" not in effect.split("</option>", 1)[1]  # no real effect preselected

    response = client.post(
        f"/o/acme/evaluatie/{evaluation.id}/uitkomst",
        data={
            "done_on": clock.today().isoformat(),
            "effect": "",
            "implementation_rating": "4",
            "conclusion": "Loopt goed.",
        },
    )
    assert response.status_code == 400
    assert "Kies het effect op het knelpunt." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Evaluation, evaluation.id).effect is None


def test_attendance_flash_says_one_change_in_the_singular(world, client_as):
    session = make_attended_session(world, days_ago=2)
    db.session.commit()
    client = client_as("preventiemedewerker")
    register = client.get(f"/o/acme/voorlichting/{session.id}/presentielijst").get_data(as_text=True)
    data = dict(re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)" checked', register))
    employee = world.employees[1]
    data[f"status-{employee.id}"] = "afgemeld"
    response = client.post(
        f"/o/acme/voorlichting/{session.id}/presentielijst", data=data, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Presentielijst opgeslagen (1 wijziging)." in page
    assert "1 wijzigingen" not in page


def test_an_evaluation_is_named_by_what_it_evaluates(world):
    measure = make_done_measure(world, title="Administratie schrappen")
    evaluation = make_evaluation(world, measure, done_on=clock.today() - timedelta(days=1))
    day = (clock.today() - timedelta(days=1)).strftime("%d-%m-%Y")
    assert (
        evaluations.evaluation_name(evaluation, measure.title)
        == f"Evaluatie van Administratie schrappen (groepsgesprek, {day})"
    )
    theme = Evaluation(organisation_id=world.org.id, kind="thema", theme_key="werkdruk", method="interview")
    theme.planned_on = clock.today()
    assert evaluations.evaluation_name(theme).startswith("Evaluatie van Werkdruk (interview, ")
    # Without a subject the viewer may read: how and when, never a bare date.
    assert evaluations.evaluation_name(evaluation) == f"Evaluatie (groepsgesprek, {day})"
