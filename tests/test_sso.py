"""Single sign-on with OpenID Connect, against a real provider (node-oidc-provider on a loopback
port, tests/support/oidc_provider.js), driven with plain HTTP: the app through the test client,
the provider's login and consent forms through urllib."""

import re
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from riecycle import crypto
from riecycle.extensions import db
from riecycle.models import AuditEntry, Membership, SsoConfig, SsoDomain, SsoIdentity, User
from riecycle.services import ServiceError, accounts
from riecycle.services import sso as service
from tests.conftest import require
from tests.factories import PASSWORD, make_user
from tests.support.oidc import OidcProvider, node_available, secret, walk
from tests.support.ports import free_port

CALLBACK = "http://localhost/login/sso/terug"


@pytest.fixture(scope="session")
def provider():
    require(node_available(), "Node.js with oidc-provider (make test installs it)")
    with OidcProvider(redirect_uris=[CALLBACK]) as running:
        yield running


@pytest.fixture(scope="session")
def short_provider():
    """Id tokens that live one second (the expiry test)."""
    require(node_available(), "Node.js with oidc-provider (make test installs it)")
    with OidcProvider(redirect_uris=[CALLBACK], id_token_ttl=1) as running:
        yield running


@pytest.fixture
def admin(world):
    user = accounts.create_user(
        "platform@riecycle.example", "Platform Beheer", PASSWORD, is_platform_admin=True
    )
    db.session.commit()
    return user


def settings(**overrides) -> dict:
    values = {
        "enabled": True,
        "issuer": "",
        "client_id": "riecycle",
        "password_login": True,
        "jit_enabled": False,
        "jit_role": "leidinggevende",
        "trust_tenant_email": False,
    }
    values.update(overrides)
    return values


def connect(world, admin, issuer, client_id="riecycle", domain="acme.example", **overrides) -> SsoConfig:
    """Acme signs in through the provider with its approved domain."""
    config = service.save_config(
        world.org, settings(issuer=issuer, client_id=client_id, **overrides), secret(client_id)
    )
    if domain:
        service.approve_domain(service.request_domain(world.org, domain), admin)
    db.session.commit()
    return config


def start(client, slug="acme"):
    response = client.get(f"/login/sso/start/{slug}")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def sso_login(client, login, slug="acme"):
    """The whole flow: the app sends the browser to the provider, it signs in and comes back."""
    callback = walk(start(client, slug), login)
    assert callback.startswith(CALLBACK), callback
    return client.get(callback)


def text(response) -> str:
    return response.get_data(as_text=True)


def logged_in(client) -> bool:
    return client.get("/o/acme/").status_code == 200


def refused(response, message: str, status=403):
    assert response.status_code == status, response.status_code
    assert message in text(response), text(response)[:3000]


# --- the login page --------------------------------------------------------------------


def test_home_realm_discovery_sends_sso_users_to_their_provider(app, world, admin, provider, client):
    connect(world, admin, provider.issuer)
    page = client.post("/login?next=/o/acme/", data={"email": "Iemand@Acme.example"})
    assert page.status_code == 200
    assert "Acme Zorg gebruikt eenmalige aanmelding (SSO)" in text(page)
    assert "/login/sso/start/acme?next=/o/acme/" in text(page)
    assert "login_hint=iemand%40acme.example" in start(client)

    # Everyone else keeps the one-POST login with e-mail and password.
    other = app.test_client()
    assert other.post("/login", data={"email": "beheerder@other.example"}).status_code == 200
    assert not logged_in(other)
    assert (
        other.post("/login", data={"email": "beheerder@other.example", "password": PASSWORD}).status_code
        == 302
    )
    # With password login on, acme's users may still use their password.
    acme = app.test_client()
    response = acme.post("/login", data={"email": "auditor@acme.example", "password": PASSWORD})
    assert response.status_code == 302 and logged_in(acme)


