"""Invitations wait for acceptance, survive a failed mail, and can be sent again; the last
beheerder holds under concurrency; a platform administrator can repair memberships."""

import re
import threading
import time

from sqlalchemy import select, update

from riecycle.extensions import db
from riecycle.models import AuditEntry, Invitation, Membership, Organisation, User
from riecycle.services import ServiceError, accounts
from tests.conftest import login
from tests.factories import PASSWORD

INVITE = "/o/acme/beheer/gebruikers/uitnodigen"


def _invite(client, email, role="auditor", name="Iemand"):
    return client.post(INVITE, data={"email": email, "name": name, "role": role}, follow_redirects=True)


def _link(message) -> str:
    return re.search(r"http://localhost(/uitnodiging/\S+)", message.get_content()).group(1)


def _membership(user_email, org_id):
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == user_email))
    return user.membership_for(org_id) if user else None


# --- invitations --------------------------------------------------------------------------


def test_invitation_says_the_same_whether_or_not_an_account_exists(world, client_as, outbox):
    beheerder = client_as("beheerder")
    existing = world.users["other"].email  # has an account, in another organisation
    known = _invite(beheerder, existing).get_data(as_text=True)
    unknown = _invite(beheerder, "onbekend@elders.example").get_data(as_text=True)
    assert f"Uitnodiging verstuurd naar {existing}" in known
    assert "Uitnodiging verstuurd naar onbekend@elders.example" in unknown
    # Neither becomes a member yet; both wait as pending invitations.
    assert _membership(existing, world.org.id) is None
    assert db.session.scalar(select(User).where(User.email == "onbekend@elders.example")) is None
    page = beheerder.get("/o/acme/beheer/gebruikers").get_data(as_text=True)
    assert "Openstaande uitnodigingen" in page
    assert existing in page and "onbekend@elders.example" in page
    assert len(outbox()) == 2


def test_existing_account_accepts_after_logging_in(app, world, client_as, outbox):
    person = world.users["other"]
    _invite(client_as("beheerder"), person.email, role="auditor")
    link = _link(outbox()[-1])
    visitor = app.test_client()
    first = visitor.get(link)
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    # Someone else logged in cannot accept it.
    intruder = login(app.test_client(), world.users["or_lid"].email)
    assert intruder.post(link).status_code == 302
    assert _membership(person.email, world.org.id) is None
    # The invited person logs in and lands back on the invitation.
    logged_in = visitor.post(first.headers["Location"], data={"email": person.email, "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == link
    assert "Uitnodiging accepteren" in visitor.get(link).get_data(as_text=True)
    assert _membership(person.email, world.org.id) is None
    assert visitor.post(link).status_code == 302
    assert _membership(person.email, world.org.id).role == "auditor"
    assert visitor.get("/o/acme/").status_code == 200
    # The link works once.
    assert visitor.get(link).headers["Location"].endswith("/login")


def test_new_person_sets_a_password_and_becomes_member(app, world, client_as, outbox):
    _invite(client_as("beheerder"), "nieuw@acme.example", role="or_lid", name="Nieuwe Collega")
    link = _link(outbox()[-1])
    invited = app.test_client()
    assert "Kies uw naam en een wachtwoord" in invited.get(link).get_data(as_text=True)
    response = invited.post(
        link,
        data={
            "name": "Nieuwe Collega",
            "password": "mijn-eigen-wachtwoord",
            "confirm": "mijn-eigen-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert _membership("nieuw@acme.example", world.org.id).role == "or_lid"
    assert invited.get("/o/acme/").status_code == 200


def test_failed_mail_is_recorded_not_a_500_and_can_be_sent_again(app, world, client_as, smtp):
    beheerder = client_as("beheerder")
    working = (app.config["SMTP_HOST"], app.config["SMTP_PORT"])
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    response = _invite(beheerder, "pech@acme.example")
    assert response.status_code == 200
    assert "kon niet worden verstuurd" in response.get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "pech@acme.example"))
    assert invitation.send_failed_at is not None and invitation.sent_at is None
    assert "niet verstuurd" in beheerder.get("/o/acme/beheer/gebruikers").get_data(as_text=True)
    # Inviting the address again is possible (no "already has access"); the mail goes out now.
    app.config.update(SMTP_HOST=working[0], SMTP_PORT=working[1])
    again = _invite(beheerder, "pech@acme.example")
    assert "Uitnodiging verstuurd naar pech@acme.example" in again.get_data(as_text=True)
    smtp.wait_for(1)
    resent = beheerder.post(
        f"/o/acme/beheer/gebruikers/uitnodigingen/{invitation.id}/opnieuw", follow_redirects=True
    )
    assert "Uitnodiging verstuurd naar pech@acme.example" in resent.get_data(as_text=True)
    message = smtp.wait_for(2)[-1]
    assert message["To"] == "pech@acme.example"
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation.id)
    assert invitation.sent_at is not None and invitation.send_failed_at is None


def test_organisation_name_with_line_break_never_answers_500(app, world, client_as, outbox):
    # Old data from before the single-line check: written past the ORM, as it would be in the table.
    db.session.execute(
        update(Organisation)
        .where(Organisation.id == world.org.id)
        .values(name="Acme\r\nBcc: iedereen@example.com")
    )
    db.session.commit()
    beheerder = client_as("beheerder")
    response = beheerder.post(INVITE, data={"email": "crlf@acme.example", "name": "X", "role": "auditor"})
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "crlf@acme.example"))
    assert invitation is not None and invitation.send_failed_at is None
    [message] = outbox()
    assert "Bcc" not in message.keys() and "\n" not in message["Subject"]
    assert message["To"] == "crlf@acme.example"
    again = beheerder.post(f"/o/acme/beheer/gebruikers/uitnodigingen/{invitation.id}/opnieuw")
    assert again.status_code == 302
    assert outbox()[-1]["To"] == "crlf@acme.example"


