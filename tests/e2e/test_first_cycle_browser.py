"""Time to first cycle: the platform administrator creates an organisation, its new beheerder
accepts the mailed invitation and follows "Aan de slag" with a rie.nl action plan: import,
scoring, a measure, a voorlichting, the OR request and the zelfinspectie, without typing a URL
after signing in (every step is a click from the checklist or the navigation)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from riecycle.extensions import db
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.support.mfa import enrol_in_browser
from tests.support.rienl import sample_rows, workbook

pytestmark = pytest.mark.e2e

ADMIN = "platform@riecycle.example"
BEHEERDER = "hr@bakkerij.example"


def _home(page):
    """Back to the home page through the navigation."""
    page.locator("a.brand").click()
    expect(page.get_by_test_id("aan-de-slag")).to_be_visible()


def _step(page, key: str):
    return page.get_by_test_id("aan-de-slag").locator(f'li[data-step="{key}"]')


def _done(page, key: str):
    expect(_step(page, key)).to_have_attribute("data-done", "1")


def test_a_new_organisation_reaches_a_running_cycle_in_one_sitting(page, app, outbox, tmp_path):
    load_taxonomy()  # the PSA themes, as `flask seed` installs them
    admin = accounts.create_user(ADMIN, "Platformbeheerder", PASSWORD)
    admin.is_platform_admin = True
    db.session.commit()

    # The platform administrator creates the organisation; its first beheerder is invited.
    browser_login(page, ADMIN)
    page.get_by_role("link", name="Organisatie aanmaken").click()
    page.fill("input[name=name]", "Bakkerij Jansen")
    page.fill("input[name=slug]", "bakkerij")
    page.fill("input[name=beheerder_email]", BEHEERDER)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text("Organisatie Bakkerij Jansen is aangemaakt.")
    page.click("details.usermenu summary")
    page.click("text=Uitloggen")

    # The beheerder follows the link in the invitation mail and chooses a password.
    (mail,) = [m for m in outbox() if m["To"] == BEHEERDER]
    link = re.search(r"https?://[^/\s]+(/uitnodiging/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    page.goto(link)
    page.fill("input[name=name]", "Hanna Jansen")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.locator("main button[type=submit]").click()

    # A new organisation requires a second factor of its beheerder: enrolment comes first.
    page.wait_for_url("**/account/tweestaps**")
    enrol_in_browser(page)

    # A fresh organisation: the checklist, nothing done yet.
    checklist = page.get_by_test_id("aan-de-slag")
    expect(checklist).to_be_visible()
    expect(page.get_by_test_id("start-progress")).to_have_text("0 van 8 stappen gedaan")
    shots = os.environ.get("RIECYCLE_SHOTS")
    if shots:
        page.set_viewport_size({"width": 1280, "height": 1160})
        page.screenshot(path=str(Path(shots) / "aan-de-slag.png"))

    # 3. The RI&E from rie.nl: upload the action plan, map the sections, confirm.
    plan = tmp_path / "Plan van aanpak voor Bakkerij Jansen.xlsx"
    plan.write_bytes(workbook(sample_rows("nl", responsible="Hanna Jansen")))
    _step(page, "rie").get_by_role("link", name="Importeren (sjabloon of rie.nl)").click()
    page.select_option("select[name=kind]", "plan")
    page.set_input_files("input[name=file]", str(plan))
    page.locator("#importeren button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Plan van aanpak uit rie.nl importeren")
    sections = page.get_by_test_id("rienl-sections")
    expect(sections.get_by_label("Werkdruk", exact=True)).to_have_value("werkdruk")  # matches a theme
    expect(sections.get_by_label("Beeldschermwerk", exact=True)).to_have_value("")  # skipped: no PSA
    sections.get_by_label("Ongewenste omgangsvormen", exact=True).select_option("pesten")
    if shots:
        page.screenshot(path=str(Path(shots) / "rienl-preview.png"), full_page=True)
    page.fill("input[name=tool]", "RI&E Bakkerijen")
    page.check("input[name=erkend][value=ja]")
    page.select_option("select#fallback", label=f"Hanna Jansen ({BEHEERDER})")
    page.get_by_role("button", name="Bevestigen en importeren").click()
    expect(page.locator(".flash").first).to_contain_text("Import gelukt: 3 risico's en 3 maatregelen")
    expect(page.locator("table.register")).to_contain_text("nog niet gescoord")

    # Scoring: the imported risk keeps the tool's priority until it is scored with Kinney.
    page.click("table.register >> text=Medewerkers ervaren structureel te veel werk.")
    expect(page.get_by_test_id("unscored")).to_contain_text("Prioriteit uit de RI&E-tool: Hoog")
    page.get_by_role("link", name="Scoor dit risico").click()
    page.select_option("select[name=kans]", "5")
    page.select_option("select[name=frequentie]", "4")
    page.select_option("select[name=effect]", "5")
    page.click("form.stack button[type=submit]")
    expect(page.get_by_test_id("current-score")).to_contain_text("100")

    # 5. A measure for the risk the file had none for.
    _home(page)
    _done(page, "rie")
    expect(_step(page, "measures")).to_contain_text("1 risico heeft nog geen maatregel.")
    page.click("nav.cyclenav >> text=RI&E")
    page.click("nav.subnav >> text=Risicoregister")
    page.click("table.register >> text=Er is geen tijd voor pauzes.")
    page.get_by_test_id("risk-measures").get_by_role("link", name="Maatregel toevoegen").click()
    page.fill("input[name=title]", "Vaste pauzes in het rooster")
    page.fill("input[name=termijn]", "2099-06-30")
    page.click("form.wide button[type=submit]")
    expect(page.locator("h1")).to_have_text(re.compile(r"^M-\d{4} Vaste pauzes in het rooster$"))
    _home(page)
    _done(page, "measures")

    # 6. The first voorlichting.
    _step(page, "session").get_by_role("link", name="Voorlichting plannen").click()
    page.fill("input[name=topic]", "Werkdruk en pauzes")
    page.fill("input[name=session_date]", "2099-03-01")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".flash").first).to_be_visible()
    _home(page)
    _done(page, "session")

    # 7. The OR/PVT is asked for instemming on the RI&E.
    _step(page, "or").get_by_role("link", name="RI&E voorleggen").click()
    page.get_by_role("button", name="Voorleggen aan OR/PVT").click()
    expect(page.locator("body")).to_contain_text("wacht op besluit OR/PVT")
    _home(page)
    _done(page, "or")

    # 8. The zelfinspectie.
    _step(page, "inspection").get_by_role("link", name="Naar de zelfinspectie").click()
    page.get_by_role("button", name="Nu uitvoeren").click()
    expect(page.locator("body")).not_to_contain_text("Er is nog geen zelfinspectie uitgevoerd")
    _home(page)
    _done(page, "inspection")

    # What is left: teams and staff, the invitations, and the themes not in the file.
    for key in ("teams", "invite", "themes"):
        expect(_step(page, key)).to_have_attribute("data-done", "0")
    expect(page.get_by_test_id("start-progress")).to_have_text("5 van 8 stappen gedaan")
    if shots:
        page.screenshot(path=str(Path(shots) / "aan-de-slag-5-van-8.png"), full_page=True)
