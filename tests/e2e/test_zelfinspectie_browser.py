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
    # The fix link brings the user back to the item on the checklist.
    expect(page).to_have_url(re.compile(r"/o/acme/zelfinspectie/#item-D16$"))
    expect(page.locator(".flashes")).to_contain_text("is vastgelegd")

    _run(page)
    expect(page.locator("table.zi-gaps tr[data-item=D16]")).to_have_count(0)
    expect(_answer_of(page, "D16")).to_have_text("Voldoet")
    expect(page.locator("#item-D16")).to_contain_text("bekendgemaakt op")
    # The re-run says what changed and why: the old and the new sentence.
    change = page.locator(".zi-changes li[data-item=D16]")
    expect(change).to_contain_text("Verbeterd")
    expect(change).to_contain_text("Er is geen gedragscode vastgelegd")
    expect(change).to_contain_text("bekendgemaakt op")


def test_a_count_opens_the_list_it_counted(page, world):
    from datetime import timedelta

    from riecycle.models import Measure

    for title in ("Werkoverleg herzien", "Piekbelasting spreiden"):
        db.session.add(
            Measure(
                organisation_id=world.org.id,
                title=title,
                level="organisatie",
                approach="bronaanpak",
                responsible_id=world.users["preventiemedewerker"].id,
                termijn=clock.today() - timedelta(days=5),
            )
        )
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    page.goto("/o/acme/zelfinspectie/")
    _run(page)
    page.locator("#item-B12 .zi-counted a[data-count=over_termijn]").click()
    expect(page.locator("h1")).to_contain_text("B12. 2 over de termijn")
    expect(page.locator("table.zi-counted-list tbody tr")).to_have_count(2)
    expect(page.locator("table.zi-counted-list")).to_contain_text("Piekbelasting spreiden")
    page.click("text=Terug naar de zelfinspectie")
    expect(page).to_have_url(re.compile(r"/zelfinspectie/uitvoeringen/\d+#item-B12$"))


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
    # Wait for the saved answer before leaving: going elsewhere at once could cancel the POST.
    expect(page.locator(".flashes")).to_contain_text("is opgeslagen")
    page.goto("/o/demo/zelfinspectie/")
    _run(page)
    expect(page.locator("table.zi-gaps tr[data-item=D20]")).to_have_count(0)
    expect(_answer_of(page, "D20")).to_have_text("Voldoet")
    page.click("nav.zi-tabs >> text=Historie")
    expect(page.locator("h1")).to_have_text("Historie zelfinspectie")
    expect(page.locator("table tbody tr").nth(2)).to_be_visible()  # the demo's run and these two
