""" "Aan de slag": eight steps on the home page that tick themselves from the records, per role,
gone once the cycle runs and reopenable; the demo organisation has them all done."""

import re

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Membership
from riecycle.seeding.demo import DEMO_PASSWORD
from riecycle.services import accounts, organisations, zelfinspectie
from riecycle.services import start as start_service
from tests.conftest import login
from tests.factories import PASSWORD, build_compliant_org, make_bare_measure, make_bare_risk, make_rie


def _steps(html: str) -> dict:
    """step key -> done, as the home page shows them."""
    return {k: d == "1" for k, d in re.findall(r'data-step="(\w+)" data-done="(\d)"', html)}


def _fresh(app):
    org = organisations.create_organisation("nieuw", "Nieuwe Zorg BV", mfa_policy="uit")
    user = accounts.create_user("hr@nieuw.example", "Hanna HR", PASSWORD)
    accounts.add_membership(org, user, "beheerder")
    db.session.commit()
    client = app.test_client()
    login(client, "hr@nieuw.example")
    return org, client


def test_a_fresh_organisation_gets_eight_open_steps_with_their_links(app, world):
    _org, client = _fresh(app)
    html = client.get("/o/nieuw/").get_data(as_text=True)
    assert 'data-testid="aan-de-slag"' in html
    assert _steps(html) == dict.fromkeys(
        ["teams", "invite", "rie", "themes", "measures", "session", "or", "inspection"], False
    )
    assert "0 van 8 stappen gedaan" in html
    for href in (
        "/o/nieuw/beheer/teams",
        "/o/nieuw/beheer/gebruikers",
        "/o/nieuw/rie/versies/nieuw",
        "/o/nieuw/export/#importeren",
        "/o/nieuw/plan/nieuw",
        "/o/nieuw/voorlichting/nieuw",
        "/o/nieuw/plan/versies",
        "/o/nieuw/zelfinspectie/",
    ):
        assert f'href="{href}"' in html, href
    # The cycle page is not the home page: no checklist there.
    assert 'data-testid="aan-de-slag"' not in client.get("/o/nieuw/cyclus").get_data(as_text=True)


def test_steps_tick_from_the_records(app, world, client_as):
    client = client_as("beheerder")
    steps = _steps(client.get("/o/acme/").get_data(as_text=True))
    # Acme has teams, staff and a member of every role, but no RI&E yet.
    assert steps["teams"] and steps["invite"]
    assert not steps["rie"] and not steps["measures"]
    rie = make_rie(world)
    risk = make_bare_risk(world, rie_id=rie.id)
    db.session.commit()
    steps = _steps(client.get("/o/acme/").get_data(as_text=True))
    assert steps["rie"] and not steps["measures"] and not steps["themes"]
    make_bare_measure(world, risks=[risk])
    db.session.commit()
    assert _steps(client.get("/o/acme/").get_data(as_text=True))["measures"]
    # An invitation nobody accepted yet un-ticks step 2.
    from riecycle.services import invitations

    invitations.invite(world.org, "nieuw@acme.example", "Nieuwe Collega", "or_lid", None)
    db.session.commit()
    html = client.get("/o/acme/").get_data(as_text=True)
    assert not _steps(html)["invite"] and "1 uitnodiging is nog niet geaccepteerd." in html


def test_each_role_sees_the_steps_it_can_do(app, world, client_as):
    seen = {
        role: _steps(client_as(role).get("/o/acme/").get_data(as_text=True))
        for role in ("beheerder", "preventiemedewerker", "or_lid", "leidinggevende", "auditor")
    }
    assert len(seen["beheerder"]) == 8
    assert list(seen["preventiemedewerker"]) == ["rie", "themes", "measures", "session", "or", "inspection"]
    assert list(seen["or_lid"]) == ["or"]
    assert "Besluit over de instemming" in client_as("or_lid").get("/o/acme/").get_data(as_text=True)
    assert seen["leidinggevende"] == {} and seen["auditor"] == {}