def test_password_login_off_sends_users_to_the_provider(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, password_login=False)
    page = client.post("/login", data={"email": "auditor@acme.example", "password": PASSWORD})
    assert page.status_code == 200
    assert "Acme Zorg heeft inloggen met een wachtwoord uitgeschakeld" in text(page)
    assert not logged_in(client)
    # Other organisations and platform administrators are not affected.
    assert (
        app.test_client()
        .post("/login", data={"email": "beheerder@other.example", "password": PASSWORD})
        .status_code
        == 302
    )
    accounts.create_user("beheer@acme.example", "Platform", PASSWORD, is_platform_admin=True)
    db.session.commit()
    assert (
        app.test_client()
        .post("/login", data={"email": "beheer@acme.example", "password": PASSWORD})
        .status_code
        == 302
    )


# --- the flow ----------------------------------------------------------------------------


def test_existing_account_gives_its_password_once_then_signs_in_through_the_provider(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer)
    user = world.users["preventiemedewerker"]
    response = sso_login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/sso/koppelen")
    page = client.get("/login/sso/koppelen")
    assert "Vul één keer het wachtwoord van dit account in" in text(page)
    assert not logged_in(client)

    wrong = client.post("/login/sso/koppelen", data={"password": "niet-het-wachtwoord"})
    assert "Dit wachtwoord klopt niet." in text(wrong)
    assert not logged_in(client)
    assert db.session.scalar(select(SsoIdentity)) is None

    linked = client.post("/login/sso/koppelen", data={"password": PASSWORD})
    assert linked.status_code == 302
    assert logged_in(client)
    with client.session_transaction() as session:
        assert session["login_method"] == f"sso:{world.org.id}"  # acme's provider signed the user in
    identity = db.session.scalar(select(SsoIdentity))
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, provider.issuer, user.email)

    # Next time: straight in, no password asked; the pair must match.
    again = app.test_client()
    response = sso_login(again, user.email)
    assert response.status_code == 302 and not response.headers["Location"].endswith("koppelen")
    assert logged_in(again)

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "SSO-koppeling").order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert {e.user_id for e in entries[1:]} == {user.id}
    assert entries[-1].organisation_id == world.org.id
    assert "last_login_at" in entries[-1].changes


def test_a_bound_account_only_takes_its_own_subject(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    first = sso_login(client, "nieuw@acme.example")
    assert first.status_code == 302 and logged_in(client)
    # Another account at the provider asserting the same address is not this user.
    refused(
        sso_login(app.test_client(), "nieuw@acme.example;ander-account"), "al gekoppeld aan een ander account"
    )


def test_just_in_time_account_gets_the_default_role_in_this_organisation_only(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer, jit_enabled=True, jit_role="or_lid")
    response = sso_login(client, "nieuwe.collega@acme.example")
    assert response.status_code == 302 and logged_in(client)
    user = db.session.scalar(select(User).where(User.email == "nieuwe.collega@acme.example"))
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    assert [(m.organisation_id, m.role) for m in memberships] == [(world.org.id, "or_lid")]
    assert not user.is_platform_admin and user.password_hash is None


def test_without_just_in_time_an_unknown_address_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer)
    refused(
        sso_login(client, "onbekend@acme.example"),
        "Er is in riecycle nog geen account voor onbekend@acme.example",
    )
    assert accounts.find_user("onbekend@acme.example") is None
    assert not logged_in(client)


def test_a_beheerder_cannot_be_the_default_role(app, world):
    with pytest.raises(ServiceError, match="niet beheerder"):
        service.save_config(world.org, settings(issuer="https://idp.example", jit_role="beheerder"), "s")


# --- negative tests: each a clear Dutch message and no login ---------------------------------


def test_wrong_state_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    callback = urlsplit(walk(start(client), "staat@acme.example"))
    query = parse_qs(callback.query)
    forged = client.get(f"/login/sso/terug?{urlencode({'code': query['code'][0], 'state': 'vervalst'})}")
    refused(forged, "hoort niet bij deze aanmelding of is verlopen", 400)
    # The flow is used up: the genuine answer afterwards is refused as well.
    refused(client.get(f"{callback.path}?{callback.query}"), "hoort niet bij deze aanmelding", 400)
    assert not logged_in(client)
    assert accounts.find_user("staat@acme.example") is None