def test_resend_voids_the_older_link_and_withdraw_voids_all(app, world, client_as, outbox):
    beheerder = client_as("beheerder")
    _invite(beheerder, "twee@acme.example")
    old_link = _link(outbox()[-1])
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "twee@acme.example"))
    beheerder.post(f"/o/acme/beheer/gebruikers/uitnodigingen/{invitation.id}/opnieuw")
    new_link = _link(outbox()[-1])
    assert old_link != new_link
    assert app.test_client().get(old_link).headers["Location"].endswith("/login")
    assert app.test_client().get(new_link).status_code == 200
    beheerder.post(f"/o/acme/beheer/gebruikers/uitnodigingen/{invitation.id}/intrekken")
    assert app.test_client().get(new_link).headers["Location"].endswith("/login")
    assert db.session.scalar(select(Invitation).where(Invitation.email == "twee@acme.example")) is None


def test_invitations_of_another_organisation_are_404(app, world, client_as, outbox):
    _invite(client_as("beheerder"), "acme-only@acme.example")
    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "acme-only@acme.example"))
    other = client_as("other")
    for action in ("opnieuw", "intrekken"):
        url = f"/o/other/beheer/gebruikers/uitnodigingen/{invitation.id}/{action}"
        assert other.post(url).status_code == 404
    assert db.session.get(Invitation, invitation.id) is not None


def test_inviting_a_current_member_changes_nothing(world, client_as, outbox):
    member = world.users["auditor"]
    response = _invite(client_as("beheerder"), member.email, role="beheerder")
    assert "heeft al toegang" in response.get_data(as_text=True)
    assert _membership(member.email, world.org.id).role == "auditor"
    assert outbox() == []


# --- the last beheerder, under concurrency ----------------------------------------------


def _second_beheerder(world):
    user = accounts.create_user("tweede-beheerder@acme.example", "Tweede Beheerder", PASSWORD)
    accounts.add_membership(world.org, user, "beheerder")
    db.session.commit()
    first = world.users["beheerder"].membership_for(world.org.id)
    return first.id, user.membership_for(world.org.id).id


