"""Each role logs in through the real login page and sees what that role may use."""

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.e2e

CYCLE = [
    "Dashboard",
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
    assert page.url.endswith("/o/acme/")
    nav = page.locator("nav.cyclenav a").all_inner_texts()
    assert [t.strip() for t in nav] == EXPECTED_NAV[role]
    assert user.name in page.locator("details.usermenu summary").inner_text()
    assert "Acme Zorg" in page.content()
    if role == "beheerder":
        page.click("nav.cyclenav >> text=Beheer")
        page.click("text=Teams")
        assert page.locator("table").inner_text().count("Zorgteam") == 2
    else:
        response = page.goto("/o/acme/beheer/teams")
        assert response.status == 403
        assert "Geen toegang" in page.content()


def test_login_page_is_dutch_and_explains_itself(page, world):
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Inloggen"
    assert "RI&E, Plan van Aanpak" in page.locator("p.lead").inner_text()
    page.fill("input[name=email]", world.users["auditor"].email)
    page.fill("input[name=password]", "verkeerd")
    page.click("button[type=submit]")
    assert "Onjuist e-mailadres of wachtwoord" in page.content()
