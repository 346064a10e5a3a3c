"""The cycle as a user walks it: a risk page with its measures, the OR told when it must decide,
and a home page per role (docs/domain.md §5, §9)."""

import re

from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import Approval, Notification, PlanVersion, Risk
from riecycle.services import plan_versions
from tests.factories import (
    SECRET_TITLE,
    make_detailed_measure,
    make_evaluated_risk,
    make_individual_measure,
    make_rie,
    make_user,
)


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


# --- the OR is told --------------------------------------------------------------------------


def _notices(user, rule):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.rule == rule)
        )
    )


def _measure_in_plan(world):
    risk = make_evaluated_risk(world)
    make_detailed_measure(world, risk)
    db.session.commit()


def test_submitting_a_plan_tells_every_or_member_once(world, client_as, outbox):
    second = make_user(world.org, "or_lid", "or2@acme.example", "Tweede OR-lid")
    second.notify_mode = "uit"
    db.session.commit()
    _measure_in_plan(world)
    client = client_as("preventiemedewerker")
    response = client.post(url("/plan/versies/voorleggen"), data={"note": ""})
    assert response.status_code == 302
    member = world.users["or_lid"]
    assert [n.title for n in _notices(member, "or_submitted")] == [
        "Ter instemming voorgelegd: het Plan van Aanpak"
    ]
    assert len(_notices(second, "or_submitted")) == 1  # in the app, no mail: their choice
    mails = outbox()
    assert [m["To"] for m in mails] == [member.email]
    assert "Ter instemming voorgelegd" in mails[0]["Subject"]
    assert "/o/acme/plan/versies/" in mails[0].get_content()
    # The reminder pass finds the same ledger key: nothing twice.
    run_reminders()
    assert len(_notices(member, "or_submitted")) == 1 and len(outbox()) == 1


def test_a_missed_submission_notice_is_sent_by_the_pass(world, outbox):
    _measure_in_plan(world)
    plan_versions.submit_plan(world.org, world.users["preventiemedewerker"])
    db.session.commit()  # submitted without the immediate notice (as if it failed)
    run_reminders()
    assert len(_notices(world.users["or_lid"], "or_submitted")) == 1
    run_reminders()
    assert len(_notices(world.users["or_lid"], "or_submitted")) == 1
    assert len(outbox()) == 1


def test_submitting_the_rie_tells_the_or(world, client_as, outbox):
    rie = make_rie(world)
    response = client_as("preventiemedewerker").post(
        url(f"/rie/versies/{rie.id}/voorleggen"), data={"submitted_on": clock.today().isoformat()}
    )
    assert response.status_code == 302
    [notice] = _notices(world.users["or_lid"], "or_submitted")
    assert notice.title == "Ter instemming voorgelegd: de RI&E"
    approval = db.session.scalar(select(Approval))
    assert notice.link == f"/o/acme/rie/instemming/{approval.id}"


def test_the_submitter_is_told_the_decision(world, client_as, outbox):
    _measure_in_plan(world)
    client_as("preventiemedewerker").post(url("/plan/versies/voorleggen"), data={"note": ""})
    version = db.session.scalar(select(PlanVersion))
    response = client_as("or_lid").post(
        url(f"/plan/versies/{version.id}/besluit"),
        data={"decision": "verleend", "decided_on": clock.today().isoformat(), "remarks": ""},
    )
    assert response.status_code == 302
    submitter = world.users["preventiemedewerker"]
    [notice] = _notices(submitter, "or_decided")
    assert notice.title == "Besluit OR/PVT over het Plan van Aanpak: Instemming verleend"
    assert any(m["To"] == submitter.email and "Besluit OR/PVT" in m["Subject"] for m in outbox())
    run_reminders()
    assert len(_notices(submitter, "or_decided")) == 1


def test_versions_page_shows_one_state_while_a_version_is_pending(world, client_as):
    _measure_in_plan(world)
    client = client_as("preventiemedewerker")
    client.post(url("/plan/versies/voorleggen"), data={"note": ""})
    version = db.session.scalar(select(PlanVersion))
    client_as("or_lid").post(
        url(f"/plan/versies/{version.id}/besluit"),
        data={"decision": "verleend", "decided_on": clock.today().isoformat(), "remarks": ""},
    )
    risk = db.session.scalar(select(Risk))
    make_detailed_measure(world, risk, title="Nog een maatregel")
    db.session.commit()
    page = client.get(url("/plan/versies")).get_data(as_text=True)
    assert "opnieuw voor" in page  # changed after instemming, nothing pending
    client.post(url("/plan/versies/voorleggen"), data={"note": ""})
    page = client.get(url("/plan/versies")).get_data(as_text=True)
    assert "Versie 2 ligt voor bij de OR/PVT" in page
    assert "opnieuw voor" not in page.lower()
