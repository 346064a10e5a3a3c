""" "Aan de slag": eight steps on the home page that tick themselves from the records, per role,
gone once the cycle runs and reopenable; the demo organisation has them all done."""

import re
from html.parser import HTMLParser

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


class _EmptyStates(HTMLParser):
    """The elements marked data-empty: key -> (their text, the hrefs of their links)."""

    def __init__(self):
        super().__init__()
        self.found: dict = {}
        self._open: list = []  # [key, tag, depth] of the data-empty elements we are inside

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for entry in self._open:
            if entry[1] == tag:
                entry[2] += 1
            if tag == "a" and attrs.get("href"):
                self.found[entry[0]][1].append(attrs["href"])
        if "data-empty" in attrs:
            self.found.setdefault(attrs["data-empty"], ["", []])
            self._open.append([attrs["data-empty"], tag, 1])

    def handle_endtag(self, tag):
        for entry in list(self._open):
            if entry[1] == tag:
                entry[2] -= 1
                if entry[2] == 0:
                    self._open.remove(entry)

    def handle_data(self, data):
        for entry in self._open:
            self.found[entry[0]][0] += data


def _empty_states(html: str) -> dict:
    parser = _EmptyStates()
    parser.feed(html)
    return parser.found


# page -> [(data-empty key, a phrase of what will appear, the link to the step that fills it)]
FRESH_EMPTY_STATES = {
    "/o/nieuw/beleid/": [
        (
            "appointment",
            "Hier komt wie de preventiemedewerker is",
            "/o/nieuw/beleid/preventiemedewerker/nieuw",
        ),
        ("contract", "Hier komt het contract met uw arbodienst", "/o/nieuw/beleid/arbodienst/nieuw"),
        (
            "instrument-vertrouwenspersoon",
            "Hier komt wie uw vertrouwenspersoon is",
            "/o/nieuw/beleid/instrumenten/nieuw?kind=vertrouwenspersoon",
        ),
        (
            "instrument-gedragscode",
            "Hier komt het instrument",
            "/o/nieuw/beleid/instrumenten/nieuw?kind=gedragscode",
        ),
    ],
    "/o/nieuw/beleid/meldingen": [
        ("trend", "Hier komt per thema het aantal meldingen", "/o/nieuw/beleid/meldingen/nieuw"),
        ("analyses", "Hier komen uw analyses", "/o/nieuw/beleid/meldingen/analyse/nieuw"),
        ("incidents", "Hier komen de meldingen", "/o/nieuw/beleid/meldingen/nieuw"),
    ],
    "/o/nieuw/rie/": [("top5", "Hier komen de vijf knelpunten", "/o/nieuw/rie/top5")],
    "/o/nieuw/plan/niveaus": [("risks", "per risico de maatregelen", "/o/nieuw/rie/risicos/nieuw")],
    "/o/nieuw/plan/prioriteren": [("candidates", "Hier komen de maatregelen", "/o/nieuw/plan/nieuw")],
    "/o/nieuw/plan/team": [("teams", "Hier komen per team", "/o/nieuw/beheer/teams/nieuw")],
    "/o/nieuw/plan/versies": [("versions", "Hier komt elke versie", "/o/nieuw/plan/")],
    "/o/nieuw/pulse/vergelijken": [
        ("rounds", "Hier komt per team het verschil", "/o/nieuw/pulse/samenstellen")
    ],
    "/o/nieuw/herinneringen/": [("reminders", "14 dagen en 1 dag voor de termijn", "/o/nieuw/plan/")],
    "/o/nieuw/voorlichting/": [("coverage", "Hier komt per team", "/o/nieuw/beheer/teams")],
    "/o/nieuw/evaluatie/": [("done", "Hier komen de uitkomsten", "/o/nieuw/evaluatie/nieuw")],
    "/o/nieuw/cyclus": [("inspection-score", "Hier komt de score", "/o/nieuw/zelfinspectie/")],
    "/o/nieuw/export/": [
        ("export-risks", "hier komen de risico's", "/o/nieuw/rie/risicos/nieuw"),
        ("export-plan", "hier komen de maatregelen", "/o/nieuw/plan/nieuw"),
        ("export-sessions", "hier komen de voorlichtingen", "/o/nieuw/voorlichting/nieuw"),
    ],
}