def test_a_replayed_code_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    callback = walk(start(client), "herhaal@acme.example")
    assert client.get(callback).status_code == 302 and logged_in(client)
    code = parse_qs(urlsplit(callback).query)["code"][0]

    attacker = app.test_client()
    state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    replay = attacker.get(f"/login/sso/terug?{urlencode({'code': code, 'state': state})}")
    refused(replay, "de code is ongeldig, verlopen of al gebruikt")
    assert not logged_in(attacker)


def test_an_expired_id_token_is_refused(app, world, admin, short_provider, client):
    connect(world, admin, short_provider.issuer, jit_enabled=True)
    app.config["SSO_LEEWAY_SECONDS"] = 0
    callback = walk(start(client), "laat@acme.example")
    # The token lives one second; it reaches the app ten seconds later.
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=10), tick=True):
        response = client.get(callback)
    refused(response, "Het identiteitsbewijs van de inlogdienst is verlopen.")
    assert not logged_in(client)
    assert accounts.find_user("laat@acme.example") is None


def test_an_id_token_for_another_audience_is_refused(app, world, admin, provider, client):
    # The provider signs this client's id tokens for the second client, "ander".
    connect(world, admin, provider.issuer, client_id="riecycle-aud", jit_enabled=True)
    refused(sso_login(client, "publiek@acme.example"), "niet voor riecycle bestemd (verkeerde audience)")
    assert not logged_in(client)
    assert accounts.find_user("publiek@acme.example") is None


def test_an_unverified_address_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    refused(sso_login(client, "los@acme.example;email_verified=false"), "niet geverifieerd")
    # No email_verified at all (like Entra ID): refused unless the issuer is marked as one tenant.
    refused(sso_login(client, "entra@acme.example;email_verified=absent"), "niet geverifieerd")
    assert accounts.find_user("entra@acme.example") is None
    config = db.session.scalar(select(SsoConfig))
    config.trust_tenant_email = True
    db.session.commit()
    assert sso_login(client, "entra@acme.example;email_verified=absent").status_code == 302
    assert logged_in(client)


def test_a_domain_that_is_not_allowed_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    refused(
        sso_login(client, "iemand@elders.example"),
        "hoort niet bij een domein dat Acme Zorg voor eenmalige aanmelding mag gebruiken",
    )
    # Requested but not (yet) approved by a platform administrator: refused too.
    service.request_domain(world.org, "nog-niet.example")
    db.session.commit()
    refused(sso_login(client, "iemand@nog-niet.example"), "hoort niet bij een domein")
    assert not logged_in(client)


def test_addresses_of_another_organisation_or_a_platform_admin_are_refused(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer, jit_enabled=True)
    # The other organisation's beheerder: not an acme domain.
    refused(sso_login(client, "beheerder@other.example"), "hoort niet bij een domein")
    # An acme address whose account belongs to another organisation only.
    make_user(world.other_org, "auditor", "adviseur@acme.example")
    db.session.commit()
    refused(sso_login(client, "adviseur@acme.example"), "hoort bij een account van een andere organisatie")
    # A platform administrator with an acme address.
    accounts.create_user("root@acme.example", "Root", PASSWORD, is_platform_admin=True)
    db.session.commit()
    refused(
        sso_login(client, "root@acme.example"), "Een platformbeheerder logt in met e-mailadres en wachtwoord"
    )
    assert not logged_in(client)
    assert db.session.scalar(select(SsoIdentity)) is None
    assert accounts.find_user("adviseur@acme.example").membership_for(world.org.id) is None


def test_a_provider_that_is_down_gives_a_clear_message(app, world, admin, client):
    connect(world, admin, f"http://127.0.0.1:{free_port()}", jit_enabled=True)
    app.config["SSO_HTTP_TIMEOUT"] = 2
    response = client.get("/login/sso/start/acme")
    refused(response, "De inlogdienst van uw organisatie is nu niet bereikbaar", 502)
    assert not logged_in(client)


def test_a_provider_that_hangs_gives_the_same_message_after_a_short_timeout(app, world, admin, client):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", free_port()))
        silent.listen(8)
        connect(world, admin, f"http://127.0.0.1:{silent.getsockname()[1]}", jit_enabled=True)
        app.config["SSO_HTTP_TIMEOUT"] = 1
        began = time.monotonic()
        response = client.get("/login/sso/start/acme")
    refused(response, "De inlogdienst van uw organisatie is nu niet bereikbaar", 502)
    assert time.monotonic() - began < 10


