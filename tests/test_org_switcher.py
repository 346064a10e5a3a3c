"""An adviser in many organisations: the header lists the first ones, a page lists and searches them all."""

import re

from riecycle.extensions import db
from riecycle.services import accounts
from riecycle.views import account as account_views
from tests.factories import make_org


def _adviser_in(world, n: int):
    adviser = world.users["auditor"]
    for i in range(n):
        org = make_org(f"klant-{i:02d}", f"Klant {i:02d} BV")
        accounts.add_membership(org, adviser, "auditor")
    db.session.commit()
    return adviser


def test_the_header_lists_the_first_organisations_and_links_to_all(world, client_as, monkeypatch):
    monkeypatch.setattr(account_views, "SWITCHER_LIMIT", 5)
    _adviser_in(world, 8)
    html = client_as("auditor").get("/o/acme/").get_data(as_text=True)
    switcher = re.search(r'<details class="switcher">(.*?)</details>', html, re.S).group(1)
    assert switcher.count('href="/o/') == 5 and "Alle 9 organisaties" in switcher
    assert client_as("beheerder").get("/o/acme/").get_data(as_text=True).count('class="switcher"') == 0


def test_the_organisations_page_searches_and_pages(world, client_as, monkeypatch):
    monkeypatch.setattr(account_views, "ORGANISATIONS_PER_PAGE", 4)
    _adviser_in(world, 8)
    client = client_as("auditor")
    first = client.get("/account/organisaties").get_data(as_text=True)
    assert "Pagina 1 van 3" in first and "Acme Zorg" in first and "Klant 07 BV" not in first
    found = client.get("/account/organisaties?q=klant 07").get_data(as_text=True)
    assert re.findall(r'href="/o/([^/"]+)/"', found) == ["klant-07"]
    assert "Geen organisaties gevonden" in client.get("/account/organisaties?q=bestaat niet").get_data(
        as_text=True
    )


def test_home_goes_to_the_last_organisation(world, client_as):
    adviser = _adviser_in(world, 3)
    client = client_as("auditor")
    client.get("/o/klant-01/")
    assert client.get("/").headers["Location"].endswith("/o/klant-01/")
    assert adviser.id