def _fresh_member(app, org, role):
    user = accounts.create_user(f"{role}@nieuw.example", role, PASSWORD)
    accounts.add_membership(org, user, role)
    db.session.commit()
    return login(app.test_client(), f"{role}@nieuw.example")


def test_every_empty_list_of_a_new_organisation_says_what_will_appear_and_links_to_the_step(app, world):
    org, beheerder = _fresh(app)
    auditor = _fresh_member(app, org, "auditor")
    for path, expected in FRESH_EMPTY_STATES.items():
        response = beheerder.get(path)
        assert response.status_code == 200, path
        found = _empty_states(response.get_data(as_text=True))
        for key, phrase, href in expected:
            assert key in found, (path, key)
            text, links = found[key]
            assert phrase in text, (path, key, text)
            assert href in links, (path, key, links)
        # The auditor reads the same sentences, without links to steps it may not take.
        response = auditor.get(path)
        if response.status_code == 403:
            continue
        found = _empty_states(response.get_data(as_text=True))
        for key, phrase, href in expected:
            assert key in found and phrase in found[key][0], (path, key)
            assert href not in found[key][1], (path, key)


def test_beheer_compose_and_home_pages_of_a_new_organisation_link_to_the_step(app, world):
    org, beheerder = _fresh(app)
    pages = {
        "/o/nieuw/beheer/teams": ("teams", ["/o/nieuw/beheer/teams/nieuw", "/o/nieuw/export/#importeren"]),
        "/o/nieuw/pulse/samenstellen": ("targeted", ["/o/nieuw/rie/risicos"]),
        "/o/nieuw/plan/mijn": ("mine", ["/o/nieuw/plan/"]),
        "/o/nieuw/plan/versies/vergelijk": ("compare", ["/o/nieuw/plan/versies"]),
    }
    for path, (key, hrefs) in pages.items():
        found = _empty_states(beheerder.get(path).get_data(as_text=True))
        assert key in found, (path, key)
        assert "Hier kom" in found[key][0], (path, key)
        for href in hrefs:
            assert href in found[key][1], (path, href)
    # The preventiemedewerker's home page: evaluations follow the measures, which come first.
    found = _empty_states(
        _fresh_member(app, org, "preventiemedewerker").get("/o/nieuw/").get_data(as_text=True)
    )
    assert "Hier komen de evaluaties" in found["evaluations"][0]
    assert "/o/nieuw/plan/nieuw" in found["evaluations"][1]
    assert "/o/nieuw/zelfinspectie/" in found["inspection-score"][1]
    # The OR/PVT member: the levels of the plan and the pulse comparison, without others' steps.
    or_lid = _fresh_member(app, org, "or_lid")
    found = _empty_states(or_lid.get("/o/nieuw/plan/niveaus").get_data(as_text=True))
    assert found["risks"][1] == ["/o/nieuw/rie/"]
    found = _empty_states(or_lid.get("/o/nieuw/pulse/vergelijken").get_data(as_text=True))
    assert "rounds" in found and found["rounds"][1] == []


def test_a_filtered_empty_list_says_so_instead_of_what_will_appear(app, world):
    _org, beheerder = _fresh(app)
    html = beheerder.get("/o/nieuw/beleid/meldingen?thema=pesten").get_data(as_text=True)
    found = _empty_states(html)
    assert "Geen meldingen gevonden voor dit filter." in html and "incidents" not in found
    assert "trend" in found  # the trend is not filtered by theme
    html = beheerder.get("/o/nieuw/herinneringen/?status=failed").get_data(as_text=True)
    assert "Geen herinneringen met deze status." in html and "reminders" not in _empty_states(html)
