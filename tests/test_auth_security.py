"""Sessions, login throttling behind a proxy, equal-cost login checks, reset rate limits and config."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine as tm
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import User, UserSession
from riecycle.services import accounts
from tests.conftest import login
from tests.factories import PASSWORD

DASHBOARD = "/o/acme/"


def _post_login(client, email, password, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def _copy_cookie(source, target, name):
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


# --- sessions ---------------------------------------------------------------


def test_old_session_cookie_no_longer_works_after_logout(app, world):
    client = login(app.test_client(), world.users["beheerder"].email)
    stolen = app.test_client()
    _copy_cookie(client, stolen, "session")
    assert stolen.get(DASHBOARD).status_code == 200
    client.post("/logout")
    assert client.get(DASHBOARD).status_code == 302
    replay = stolen.get(DASHBOARD)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == world.users["beheerder"].id))
    assert row.ended_at is not None


def test_logout_ends_only_that_session(app, world):
    email = world.users["or_lid"].email
    laptop, phone = login(app.test_client(), email), login(app.test_client(), email)
    laptop.post("/logout")
    assert laptop.get(DASHBOARD).status_code == 302
    assert phone.get(DASHBOARD).status_code == 200


def test_login_starts_a_fresh_session_and_csrf_token(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    with client.session_transaction() as before:
        anonymous_csrf = before["csrf_token"]
    response = client.post(
        "/login", data={"email": world.users["beheerder"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    client.get("/account/")  # renders forms, so a CSRF token is made for the new session
    with client.session_transaction() as after:
        assert after.get("csrf_token") and after["csrf_token"] != anonymous_csrf
    # A form token from before the login is refused afterwards.
    refused = client.post(
        "/account/",
        data={"name": "X", "locale": "nl", "notify_mode": "direct", "csrf_token": token},
    )
    assert refused.status_code == 400


def test_language_chosen_before_login_survives_the_fresh_session(app, world):
    client = app.test_client()
    client.post("/taal", data={"lang": "en"})
    login(client, world.users["auditor"].email)
    with client.session_transaction() as session:
        assert session.get("lang") == "en"


def test_deactivated_user_is_logged_out_at_once(app, world):
    user = world.users["leidinggevende"]
    client = login(app.test_client(), user.email)
    user.active = False
    db.session.commit()
    assert client.get(DASHBOARD).status_code == 302


def test_session_ends_after_idle_period(app, world):
    email = world.users["preventiemedewerker"].email
    idle = app.config["SESSION_IDLE_MINUTES"]
    assert 0 < idle <= 24 * 60
    start = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    with tm.travel(start, tick=False) as traveller:
        client = login(app.test_client(), email)
        traveller.shift(timedelta(minutes=idle - 5))
        assert client.get(DASHBOARD).status_code == 200  # activity keeps it alive
        traveller.shift(timedelta(minutes=idle - 5))
        assert client.get(DASHBOARD).status_code == 200
        traveller.shift(timedelta(minutes=idle + 1))
        response = client.get(DASHBOARD)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_me_lasts_a_sane_period_and_logout_kills_it(app, world):
    duration = app.config["REMEMBER_COOKIE_DURATION"]
    assert timedelta(days=1) <= duration <= timedelta(days=30)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": world.users["auditor"].email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    remember = client.get_cookie("remember_token")
    assert remember is not None
    assert remember.expires - datetime.now(UTC) <= duration + timedelta(minutes=1)
    # The remember cookie alone (browser restarted) logs in...
    restarted = app.test_client()
    _copy_cookie(client, restarted, "remember_token")
    assert restarted.get(DASHBOARD).status_code == 200
    # ...until the user logs out: then no copy of it works any more.
    client.post("/logout")
    copy = app.test_client()
    copy.set_cookie("remember_token", remember.value)
    assert copy.get(DASHBOARD).status_code == 302


def test_remember_me_session_ends_after_the_remember_period(app, world):
    start = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    with tm.travel(start, tick=False) as traveller:
        client = app.test_client()
        client.post(
            "/login", data={"email": world.users["auditor"].email, "password": PASSWORD, "remember": "y"}
        )
        restarted = app.test_client()
        _copy_cookie(client, restarted, "remember_token")
        traveller.shift(app.config["REMEMBER_COOKIE_DURATION"] + timedelta(hours=1))
        assert restarted.get(DASHBOARD).status_code == 302


def test_changing_own_password_keeps_this_session_and_ends_the_others(app, world):
    user = world.users["leidinggevende"]
    other_device = login(app.test_client(), user.email)
    client = login(app.test_client(), user.email)
    response = client.post(
        "/account/wachtwoord",
        data={"current": PASSWORD, "password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Uw wachtwoord is gewijzigd" in page.get_data(as_text=True)
    assert client.get(DASHBOARD).status_code == 200  # current_user works after the change
    assert other_device.get(DASHBOARD).status_code == 302
    client.post("/logout")
    assert _post_login(app.test_client(), user.email, PASSWORD).status_code == 200  # old one refused
    login(app.test_client(), user.email, "nieuw-wachtwoord-42")


def test_wrong_current_password_changes_nothing(app, world):
    user = world.users["auditor"]
    client = login(app.test_client(), user.email)
    response = client.post(
        "/account/wachtwoord",
        data={"current": "fout", "password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"},
    )
    assert response.status_code == 400
    assert "Het huidige wachtwoord klopt niet" in response.get_data(as_text=True)
    assert client.get(DASHBOARD).status_code == 200
    login(app.test_client(), user.email, PASSWORD)


def test_password_reset_ends_every_session_including_remembered(app, world, outbox):
    user = world.users["or_lid"]
    remembered = app.test_client()
    remembered.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    restarted = app.test_client()
    _copy_cookie(remembered, restarted, "remember_token")
    app.test_client().post("/wachtwoord-vergeten", data={"email": user.email})
    [message] = outbox()
    link = re.search(r"http://localhost(/wachtwoord-herstellen/\S+)", message.get_content()).group(1)
    app.test_client().post(link, data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"})
    assert remembered.get(DASHBOARD).status_code == 302
    assert restarted.get(DASHBOARD).status_code == 302
    live = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    assert live == []


def test_a_forged_or_oversized_session_id_logs_nobody_in(app, world):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{world.users['beheerder'].id}:verzonnen"
        session["_fresh"] = True
    assert client.get(DASHBOARD).status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = "9" * 40 + ":x"
    assert client.get(DASHBOARD).status_code == 302


# --- throttling -------------------------------------------------------------


@pytest.fixture
def behind_proxy(app):
    """The app as configured with RIECYCLE_PROXY_HOPS=1."""
    from riecycle import register_proxy

    original = app.wsgi_app
    app.config["PROXY_HOPS"] = 1
    register_proxy(app)
    yield app
    app.wsgi_app = original


def _via_proxy(client_ip):
    return {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}, "headers": {"X-Forwarded-For": client_ip}}


def test_behind_a_proxy_each_client_has_its_own_ip_counter(behind_proxy, world):
    app = behind_proxy
    attacker = app.test_client()
    emails = [u.email for u in world.users.values()]
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        _post_login(attacker, emails[i % len(emails)], "fout", **_via_proxy("203.0.113.9"))
    locked = _post_login(attacker, world.users["beheerder"].email, PASSWORD, **_via_proxy("203.0.113.9"))
    assert locked.status_code == 429
    # Another user behind the same proxy is not locked out.
    colleague = app.test_client()
    ok = _post_login(colleague, world.users["beheerder"].email, PASSWORD, **_via_proxy("198.51.100.7"))
    assert ok.status_code == 302


def test_without_proxy_hops_a_forged_forwarded_header_is_ignored(app, world):
    assert app.config["PROXY_HOPS"] == 0
    attacker = app.test_client()
    emails = [u.email for u in world.users.values()]
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        _post_login(attacker, emails[i % len(emails)], "fout", **_via_proxy(f"203.0.113.{i}"))
    # Every forged X-Forwarded-For came from the same real address, which is now locked.
    response = _post_login(attacker, world.users["beheerder"].email, PASSWORD, **_via_proxy("192.0.2.1"))
    assert response.status_code == 429


def test_per_ip_failures_decay_after_the_window(app, world):
    emails = [u.email for u in world.users.values()]
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    with tm.travel(datetime(2026, 11, 22, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for i in range(limit - 1):
            _post_login(client, emails[i % len(emails)], "fout")
        traveller.shift(timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1))
        for i in range(limit - 1):
            _post_login(client, emails[(i + 1) % len(emails)], "fout")
        assert _post_login(client, world.users["beheerder"].email, PASSWORD).status_code == 302


def test_successful_login_resets_the_ip_counter(app, world):
    emails = [u.email for u in world.users.values() if u.email != world.users["beheerder"].email]
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit - 1):
        _post_login(client, emails[i % len(emails)], "fout")
    login(client, world.users["beheerder"].email)
    client.post("/logout")
    for i in range(limit - 1):
        _post_login(client, emails[(i + 2) % len(emails)], "fout")
    assert _post_login(client, world.users["beheerder"].email, PASSWORD).status_code == 302


def test_account_lock_still_holds_from_many_ips(app, world):
    email = world.users["auditor"].email
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        _post_login(app.test_client(), email, "fout", environ_base={"REMOTE_ADDR": f"10.3.3.{i}"})
    response = _post_login(app.test_client(), email, PASSWORD, environ_base={"REMOTE_ADDR": "10.4.4.4"})
    assert response.status_code == 429


# --- equal cost for known and unknown accounts ---------------------------------


def test_unknown_address_is_checked_with_the_same_hash_method_and_cost(app, world, monkeypatch):
    # Production's method ("scrypt" with its default cost); tests normally use a cheap one.
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:2000"
    user = world.users["beheerder"]
    accounts.set_password(user, PASSWORD)
    db.session.commit()
    checked = []
    real_check = accounts.check_password_hash

    def recording_check(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])
        return real_check(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", recording_check)
    assert _post_login(app.test_client(), user.email, "fout-wachtwoord").status_code == 200
    assert _post_login(app.test_client(), "niemand@nergens.example", "fout-wachtwoord").status_code == 200
    invited = accounts.create_user("zonder-wachtwoord@acme.example", "Nog geen wachtwoord")
    db.session.commit()
    assert _post_login(app.test_client(), invited.email, "fout-wachtwoord").status_code == 200
    assert checked == ["pbkdf2:sha256:2000"] * 3


# --- password reset rate limit -----------------------------------------------


def test_reset_requests_per_address_are_limited_without_revealing_anything(app, world, outbox):
    user = world.users["preventiemedewerker"]
    limit = app.config["RESET_MAX_PER_ADDRESS"]
    for i in range(limit + 2):
        response = app.test_client().post(
            "/wachtwoord-vergeten",
            data={"email": user.email},
            environ_base={"REMOTE_ADDR": f"10.5.5.{i}"},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert "Als dit e-mailadres bij ons bekend is" in response.get_data(as_text=True)
    assert len(outbox()) == limit


def test_reset_requests_per_ip_are_limited(app, world, outbox):
    app.config["RESET_MAX_PER_IP"] = 3
    client = app.test_client()
    for i in range(3):
        assert (
            client.post("/wachtwoord-vergeten", data={"email": f"iemand{i}@acme.example"}).status_code == 302
        )
    refused = client.post("/wachtwoord-vergeten", data={"email": world.users["auditor"].email})
    assert refused.status_code == 429
    assert "Te veel aanvragen" in refused.get_data(as_text=True)
    assert outbox() == []
    # The window passes: requests are accepted again.
    with tm.travel(datetime.now(UTC) + timedelta(hours=1, minutes=1), tick=False):
        again = client.post("/wachtwoord-vergeten", data={"email": world.users["auditor"].email})
    assert again.status_code == 302
    assert len(outbox()) == 1


# --- configuration -------------------------------------------------------------


@pytest.mark.parametrize("value", ["Production", "prod", "productie", "dev"])
def test_unknown_environment_name_is_refused(monkeypatch, value):
    from riecycle import create_app

    monkeypatch.setenv("RIECYCLE_ENV", value)
    with pytest.raises(RuntimeError, match="RIECYCLE_ENV"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_known_environment_names_load_their_config(monkeypatch):
    from riecycle import create_app

    monkeypatch.setenv("RIECYCLE_ENV", "development")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["ENV_NAME"] == "development"
    monkeypatch.setenv("RIECYCLE_ENV", "production")
    monkeypatch.setenv("RIECYCLE_SECRET_KEY", "k" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40})
    assert app.config["ENV_NAME"] == "production"


def test_production_refuses_a_short_secret_key():
    from riecycle import create_app

    with pytest.raises(RuntimeError, match="te kort"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 31, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SECRET_KEY"] == "x" * 32


def test_proxy_hops_setting_installs_proxy_fix_only_when_set():
    from werkzeug.middleware.proxy_fix import ProxyFix

    from riecycle import create_app

    plain = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not isinstance(plain.wsgi_app, ProxyFix)
    proxied = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": 2})
    assert isinstance(proxied.wsgi_app, ProxyFix)
    assert proxied.wsgi_app.x_for == 2


def test_user_session_rows_belong_to_their_user(app, world):
    login(app.test_client(), world.users["beheerder"].email)
    user = db.session.scalar(select(User).where(User.email == world.users["beheerder"].email))
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(rows) == 1 and len(rows[0].id) >= 32 and rows[0].ended_at is None


def test_login_tidies_up_the_users_long_expired_sessions(app, world):
    email = world.users["auditor"].email
    with tm.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False):
        login(app.test_client(), email)
    with tm.travel(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), tick=False):
        login(app.test_client(), email)
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == world.users["auditor"].id)
    ).all()
    assert [r.created_at.month for r in rows] == [3]


def test_account_name_with_a_line_break_is_a_field_error_and_changes_nothing(app, world, client_as):
    user = world.users["beheerder"]
    before = user.name
    response = client_as("beheerder").post(
        "/account/", data={"name": "Nieuwe\r\nNaam", "locale": "nl", "notify_mode": "direct"}
    )
    assert response.status_code == 400
    assert "mag maar één regel zijn" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == before
