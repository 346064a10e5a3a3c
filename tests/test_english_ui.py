"""The English interface: dates day before month, the zelfinspectie findings in the reader's
language, no Dutch UI words on the main pages of any role, and catalogues that compile
themselves on a fresh install."""

import gettext
import html
import os
import re
import shutil
from datetime import date, datetime

import pytest

from riecycle import clock
from riecycle.i18n import compile_catalogues
from tests.factories import (
    build_rich_measures,
    build_rich_plan,
    make_attended_session,
    make_done_measure,
    make_evaluation,
    make_measure,
    make_rie,
    make_risk,
    make_version,
)
from tests.support.files import EN_PO

ROLES = ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor")

# The main pages of the cycle, as reached from the navigation.
MAIN_PAGES = (
    "/o/acme/",
    "/o/acme/cyclus",
    "/o/acme/rie/",
    "/o/acme/rie/risicos",
    "/o/acme/rie/heatmap",
    "/o/acme/rie/onderzoek",
    "/o/acme/plan/",
    "/o/acme/plan/niveaus",
    "/o/acme/plan/tijdlijn",
    "/o/acme/plan/versies",
    "/o/acme/plan/catalogus",
    "/o/acme/voorlichting/",
    "/o/acme/evaluatie/",
    "/o/acme/pulse/",
    "/o/acme/wegwijzer/",
    "/o/acme/zelfinspectie/",
    "/o/acme/zelfinspectie/historie",
    "/o/acme/beleid/",
    "/o/acme/export/",
    "/o/acme/audit/",
    "/meldingen/",
    "/account/",
)

# Ordinary Dutch words of the interface (buttons, headings, sentences). Domain words that stay
# Dutch (RI&E, Plan van Aanpak, voorlichting, preventiemedewerker, ...) are not in this list, nor
# the Dutch sheet names of the workbook (Risico's, Meldingen) that the export page names.
DUTCH_UI_WORDS = (
    "toevoegen",
    "Toevoegen",
    "opslaan",
    "Opslaan",
    "bewerken",
    "Bewerken",
    "verwijderen",
    "Verwijderen",
    "Annuleren",
    "Uitloggen",
    "Zoeken",
    "bekijken",
    "Bekijken",
    "vastleggen",
    "Vastleggen",
    "Terug naar",
    "wordt",
    "worden",
    "Geen",
    "niet",
    "Nieuwe",
    "Datum",
    "Beoordelen",
    "Maatregelen",
    "Evaluatie ",
    "Verantwoordelijke",
    "Borging",
    "borging",
    "Uitvoeren",
    "Overzicht",
    "Instellingen",
    "dagen",
)
DUTCH_WORD = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w.strip()) for w in DUTCH_UI_WORDS) + r")(?![\w-])"
)
# A domain term followed by its English gloss, as docs/domain.md §1 names the cycle's stages:
# "Uitvoeren met regie (carry out with direction)".
GLOSSED = re.compile(r"[A-Z][a-z]+(?: [a-z]+)* \([a-z][^()]*\)")
# What the test data itself says in Dutch.
USER_DATA = ("Geen signalen in het MTO.",)
# American dates: 12/3/26, Dec 3, 2026, 8:14 AM.
# Also a month with a two-digit year ("Dec 26"), which reads as 26 December.
US_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[A-Z][a-z]{2} \d{1,2}, \d{4}\b|\d{1,2}:\d{2}\s?[AP]M\b"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}\b(?! \d{4})"
)


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _english(db, world, *roles):
    for role in roles:
        world.users[role].locale = "en"
    db.session.commit()


def test_dates_are_day_month_in_english(client_as, db, world):
    risk = make_risk(world, title="Drukte in maart")
    measure = make_measure(world, risk=risk, title="Roosteroverleg", termijn=date(2027, 3, 12))
    db.session.commit()
    _english(db, world, "preventiemedewerker")
    english = client_as("preventiemedewerker")
    page = _visible_text(english.get(f"/o/acme/plan/{measure.id}").get_data(as_text=True))
    assert "12 Mar 2027" in page or "12 March 2027" in page
    assert not US_DATE.search(page), US_DATE.search(page).group(0)
    # A moment (the audit log) has the day first and a 24-hour clock.
    _english(db, world, "beheerder")
    audit = _visible_text(client_as("beheerder").get("/o/acme/audit/").get_data(as_text=True))
    now = datetime.now(clock.AMSTERDAM)
    assert re.search(rf"\b{now.day} {now.strftime('%b')} {now.year} \d{{2}}:\d{{2}}\b", audit), audit[:600]
    assert not US_DATE.search(audit), US_DATE.search(audit).group(0)
    # Dutch stays Dutch.
    dutch = _visible_text(
        client_as("leidinggevende").get(f"/o/acme/plan/{measure.id}").get_data(as_text=True)
    )
    assert "12 mrt 2027" in dutch or "12 mrt. 2027" in dutch or "12 maart 2027" in dutch


def test_filters_format_english_dates_day_first(app):
    from riecycle.formatting import fmt_date, fmt_datetime, fmt_month

    moment = datetime(2026, 12, 3, 8, 14, tzinfo=clock.AMSTERDAM)
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            assert fmt_date(date(2026, 12, 3)) == "3 Dec 2026"
            assert fmt_date(date(2026, 12, 3), "long") == "3 December 2026"
            assert fmt_date(date(2026, 12, 3), "full") == "Thursday 3 December 2026"
            assert fmt_datetime(moment) == "3 Dec 2026 08:14"
            assert fmt_date(moment) == "3 Dec 2026 08:14"
            assert fmt_month(date(2026, 12, 1)) == "Dec 2026"
        with force_locale("nl"):
            assert fmt_date(date(2026, 12, 3), "long") == "3 december 2026"
            assert fmt_datetime(moment).startswith("03-12-2026")
            assert fmt_month(date(2026, 12, 1)) == "dec 26"