def test_a_provider_that_goes_down_during_the_login_gives_a_clear_message(app, world, admin, client):
    require(node_available(), "Node.js with oidc-provider (make test installs it)")
    with OidcProvider(redirect_uris=[CALLBACK]) as brief:
        connect(world, admin, brief.issuer, jit_enabled=True)
        callback = walk(start(client), "onderweg@acme.example")
    refused(client.get(callback), "De inlogdienst van uw organisatie is nu niet bereikbaar", 502)
    assert not logged_in(client)
    assert accounts.find_user("onderweg@acme.example") is None


def test_an_issuer_that_does_not_match_the_discovery_document_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer + "/", jit_enabled=True)
    refused(client.get("/login/sso/start/acme"), "niet goed ingesteld", 502)


# --- the beheerder's settings and the platform administrator's approval ------------------------


def test_beheerder_configures_the_provider_with_an_encrypted_secret(app, world, admin, client_as):
    beheerder = client_as("beheerder")
    form = settings(issuer="https://login.microsoftonline.com/0b9f6c1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b/v2.0")
    form.update(
        client_id="app-123", client_secret="heel-geheim-123", trust_tenant_email="y", password_login="y"
    )
    form = {k: v for k, v in form.items() if v not in (False, None)}
    response = beheerder.post("/o/acme/beheer/sso/", data=form)
    assert response.status_code == 302
    config = db.session.scalar(select(SsoConfig))
    assert config.client_secret_encrypted and "heel-geheim" not in config.client_secret_encrypted
    assert service.client_secret(config) == "heel-geheim-123"
    # Saved again without a secret: the stored one stays.
    assert beheerder.post("/o/acme/beheer/sso/", data={**form, "client_secret": ""}).status_code == 302
    db.session.expire_all()
    assert service.client_secret(db.session.scalar(select(SsoConfig))) == "heel-geheim-123"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "SSO-instellingen"))
    assert entry.organisation_id == world.org.id and entry.user_id == world.users["beheerder"].id
    assert "client_secret_encrypted" not in entry.changes and "secret_set_at" in entry.changes
    page = text(beheerder.get("/o/acme/beheer/sso/"))
    assert "heel-geheim" not in page and "http://localhost/login/sso/terug" in page


def test_settings_refuse_bad_input_with_a_clear_message(app, world, client_as):
    beheerder = client_as("beheerder")
    response = beheerder.post(
        "/o/acme/beheer/sso/", data=settings(issuer="ftp://idp", enabled="y", jit_role="auditor")
    )
    assert response.status_code == 400 and "beginnend met https://" in text(response)
    response = beheerder.post(
        "/o/acme/beheer/sso/",
        data=settings(
            issuer="https://login.microsoftonline.com/common/v2.0", trust_tenant_email="y", jit_role="auditor"
        ),
    )
    assert response.status_code == 400 and "bedient meerdere organisaties" in text(response)
    assert db.session.scalar(select(SsoConfig)) is None


def test_domains_need_approval_and_belong_to_one_organisation(app, world, admin, client_as):
    beheerder = client_as("beheerder")
    assert beheerder.post("/o/acme/beheer/sso/domeinen", data={"domain": "Acme.Example"}).status_code == 302
    row = db.session.scalar(select(SsoDomain))
    assert (row.domain, row.organisation_id, row.approved_at) == ("acme.example", world.org.id, None)
    assert "Wacht op goedkeuring" in text(beheerder.get("/o/acme/beheer/sso/"))

    other = client_as("other")
    other.post("/o/other/beheer/sso/domeinen", data={"domain": "acme.example"})
    assert "Dit domein is al in gebruik bij een andere organisatie." in text(
        other.get("/o/other/beheer/sso/")
    )
    assert db.session.scalars(select(SsoDomain)).all() == [row]
    with pytest.raises(ServiceError, match="Vul een domeinnaam in"):
        service.request_domain(world.other_org, "niet een domein")
    with pytest.raises(ServiceError, match="openbare e-maildienst"):
        service.request_domain(world.other_org, "Gmail.com")

    # Only a platform administrator approves.
    assert beheerder.post(f"/platform/sso-domeinen/{row.id}/goedkeuren").status_code == 403
    platform = app.test_client()
    platform.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert "acme.example" in text(platform.get("/platform/sso-domeinen"))
    assert platform.post(f"/platform/sso-domeinen/{row.id}/goedkeuren").status_code == 302
    db.session.expire_all()
    assert db.session.get(SsoDomain, row.id).approved_by_id == admin.id
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "SSO-domein")).all()
    assert [(e.action, e.user_id) for e in entries] == [
        ("create", world.users["beheerder"].id),
        ("update", admin.id),
    ]


