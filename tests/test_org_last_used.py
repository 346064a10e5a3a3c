"""The last-used organisation: a plain GET writes nothing; login and logout save it on the user."""

from riecycle.extensions import db
from riecycle.models import User
from riecycle.services import accounts
from tests.conftest import login
from tests.factories import make_org
from tests.support.queries import count_queries

WRITES = ("INSERT", "UPDATE", "DELETE")


def _second_org(world):
    adviser = world.users["auditor"]
    second = make_org("klant-a", "Klant A BV")
    accounts.add_membership(second, adviser, "auditor")
    db.session.commit()
    return adviser, second


def _last_org(user_id: int):
    db.session.expire_all()
    return db.session.get(User, user_id).last_organisation_id


def test_a_plain_get_of_another_organisation_writes_nothing(world, client_as):
    adviser, second = _second_org(world)
    client = client_as("auditor")
    before = _last_org(adviser.id)
    with count_queries(db.engine) as counter:
        response = client.get("/o/klant-a/")
    assert response.status_code == 200 and "Klant A BV" in response.get_data(as_text=True)
    assert [s for s in counter.statements if s.lstrip().upper().startswith(WRITES)] == []
    assert _last_org(adviser.id) == before != second.id
    # ... and yet home takes this browser back to where it was working.
    assert client.get("/").headers["Location"].endswith("/o/klant-a/")


def test_logout_saves_the_organisation_for_the_next_login(world, app, client_as):
    adviser, second = _second_org(world)
    client = client_as("auditor")
    client.get("/o/klant-a/")
    client.post("/logout")
    assert _last_org(adviser.id) == second.id
    elsewhere = login(app.test_client(), adviser.email)  # another browser, without the first's cookie
    assert elsewhere.get("/").headers["Location"].endswith("/o/klant-a/")


def test_login_saves_the_organisation_this_browser_worked_in(world, app, client_as):
    adviser, second = _second_org(world)
    client = client_as("auditor")
    client.get("/o/klant-a/")
    with client.session_transaction() as session:  # the login expires; the browser keeps its cookie
        session.pop("_user_id", None)
    login(client, adviser.email)
    assert _last_org(adviser.id) == second.id
    elsewhere = login(app.test_client(), adviser.email)
    assert elsewhere.get("/").headers["Location"].endswith("/o/klant-a/")


def test_an_organisation_the_user_is_not_a_member_of_is_never_saved(world, client_as):
    adviser, _second = _second_org(world)
    client = client_as("auditor")
    client.get("/o/klant-a/")
    with client.session_transaction() as session:  # a tampered or stale cookie
        session["org_id"] = world.other_org.id
    client.post("/logout")
    assert _last_org(adviser.id) != world.other_org.id
    assert accounts.remember_organisation(db.session.get(User, adviser.id), world.other_org.id) is False
