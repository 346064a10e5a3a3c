"""The Plan van Aanpak in a real browser: pick from the catalogue, submit, OR comments and consents."""

import pytest

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
    assert page.locator("h1").inner_text() == "Maatregel toevoegen"
    assert "Uit de catalogus" in page.content()
    assert page.input_value("input[name=title]")  # prefilled from the catalogue
    page.fill("input[name=title]", "Geen werkmail na 19.00 uur")
    page.select_option("select[name=risk_ids]", str(risk.id))
    page.fill("input[name=termijn]", "2099-06-30")
    page.click("form.wide button[type=submit]")
    assert page.locator("h1").inner_text() == "Geen werkmail na 19.00 uur"
    assert "aan het plan toegevoegd" in page.content()
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    page.click("nav.subnav >> text=Versies en OR")
    page.fill("textarea[name=note]", "Graag uw instemming met het eerste plan.")
    page.click("text=Plan voorleggen aan de OR/PVT >> nth=-1")
    assert "is voorgelegd aan de OR/PVT" in page.content()
    assert "Ligt voor bij de OR/PVT" in page.content()
    _logout(page)

    # 2. An OR member comments and records instemming.
    browser_login(page, world.users["or_lid"].email)
    page.goto("/o/acme/plan/versies")
    page.click("table a.mtitle >> text=Versie 1")
    assert "Geen werkmail na 19.00 uur" in page.content()
    page.select_option("select[name=measure_id]", label="Geen werkmail na 19.00 uur")
    page.fill("textarea[name=text]", "Goed idee; ook voor parttimers op hun vrije dag?")
    page.click("text=Opmerking plaatsen")
    assert "Uw opmerking is geplaatst" in page.content()
    assert "ook voor parttimers" in page.content()
    page.check("input[name=decision][value=verleend]")
    page.fill("textarea[name=remarks]", "De OR stemt in.")
    page.click("text=Besluit vastleggen")
    assert "Het besluit van de OR/PVT is vastgelegd" in page.content()

    # 3. The plan page shows the approved version.
    page.click("nav.cyclenav >> text=Plan van Aanpak")
    banner = page.locator(".banner-ok")
    assert "Geldende versie: versie 1" in banner.inner_text()


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
    assert page.locator("section.group h2").all_inner_texts() == ["Roosterdruk", "Telefonische agressie"]
    assert "Nog geen maatregelen bij dit risico" in page.content()
    page.click("text=Toon alle 7 maatregelen bij dit risico")
    assert page.locator("table.measures tbody tr").count() == 7
    page.click("nav.subnav >> text=Overzicht")
    page.click("nav.pager >> text=Volgende")
    assert page.locator("section.group h2").all_inner_texts() == ["Avonddiensten"]
    assert "Pagina 2 van 2" in page.content()
