"""Two-factor authentication (TOTP): enrolment, the code step of a login, recovery codes, replay,
throttling, resets, the organisation's rule and who must enrol."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from riecycle import clock, crypto
from riecycle.extensions import db
from riecycle.models import AuditEntry, Organisation, RecoveryCode, User
from riecycle.services import accounts, mfa, organisations
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.support.mfa import code, enrol, login_with_code, secret_on_page

START = datetime(2026, 12, 3, 10, 0, 5, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch):
    """The app's clock, frozen; `now.advance(seconds)` moves it on."""

    class Clock:
        moment = START

        def advance(self, seconds):
            self.moment += timedelta(seconds=seconds)

    frozen = Clock()
    monkeypatch.setattr(clock, "now", lambda: frozen.moment)
    return frozen


def _user(email) -> User:
    db.session.expire_all()
    return accounts.find_user(email)


def _enrolled(app, world, role="auditor"):
    """A logged-in client of `role` with the second factor set up: (client, secret, recovery codes)."""
    client = app.test_client()
    login(client, world.users[role].email)
    secret, codes = enrol(client)
    return client, secret, codes


def _second_factor_entries(user_id):
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "Gebruiker", AuditEntry.entity_id == user_id)
    ).all()
    return [e for e in entries if "second_factor" in (e.changes or {})]


# --- enrolment ----------------------------------------------------------------------------------


