"""The searchable picker: a <select multiple> enhanced with chips, used by keyboard only."""

import pytest
from playwright.sync_api import expect

from riecycle.extensions import db
from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def test_picker_works_with_the_keyboard(page, world):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.goto("/o/acme/voorlichting/nieuw")
    page.fill("#topic", "Werkdruk in de zorgteams")
    page.fill("#session_date", "2030-03-14")
    team_picker = page.get_by_role("combobox", name="Teams")
    # The team field only appears for the audience "Team(s)".
    expect(team_picker).to_be_hidden()
    page.select_option("#audience", "teams")
    expect(team_picker).to_be_visible()

    chips = page.locator("#team_ids + .ts-wrapper .picker-chip")
    team_picker.focus()
    page.keyboard.type("noord")
    options = page.get_by_role("listbox", name="Teams").get_by_role("option")
    expect(options).to_have_text(["Zorgteam Noord"])
    page.keyboard.press("Enter")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Zorgteam Noord")
    page.keyboard.type("zuid")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    # Backspace removes the last chip; the chip's own button removes that one.
    page.keyboard.press("Backspace")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Zorgteam Noord")
    page.get_by_role("button", name="Verwijderen: Zorgteam Noord").click()
    expect(chips).to_have_count(0)
    team_picker.focus()
    page.keyboard.type("zuid")
    page.keyboard.press("Enter")
    page.keyboard.type("noord")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flash-success")).to_contain_text("Werkdruk in de zorgteams")
    expect(page.locator("dd").filter(has_text="Team(s)")).to_contain_text("Zorgteam Noord")
    expect(page.locator("dd").filter(has_text="Team(s)")).to_contain_text("Zorgteam Zuid")


def test_werkdruk_factors_show_only_for_the_werkdruk_theme(page, world):
    browser_login(page, world.users["preventiemedewerker"].email)
    page.goto("/o/acme/rie/risicos/nieuw")
    factors = page.get_by_role("group", name="Werkdrukfactoren (Werkdruk Wegwijzer)")
    page.select_option("select[name=theme_key]", "pesten")
    expect(factors).to_be_hidden()
    page.select_option("select[name=theme_key]", "werkdruk")
    expect(factors).to_be_visible()
    page.get_by_label("Herstelmogelijkheden").check()
    # A ticked factor stays in sight when the theme changes, so nothing is dropped unseen.
    page.select_option("select[name=theme_key]", "pesten")
    expect(factors).to_be_visible()


def test_picker_arrow_keys_choose_and_english_labels(page, world):
    """Arrow keys move through the filtered options and Enter picks the highlighted one; for an
    English user the chip's remove button and the placeholder are English."""
    world.users["preventiemedewerker"].locale = "en"
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    page.goto("/o/acme/voorlichting/nieuw")
    page.select_option("#audience", "teams")
    team_picker = page.locator("#team_ids + .ts-wrapper input[role=combobox]")
    expect(team_picker).to_be_visible()
    expect(team_picker).to_have_attribute("placeholder", "Type to search…")
    team_picker.focus()
    page.keyboard.type("zorgteam")
    listbox = page.locator("#team_ids + .ts-wrapper [role=listbox]")
    expect(listbox.get_by_role("option")).to_have_text(["Zorgteam Noord", "Zorgteam Zuid"])
    active = listbox.locator(".option.active")
    expect(active).to_have_text("Zorgteam Noord")
    page.keyboard.press("ArrowDown")
    expect(active).to_have_text("Zorgteam Zuid")
    page.keyboard.press("ArrowUp")
    expect(active).to_have_text("Zorgteam Noord")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chips = page.locator("#team_ids + .ts-wrapper .picker-chip")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Zorgteam Zuid")
    expect(page.get_by_role("button", name="Delete: Zorgteam Zuid")).to_be_attached()
    # The underlying <select> holds the choice, so the form posts it.
    expect(page.locator("#team_ids option:checked")).to_have_text(["Zorgteam Zuid"])
    page.keyboard.press("Backspace")
    expect(chips).to_have_count(0)
    expect(page.locator("#team_ids option:checked")).to_have_count(0)