def test_zelfinspectie_findings_follow_the_readers_language(client_as, db, world):
    """A Dutch preventiemedewerker runs the zelfinspectie; an English auditor reads it in English,
    with the fix link "Add measure" for a risk without measures, and English section headings."""
    make_rie(world)
    make_risk(world, title="Piekdrukte rond de jaarafsluiting")
    db.session.commit()
    client_as("preventiemedewerker").post("/o/acme/zelfinspectie/uitvoeren")
    _english(db, world, "beheerder")
    english = _visible_text(client_as("beheerder").get("/o/acme/zelfinspectie/").get_data(as_text=True))
    assert "E. Evaluation and safeguarding" in english
    assert "Add measure" in english
    assert "Maatregel toevoegen" not in english
    assert "borging" not in english.lower()
    assert "RI&E version 1" in english and "RI&E versie" not in english
    dutch = _visible_text(
        client_as("preventiemedewerker").get("/o/acme/zelfinspectie/").get_data(as_text=True)
    )
    assert "Maatregel toevoegen" in dutch and "E. Evaluatie en borging" in dutch


def test_risk_page_button_in_english(client_as, db, world):
    risk = make_risk(world, title="Piekdrukte rond de jaarafsluiting")
    db.session.commit()
    _english(db, world, "preventiemedewerker")
    text = _visible_text(
        client_as("preventiemedewerker").get(f"/o/acme/rie/risicos/{risk.id}").get_data(as_text=True)
    )
    assert "Add measure" in text and "Maatregel toevoegen" not in text


@pytest.fixture
def rich_world(db, world):
    make_rie(world)
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    done = make_done_measure(world, title="Roosteroverleg per kwartaal")
    evaluation = make_evaluation(world, done)
    session = make_attended_session(world)
    version = make_version(world)
    db.session.commit()
    world.detail_pages = (
        f"/o/acme/rie/risicos/{werkdruk.id}",
        f"/o/acme/plan/{done.id}",
        f"/o/acme/evaluatie/{evaluation.id}",
        f"/o/acme/voorlichting/{session.id}",
        f"/o/acme/plan/versies/{version.id}",
    )
    return world


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_in_english_have_no_dutch_ui_words(client_as, db, rich_world, role):
    client_as("preventiemedewerker").post("/o/acme/zelfinspectie/uitvoeren")  # run in Dutch
    _english(db, rich_world, role)
    client = client_as(role)
    found = {}
    for path in MAIN_PAGES + rich_world.detail_pages:
        response = client.get(path)
        if response.status_code != 200:  # a page this role may not open
            assert response.status_code in (302, 403, 404), (path, response.status_code)
            continue
        page = response.get_data(as_text=True)
        assert 'lang="en"' in page, path
        text = GLOSSED.sub(" ", _visible_text(page))
        for data in USER_DATA:
            text = text.replace(data, " ")
        words = sorted(set(DUTCH_WORD.findall(text)))
        if words:
            found[path] = words
        assert not US_DATE.search(text), (path, US_DATE.search(text).group(0))
    assert not found, f"Dutch interface words shown to an English {role}: {found}"


def test_catalogues_compile_when_missing_or_stale(tmp_path):
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = target / "messages.po"
    shutil.copy(EN_PO, po)
    [mo] = compile_catalogues(tmp_path)
    assert mo == target / "messages.mo"
    catalogue = gettext.GNUTranslations(mo.open("rb"))
    assert catalogue.gettext("Maatregel toevoegen") == "Add measure"
    assert compile_catalogues(tmp_path) == []  # up to date: nothing written
    # A newer .po (an upgrade) is compiled again.
    with po.open("a") as handle:
        handle.write('\nmsgid "Alleen in deze test"\nmsgstr "Only in this test"\n')
    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))
    assert compile_catalogues(tmp_path) == [mo]
    assert gettext.GNUTranslations(mo.open("rb")).gettext("Alleen in deze test") == "Only in this test"
    assert not list(target.glob(".messages.*"))


def test_a_read_only_install_logs_instead_of_failing(tmp_path, caplog, monkeypatch):
    import logging

    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(EN_PO, target / "messages.po")

    # A read-only install: the tests run as root, for whom file permissions do not apply, so
    # the write itself is made to fail as it does on a read-only file system.
    def read_only(*args, **kwargs):
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    logger = logging.getLogger("riecycle-test")
    with caplog.at_level(logging.ERROR, logger="riecycle-test"):
        assert compile_catalogues(tmp_path, logger) == []
    assert "make translations" in caplog.text
    assert not (target / "messages.mo").exists()
    assert not list(target.glob(".messages.*"))  # no half-written file left behind


def test_audit_record_kinds_in_english(client_as, db, world):
    _english(db, world, "auditor")
    text = _visible_text(client_as("auditor").get("/o/acme/audit/").get_data(as_text=True))
    for english in (
        "Risk assessment",
        "Status change",
        "Incident report",
        "Policy instrument",
        "Progress note",
    ):
        assert english in text, english
    for dutch in ("Risicobeoordeling", "Statuswijziging", "Beleidsinstrument", "Voortgangsnotitie"):
        assert dutch not in text, dutch
    dutch_page = _visible_text(client_as("beheerder").get("/o/acme/audit/").get_data(as_text=True))
    assert "Risicobeoordeling" in dutch_page and "Melding" in dutch_page
