"""The main task by keyboard only: log in, open a risk, add a measure to it and change the
measure's status, pressing only Tab, typed characters and Enter. Every element the focus lands
on shows a focus ring, and the first Tab on a page reaches the "Naar de inhoud" skip link."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Measure
from tests.factories import PASSWORD, make_risk

pytestmark = pytest.mark.e2e

# What has the focus, and whether it shows: an outline of at least 2 px or a box shadow, on the
# element or, inside a picker, on the picker's box.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const picker = el.closest('.ts-wrapper');
  const shown = picker ? picker.querySelector('.ts-control') : el;
  const style = getComputedStyle(shown);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 80),
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= innerWidth,
    ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== 'none',
  };
}"""


def tab_to(page, wanted, limit=150):
    """Press Tab until `wanted(focus)`; every stop on the way must show its focus."""
    page.wait_for_load_state("load")  # the page's scripts (pickers) have run: the tab order is final
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None:
            continue
        assert focus["ring"], f"no visible focus on {focus} at {page.url}"
        passed.append(focus["text"] or focus["name"] or focus["tag"])
        if wanted(focus):
            return focus
    raise AssertionError(f"Tab never reached it on {page.url}; the focus went through {passed}")


def text_is(text):
    return lambda focus: focus["text"] == text


def name_is(name):
    return lambda focus: focus["name"] == name


def press_skip_link(page):
    """The first Tab on the page lands on the visible skip link; Enter moves the focus to main."""
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS)
    assert focus and focus["text"] == "Naar de inhoud", focus
    assert focus["onScreen"] and focus["ring"], focus
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_log_in_open_a_risk_add_a_measure_and_change_its_status_by_keyboard(page, world):
    make_risk(world, title="Piekdrukte rond de jaarafsluiting")
    db.session.commit()
    page.goto("/login")

    press_skip_link(page)
    tab_to(page, name_is("email"))
    page.keyboard.type(world.users["preventiemedewerker"].email)
    tab_to(page, name_is("password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/acme/(#main)?$"))  # the skip link added #main

    tab_to(page, text_is("RI&E"))
    page.keyboard.press("Enter")
    # Wait for the RI&E page itself: the home page's h1 is visible too while the link loads.
    expect(page).to_have_url(re.compile(r"/o/acme/rie/$"))
    expect(page.locator("h1")).to_contain_text("RI&E")
    press_skip_link(page)
    tab_to(page, text_is("Risicoregister"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Risicoregister")
    tab_to(page, text_is("Piekdrukte rond de jaarafsluiting"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Piekdrukte rond de jaarafsluiting")

    tab_to(page, text_is("Maatregel toevoegen"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Maatregel toevoegen")
    tab_to(page, name_is("title"))
    page.keyboard.type("Extra handen in december")
    tab_to(page, name_is("termijn"))
    # 1 January: the same keys whether the browser orders the date day-month or month-day.
    page.keyboard.type("01012099")
    tab_to(page, text_is("Opslaan"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(re.compile(r"^M-\d{4} Extra handen in december$"))

    tab_to(page, lambda focus: focus["text"].startswith("Naar In uitvoering"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_be_visible()
    db.session.expire_all()
    measure = db.session.scalar(select(Measure).where(Measure.title == "Extra handen in december"))
    assert measure.status == "in_uitvoering"
    assert [r.title for r in measure.risks] == ["Piekdrukte rond de jaarafsluiting"]
    assert measure.termijn.isoformat() == "2099-01-01"