def test_secrets_are_encrypted_with_the_configured_key(app, monkeypatch):
    token = crypto.encrypt("geheim")
    assert "geheim" not in token and crypto.decrypt(token) == "geheim"
    from cryptography.fernet import Fernet

    app.config["ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)  # another key: the stored secret must be entered again
    assert crypto.decrypt(crypto.encrypt("ander geheim")) == "ander geheim"


def test_a_member_who_left_the_organisation_is_refused(app, world, admin, provider, client):
    connect(world, admin, provider.issuer, jit_enabled=True)
    assert sso_login(client, "vertrokken@acme.example").status_code == 302
    user = accounts.find_user("vertrokken@acme.example")
    accounts.remove_membership(world.org, user.membership_for(world.org.id))
    db.session.commit()
    later = app.test_client()
    refused(sso_login(later, "vertrokken@acme.example"), "hoort bij een account van een andere organisatie")
    assert not logged_in(later)


@pytest.mark.parametrize(
    ("issuer", "single"),
    [
        ("https://login.microsoftonline.com/0b9f6c1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b/v2.0", True),
        ("https://login.microsoftonline.com/common/v2.0", False),
        ("https://login.microsoftonline.com/organizations/v2.0", False),
        ("https://accounts.google.com", False),
        ("https://idp.acme.example", True),
    ],
)
def test_which_issuers_count_as_one_tenant(issuer, single):
    assert service.is_single_tenant(issuer) is single


def test_entra_signals_for_a_verified_address(app, world):
    tenant = "https://login.microsoftonline.com/0b9f6c1e-3c4d-4e5f-8a9b-1c2d3e4f5a6b/v2.0"
    config = SsoConfig(issuer=tenant, trust_tenant_email=False)
    assert service._verified(config, {"email_verified": True})
    assert not service._verified(config, {"email_verified": False, "xms_edov": True})
    assert service._verified(config, {"xms_edov": True})  # Entra: the tenant verified the domain
    assert not service._verified(config, {})
    config.trust_tenant_email = True
    assert service._verified(config, {})
    config.issuer = "https://login.microsoftonline.com/common/v2.0"
    assert not service._verified(config, {})


# --- password login off: invitations and password resets --------------------------------------


def invite_link(world, email="nieuw.lid@acme.example", role="or_lid") -> str:
    from riecycle.services import invitations

    invitation = invitations.invite(world.org, email, "Nieuw Lid", role, world.users["beheerder"])
    db.session.commit()
    return f"/uitnodiging/{invitations.token_for(invitation)}"


def test_with_password_login_off_an_invitation_is_accepted_through_the_provider(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer, password_login=False)
    link = invite_link(world)
    page = client.get(link)
    assert page.status_code == 200
    assert "U kiest daarom geen wachtwoord" in text(page)
    assert 'name="password"' not in text(page)
    # Posting a password anyway sets nothing and makes no account.
    client.post(
        link, data={"name": "X", "password": "mijn-eigen-wachtwoord", "confirm": "mijn-eigen-wachtwoord"}
    )
    assert accounts.find_user("nieuw.lid@acme.example") is None

    start_url = re.search(r'href="(/login/sso/start/acme\?next=[^"]+)"', text(page)).group(1)
    response = client.get(start_url)
    assert "login_hint=nieuw.lid%40acme.example" in response.headers["Location"]
    back = client.get(walk(response.headers["Location"], "nieuw.lid@acme.example"))
    assert back.status_code == 302 and back.headers["Location"] == "/"
    assert "U heeft nu toegang tot Acme Zorg." in text(client.get("/", follow_redirects=True))
    assert logged_in(client)
    user = accounts.find_user("nieuw.lid@acme.example")
    assert user.password_hash is None and user.name == "Nieuw Lid"
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(world.org.id, "or_lid")]
    assert db.session.scalar(select(SsoIdentity.user_id)) == user.id
    # The link is used up.
    again = app.test_client().get(link)
    assert again.status_code == 302


