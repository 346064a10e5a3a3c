"""Opening a pulse round by hand asks first, with the number of mails that will go out."""

import re

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import PulseRound
from tests.factories import make_survey


def test_the_index_links_to_a_confirmation_that_sends_nothing(staffed, client_as, outbox):
    make_survey(staffed)
    client = client_as("beheerder")
    index = client.get("/o/acme/pulse/").get_data(as_text=True)
    assert re.search(r'<a class="button" href="/o/acme/pulse/ronde-openen">Nu een ronde openen', index)

    page = client.get("/o/acme/pulse/ronde-openen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Er gaan 14 e-mails uit met een persoonlijke link (medewerkers van 2 teams)." in html
    assert "Ronde openen en 14 e-mails versturen" in html
    assert re.search(r'<form method="post" action="/o/acme/pulse/ronde-openen"', html)
    assert 'name="csrf_token"' in html and 'name="bevestigd" value="ja"' in html
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(PulseRound)) == 0


def test_a_post_without_the_confirmation_opens_no_round(staffed, client_as, outbox):
    make_survey(staffed)
    client = client_as("preventiemedewerker")
    response = client.post("/o/acme/pulse/ronde-openen")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/o/acme/pulse/ronde-openen")
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(PulseRound)) == 0


def test_confirming_opens_the_round_and_mails_the_counted_people(staffed, client_as, outbox):
    make_survey(staffed)
    client = client_as("preventiemedewerker")
    response = client.post("/o/acme/pulse/ronde-openen", data={"bevestigd": "ja"}, follow_redirects=True)
    assert "14 van 14 uitnodigingen zijn gemaild" in response.get_data(as_text=True)
    assert len(outbox()) == 14
    # With the round open, the confirmation page offers nothing to send.
    again = client.get("/o/acme/pulse/ronde-openen").get_data(as_text=True)
    assert "staat al open" in again and 'name="bevestigd"' not in again


def test_only_editors_may_see_the_confirmation(staffed, client_as):
    make_survey(staffed)
    assert client_as("or_lid").get("/o/acme/pulse/ronde-openen").status_code == 403
    assert (
        client_as("auditor").post("/o/acme/pulse/ronde-openen", data={"bevestigd": "ja"}).status_code == 403
    )
