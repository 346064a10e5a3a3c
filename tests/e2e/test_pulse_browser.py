"""An employee answers the pulse on a phone, through the personal link, without logging in."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import PulseAnswer, PulseResponse
from riecycle.services import pulse
from tests.factories import add_staff, make_survey

pytestmark = pytest.mark.e2e
ITEMS = (
    "tijdsdruk",
    "hoeveelheid_werk",
    "voortgang_bekend",
    "betrokkenheid",
    "directie_betrokken",
    "energie",
)


def test_answer_a_pulse_on_a_phone(browser, live_server, world):
    add_staff(world, "Zorgteam Noord", 3)
    survey = make_survey(world, items=ITEMS)
    _round, issued = pulse.open_round(survey, clock.today())
    db.session.commit()
    raw = issued[0].raw
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,
        locale="nl-NL",
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto(f"/puls/{raw}")
        expect(page.locator("h1")).to_contain_text("Hoe gaat het met de werkdruk?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        statements = page.locator("fieldset.statement")
        expect(statements).to_have_count(len(ITEMS))
        for box in page.locator("label.scale-option").all()[:5]:
            size = box.bounding_box()
            assert size["height"] >= 44 and size["width"] >= 44  # big enough to tap
        # Sending without answering everything keeps the answers given and asks for the rest.
        for i, key in enumerate(ITEMS[:-1]):
            page.locator(f"#q-{key} label.scale-option").nth(i % 5).tap()
        page.locator("button.submit-answers").tap()
        page.locator(".flash-error").wait_for()
        expect(page.locator(".flash-error")).to_contain_text("Beantwoord alle stellingen")
        expect(page.locator(f"#q-{ITEMS[-1]} .error")).to_be_visible()
        expect(page.locator(f"#q-{ITEMS[0]} input[value='1']")).to_be_checked()
        page.locator(f"#q-{ITEMS[-1]} label.scale-option").nth(3).tap()
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / "pulse_phone.png"), full_page=True)
        page.locator("button.submit-answers").tap()
        page.wait_for_url("**/puls/bedankt")
        expect(page.locator("h1")).to_contain_text("Bedankt")
        page.goto(f"/puls/{raw}")
        expect(page.locator("h1")).to_contain_text("Deze link is al gebruikt")
    finally:
        context.close()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 1
    values = dict(db.session.execute(select(PulseAnswer.item_key, PulseAnswer.value)).all())
    assert values == {
        "tijdsdruk": 1,
        "hoeveelheid_werk": 2,
        "voortgang_bekend": 3,
        "betrokkenheid": 4,
        "directie_betrokken": 5,
        "energie": 4,
    }
