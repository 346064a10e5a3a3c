"""Chromium walks the whole single sign-on redirect flow: riecycle's login page, home-realm
discovery, the real OpenID provider's login and consent pages, linking the existing account with
its password once, and back into riecycle."""

import re

import pytest
from playwright.sync_api import expect

from riecycle.extensions import db
from riecycle.services import accounts
from riecycle.services import sso as service
from tests.conftest import require
from tests.factories import PASSWORD
from tests.support.oidc import OidcProvider, node_available, secret

pytestmark = pytest.mark.e2e


@pytest.fixture
def provider(live_server):
    require(node_available(), "Node.js with oidc-provider (make test installs it)")
    with OidcProvider(redirect_uris=[f"{live_server.url}/login/sso/terug"]) as running:
        yield running


def test_sign_in_through_the_organisations_provider(page, world, provider):
    admin = accounts.create_user("platform@riecycle.example", "Platform", PASSWORD, is_platform_admin=True)
    settings = {
        "enabled": True,
        "issuer": provider.issuer,
        "client_id": "riecycle",
        "password_login": False,
        "jit_enabled": False,
        "jit_role": "leidinggevende",
        "trust_tenant_email": False,
    }
    service.save_config(world.org, settings, secret("riecycle"))
    service.approve_domain(service.request_domain(world.org, "acme.example"), admin)
    db.session.commit()
    user = world.users["preventiemedewerker"]

    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Inloggen via uw organisatie")
    page.click("text=Doorgaan naar de inlogdienst")

    # The provider's own login page, with the address passed on as login_hint.
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider.issuer)}/interaction/"))
    expect(page.locator("input[name=login]")).to_have_value(user.email)
    page.fill("input[name=password]", "wachtwoord-bij-de-inlogdienst")
    page.click("button[type=submit]")
    page.click("button[type=submit]")  # consent: "Continue"

    # Back in riecycle: the existing account gives its password once.
    expect(page.locator("h1")).to_have_text("Account koppelen")
    page.fill("input[name=password]", "niet-het-wachtwoord")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("Dit wachtwoord klopt niet.")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    expect(page.locator("details.usermenu summary")).to_contain_text(user.name)
    expect(page.locator("body")).to_contain_text("Uw account is gekoppeld aan de inlogdienst van Acme Zorg")

    # Logged out and back in: the provider remembers the session, riecycle the binding.
    page.click("details.usermenu summary")
    page.click("text=Uitloggen")
    expect(page.locator(".flashes")).to_contain_text("U bent uitgelogd.")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)  # password login is off for acme: not checked
    page.click("button[type=submit]")
    expect(page.locator("body")).to_contain_text("Acme Zorg heeft inloggen met een wachtwoord uitgeschakeld")
    page.click("text=Doorgaan naar de inlogdienst")
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