def _race(app, org_id, membership_ids, action):
    """Two transactions act at once; the first holds its transaction open for a while."""
    results, started = {}, threading.Event()

    def worker(index, membership_id):
        with app.app_context():
            org = db.session.get(Organisation, org_id)
            membership = db.session.get(Membership, membership_id)
            if index == 1:
                started.wait(5)
            try:
                action(org, membership)
                if index == 0:
                    started.set()
                    time.sleep(0.5)  # the other transaction tries now
                db.session.commit()
                results[index] = "ok"
            except ServiceError:
                db.session.rollback()
                results[index] = "refused"
            finally:
                started.set()
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, m)) for i, m in enumerate(membership_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_parallel_role_changes_keep_one_beheerder(app, world):
    ids = _second_beheerder(world)
    db.session.remove()
    results = _race(app, world.org.id, ids, lambda org, m: accounts.change_role(org, m, "auditor"))
    assert sorted(results.values()) == ["ok", "refused"]
    assert accounts.count_beheerders(db.session.get(Organisation, world.org.id)) == 1


def test_two_parallel_removals_keep_one_beheerder(app, world):
    ids = _second_beheerder(world)
    db.session.remove()
    results = _race(app, world.org.id, ids, accounts.remove_membership)
    assert sorted(results.values()) == ["ok", "refused"]
    assert accounts.count_beheerders(db.session.get(Organisation, world.org.id)) == 1


# --- platform administrator repairs memberships -----------------------------------------


def _platform_admin(app):
    admin = accounts.create_user("platform@riecycle.example", "Platformbeheer", PASSWORD)
    admin.is_platform_admin = True
    db.session.commit()
    return login(app.test_client(), admin.email), admin


def test_platform_admin_lists_members_and_makes_someone_beheerder(app, world):
    # The organisation has lost its beheerder.
    db.session.delete(world.users["beheerder"].membership_for(world.org.id))
    db.session.commit()
    client, admin = _platform_admin(app)
    url = f"/platform/organisaties/{world.org.id}/leden"
    page = client.get(url).get_data(as_text=True)
    assert world.users["auditor"].email in page and world.users["beheerder"].email not in page
    response = client.post(url, data={"email": world.users["auditor"].email, "role": "beheerder"})
    assert response.status_code == 302
    assert _membership(world.users["auditor"].email, world.org.id).role == "beheerder"
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.entity == "Rol", AuditEntry.organisation_id == world.org.id)
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None and entry.user_id == admin.id
    # Adding an account that is not a member yet works too.
    client.post(url, data={"email": world.users["other"].email, "role": "preventiemedewerker"})
    assert _membership(world.users["other"].email, world.org.id).role == "preventiemedewerker"
    # The repaired beheerder can manage again.
    assert (
        login(app.test_client(), world.users["auditor"].email).get("/o/acme/beheer/gebruikers").status_code
        == 200
    )


def test_platform_admin_page_refuses_bad_input_and_keeps_a_beheerder(app, world):
    client, _admin = _platform_admin(app)
    url = f"/platform/organisaties/{world.org.id}/leden"
    unknown = client.post(url, data={"email": "niemand@nergens.example", "role": "beheerder"})
    assert unknown.status_code == 400 and "geen account" in unknown.get_data(as_text=True)
    bad_role = client.post(url, data={"email": world.users["auditor"].email, "role": "koning"})
    assert bad_role.status_code == 400
    last = client.post(url, data={"email": world.users["beheerder"].email, "role": "auditor"})
    assert last.status_code == 400 and "minstens één beheerder" in last.get_data(as_text=True)
    assert _membership(world.users["beheerder"].email, world.org.id).role == "beheerder"
    assert client.get("/platform/organisaties/999999/leden").status_code == 404


def test_members_page_is_only_for_platform_administrators(app, world, client_as):
    url = f"/platform/organisaties/{world.org.id}/leden"
    assert client_as("beheerder").get(url).status_code == 403
    assert (
        client_as("beheerder").post(url, data={"email": "x@y.example", "role": "beheerder"}).status_code
        == 403
    )
    assert client_as("anon").get(url).status_code == 302


def test_new_organisation_invites_its_first_beheerder_who_becomes_one_on_accepting(app, world, outbox):
    client, _admin = _platform_admin(app)
    response = client.post(
        "/platform/organisaties/nieuw",
        data={
            "slug": "bakkerij",
            "name": "Bakkerij Jansen",
            "beheerder_email": "hr@bakkerij.example",
            "risk_method": "kinney",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "bakkerij"))
    assert db.session.scalar(select(User).where(User.email == "hr@bakkerij.example")) is None
    link = _link(outbox()[-1])
    invited = app.test_client()
    invited.post(
        link, data={"name": "HR", "password": "mijn-eigen-wachtwoord", "confirm": "mijn-eigen-wachtwoord"}
    )
    assert _membership("hr@bakkerij.example", org.id).role == "beheerder"
