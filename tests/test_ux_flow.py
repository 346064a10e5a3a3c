"""The cycle as a user walks it: a risk page with its measures, the OR told when it must decide,
and a home page per role (docs/domain.md §5, §9)."""

import re

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Risk
from tests.factories import SECRET_TITLE, make_detailed_measure, make_evaluated_risk, make_individual_measure


def url(path: str) -> str:
    return f"/o/acme{path}"


# --- the risk page ---------------------------------------------------------------------------


def test_risk_page_lists_measures_per_level_with_add_buttons(world, client_as):
    risk = make_evaluated_risk(world)
    make_detailed_measure(world, risk, title="Vaste pauzes in het rooster")
    make_detailed_measure(
        world,
        risk,
        title="Teamoverleg over werkverdeling",
        level="team",
        team_ids=[world.teams["Zorgteam Noord"].id],
    )
    make_individual_measure(world, risk)
    db.session.commit()
    page = client_as("preventiemedewerker").get(url(f"/rie/risicos/{risk.id}")).get_data(as_text=True)
    assert "Vaste pauzes in het rooster" in page and "Teamoverleg over werkverdeling" in page
    assert SECRET_TITLE in page
    assert "Maatregel toevoegen" in page
    assert f"/o/acme/plan/nieuw?risico={risk.id}" in page
    assert f"/o/acme/plan/catalogus?risico={risk.id}" in page


def test_risk_page_shows_pseudonyms_to_the_or(world, client_as):
    risk = make_evaluated_risk(world)
    measure = make_individual_measure(world, risk)
    db.session.commit()
    page = client_as("or_lid").get(url(f"/rie/risicos/{risk.id}")).get_data(as_text=True)
    assert SECRET_TITLE not in page
    assert f"individuele maatregel #{measure.id}" in page
    assert "Maatregel toevoegen" not in page


def test_new_measure_form_preselects_the_risk(world, client_as):
    risk = make_evaluated_risk(world)
    db.session.commit()
    page = client_as("preventiemedewerker").get(url(f"/plan/nieuw?risico={risk.id}")).get_data(as_text=True)
    assert f'<option selected value="{risk.id}">' in page or f'value="{risk.id}" selected' in page


def test_back_link_keeps_register_filters_and_drops_others(world, client_as):
    risk = make_evaluated_risk(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    register = client.get(url("/rie/risicos?thema=werkdruk&prioriteit=hoog")).get_data(as_text=True)
    assert f"risicos/{risk.id}?terug=thema%3Dwerkdruk%26prioriteit%3Dhoog" in register
    page = client.get(
        url(f"/rie/risicos/{risk.id}?terug=thema%3Dwerkdruk%26next%3Dhttps%3A%2F%2Fevil.example%26page%3D2")
    ).get_data(as_text=True)
    back = re.search(r'<a href="([^"]*)" data-testid="back-to-register"', page).group(1)
    assert back == "/o/acme/rie/risicos?thema=werkdruk&amp;page=2"


def test_before_after_only_with_two_evaluations(world, client_as):
    once = make_evaluated_risk(world, title="Eén keer beoordeeld", evaluations=((5, 7, 5, 60),))
    twice = make_evaluated_risk(world, title="Twee keer beoordeeld")
    db.session.commit()
    client = client_as("preventiemedewerker")
    page = client.get(url(f"/rie/risicos/{once.id}")).get_data(as_text=True)
    assert "Score voor en na" not in page and 'data-testid="current-score"' in page
    page = client.get(url(f"/rie/risicos/{twice.id}")).get_data(as_text=True)
    assert "Score voor en na" in page and "175" in page and "60" in page


def test_evaluate_form_has_live_score_without_inline_script(world, client_as):
    risk = db.session.scalar(select(Risk)) or make_evaluated_risk(world)
    db.session.commit()
    page = (
        client_as("preventiemedewerker").get(url(f"/rie/risicos/{risk.id}/beoordelen")).get_data(as_text=True)
    )
    assert "data-live-score" in page and "js/risk_score.js" in page
    assert "<script>" not in page
