"""A preventiemedewerker records and evaluates a risk, finds it in the heatmap; the OR reads it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def test_risk_from_form_to_heatmap_cell_and_read_only_for_or(page, world):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=RI&E")
    page.click("nav.subnav >> text=Risicoregister")
    page.click("text=Risico toevoegen")
    page.fill("input[name=title]", "Avondmails van ouders")
    page.select_option("select[name=theme_key]", "werkdruk")
    page.fill(
        "textarea[name=description]",
        "Wat: ouders mailen 's avonds. Oorzaak: geen afspraken. Wanneer: dagelijks. Wie: leerkrachten.",
    )
    page.check("input[name=factor_keys][value=herstelmogelijkheden]")
    page.check("input[name=scope][value=organisatie]")
    page.click("button:has-text('Opslaan')")
    page.wait_for_url(re.compile(r"/risicos/\d+/beoordelen$"))
    risk_url = page.url.rsplit("/", 1)[0]
    page.select_option("select[name=kans]", "5")
    page.select_option("select[name=frequentie]", "4")
    page.select_option("select[name=effect]", "5")
    page.click("button:has-text('Beoordeling opslaan')")
    page.wait_for_url(risk_url)
    expect(page.locator("table.history")).to_contain_text("100")

    page.click("nav.subnav >> text=Heatmap")
    cell = page.locator("svg[data-chart=heatmap] rect[data-kans='5'][data-effect='5']")
    expect(cell).to_have_attribute("data-count", "1")
    expect(cell).to_have_attribute("data-hoog", "1")
    expect(cell).to_have_attribute("data-priority", "hoog")  # score 100, as in the register
    expect(page.locator("svg[data-chart=heatmap] rect[data-kans='3'][data-effect='5']")).to_have_attribute(
        "data-count", "0"
    )
    cell.click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"kans=5.*effect=5"))
    rows = page.locator("table.register tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Avondmails van ouders")

    page.context.clear_cookies()
    browser_login(page, world.users["or_lid"].email)
    page.goto(risk_url)
    expect(page.locator("h1")).to_have_text(re.compile(r"^R-\d{4} Avondmails van ouders$"))
    expect(page.locator("text=Opnieuw beoordelen")).to_have_count(0)
    expect(page.locator(".page-head >> text=Bewerken")).to_have_count(0)
    response = page.goto(risk_url + "/bewerken")
    assert response.status == 403
