"""The Plan van Aanpak in a real browser: pick from the catalogue, submit, OR comments and consents."""

import re

import pytest
from playwright.sync_api import expect

from riecycle.extensions import db
from tests.conftest import browser_login
from tests.factories import make_measure, make_risk

pytestmark = pytest.mark.e2e


def _logout(page):
    page.click("details.usermenu summary")
    page.click("text=Uitloggen")
    page.wait_for_load_state("networkidle")


def test_pick_submit_comment_and_consent(page, world):
    risk = make_risk(world, title="Avondmail en bereikbaarheid")
    db.session.commit()

    # 1. The preventiemedewerker picks a catalogue measure into the plan and submits the plan.
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    page.click("nav.subnav >> text=Catalogus")
    page.select_option("select#aanpak", "rust_en_herstel")
    page.click("form.filters button[type=submit]")
    card = page.locator("article.cat-card", has_text="avond").first
    card.locator("text=In plan opnemen").click()
    expect(page.locator("h1")).to_have_text("Maatregel toevoegen")
    expect(page.locator("body")).to_contain_text("Uit de catalogus")
    assert page.input_value("input[name=title]")  # prefilled from the catalogue
    page.fill("input[name=title]", "Geen werkmail na 19.00 uur")
    page.select_option("select[name=risk_ids]", str(risk.id))
    page.fill("input[name=termijn]", "2099-06-30")
    page.click("form.wide button[type=submit]")
    expect(page.locator("h1")).to_have_text(re.compile(r"^M-\d{4} Geen werkmail na 19\.00 uur$"))
    expect(page.locator("body")).to_contain_text("aan het plan toegevoegd")
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    page.click("nav.subnav >> text=Versies en OR")
    page.fill("textarea[name=note]", "Graag uw instemming met het eerste plan.")
    page.click("text=Plan voorleggen aan de OR/PVT >> nth=-1")
    expect(page.locator("body")).to_contain_text("is voorgelegd aan de OR/PVT")
    expect(page.locator("body")).to_contain_text("Ligt voor bij de OR/PVT")
    _logout(page)

    # 2. An OR member comments and records instemming.
    browser_login(page, world.users["or_lid"].email)
    page.goto("/o/acme/plan/versies")
    page.click("table a.mtitle >> text=Versie 1")
    expect(page.locator("body")).to_contain_text("Geen werkmail na 19.00 uur")
    page.select_option("select[name=measure_id]", label="Geen werkmail na 19.00 uur")
    page.fill("textarea[name=text]", "Goed idee; ook voor parttimers op hun vrije dag?")
    page.click("text=Opmerking plaatsen")
    expect(page.locator("body")).to_contain_text("Uw opmerking is geplaatst")
    expect(page.locator("body")).to_contain_text("ook voor parttimers")
    page.check("input[name=decision][value=verleend]")
    page.fill("textarea[name=remarks]", "De OR stemt in.")
    page.click("text=Besluit vastleggen")
    expect(page.locator("body")).to_contain_text("Het besluit van de OR/PVT is vastgelegd")

    # 3. The plan page shows the approved version.
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    banner = page.locator(".banner-ok")
    expect(banner).to_contain_text("Geldende versie: versie 1")


def test_a_large_plan_a_page_at_a_time(page, world, monkeypatch):
    from riecycle.services import plan_lists

    monkeypatch.setattr(plan_lists, "RISKS_PER_PAGE", 2)
    busy = make_risk(world, title="Roosterdruk", top5_rank=1)
    for i in range(7):
        make_measure(world, risk=busy, title=f"Roostermaatregel {i}")
    make_risk(world, title="Telefonische agressie", top5_rank=2)
    make_risk(world, title="Avonddiensten", top5_rank=3)
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    expect(page.locator("section.group h2")).to_have_text(["Roosterdruk", "Telefonische agressie"])
    expect(page.locator("body")).to_contain_text("Nog geen maatregelen bij dit risico")
    page.click("text=Toon alle 7 maatregelen bij dit risico")
    expect(page.locator("table.measures tbody tr")).to_have_count(7)
    page.click("nav.subnav >> text=Overzicht")
    page.click("nav.pager >> text=Volgende")
    expect(page.locator("section.group h2")).to_have_text(["Avonddiensten"])
    expect(page.locator("body")).to_contain_text("Pagina 2 van 2")
