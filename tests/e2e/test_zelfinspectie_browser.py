"""Run the self-inspection, follow a gap's link, fix the gap, run again and see the item pass."""

import pytest

from riecycle import clock
from riecycle.extensions import db
from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def _run(page):
    page.click("button:has-text('Zelfinspectie uitvoeren')")
    page.wait_for_load_state()
    assert "De zelfinspectie is uitgevoerd" in page.locator(".flashes").inner_text()


def _answer_of(page, item_id: str) -> str:
    return page.locator(f"#item-{item_id} .zi-answer").first.inner_text().strip()


def test_fix_the_gedragscode_gap(page, world):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.click("nav.cyclenav >> text=Zelfinspectie")
    _run(page)
    gap = page.locator("table.zi-gaps tr[data-item=D16]")
    assert gap.count() == 1 and "Voldoet niet" in gap.inner_text()
    assert page.locator(".zi-verdict h2").inner_text().startswith("Nog niet op orde")

    gap.locator("a.zi-fix").click()
    page.wait_for_load_state()
    assert "/beleid/instrumenten/nieuw" in page.url and "kind=gedragscode" in page.url
    page.fill("input[name=name]", "Gedragscode Acme Zorg")
    page.select_option("select[name=status]", "vastgesteld")
    today = clock.today().isoformat()
    page.fill("input[name=adopted_on]", today)
    page.fill("input[name=communicated_on]", today)
    page.fill("input[name=communication]", "Besproken in elk teamoverleg")
    page.click("button:has-text('Opslaan')")
    page.wait_for_load_state()
    assert "Gedragscode Acme Zorg" in page.locator("#soort-gedragscode").inner_text()

    page.click("nav.zi-tabs >> text=Rapport")
    _run(page)
    assert page.locator("table.zi-gaps tr[data-item=D16]").count() == 0
    assert _answer_of(page, "D16") == "Voldoet"
    assert "bekendgemaakt op" in page.locator("#item-D16").inner_text()


def test_demo_meldprocedure_gap(page, app):
    from riecycle.seeding.demo import DEMO_PASSWORD, load_demo

    load_demo()
    db.session.commit()
    browser_login(page, "preventie@demo.riecycle.nl", DEMO_PASSWORD)
    page.goto("/o/demo/zelfinspectie/")
    assert page.locator(".zi-verdict").count() == 1  # the demo has an earlier run
    _run(page)
    gap = page.locator("table.zi-gaps tr[data-item=D20]")
    assert gap.count() == 1 and "meldprocedure is niet aantoonbaar bekendgemaakt" in gap.inner_text()
    gap.locator("a.zi-fix").click()
    page.wait_for_load_state()
    assert "/beleid/instrumenten/" in page.url
    page.fill("input[name=communicated_on]", clock.today().isoformat())
    page.fill("input[name=communication]", "Toegelicht in alle teamoverleggen en op intranet")
    page.click("button:has-text('Opslaan')")
    page.wait_for_load_state()
    page.goto("/o/demo/zelfinspectie/")
    _run(page)
    assert page.locator("table.zi-gaps tr[data-item=D20]").count() == 0
    assert _answer_of(page, "D20") == "Voldoet"
    page.click("nav.zi-tabs >> text=Historie")
    assert page.locator("table tbody tr").count() >= 3
