"""The cycle walked in a real browser: a risk to its measure, its status and its evaluation; a
submitted plan reaching the OR member's home page and mailbox; each role's home page."""

import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import ChecklistRun
from tests.conftest import browser_login
from tests.factories import make_measure, make_risk

pytestmark = pytest.mark.e2e


def _logout(page):
    page.click("details.usermenu summary")
    page.click("text=Uitloggen")
    # Wait for the login page itself: a next page.goto must not cut the logout short.
    expect(page).to_have_url(re.compile(r"/login"))


def _mail_to(smtp, address: str, timeout: float = 30):
    """The first message to this address; other mail may arrive first on a busy machine."""
    deadline = time.monotonic() + timeout
    while True:
        seen = smtp.wait_for(1, timeout=max(deadline - time.monotonic(), 0.1))
        found = [m for m in seen if m["To"] == address]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address}; subjects: {[m['Subject'] for m in seen]}")
        time.sleep(0.2)


def test_risk_to_measure_to_status_to_evaluation(page, world):
    make_risk(world, title="Piekdrukte rond de jaarafsluiting")
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)

    # The register, filtered, to the risk; evaluate it and watch the score while choosing.
    page.click("nav.cyclenav >> text=RI&E")
    page.click("nav.subnav >> text=Risicoregister")
    page.select_option("select#thema", "werkdruk")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"thema=werkdruk"))
    page.click("table.register >> text=Piekdrukte rond de jaarafsluiting")
    expect(page.locator("h1")).to_have_text(re.compile(r"^R-\d{4} Piekdrukte rond de jaarafsluiting$"))
    expect(page.get_by_test_id("back-to-register")).to_have_attribute("href", re.compile(r"thema=werkdruk"))
    page.locator(".page-head .actions >> text=Beoordelen").click()
    live = page.get_by_test_id("live-score")
    expect(live).to_have_text("kies eerst alle waarden")
    page.select_option("select[name=kans]", "5")
    page.select_option("select[name=frequentie]", "4")
    page.select_option("select[name=effect]", "5")
    expect(live).to_have_text("100, prioriteit Hoog")
    page.click("form.stack button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("score 100")
    expect(page.get_by_test_id("current-score")).to_contain_text("100")

    # Add a measure from the risk page: the risk is already chosen.
    page.get_by_test_id("risk-measures").get_by_role("link", name="Maatregel toevoegen").click()
    expect(page.locator("h1")).to_have_text("Maatregel toevoegen")
    expect(page.locator("select[name=risk_ids] option:checked")).to_have_text(
        "Piekdrukte rond de jaarafsluiting"
    )
    page.fill("input[name=title]", "Extra handen in december")
    page.fill("input[name=termijn]", "2099-06-30")
    page.click("form.wide button[type=submit]")
    expect(page.locator("h1")).to_have_text(re.compile(r"^M-\d{4} Extra handen in december$"))

    # Its status, step by step, up to the evaluation.
    page.locator("#status").get_by_role("button", name=re.compile("Naar In uitvoering")).click()
    expect(page.locator("#status .stepper li[aria-current=step]")).to_have_text("In uitvoering")
    page.locator("#status").get_by_role("button", name=re.compile("Naar Uitgevoerd")).click()
    expect(page.locator("#status .stepper li[aria-current=step]")).to_have_text("Uitgevoerd")
    page.locator("#status").get_by_role("link", name=re.compile("Naar Geëvalueerd")).click()
    expect(page.locator("h1")).to_have_text("Evaluatie plannen")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Uitkomst vastleggen")
    page.select_option("select[name=effect]", "deels")
    page.select_option("select[name=implementation_rating]", "4")
    page.fill("textarea[name=conclusion]", "Hielp in december; januari bleef krap.")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".flash").filter(has_text="De maatregel staat nu op geëvalueerd.")).to_be_visible()

    # Back on the risk page, the measure shows its new status.
    page.click("nav.cyclenav >> text=RI&E")
    page.click("nav.subnav >> text=Risicoregister")
    page.click("table.register >> text=Piekdrukte rond de jaarafsluiting")
    row = page.get_by_test_id("risk-measures").locator("tr", has_text="Extra handen in december")
    expect(row).to_contain_text("Geëvalueerd")


def test_submitted_plan_reaches_the_or_home_page_and_mailbox(page, world, smtp):
    risk = make_risk(world, title="Avondmail en bereikbaarheid")
    make_measure(world, risk=risk, title="Geen werkmail na 19.00 uur")
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    page.click("nav.subnav >> text=Versies en OR")
    page.fill("textarea[name=note]", "Graag uw instemming.")
    page.click("text=Plan voorleggen aan de OR/PVT >> nth=-1")
    expect(page.locator("body")).to_contain_text("De leden van de OR/PVT krijgen een melding")
    _logout(page)

    member = world.users["or_lid"]
    mail = _mail_to(smtp, member.email)
    assert mail["Subject"] == "Ter instemming voorgelegd: het Plan van Aanpak"
    assert "/o/acme/plan/versies/" in mail.get_content()

    browser_login(page, member.email)
    decisions = page.locator("[data-card=decisions]")
    expect(decisions).to_contain_text("Plan van Aanpak, versie 1")
    decisions.get_by_role("link", name="Plan van Aanpak, versie 1").click()
    expect(page.locator("body")).to_contain_text("Geen werkmail na 19.00 uur")


HOME_CARDS = {
    "beheerder": "[data-card=overdue]",
    "preventiemedewerker": "[data-card=bare-risks]",
    "leidinggevende": "[data-card=team-measures]",
    "or_lid": "[data-card=decisions]",
    "auditor": "[data-card=exports]",
}


@pytest.mark.parametrize("role", list(HOME_CARDS))
def test_each_role_lands_on_its_home_page(page, world, role):
    risk = make_risk(world, title="Werkdruk in de avonddienst")
    make_measure(world, risk=risk, title="Roosteroverleg per kwartaal")
    run_on = clock.today() - timedelta(days=182)
    db.session.add(ChecklistRun(organisation_id=world.org.id, run_on=run_on, score=0.7, items=[]))
    db.session.commit()
    browser_login(page, world.users[role].email)
    expect(page.locator(HOME_CARDS[role])).to_be_visible()
    inspection = page.locator("[data-card=zelfinspectie]")
    expect(inspection).to_contain_text("70%")
    expect(inspection.get_by_test_id("inspection-old")).to_contain_text("182 dagen oud")
    shots = os.environ.get("RIECYCLE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"home-{role}.png"), full_page=True)
