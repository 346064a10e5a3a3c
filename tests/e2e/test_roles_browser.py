"""Each role logs in through the real login page and sees what that role may use."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.e2e

CYCLE = [
    "Start",
    "Cyclus",
    "RI&E",
    "Plan van Aanpak",
    "Voorlichting",
    "Evaluatie",
    "Puls",
    "Zelfinspectie",
    "Beleid & incidenten",
]
EXPECTED_NAV = {
    "beheerder": [*CYCLE, "Export", "Beheer"],
    "preventiemedewerker": [*CYCLE, "Export"],
    "leidinggevende": CYCLE,
    "or_lid": CYCLE,
    "auditor": [*CYCLE, "Export", "Audit log"],
}


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_role_sees_its_navigation(page, world, role):
    user = world.users[role]
    browser_login(page, user.email)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(page.locator("nav.cyclenav a")).to_have_text(EXPECTED_NAV[role])
    expect(page.locator("details.usermenu summary")).to_contain_text(user.name)
    expect(page.locator("body")).to_contain_text("Acme Zorg")
    if role == "beheerder":
        page.click("nav.cyclenav >> text=Beheer")
        page.click("text=Teams")
        expect(page.locator("table").get_by_text("Zorgteam")).to_have_count(2)
    else:
        response = page.goto("/o/acme/beheer/teams")
        assert response.status == 403
        expect(page.locator("body")).to_contain_text("Geen toegang")


def test_login_page_is_dutch_and_explains_itself(page, world):
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Inloggen")
    expect(page.locator("p.lead")).to_contain_text("RI&E, Plan van Aanpak")
    page.fill("input[name=email]", world.users["auditor"].email)
    page.fill("input[name=password]", "verkeerd")
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("Onjuist e-mailadres of wachtwoord")
