"""Run the self-inspection, follow a gap's link, fix the gap, run again and see the item pass."""

import re

import pytest
from playwright.sync_api import expect

from riecycle import clock
from riecycle.extensions import db
from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def _run(page):
    page.click("button:has-text('Zelfinspectie uitvoeren')")
    page.wait_for_load_state()
    expect(page.locator(".flashes")).to_contain_text("De zelfinspectie is uitgevoerd")


def _answer_of(page, item_id: str):
    return page.locator(f"#item-{item_id} .zi-answer").first


def test_fix_the_gedragscode_gap(page, world):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Zelfinspectie")
    _run(page)
    gap = page.locator("table.zi-gaps tr[data-item=D16]")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("Voldoet niet")
    expect(page.locator(".zi-verdict h2")).to_have_text(re.compile(r"^\s*Nog niet op orde"))

    gap.locator("a.zi-fix").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/beleid/instrumenten/nieuw.*kind=gedragscode"))
    page.fill("input[name=name]", "Gedragscode Acme Zorg")
    page.select_option("select[name=status]", "vastgesteld")
    today = clock.today().isoformat()
    page.fill("input[name=adopted_on]", today)
    page.fill("input[name=communicated_on]", today)
    page.fill("input[name=communication]", "Besproken in elk teamoverleg")
    page.click("button:has-text('Opslaan')")
    page.wait_for_load_state()
    expect(page.locator("#soort-gedragscode")).to_contain_text("Gedragscode Acme Zorg")

    page.click("nav.zi-tabs >> text=Rapport")
    _run(page)
    expect(page.locator("table.zi-gaps tr[data-item=D16]")).to_have_count(0)
    expect(_answer_of(page, "D16")).to_have_text("Voldoet")
    expect(page.locator("#item-D16")).to_contain_text("bekendgemaakt op")


def test_demo_meldprocedure_gap(page, app):
    from riecycle.seeding.demo import DEMO_PASSWORD, load_demo

    load_demo()
    db.session.commit()
    browser_login(page, "preventie@demo.riecycle.nl", DEMO_PASSWORD)
    page.goto("/o/demo/zelfinspectie/")
    expect(page.locator(".zi-verdict")).to_have_count(1)  # the demo has an earlier run
    _run(page)
    gap = page.locator("table.zi-gaps tr[data-item=D20]")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("meldprocedure is niet aantoonbaar bekendgemaakt")
    gap.locator("a.zi-fix").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/beleid/instrumenten/"))
    page.fill("input[name=communicated_on]", clock.today().isoformat())
    page.fill("input[name=communication]", "Toegelicht in alle teamoverleggen en op intranet")
    page.click("button:has-text('Opslaan')")
    page.wait_for_load_state()
    page.goto("/o/demo/zelfinspectie/")
    _run(page)
    expect(page.locator("table.zi-gaps tr[data-item=D20]")).to_have_count(0)
    expect(_answer_of(page, "D20")).to_have_text("Voldoet")
    page.click("nav.zi-tabs >> text=Historie")
    assert page.locator("table tbody tr").count() >= 3
