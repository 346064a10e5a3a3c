"""Second-factor helpers for tests: read the secret the enrolment page shows, compute codes with
pyotp, and enrol or log in with a code, through the test client or in the browser.

A code is accepted once per 30-second step (the previous, current and next step are valid), so
a test that enrols and then logs in right away uses the next step's code: `code(secret, 1)`.
"""

import re

import pyotp

from riecycle import clock

SECRET_PATTERN = re.compile(r'data-secret="([A-Z2-7]+)"')
RECOVERY_PATTERN = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current 30-second step (plus `steps_ahead`), by the app's clock."""
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps_ahead)


def secret_on_page(html: str) -> str:
    """The TOTP secret the enrolment page shows for manual entry."""
    found = SECRET_PATTERN.search(html)
    assert found, "no secret on the enrolment page"
    return found.group(1)


def enrol(client) -> tuple[str, list[str]]:
    """Enrol the logged-in test client's user: (secret, the ten recovery codes shown once)."""
    page = client.get("/account/tweestaps")
    assert page.status_code == 200, page.status_code
    secret = secret_on_page(page.get_data(as_text=True))
    done = client.post("/account/tweestaps", data={"code": code(secret)})
    assert done.status_code == 200, done.status_code
    codes = RECOVERY_PATTERN.findall(done.get_data(as_text=True))
    assert len(codes) == 10, codes
    return secret, codes


def login_with_code(client, email: str, password: str, second: str):
    """Log in through the real forms: password, then the code (or a recovery code)."""
    first = client.post("/login", data={"email": email, "password": password})
    assert first.status_code == 302 and "/login/code" in first.headers["Location"], first.status_code
    return client.post("/login/code", data={"code": second})


def enrol_in_browser(page) -> str:
    """In the browser: set up the second factor on the enrolment page (where a user who must enrol
    lands after login; opened when not there yet), confirm with a code computed from the key the
    page shows, and continue past the recovery codes. Returns the secret, for later logins:
    `login_in_browser_with_code(page, email, secret)`."""
    if "/account/tweestaps" not in page.url:
        page.goto("/account/tweestaps")
    secret = page.locator("#mfa-secret").get_attribute("data-secret")
    assert secret, "no secret on the enrolment page"
    page.fill("input[name=code]", code(secret))
    page.click("main button[type=submit]:has-text('Bevestigen')")
    page.wait_for_selector("#recovery-codes li")
    page.click("text=Ik heb de codes bewaard, verder")
    return secret


def login_in_browser_with_code(
    page, email: str, secret: str, password: str | None = None, steps_ahead: int = 1
):
    """In the browser: log in with password and then a code of the given secret."""
    from tests.factories import PASSWORD

    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/login/code**")
    page.fill("input[name=code]", code(secret, steps_ahead))
    page.click("main button[type=submit]:has-text('Controleren')")
