"""Single sign-on and the second factor together: after an SSO login a code or enrolment is needed
only when the organisation asks for it "ook bij SSO"."""

from riecycle.extensions import db
from riecycle.services import accounts
from tests.support.mfa import code, secret_on_page
from tests.test_sso import admin, connect, logged_in, provider, sso_login  # noqa: F401 - fixtures


def test_an_sso_login_needs_the_second_factor_only_when_the_organisation_asks(app, world, admin, provider):  # noqa: F811
    connect(world, admin, provider.issuer, jit_enabled=True, jit_role="auditor")
    world.org.mfa_policy = "iedereen"
    db.session.commit()
    client = app.test_client()
    assert sso_login(client, "nieuw@acme.example").status_code == 302
    assert logged_in(client)  # the identity provider did the MFA
    world.org.mfa_with_sso = True
    db.session.commit()
    client = app.test_client()
    sso_login(client, "nieuw@acme.example")
    assert client.get("/o/acme/").headers["Location"].endswith("/account/tweestaps")
    page = client.get("/account/tweestaps")
    secret = secret_on_page(page.get_data(as_text=True))
    assert client.post("/account/tweestaps", data={"code": code(secret)}).status_code == 200
    assert logged_in(client)
    # Enrolled: the next SSO login stops at the code step, which grants nothing before the code.
    client = app.test_client()
    back = sso_login(client, "nieuw@acme.example")
    assert back.status_code == 302 and not logged_in(client)
    assert "/login/code" in client.get("/login").headers["Location"]
    assert client.post("/login/code", data={"code": code(secret, 1)}).status_code == 302
    assert logged_in(client)
    assert accounts.find_user("nieuw@acme.example").has_second_factor
