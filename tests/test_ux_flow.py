"""The cycle as a user walks it: a risk page with its measures, the OR told when it must decide,
and a home page per role (docs/domain.md §5, §9)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from riecycle import cache, clock
from riecycle.extensions import db
from riecycle.jobs import run_reminders
from riecycle.models import Approval, ChecklistRun, Evaluation, Notification, PlanComment, PlanVersion, Risk
from riecycle.services import plan_versions
from tests.factories import (
    SECRET_TITLE,
    make_attended_session,
    make_detailed_measure,
    make_evaluated_risk,
    make_individual_measure,
    make_measure,
    make_rie,
    make_risk,
    make_user,
    make_version,
)
from tests.support.queries import count_queries


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


# --- a home page per role ----------------------------------------------------------------------


def test_each_role_gets_its_own_home_page(world, client_as):
    expected = {
        "beheerder": "Beleidscyclus per PSA-thema",
        "preventiemedewerker": "s zonder maatregelen</h2>",
        "leidinggevende": "Open maatregelen van uw team(s)",
        "or_lid": "Besluiten die wachten",
        "auditor": "Bewijsdossier en exports",
    }
    for role, text in expected.items():
        response = client_as(role).get(url("/"))
        assert response.status_code == 200, role
        assert text in response.get_data(as_text=True), role


def test_the_cycle_dashboard_stays_reachable_for_every_role(world, client_as):
    for role in ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor"):
        page = client_as(role).get(url("/cyclus")).get_data(as_text=True)
        assert "Beleidscyclus per PSA-thema" in page, role
    assert 'href="/o/acme/cyclus"' in client_as("or_lid").get(url("/")).get_data(as_text=True)


def test_or_home_lists_the_pending_decision(world, client_as):
    _measure_in_plan(world)
    client_as("preventiemedewerker").post(url("/plan/versies/voorleggen"), data={"note": ""})
    version = db.session.scalar(select(PlanVersion))
    page = client_as("or_lid").get(url("/")).get_data(as_text=True)
    assert f'href="/o/acme/plan/versies/{version.id}">Plan van Aanpak, versie 1</a>' in page


def test_preventie_home_lists_risks_without_measures(world, client_as):
    bare = make_evaluated_risk(world, title="Risico zonder aanpak")
    covered = make_evaluated_risk(world, title="Risico met aanpak")
    make_detailed_measure(world, covered, termijn=clock.today() + timedelta(days=10))
    db.session.commit()
    page = client_as("preventiemedewerker").get(url("/")).get_data(as_text=True)
    bare_card = page.split('data-card="bare-risks"')[1].split("</section>")[0]
    assert bare.title in bare_card and covered.title not in bare_card
    soon = page.split('data-card="due-soon"')[1].split("</section>")[0]
    assert "Vaste pauzes in het rooster" in soon


def test_leader_home_shows_own_team_measures_and_pseudonyms_only_for_others(world, client_as):
    risk = make_evaluated_risk(world)
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    make_detailed_measure(world, risk, title="Overleg Noord", level="team", team_ids=[noord.id])
    make_detailed_measure(world, risk, title="Overleg Zuid", level="team", team_ids=[zuid.id])
    own = next(e for e in world.employees if e.team_id == noord.id)
    other = next(e for e in world.employees if e.team_id == zuid.id)
    make_detailed_measure(world, risk, title="Eigen persoonlijk", level="individu", employee_id=own.id)
    make_detailed_measure(world, risk, title="Ander persoonlijk", level="individu", employee_id=other.id)
    db.session.commit()
    page = client_as("leidinggevende").get(url("/")).get_data(as_text=True)
    card = page.split('data-card="team-measures"')[1].split("</section>")[0]
    assert "Overleg Noord" in card and "Eigen persoonlijk" in card
    assert "Overleg Zuid" not in card and "Ander persoonlijk" not in card


def test_zelfinspectie_shows_its_date_and_warns_when_old(world, client_as):
    run = ChecklistRun(
        organisation_id=world.org.id, run_on=clock.today() - timedelta(days=182), score=0.7, items=[]
    )
    db.session.add(run)
    db.session.commit()
    page = client_as("auditor").get(url("/")).get_data(as_text=True)
    card = page.split('data-card="zelfinspectie"')[1]
    assert "70%" in card
    assert "182 dagen oud" in card
    assert (clock.today() - timedelta(days=182)).strftime("%Y") in card
    db.session.add(
        ChecklistRun(
            organisation_id=world.org.id, run_on=clock.today() - timedelta(days=10), score=0.8, items=[]
        )
    )
    db.session.commit()
    page = client_as("beheerder").get(url("/")).get_data(as_text=True)
    assert 'data-testid="inspection-old"' not in page


def _rows_for_every_card(world, n: int):
    """n of everything a home page lists: measures late, due soon and of the leader's team,
    individual ones, bare risks, planned evaluations, sessions, remarks and pending requests."""
    noord = world.teams["Zorgteam Noord"]
    own = next(e for e in world.employees if e.team_id == noord.id)
    for i in range(n):
        risk = make_risk(world, title=f"Risico {i}")
        make_risk(world, title=f"Kaal risico {i}")
        late = make_measure(world, risk=risk, termijn=clock.today() - timedelta(days=5))
        make_measure(world, "team", risk=risk, teams=[noord], termijn=clock.today() + timedelta(days=5))
        make_measure(world, "individu", risk=risk, employee=own)
        db.session.add(
            Evaluation(
                organisation_id=world.org.id,
                kind="maatregel",
                measure_id=late.id,
                planned_on=clock.today() + timedelta(days=10),
                method="groepsgesprek",
                responsible_id=world.users["preventiemedewerker"].id,
            )
        )
        make_attended_session(world, days_ago=-(i + 1), topic=f"Sessie {i}")
        version = make_version(world)
        db.session.add(
            PlanComment(
                organisation_id=world.org.id,
                plan_version_id=version.id,
                text=f"Opmerking {i}",
                author_id=world.users["or_lid"].id,
            )
        )
    db.session.commit()


@pytest.mark.parametrize("role", ["beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor"])
def test_home_page_queries_do_not_grow_with_rows(world, client_as, role):
    client = client_as(role)
    _rows_for_every_card(world, 2)
    client.get(url("/"))  # warm the per-process caches (translations, compiled statements)
    cache.clear()  # but compute the page's aggregates: their queries must not grow either
    with count_queries(db.engine) as few:
        assert client.get(url("/")).status_code == 200
    _rows_for_every_card(world, 10)
    client.get(url("/"))
    cache.clear()
    with count_queries(db.engine) as many:
        assert client.get(url("/")).status_code == 200
    assert few.count == many.count, f"{role}: {few.count} queries with 2 rows each, {many.count} with 12"
    # With nothing cached: the checklist, the change counter and the cached lists' reload by id.
    assert many.count <= 45, many.count


def test_the_rie_submitter_is_told_the_decision_with_a_link_they_may_open(world, client_as, outbox):
    rie = make_rie(world)
    client_as("preventiemedewerker").post(
        url(f"/rie/versies/{rie.id}/voorleggen"), data={"submitted_on": clock.today().isoformat()}
    )
    approval = db.session.scalar(select(Approval))
    response = client_as("or_lid").post(
        url(f"/rie/instemming/{approval.id}"),
        data={"decision": "geweigerd", "decided_on": clock.today().isoformat(), "remarks": "Te vaag."},
    )
    assert response.status_code == 302
    [notice] = _notices(world.users["preventiemedewerker"], "or_decided")
    assert notice.title == "Besluit OR/PVT over de RI&E: Instemming geweigerd"
    assert client_as("preventiemedewerker").get(notice.link).status_code == 200