def test_an_invitation_link_does_not_let_another_address_at_the_provider_in(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer, password_login=False)
    link = invite_link(world)
    page = client.get(link)
    start_url = re.search(r'href="(/login/sso/start/acme\?next=[^"]+)"', text(page)).group(1)
    response = client.get(start_url)
    refused(
        client.get(walk(response.headers["Location"], "iemand.anders@acme.example")),
        "Er is in riecycle nog geen account voor iemand.anders@acme.example",
    )
    assert accounts.find_user("iemand.anders@acme.example") is None
    assert accounts.find_user("nieuw.lid@acme.example") is None


def test_with_password_login_on_an_invitation_still_chooses_a_password(app, world, admin, client):
    connect(world, admin, "https://idp.acme.example")
    page = client.get(invite_link(world))
    assert 'name="password"' in text(page) and "U kiest daarom geen wachtwoord" not in text(page)


def test_with_password_login_off_no_reset_mail_is_sent(app, world, admin, client, smtp):
    connect(world, admin, "https://idp.acme.example", password_login=False)
    for email in ("auditor@acme.example", "niemand@acme.example"):  # the same answer for both
        page = client.post("/wachtwoord-vergeten", data={"email": email}, follow_redirects=True)
        assert "Acme Zorg heeft inloggen met een wachtwoord uitgeschakeld" in text(page)
        assert "geen wachtwoord" in text(page)
    assert smtp.messages == []
    # Another organisation's user still gets the mail.
    client.post("/wachtwoord-vergeten", data={"email": "beheerder@other.example"})
    [message] = smtp.wait_for(1)
    assert message["To"] == "beheerder@other.example"


def test_with_password_login_off_an_older_reset_link_sets_no_password(app, world, admin, client):
    user = world.users["auditor"]
    token = accounts.make_token(user, "reset")
    connect(world, admin, "https://idp.acme.example", password_login=False)
    page = client.get(f"/wachtwoord-herstellen/{token}", follow_redirects=True)
    assert "Acme Zorg heeft inloggen met een wachtwoord uitgeschakeld" in text(page)
    response = client.post(
        f"/wachtwoord-herstellen/{token}",
        data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert accounts.authenticate(user.email, "nieuw-wachtwoord-42") is None
    # Switched on again, the same link works.
    service.save_config(world.org, settings(issuer="https://idp.acme.example"), None)
    db.session.commit()
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 200


def test_an_invited_account_with_a_password_elsewhere_is_linked_once_then_in(
    app, world, admin, provider, client
):
    connect(world, admin, provider.issuer, password_login=False)
    make_user(world.other_org, "auditor", "oud.account@acme.example")
    db.session.commit()
    page = client.get(invite_link(world, "oud.account@acme.example", "preventiemedewerker"))
    assert "U kiest daarom geen wachtwoord" in text(page)
    start_url = re.search(r'href="(/login/sso/start/acme\?next=[^"]+)"', text(page)).group(1)
    response = client.get(start_url)
    back = client.get(walk(response.headers["Location"], "oud.account@acme.example"))
    assert back.status_code == 302 and back.headers["Location"].endswith("/login/sso/koppelen")
    # The invitation is accepted (the provider vouched for the address); the account is bound
    # after its password was given once, as for every existing account.
    user = accounts.find_user("oud.account@acme.example")
    assert user.membership_for(world.org.id).role == "preventiemedewerker"
    linked = client.post("/login/sso/koppelen", data={"password": PASSWORD})
    assert linked.status_code == 302 and linked.headers["Location"] == "/"
    assert logged_in(client)