def test_enrolment_shows_a_server_drawn_qr_code_and_the_key_and_needs_a_first_code(app, world, now):
    client = app.test_client()
    login(client, world.users["beheerder"].email)
    elsewhere = login(app.test_client(), world.users["beheerder"].email)  # a session with the password only
    page = client.get("/account/tweestaps")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in html and "QR-code voor uw authenticator-app" in html
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # no outside service
    secret = secret_on_page(html)
    stored = _user("beheerder@acme.example").totp_secret
    assert secret not in stored and crypto.decrypt(stored) == secret  # encrypted at rest
    assert client.get("/account/tweestaps").get_data(as_text=True).count(secret) >= 1  # same key on reload

    wrong = client.post(
        "/account/tweestaps", data={"code": "000000" if code(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert _user("beheerder@acme.example").totp_enabled_at is None

    done = client.post("/account/tweestaps", data={"code": code(secret)})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert "Tweestapsverificatie staat aan" in html
    assert client.get("/o/acme/").status_code == 200  # this device goes on
    assert elsewhere.get("/o/acme/").status_code == 302  # the password-only session has ended
    user = _user("beheerder@acme.example")
    assert user.totp_enabled_at is not None
    rows = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(rows) == 10
    shown = [c.replace("-", "") for c in __import__("re").findall(r"<code>([a-z0-9-]{11})</code>", html)]
    assert len(shown) == 10
    assert not any(c in r.code_hash for c in shown for r in rows)  # stored hashed only
    # The key is not shown again: the page now sends the user to the account page.
    again = client.get("/account/tweestaps")
    assert again.status_code == 302 and again.headers["Location"].endswith("/account/")
    assert secret not in client.get("/account/").get_data(as_text=True)
    assert [e.changes["second_factor"][1] for e in _second_factor_entries(user.id)] == ["ingesteld"]


# --- logging in with a second factor ----------------------------------------------------------


def test_login_waits_for_the_code_and_grants_nothing_before_it(app, world, now):
    _client, secret, _codes = _enrolled(app, world)
    enrolled_login = _user("auditor@acme.example").last_login_at
    client = app.test_client()
    now.advance(60)
    first = client.post("/login", data={"email": "auditor@acme.example", "password": PASSWORD})
    assert first.status_code == 302 and "/login/code" in first.headers["Location"]
    db.session.expire_all()
    assert _user("auditor@acme.example").last_login_at == enrolled_login  # not logged in yet
    # The password alone opens nothing: every page sends the visitor to log in, the login page
    # to the code step.
    for url in ("/o/acme/", "/account/", "/o/acme/audit/", "/account/tweestaps"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert "/login/code" in client.get("/login").headers["Location"]
    # Where any other login step (the SSO callback) lands: home, the login page, the code step.
    home = client.get("/")
    assert home.headers["Location"].endswith("/login")
    assert "/login/code" in client.get(home.headers["Location"]).headers["Location"]
    page = client.get("/login/code")
    assert page.status_code == 200 and "authenticator-app" in page.get_data(as_text=True)

    now.advance(30)
    done = client.post("/login/code", data={"code": code(secret)})
    assert done.status_code == 302
    assert client.get("/o/acme/").status_code == 200
    db.session.expire_all()
    assert _user("auditor@acme.example").last_login_at > enrolled_login  # the login is complete


def test_a_wrong_code_is_refused(app, world, now):
    _client, secret, _codes = _enrolled(app, world)
    client = app.test_client()
    wrong = "123456" if code(secret, 1) != "123456" else "654321"
    response = login_with_code(client, "auditor@acme.example", PASSWORD, wrong)
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.get_data(as_text=True)
    assert client.get("/o/acme/").status_code == 302
    # Letters that are no recovery code, and an empty field, are refused the same way.
    assert "Deze code klopt niet" in client.post("/login/code", data={"code": "hallo"}).get_data(as_text=True)
    assert client.post("/login/code", data={"code": ""}).status_code == 200
    for odd in ("１２３４５６", "٠١٢٣٤٥", "x" * 500, "abcde-fghj\x00"):
        assert client.post("/login/code", data={"code": odd}).status_code in (200, 400), odd
    assert client.get("/o/acme/").status_code == 302


def test_a_code_cannot_be_used_twice(app, world, now):
    _client, secret, _codes = _enrolled(app, world)
    # The enrolment used this step's code: the same code does not log in.
    client = app.test_client()
    assert "Deze code klopt niet" in login_with_code(
        client, "auditor@acme.example", PASSWORD, code(secret)
    ).get_data(as_text=True)
    now.advance(30)
    fresh = code(secret)
    assert login_with_code(client, "auditor@acme.example", PASSWORD, fresh).status_code == 302
    other = app.test_client()
    replay = login_with_code(other, "auditor@acme.example", PASSWORD, fresh)
    assert replay.status_code == 200 and "Deze code klopt niet" in replay.get_data(as_text=True)
    # An older step's code (still inside the window) does not work after a newer one either.
    now.advance(30)
    assert login_with_code(other, "auditor@acme.example", PASSWORD, code(secret, -1)).status_code == 200
    assert login_with_code(other, "auditor@acme.example", PASSWORD, code(secret)).status_code == 302


def test_a_recovery_code_logs_in_once(app, world, now):
    _client, _secret, codes = _enrolled(app, world)
    client = app.test_client()
    response = login_with_code(client, "auditor@acme.example", PASSWORD, codes[3].upper())
    assert response.status_code == 302
    home = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "U heeft een herstelcode gebruikt" in home and "nog 9 over" in home
    again = login_with_code(app.test_client(), "auditor@acme.example", PASSWORD, codes[3])
    assert again.status_code == 200 and "Deze code klopt niet" in again.get_data(as_text=True)
    assert mfa.recovery_codes_left(_user("auditor@acme.example")) == 9


def test_code_attempts_are_throttled_like_passwords(app, world, now):
    _client, secret, _codes = _enrolled(app, world)
    now.advance(30)
    wrong = "000000" if code(secret) != "000000" else "111111"
    limit = app.config["LOGIN_MAX_FAILURES"]
    client = app.test_client()
    statuses = [login_with_code(client, "auditor@acme.example", PASSWORD, wrong).status_code]
    statuses += [client.post("/login/code", data={"code": wrong}).status_code for _n in range(limit - 3)]
    assert statuses == [200] * (limit - 2)
    # A correct password again does not reset the count of wrong codes.
    again = app.test_client()
    last_but_one = login_with_code(again, "auditor@acme.example", PASSWORD, wrong)
    assert last_but_one.status_code == 200
    locked = again.post("/login/code", data={"code": wrong})
    assert locked.status_code == 429 and "Te veel onjuiste codes" in locked.get_data(as_text=True)
    # Locked: the right code is refused too, also after logging in with the password again.
    assert again.post("/login/code", data={"code": code(secret)}).status_code == 429
    assert again.get("/o/acme/").status_code == 302
    fresh = app.test_client()
    assert login_with_code(fresh, "auditor@acme.example", PASSWORD, code(secret)).status_code == 429
    assert fresh.get("/o/acme/").status_code == 302
    now.advance(app.config["LOGIN_LOCK_MINUTES"] * 60 + 1)
    assert (
        login_with_code(app.test_client(), "auditor@acme.example", PASSWORD, code(secret)).status_code == 302
    )


def test_the_waiting_login_expires(app, world, now):
    _client, secret, _codes = _enrolled(app, world)
    client = app.test_client()
    client.post("/login", data={"email": "auditor@acme.example", "password": PASSWORD})
    now.advance(app.config["MFA_PENDING_MINUTES"] * 60 + 1)
    response = client.post("/login/code", data={"code": code(secret)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/o/acme/").status_code == 302


# --- who must have a second factor --------------------------------------------------------------


def _new_org_with_beheerder(slug="nieuw", email="baas@nieuw.example"):
    org = organisations.create_organisation(slug, "Nieuwe Organisatie")
    user = accounts.create_user(email, "Nieuwe Baas", PASSWORD)
    accounts.add_membership(org, user, "beheerder")
    db.session.commit()
    return org, user


def test_a_beheerder_of_a_new_organisation_is_sent_to_enrolment_after_login(app, world, now):
    org, _user_ = _new_org_with_beheerder()
    assert org.mfa_policy == "beheerders" and org.mfa_with_sso is False
    client = app.test_client()
    response = client.post("/login", data={"email": "baas@nieuw.example", "password": PASSWORD})
    assert response.status_code == 302
    for url in ("/", "/o/nieuw/", "/o/nieuw/beheer/", "/account/", "/account/organisaties"):
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/tweestaps"), url
    assert client.post("/o/nieuw/beheer/tweestapsverificatie", data={"mfa_policy": "uit"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).mfa_policy == "beheerders"  # the guard stopped it
    page = client.get("/account/tweestaps")
    assert page.status_code == 200 and "verplicht" in page.get_data(as_text=True)
    secret = secret_on_page(page.get_data(as_text=True))
    assert client.post("/account/tweestaps", data={"code": code(secret)}).status_code == 200
    assert client.get("/o/nieuw/").status_code == 200
    # The next login asks for the code.
    client.post("/logout")
    now.advance(30)
    assert login_with_code(client, "baas@nieuw.example", PASSWORD, code(secret)).status_code == 302
    assert client.get("/o/nieuw/").status_code == 200


def test_a_remember_me_cookie_does_not_skip_the_enrolment(app, world):
    _new_org_with_beheerder()
    client = app.test_client()
    client.post("/login", data={"email": "baas@nieuw.example", "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None
    # The browser is closed: the session cookie is gone, the remember cookie stays.
    later = app.test_client()
    later.set_cookie("remember_token", remember.value)
    response = later.get("/o/nieuw/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/tweestaps")


def test_other_roles_of_a_new_organisation_need_it_only_when_it_says_everyone(app, world):
    org, _baas = _new_org_with_beheerder()
    make_user(org, "auditor", "lezer@nieuw.example")
    db.session.commit()
    client = login(app.test_client(), "lezer@nieuw.example")
    assert client.get("/o/nieuw/").status_code == 200
    org.mfa_policy = "iedereen"
    db.session.commit()
    client = login(app.test_client(), "lezer@nieuw.example")
    assert client.get("/o/nieuw/").headers["Location"].endswith("/account/tweestaps")


def test_fixtures_and_the_demo_turn_the_rule_off(app, world):
    from riecycle.seeding.demo import DEMO_PASSWORD, load_demo

    assert world.org.mfa_policy == "uit" and world.other_org.mfa_policy == "uit"
    assert login(app.test_client(), world.users["beheerder"].email).get("/o/acme/").status_code == 200
    load_demo()
    db.session.commit()
    demo = db.session.scalar(
        select(Organisation).where(Organisation.slug != "acme", Organisation.slug != "other")
    )
    assert demo.mfa_policy == "uit"
    beheerder = next(m.user for m in demo_members(demo) if m.role == "beheerder")
    client = app.test_client()
    response = client.post("/login", data={"email": beheerder.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "/login/code" not in response.headers["Location"]
    assert client.get(f"/o/{demo.slug}/").status_code == 200
    # Loading the demo again (make run) keeps it off, also when a migration had switched it on.
    demo.mfa_policy = "beheerders"
    db.session.commit()
    load_demo()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, demo.id).mfa_policy == "uit"


def test_the_bench_generator_turns_the_rule_off(app):
    from bench import generate

    with generate._request_context():
        generate.large_employer(scale=0.01)
    db.session.commit()
    org = db.session.scalar(select(Organisation).where(Organisation.slug == generate.LARGE_SLUG))
    assert org.mfa_policy == "uit"
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "beheerder1@ziekenhuis.bench", "password": generate.PASSWORD}
    )
    assert response.status_code == 302 and "/login/code" not in response.headers["Location"]
    assert client.get(f"/o/{org.slug}/beheer/").status_code == 200


def demo_members(org):
    from riecycle.models import Membership

    return db.session.scalars(select(Membership).where(Membership.organisation_id == org.id)).all()


def test_platform_administrators_always_need_it_outside_the_test_exemption(app, world):
    admin = accounts.create_user("admin@platform.example", "Admin", PASSWORD, is_platform_admin=True)
    db.session.commit()
    assert app.config["MFA_ADMIN_EXEMPT"] is True  # the fixtures' administrators log in with a password
    assert login(app.test_client(), admin.email).get("/platform/organisaties").status_code == 200
    app.config["MFA_ADMIN_EXEMPT"] = False
    client = login(app.test_client(), admin.email)
    assert client.get("/platform/organisaties").headers["Location"].endswith("/account/tweestaps")
    # Even via SSO (should an administrator ever arrive that way).
    assert mfa.required(_user(admin.email), mfa.sso_method(world.org.id)) is True


def test_after_sso_the_code_is_needed_only_when_the_organisation_asks(app, world, now):
    _client, _secret, _codes = _enrolled(app, world, "beheerder")
    user = _user("beheerder@acme.example")
    sso = mfa.sso_method(world.org.id)  # signed in through acme's own identity provider
    world.org.mfa_policy = "beheerders"
    db.session.commit()
    assert mfa.code_needed(user, "password") is True
    assert mfa.code_needed(user, sso) is False and mfa.required(user, sso) is False
    world.org.mfa_with_sso = True
    db.session.commit()
    assert mfa.code_needed(user, sso) is True
    other = accounts.create_user("nieuw@acme.example", "Nieuw", PASSWORD)
    accounts.add_membership(world.org, other, "beheerder")
    db.session.commit()
    assert mfa.must_enrol(other, sso) is True
    world.org.mfa_with_sso = False
    db.session.commit()
    assert mfa.must_enrol(other, sso) is False and mfa.must_enrol(other, "password") is True


def test_another_organisations_provider_does_not_stand_in_for_its_second_factor(app, world, now):
    """A user of two organisations signs in through acme's provider: other, which requires a
    second factor of everyone and never trusted acme's provider, still gets its code."""
    _client, _secret, _codes = _enrolled(app, world, "auditor")
    user = _user("auditor@acme.example")
    accounts.add_membership(world.other_org, user, "auditor")
    world.org.mfa_policy = "uit"
    world.other_org.mfa_policy = "iedereen"
    db.session.commit()
    via_acme = mfa.sso_method(world.org.id)
    assert mfa.required(user, via_acme) is True and mfa.code_needed(user, via_acme) is True
    # Through other's own provider, other's rule without "ook bij SSO" lets the provider's MFA count.
    assert mfa.code_needed(user, mfa.sso_method(world.other_org.id)) is False
    newcomer = accounts.create_user("nieuw@acme.example", "Nieuw", PASSWORD)
    accounts.add_membership(world.org, newcomer, "auditor")
    accounts.add_membership(world.other_org, newcomer, "auditor")
    db.session.commit()
    assert mfa.must_enrol(newcomer, via_acme) is True
    world.other_org.mfa_policy = "uit"
    db.session.commit()
    assert mfa.must_enrol(newcomer, via_acme) is False


def test_the_beheerder_sets_the_rule_on_the_organisation_page(app, world, client_as):
    refused = client_as("preventiemedewerker").post(
        "/o/acme/beheer/tweestapsverificatie", data={"mfa_policy": "uit"}
    )
    assert refused.status_code == 403
    client = client_as("beheerder")
    page = client.get("/o/acme/beheer/").get_data(as_text=True)
    assert "Tweestapsverificatie verplicht voor" in page and "Ook bij inloggen via single sign-on" in page
    response = client.post(
        "/o/acme/beheer/tweestapsverificatie", data={"mfa_policy": "iedereen", "mfa_with_sso": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, world.org.id)
    assert (org.mfa_policy, org.mfa_with_sso) == ("iedereen", True)
    bad = client.post(
        "/o/acme/beheer/tweestapsverificatie", data={"mfa_policy": "soms"}, follow_redirects=True
    )
    assert bad.status_code == 200 and "Kies een geldige instelling" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, world.org.id).mfa_policy == "iedereen"


# --- the account page ---------------------------------------------------------------------------


def test_switching_it_off_needs_a_code_and_is_refused_when_required(app, world, now):
    client, secret, _codes = _enrolled(app, world)
    page = client.get("/account/").get_data(as_text=True)
    assert "staat aan sinds" in page and "10 ongebruikte herstelcodes" in page
    wrong = client.post(
        "/account/tweestaps/uitschakelen", data={"code": "abcde-abcde"}, follow_redirects=True
    )
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert _user("auditor@acme.example").has_second_factor
    world.org.mfa_policy = "iedereen"
    db.session.commit()
    now.advance(30)
    refused = client.post(
        "/account/tweestaps/uitschakelen", data={"code": code(secret)}, follow_redirects=True
    )
    assert "verplicht voor uw account" in refused.get_data(as_text=True)
    assert _user("auditor@acme.example").has_second_factor
    world.org.mfa_policy = "uit"
    db.session.commit()
    now.advance(30)
    done = client.post("/account/tweestaps/uitschakelen", data={"code": code(secret)}, follow_redirects=True)
    assert "Tweestapsverificatie is uitgeschakeld" in done.get_data(as_text=True)
    user = _user("auditor@acme.example")
    assert not user.has_second_factor and user.totp_secret is None
    assert login(app.test_client(), "auditor@acme.example").get("/o/acme/").status_code == 200
    changes = [e.changes["second_factor"][1] for e in _second_factor_entries(user.id)]
    assert changes == ["ingesteld", "uitgeschakeld"]


def test_new_recovery_codes_replace_the_old_ones(app, world, now):
    client, secret, old = _enrolled(app, world)
    now.advance(30)
    response = client.post("/account/tweestaps/herstelcodes", data={"code": code(secret)})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = __import__("re").findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert login_with_code(app.test_client(), "auditor@acme.example", PASSWORD, old[0]).status_code == 200
    assert login_with_code(app.test_client(), "auditor@acme.example", PASSWORD, new[0]).status_code == 302


# --- resets -------------------------------------------------------------------------------------


def test_a_beheerder_resets_a_members_second_factor(app, world, client_as, now):
    auditor_client, _secret, _codes = _enrolled(app, world)
    auditor = _user("auditor@acme.example")
    membership = auditor.membership_for(world.org.id)
    beheerder = client_as("beheerder")
    assert "Tweestapsverificatie resetten" in beheerder.get("/o/acme/beheer/gebruikers").get_data(
        as_text=True
    )
    response = beheerder.post(
        f"/o/acme/beheer/gebruikers/{membership.id}/tweestaps-reset", follow_redirects=True
    )
    assert "De tweestapsverificatie van Auditor Acme is gereset" in response.get_data(as_text=True)
    auditor = _user("auditor@acme.example")
    assert not auditor.has_second_factor and auditor.totp_secret is None
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == auditor.id)).all() == []
    assert auditor_client.get("/o/acme/").status_code == 302  # the user's sessions ended
    [entry] = [e for e in _second_factor_entries(auditor.id) if e.changes["second_factor"][1] == "gereset"]
    assert entry.organisation_id == world.org.id and entry.user_id == world.users["beheerder"].id
    assert "Tweestapsverificatie" in beheerder.get("/o/acme/audit/").get_data(as_text=True)
    # Logging in again needs a password only (the organisation does not require it).
    assert login(app.test_client(), "auditor@acme.example").get("/o/acme/").status_code == 200
    # The beheerder of another organisation cannot reach acme's members.
    other = client_as("other")
    assert other.post(f"/o/other/beheer/gebruikers/{membership.id}/tweestaps-reset").status_code == 404


def test_a_beheerder_cannot_reset_a_platform_administrator(app, world, client_as, now):
    client, _secret, _codes = _enrolled(app, world)
    auditor = _user("auditor@acme.example")
    auditor.is_platform_admin = True
    db.session.commit()
    membership = auditor.membership_for(world.org.id)
    response = client_as("beheerder").post(
        f"/o/acme/beheer/gebruikers/{membership.id}/tweestaps-reset", follow_redirects=True
    )
    assert "alleen een platformbeheerder" in response.get_data(as_text=True)
    assert _user("auditor@acme.example").has_second_factor


def test_a_platform_administrator_resets_a_second_factor(app, world, now):
    _client, _secret, _codes = _enrolled(app, world)
    admin = accounts.create_user("admin@platform.example", "Admin", PASSWORD, is_platform_admin=True)
    db.session.commit()
    client = login(app.test_client(), admin.email)
    auditor = _user("auditor@acme.example")
    assert "Tweestapsverificatie resetten" in client.get(
        f"/platform/organisaties/{world.org.id}/leden"
    ).get_data(as_text=True)
    response = client.post(
        f"/platform/organisaties/{world.org.id}/leden/{auditor.id}/tweestaps-reset", follow_redirects=True
    )
    assert "is gereset" in response.get_data(as_text=True)
    assert not _user("auditor@acme.example").has_second_factor
    [entry] = _second_factor_entries(auditor.id)[-1:]
    assert entry.changes["second_factor"][1] == "gereset" and entry.user_id == admin.id
    # A user who is not a member of that organisation: 404.
    stranger = world.users["other"]
    assert (
        client.post(f"/platform/organisaties/{world.org.id}/leden/{stranger.id}/tweestaps-reset").status_code
        == 404
    )


def test_the_cli_resets_a_second_factor(app, world, now):
    _client, _secret, _codes = _enrolled(app, world)
    db.session.expire_all()  # the command reads the database as a new process would
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "mfa-reset", "--email", "Auditor@acme.example"])
    assert result.exit_code == 0, result.output
    assert "is gereset" in result.output
    user = _user("auditor@acme.example")
    assert not user.has_second_factor
    assert _second_factor_entries(user.id)[-1].changes["second_factor"][1] == "gereset"
    again = runner.invoke(args=["user", "mfa-reset", "--email", "auditor@acme.example"])
    assert again.exit_code != 0 and "geen tweestapsverificatie" in again.output
    unknown = runner.invoke(args=["user", "mfa-reset", "--email", "niemand@acme.example"])
    assert unknown.exit_code != 0 and "Er is geen account" in unknown.output


# --- the encryption helper ---------------------------------------------------------------------


def test_secrets_are_encrypted_with_the_configured_key(app):
    from cryptography.fernet import Fernet

    token = crypto.encrypt("geheim")
    assert "geheim" not in token and crypto.decrypt(token) == "geheim"
    app.config["ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)
    assert crypto.decrypt(crypto.encrypt("nieuw")) == "nieuw"
