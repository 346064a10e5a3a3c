"""A status click on Geëvalueerd leads to the evaluation form; recording it makes the measure geëvalueerd."""

import re

import pytest
from playwright.sync_api import expect

from riecycle.extensions import db
from tests.conftest import browser_login
from tests.factories import make_measure, make_risk

pytestmark = pytest.mark.e2e


def test_geevalueerd_click_leads_to_the_evaluation_form(page, world):
    risk = make_risk(world, title="Piekdrukte in december")
    measure = make_measure(world, risk=risk, title="Extra invalpool in december", status="uitgevoerd")
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    page.goto(f"/o/acme/plan/{measure.id}")

    page.locator("#status").get_by_role("link", name=re.compile("Naar Geëvalueerd")).click()
    expect(page).to_have_url(re.compile(rf"/evaluatie/nieuw\?measure_id={measure.id}&vastleggen=1$"))
    expect(page.locator("h1")).to_have_text("Evaluatie plannen")
    expect(page.locator("select[name=measure_id]")).to_have_value(str(measure.id))
    page.locator("form.stack button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Uitkomst vastleggen")
    page.select_option("select[name=effect]", "deels")
    page.select_option("select[name=implementation_rating]", "4")
    page.fill("textarea[name=conclusion]", "De pool hielp; de laatste week bleef krap.")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".flash").filter(has_text="De maatregel staat nu op geëvalueerd.")).to_be_visible()

    page.goto(f"/o/acme/plan/{measure.id}")
    expect(page.locator("#status .stepper li[aria-current=step]")).to_have_text("Geëvalueerd")
