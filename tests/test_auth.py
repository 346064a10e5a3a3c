"""Accounts: login, throttling, password reset over real SMTP, invitations, CSRF, next."""

import re

from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import LoginThrottle, User
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD


def _post_login(client, email, password, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_login_with_right_password_lands_on_dashboard(client, world):
    response = _post_login(client, world.users["preventiemedewerker"].email, PASSWORD)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"].endswith("/o/acme/")


def test_wrong_password_is_refused_without_saying_which_part(client, world):
    response = _post_login(client, world.users["beheerder"].email, "fout-wachtwoord")
    assert response.status_code == 200
    assert "Onjuist e-mailadres of wachtwoord" in response.get_data(as_text=True)
    assert client.get("/o/acme/").status_code == 302  # still anonymous


def test_six_wrong_passwords_lock_the_account_with_a_clear_message(client, world):
    email = world.users["auditor"].email
    for _ in range(4):
        assert _post_login(client, email, "fout").status_code == 200
    fifth = _post_login(client, email, "fout")
    assert fifth.status_code == 429
    sixth = _post_login(client, email, "fout")
    assert sixth.status_code == 429
    assert "tijdelijk geblokkeerd" in sixth.get_data(as_text=True)
    assert "minuten" in sixth.get_data(as_text=True)
    # Even the right password is refused while locked.
    assert _post_login(client, email, PASSWORD).status_code == 429


def test_lock_applies_per_account_from_another_ip(app, world):
    email = world.users["or_lid"].email
    attacker = app.test_client()
    for _ in range(5):
        _post_login(attacker, email, "fout", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    other_ip = app.test_client()
    response = _post_login(other_ip, email, PASSWORD, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 429


def test_lock_applies_per_ip_across_accounts(app, world):
    client = app.test_client()
    emails = [u.email for u in world.users.values()]
    for i in range(5):
        _post_login(client, emails[i % len(emails)], "fout", environ_base={"REMOTE_ADDR": "10.7.7.7"})
    response = _post_login(
        client, world.users["beheerder"].email, PASSWORD, environ_base={"REMOTE_ADDR": "10.7.7.7"}
    )
    assert response.status_code == 429


def test_lock_expires(app, world, time_machine=None):
    from datetime import UTC, datetime, timedelta

    import time_machine as tm

    email = world.users["auditor"].email
    client = app.test_client()
    with tm.travel(datetime(2026, 11, 22, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for _ in range(5):
            _post_login(client, email, "fout")
        assert _post_login(client, email, PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1))
        assert _post_login(client, email, PASSWORD).status_code == 302


def test_successful_login_clears_account_failures(client, world):
    email = world.users["beheerder"].email
    for _ in range(3):
        _post_login(client, email, "fout")
    login(client, email)
    row = db.session.get(LoginThrottle, f"account:{email}")
    db.session.refresh(row)
    assert row.failures == 0


def test_next_redirect_only_to_local_paths(client, world):
    email = world.users["beheerder"].email
    evil = client.post("/login?next=https://evil.example/x", data={"email": email, "password": PASSWORD})
    assert evil.headers["Location"] == "/"
    client.post("/logout")
    for target in ("//evil.example", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/login?next={target}", data={"email": email, "password": PASSWORD})
        assert response.headers["Location"] == "/", target
        client.post("/logout")
    good = client.post("/login?next=/o/acme/beheer/teams", data={"email": email, "password": PASSWORD})
    assert good.headers["Location"] == "/o/acme/beheer/teams"


def test_session_cookie_flags(app, world):
    client = app.test_client()
    response = _post_login(client, world.users["beheerder"].email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_and_secret_key_required(monkeypatch):
    import pytest

    from riecycle import create_app

    monkeypatch.delenv("RIECYCLE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_password_reset_by_mail_over_smtp(app, client, world, smtp):
    user = world.users["preventiemedewerker"]
    response = client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == user.email
    body = message.get_content()
    link = re.search(r"http://localhost(/wachtwoord-herstellen/\S+)", body).group(1)
    form = client.get(link)
    assert form.status_code == 200
    done = client.post(link, data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"})
    assert done.status_code == 302
    login(client, user.email, "nieuw-wachtwoord-42")
    # The token works once.
    client.post("/logout")
    again = client.get(link)
    assert again.status_code == 302 and "wachtwoord-vergeten" in again.headers["Location"]


def test_password_reset_token_expires(app, client, world, smtp):
    from datetime import UTC, datetime, timedelta

    import time_machine as tm

    user = world.users["auditor"]
    with tm.travel(datetime(2026, 11, 22, 9, 0, tzinfo=UTC), tick=False) as traveller:
        client.post("/wachtwoord-vergeten", data={"email": user.email})
        [message] = smtp.wait_for(1)
        link = re.search(r"http://localhost(/wachtwoord-herstellen/\S+)", message.get_content()).group(1)
        traveller.shift(timedelta(hours=app.config["PASSWORD_RESET_HOURS"], minutes=1))
        response = client.post(
            link, data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"}
        )
    assert response.status_code == 302 and "wachtwoord-vergeten" in response.headers["Location"]
    login(client, user.email, PASSWORD)  # old password still valid


def test_reset_for_unknown_address_says_the_same_and_sends_nothing(client, world, smtp):
    response = client.post(
        "/wachtwoord-vergeten", data={"email": "niemand@acme.example"}, follow_redirects=True
    )
    assert "Als dit e-mailadres bij ons bekend is" in response.get_data(as_text=True)
    assert smtp.messages == []


def test_password_reset_logs_out_other_sessions(app, world, smtp):
    user = world.users["or_lid"]
    other_device = login(app.test_client(), user.email)
    assert other_device.get("/o/acme/").status_code == 200
    client = app.test_client()
    client.post("/wachtwoord-vergeten", data={"email": user.email})
    link = re.search(
        r"http://localhost(/wachtwoord-herstellen/\S+)", smtp.wait_for(1)[0].get_content()
    ).group(1)
    client.post(link, data={"password": "nieuw-wachtwoord-42", "confirm": "nieuw-wachtwoord-42"})
    assert other_device.get("/o/acme/").status_code == 302


def test_invite_user_by_mail_and_accept(app, world, client_as, smtp):
    beheerder = client_as("beheerder")
    response = beheerder.post(
        "/o/acme/beheer/gebruikers/uitnodigen",
        data={"email": "nieuw@acme.example", "name": "Nieuwe Collega", "role": "or_lid"},
    )
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert "Acme Zorg" in message["Subject"]
    link = re.search(r"http://localhost(/uitnodiging/\S+)", message.get_content()).group(1)
    invited = app.test_client()
    accepted = invited.post(
        link,
        data={
            "name": "Nieuwe Collega",
            "password": "mijn-eigen-wachtwoord",
            "confirm": "mijn-eigen-wachtwoord",
        },
    )
    assert accepted.status_code == 302
    assert invited.get("/o/acme/").status_code == 200
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "nieuw@acme.example"))
    assert user.membership_for(world.org.id).role == "or_lid"


def test_post_without_csrf_token_is_rejected(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    refused = client.post("/login", data={"email": world.users["beheerder"].email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "beveiligingscode" in refused.get_data(as_text=True)
    accepted = client.post(
        "/login", data={"email": world.users["beheerder"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert accepted.status_code == 302
    # A destructive action without the token changes nothing.
    team = world.teams["Zorgteam Zuid"]
    assert client.post(f"/o/acme/beheer/teams/{team.id}/verwijderen").status_code == 400
    db.session.expire_all()
    assert db.session.get(type(team), team.id).deleted_at is None


def test_language_choice_per_user(client, world):
    login(client, world.users["beheerder"].email)
    assert "Uitloggen" in client.get("/o/acme/").get_data(as_text=True)
    client.post("/account/", data={"name": "Beheerder Acme", "locale": "en", "notify_mode": "direct"})
    html = client.get("/o/acme/").get_data(as_text=True)
    assert 'lang="en"' in html
    db.session.expire_all()
    assert db.session.get(User, world.users["beheerder"].id).locale == "en"
