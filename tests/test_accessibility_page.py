"""The accessibility statement (/toegankelijkheid): public, linked from every page's footer,
in Dutch and English, and true to the test it describes."""

import json
from pathlib import Path

from riecycle.accessibility import LAST_TEST
from riecycle.formatting import fmt_date
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[1]


def test_statement_is_public_and_says_standard_method_and_date(client):
    response = client.get("/toegankelijkheid")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Toegankelijkheid</h1>" in html
    assert "WCAG 2.1 AA" in html and "EN 301 549" in html
    assert f"axe-core {LAST_TEST.axe_version}" in html
    assert "1280 pixels" in html and "390 pixels" in html
    assert "beheerder, preventiemedewerker, OR-lid, leidinggevende en auditor" in html
    assert "Met alleen het toetsenbord" in html
    with client.application.test_request_context():
        assert f"Laatst getest op {fmt_date(LAST_TEST.tested_on)}." in html


def test_statement_in_english(client):
    client.post("/taal", data={"lang": "en"})
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert "<h1>Accessibility</h1>" in html
    assert "meets WCAG 2.1 AA" in html and "EN 301 549" in html
    assert "With the keyboard only" in html


def test_footer_links_to_the_statement_logged_in_or_not(client, world):
    assert 'href="/toegankelijkheid"' in client.get("/login").get_data(as_text=True)
    login(client, world.users["or_lid"].email)
    assert 'href="/toegankelijkheid"' in client.get("/o/acme/").get_data(as_text=True)


def test_statement_names_the_axe_core_version_the_suite_installs():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    assert LAST_TEST.axe_version == pinned, (
        "package.json pins another axe-core than riecycle/accessibility.py states: run "
        "tests/e2e/test_a11y_browser.py with it and update LAST_TEST (version and date)"
    )
