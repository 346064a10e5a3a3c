"""In Chromium: a beheerder of an organisation that requires a second factor lands on the
enrolment page after login, scans nothing but reads the key, confirms with a code computed by
pyotp, and logs in again with password and code."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.support.mfa import enrol_in_browser, login_in_browser_with_code

pytestmark = pytest.mark.e2e


def test_enrolment_and_login_with_a_code(page, world, db):
    world.org.mfa_policy = "beheerders"
    db.session.commit()
    user = world.users["beheerder"]
    browser_login(page, user.email)
    expect(page).to_have_url(re.compile(r"/account/tweestaps$"))
    expect(page.locator("h1")).to_have_text("Tweestapsverificatie instellen")
    expect(page.locator("figure.mfa-qr svg")).to_be_visible()
    # Nothing else opens before enrolment.
    page.goto("/o/acme/")
    expect(page).to_have_url(re.compile(r"/account/tweestaps$"))

    secret = enrol_in_browser(page)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(page.locator("nav.cyclenav")).to_contain_text("Beheer")

    page.click("details.usermenu summary")
    page.click("details.usermenu button:has-text('Uitloggen')")
    expect(page.locator("h1")).to_have_text("Inloggen")

    login_in_browser_with_code(page, user.email, secret)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(page.locator("details.usermenu summary")).to_contain_text(user.name)


def test_a_wrong_code_keeps_the_door_shut(page, world, db):
    world.org.mfa_policy = "beheerders"
    db.session.commit()
    user = world.users["beheerder"]
    browser_login(page, user.email)
    enrol_in_browser(page)
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "test-wachtwoord-123")
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("input[name=code]", "12345x")  # neither an app code nor a recovery code
    page.click("main button[type=submit]:has-text('Controleren')")
    expect(page.locator("body")).to_contain_text("Deze code klopt niet")
    page.goto("/o/acme/")
    expect(page).to_have_url(re.compile(r"/login"))
