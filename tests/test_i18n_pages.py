"""Pages of the cycle (RI&E, plan, voorlichting, evaluatie, zelfinspectie, dashboard) in English
for a user who chose English: translated headings appear, and no translated Dutch msgid leaks
through (a stale .mo or a string rendered without _() would show up here)."""

import html
import re
from io import BytesIO

import pytest
from babel.messages.pofile import read_po

from tests.factories import make_measure, make_rie, make_service_risk, measure_row, plan_file, risk_row
from tests.matrix.voorlichting import _new_session
from tests.support.files import EN_PO

# path -> English text that must appear (the Dutch msgid of each must not).
PAGES = {
    "/o/acme/cyclus": ["Policy cycle per PSA theme", "Needs attention", "At a glance"],
    "/o/acme/rie/": ["RI&E version 1", "PSA themes in this RI&E", "Top 5 knelpunten"],
    "/o/acme/rie/risicos": ["Risk register", "Add risk", "Clear filters"],
    "/o/acme/plan/": ["Plan van Aanpak", "Choose from catalogue", "Group by"],
    "/o/acme/voorlichting/": ["Voorlichting and instruction", "Coverage per team", "Plan session"],
    "/o/acme/evaluatie/": ["Evaluating and adjusting", "Planned evaluations"],
    "/o/acme/zelfinspectie/": ["What still needs to be done", "Score per section", "All items with evidence"],
    "/o/acme/beleid/": ["Policy register ongewenst gedrag", "Preventiemedewerker (Arbowet art. 13)"],
}


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def dutch_sentences():
    """Dutch sentences (4+ words) that differ from their English translation. Shorter msgids are
    left out: localized seed data may quote a Dutch term such as "Voorlichting en onderricht"."""
    with open(EN_PO, "rb") as handle:
        catalog = read_po(handle, locale="en")
    return {
        m.id
        for m in catalog
        if m.id
        and isinstance(m.id, str)
        and m.string
        and m.string != m.id
        and len(m.id.split()) >= 4
        and "%" not in m.id
    }


def test_cycle_pages_in_english(client_as, db, world, dutch_sentences):
    world.users["preventiemedewerker"].locale = "en"
    make_rie(world)
    risk = make_service_risk(world, title="Risico werkdruk zorgteams")
    make_measure(world, risk=risk, title="Maatregel werkdruk zorgteams")
    _new_session(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    # A run stores its findings as text in the language of whoever runs it, so run it as this user.
    ran = client.post("/o/acme/zelfinspectie/uitvoeren", follow_redirects=True).get_data(as_text=True)
    assert "The Zelfinspectie has been run: score" in ran
    for path, english in PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert 'lang="en"' in page, path
        text = _visible_text(page)
        for phrase in english:
            assert phrase in text, f"{path}: {phrase!r} missing"
        leaked = sorted(s for s in dutch_sentences if s in text)
        assert not leaked, f"{path} shows Dutch text to an English user: {leaked}"


def test_dutch_stays_the_default(client_as, world):
    text = _visible_text(client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True))
    assert "Beleidscyclus per PSA-thema" in text and "Policy cycle per PSA theme" not in text


def test_english_user_imports_the_dutch_workbook(client_as, db, world):
    """The Excel templates and exports are always Dutch, so their column headers must be matched in
    Dutch for an English user too; the messages around them are in English."""
    world.users["preventiemedewerker"].locale = "en"
    db.session.commit()
    client = client_as("preventiemedewerker")
    data = plan_file([risk_row()], [measure_row()])
    response = client.post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _visible_text(response.get_data(as_text=True))
    preview = _visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "This will be created: 1 risks and 1 measures." in preview


def test_theme_names_follow_the_language(client_as, db, world):
    risk = make_service_risk(world, title="Risico werkdruk zorgteams")
    db.session.commit()
    dutch = _visible_text(client_as("beheerder").get(f"/o/acme/rie/risicos/{risk.id}").get_data(as_text=True))
    world.users["preventiemedewerker"].locale = "en"
    db.session.commit()
    english = _visible_text(
        client_as("preventiemedewerker").get(f"/o/acme/rie/risicos/{risk.id}").get_data(as_text=True)
    )
    assert "Werkdruk (work pressure)" in english and "Werkdruk (work pressure)" not in dutch