def test_gone_once_the_cycle_runs_and_reopenable_without_a_get_writing(app, world, client_as):
    build_compliant_org(world)
    zelfinspectie.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    checklist = start_service.checklist(world.org, "beheerder")
    assert checklist.runs, [s.key for s in checklist.steps if not s.done]
    client = client_as("beheerder")
    html = client.get("/o/acme/").get_data(as_text=True)
    assert 'data-testid="aan-de-slag"' not in html and "Aan de slag opnieuw tonen" in html
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == world.users["beheerder"].id)
    )
    assert membership.show_start is None  # the GET wrote nothing
    assert client.post("/o/acme/aan-de-slag", data={"tonen": "1"}).status_code == 302
    html = client.get("/o/acme/").get_data(as_text=True)
    assert 'data-runs="1"' in html and "De cyclus loopt" in html and "8 van 8 stappen gedaan" in html
    client.post("/o/acme/aan-de-slag", data={"tonen": "0"})
    assert 'data-testid="aan-de-slag"' not in client.get("/o/acme/").get_data(as_text=True)
    # Per member: the preventiemedewerker's home page is unchanged by the beheerder's choice.
    assert "Aan de slag opnieuw tonen" in client_as("preventiemedewerker").get("/o/acme/").get_data(
        as_text=True
    )


def test_the_demo_shows_it_completed(app):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    from riecycle.models import Organisation

    demo = db.session.scalar(select(Organisation).where(Organisation.slug == "demo"))
    checklist = start_service.checklist(demo, "beheerder")
    assert [s.key for s in checklist.steps if not s.done] == []
    client = app.test_client()
    login(client, "beheerder@demo.riecycle.nl", DEMO_PASSWORD)
    html = client.get("/o/demo/").get_data(as_text=True)
    assert 'data-testid="aan-de-slag"' not in html and "Aan de slag opnieuw tonen" in html
    client.post("/o/demo/aan-de-slag", data={"tonen": "1"})
    assert "8 van 8 stappen gedaan" in client.get("/o/demo/").get_data(as_text=True)


def test_a_new_organisation_s_lists_and_charts_say_what_will_appear_and_link_to_the_step(app, world):
    _org, client = _fresh(app)
    pages = {
        "/o/nieuw/": (
            'data-empty="overdue"',
            'data-empty="sessions"',
            'data-empty="heatmap"',
            "/o/nieuw/plan/nieuw",
        ),
        "/o/nieuw/cyclus": (
            'data-empty="cycle"',
            'data-empty="measures"',
            'data-empty="completion"',
            "/o/nieuw/rie/",
        ),
        "/o/nieuw/rie/risicos": (
            'data-empty="risks"',
            "/o/nieuw/rie/risicos/nieuw",
            "/o/nieuw/export/#importeren",
        ),
        "/o/nieuw/rie/versies": ('data-empty="rie"', "/o/nieuw/rie/versies/nieuw"),
        "/o/nieuw/rie/onderzoek": ('data-empty="onderzoek"', "/o/nieuw/rie/onderzoek/nieuw"),
        "/o/nieuw/plan/": ("Nog geen maatregelen", "/o/nieuw/plan/nieuw"),
        "/o/nieuw/plan/tijdlijn": ('data-empty="timeline"',),
        "/o/nieuw/voorlichting/": (
            'data-empty="planned"',
            'data-empty="held"',
            "/o/nieuw/voorlichting/nieuw",
        ),
        "/o/nieuw/evaluatie/": ('data-empty="planned"', 'data-empty="done"', "/o/nieuw/evaluatie/nieuw"),
        "/o/nieuw/pulse/": ('data-empty="pulse"', "/o/nieuw/pulse/samenstellen"),
        "/o/nieuw/zelfinspectie/": ('data-empty="inspection"',),
        "/o/nieuw/zelfinspectie/historie": ('data-empty="runs"',),
        "/o/nieuw/beheer/medewerkers": ('data-empty="employees"', "/o/nieuw/beheer/medewerkers/nieuw"),
    }
    for path, expected in pages.items():
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        for part in expected:
            assert part in html, (path, part)


def test_the_preventiemedewerker_s_home_page_of_an_empty_organisation_says_what_to_do(app, world):
    org, _client = _fresh(app)
    user = accounts.create_user("pm@nieuw.example", "Piet Preventie", PASSWORD)
    accounts.add_membership(org, user, "preventiemedewerker")
    db.session.commit()
    client = app.test_client()
    login(client, "pm@nieuw.example")
    html = client.get("/o/nieuw/").get_data(as_text=True)
    assert 'data-empty="risks"' in html and "Er zijn nog geen maatregelen." in html
    assert list(_steps(html)) == ["rie", "themes", "measures", "session", "or", "inspection"]
