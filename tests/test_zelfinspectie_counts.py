"""The counts of C13, C14, A1, E24 link to the records they counted; employees are named only to
who may see them (docs/domain.md §9), the others see a number per team."""

import re

import pytest
from sqlalchemy import select

from riecycle.services import zelfinspectie as service
from tests.factories import make_attended_session


def _run(db, world):
    run = service.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    return run


def _url(run, item_id, key):
    return f"/o/acme/zelfinspectie/uitvoeringen/{run.id}/items/{item_id}/lijst/{key}"


def _cells(html: str) -> list[str]:
    body = html[html.index('class="zi-counted-list"') :] if 'class="zi-counted-list"' in html else ""
    return re.findall(r"<td>([^<]*)</td>", body)


def _entry(run, item_id):
    return next(e for e in run.items if e["id"] == item_id)


def test_c13_counts_the_informed_and_the_uninformed_staff(db, world):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    counts = {c["key"]: c for c in _entry(run, "C13")["counts"]}
    assert counts["geinformeerd"]["n"] == 2 and counts["geinformeerd"]["kind"] == "employee"
    assert counts["niet_geinformeerd"]["n"] == 4
    assert counts["geinformeerd"]["label"] == "2 medewerkers met voorlichting"


def test_staff_who_may_see_employees_get_their_names(client_as, db, world):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    page = client_as("preventiemedewerker").get(_url(run, "C13", "geinformeerd")).text
    informed = world.employees[1:3]
    for employee in informed:
        assert employee.name in _cells(page)
    assert "data-hidden" not in page
    assert world.employees[0].name not in page


def test_a_leidinggevende_sees_names_of_their_team_and_the_rest_as_counts(client_as, db, world):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    page = client_as("leidinggevende").get(_url(run, "C13", "geinformeerd")).text
    noord, zuid = world.employees[2], world.employees[1]  # informed: one of each team
    assert noord.name in _cells(page)
    assert zuid.name not in page
    assert "Zorgteam Zuid" in _cells(page) and "1 medewerker (namen niet zichtbaar)" in page
    assert 'data-hidden="1"' in page


@pytest.mark.parametrize("role", ["or_lid", "auditor"])
def test_or_and_auditor_see_staff_only_as_counts_per_team(client_as, db, world, role):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    page = client_as(role).get(_url(run, "C13", "niet_geinformeerd")).text
    for employee in world.employees:
        assert employee.name not in page
    cells = _cells(page)
    assert "Zorgteam Noord" in cells and "Zorgteam Zuid" in cells
    assert "2 medewerkers (namen niet zichtbaar)" in page
    assert 'data-hidden="4"' in page


def test_c14_counts_the_leidinggevenden(client_as, db, world):
    world.employees[0].is_leidinggevende = True
    world.employees[3].is_leidinggevende = True
    db.session.commit()
    run = _run(db, world)
    counts = {c["key"]: c for c in _entry(run, "C14")["counts"]}
    assert counts["niet_geinformeerd"]["n"] == 2 and counts["geinformeerd"]["n"] == 0
    page = client_as("beheerder").get(_url(run, "C14", "niet_geinformeerd")).text
    assert world.employees[0].name in _cells(page) and world.employees[3].name in _cells(page)


@pytest.fixture
def built(db, world):
    from tests.factories import build_compliant_org

    built = build_compliant_org(world)
    db.session.commit()
    return built


def test_a1_lists_the_themes_with_what_the_rie_concluded(client_as, db, world, built):
    from riecycle.models import Theme

    run = _run(db, world)
    counts = {c["key"]: c for c in _entry(run, "A1")["counts"]}
    themes = {t.key: t.name_nl for t in db.session.scalars(select(Theme))}
    assert sum(counts[k]["n"] for k in ("met_risico", "geen_risico", "nvt")) == len(themes)
    assert "zonder_conclusie" not in counts
    page = client_as("or_lid").get(_url(run, "A1", "geen_risico")).text
    assert _cells(page) == [
        themes[built.no_risk_theme],
        "onderzocht, geen risico: Onderzocht in de interviews met alle teams: geen risico gevonden.",
    ]
    with_risks = client_as("auditor").get(_url(run, "A1", "met_risico")).text
    assert len(_cells(with_risks)) == 2 * counts["met_risico"]["n"] and "risico" in _cells(with_risks)[1]


def test_a1_lists_the_themes_without_a_conclusion(client_as, db, world, built):
    entry = built.themes[built.no_risk_theme]
    entry.reason = ""
    db.session.commit()
    run = _run(db, world)
    page = client_as("beheerder").get(_url(run, "A1", "zonder_conclusie")).text
    assert "geen risico en geen vastgelegde conclusie" in _cells(page)


def test_a1_lists_the_themes_of_the_rie_version_the_rule_judged(client_as, db, world, built):
    from markupsafe import escape

    from riecycle import clock
    from riecycle.services import rie as rie_service

    run = _run(db, world)
    counts = {c["key"]: c for c in _entry(run, "A1")["counts"]}
    assert {c["rie_id"] for c in counts.values()} == {built.rie.id}
    # A newer RI&E becomes current, with no conclusions and no risks yet.
    newer = rie_service.create_rie(
        world.org,
        {
            "performed_on": clock.today(),
            "performed_by_kind": "intern",
            "performed_by": "Werkgroep PSA",
            "review_interval_months": 36,
        },
    )
    db.session.commit()
    assert newer.is_current and newer.version == built.rie.version + 1
    page = client_as("or_lid").get(_url(run, "A1", "geen_risico")).text
    assert _cells(page)[1].startswith("onderzocht, geen risico: Onderzocht in de interviews")
    assert f"Volgens {escape(built.rie.label)}." in page
    with_risks = client_as("auditor").get(_url(run, "A1", "met_risico")).text
    assert "geen risico en geen vastgelegde conclusie" not in with_risks
    assert all("risico" in cell for cell in _cells(with_risks)[1::2])
    # The next run judges the newer RI&E, and its list follows.
    later = _run(db, world)
    [count] = [c for c in _entry(later, "A1")["counts"] if c["key"] == "zonder_conclusie"]
    assert count["rie_id"] == newer.id
    page = client_as("or_lid").get(_url(later, "A1", "zonder_conclusie")).text
    assert (
        f"Volgens {escape(newer.label)}." in page
        and "geen risico en geen vastgelegde conclusie" in _cells(page)
    )


def test_a3_lists_the_onderzoeken_with_their_results_per_team(client_as, db, world, built):
    run = _run(db, world)
    keys = [c["key"] for c in _entry(run, "A3")["counts"]]
    assert keys == ["werkdrukrisicos", "onderzoeken"]
    page = client_as("leidinggevende").get(_url(run, "A3", "onderzoeken")).text
    assert built.onderzoek.title in page
    assert "Zorgteam Noord: 6 respondenten" in _cells(page)


def test_e22_lists_the_sources_compared(client_as, db, world, built):
    from riecycle.models import Factor

    run = _run(db, world)
    counts = {c["key"]: c for c in _entry(run, "E22")["counts"]}
    assert set(counts) == {"nulmeting", "herhaling"}
    page = client_as("or_lid").get(_url(run, "E22", "herhaling")).text
    names = [
        f.name_nl
        for f in db.session.scalars(select(Factor).where(Factor.key.in_(counts["herhaling"]["keys"])))
    ]
    assert names and all(n in _cells(page) for n in names)
    assert "energiebron" in _cells(page) and "werkdrukbron" in _cells(page)


def test_e24_lists_the_appointment_without_naming_the_person(client_as, db, world, built):
    run = _run(db, world)
    page = client_as("auditor").get(_url(run, "E24", "aanstelling")).text
    assert any(
        c.startswith("Aanstelling sinds") for c in re.findall(r'<a href="[^"]+">([^<]+)</a></td>', page)
    )
    assert "4 uur per week" in page
    listed = page.split('class="zi-counted-list"')[1]
    assert all(user.name not in listed for user in world.users.values())


def test_the_number_in_the_sentence_is_the_link_to_its_list(client_as, db, world):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    page = client_as("or_lid").get("/o/acme/zelfinspectie/").text
    item = page[page.index('id="item-C13"') :]
    item = item[: item.index("</article>")]
    sentence = re.search(r'<p class="zi-expl">(.*?)</p>', item, re.S).group(1)
    # "33% van de medewerkers (2 van 6) ...": the 2 links to the informed, the 33 is no count.
    links = re.findall(
        r'<a href="([^"]+)" class="zi-count-link" data-count="([^"]+)"[^>]*>([^<]+)</a>', sentence
    )
    assert (_url(run, "C13", "geinformeerd"), "geinformeerd", "2") in links
    assert "33%" in sentence and ">33<" not in sentence
    # The "Geteld" line keeps the full labels for screen readers and counts the sentence does not name.
    assert "2 medewerkers met voorlichting" in item and "4 medewerkers zonder voorlichting" in item


def test_a_number_in_a_date_is_not_taken_for_the_count(db, world, app):
    from riecycle.views.zelfinspectie import _linked_explanation

    class Run:
        id = 7

    entry = {
        "id": "C15",
        "explanation": "Sessie van 02-03-2026 en 2 andere; 12 sessies, waarvan 2 zonder presentie.",
        "counts": [{"key": "zonder", "label": "2 zonder presentie"}, {"key": "alle", "label": "12 sessies"}],
    }
    with app.test_request_context("/o/acme/zelfinspectie/"):
        from flask import g

        g.org = world.org
        html = str(_linked_explanation(Run, entry))
    assert "02-03-2026" in html and html.count("zi-count-link") == 2
    assert ">2</a> andere" in html and ">12</a> sessies" in html


def test_the_print_view_shows_the_counts_as_plain_text(client_as, db, world):
    make_attended_session(world)
    db.session.commit()
    run = _run(db, world)
    page = client_as("auditor").get(f"/o/acme/zelfinspectie/uitvoeringen/{run.id}/afdrukken").text
    assert "Geteld: 2 medewerkers met voorlichting · 4 medewerkers zonder voorlichting" in page
    assert "/lijst/" not in page


def test_a3_a_leidinggevende_sees_their_part_of_the_werkdruk_risks_and_how_many_are_hidden(
    client_as, db, world, built
):
    from tests.factories import make_risk

    zuid = make_risk(world, "Roosterdruk in Zuid", scope="teams")
    zuid.teams = [world.teams["Zorgteam Zuid"]]
    db.session.commit()
    run = _run(db, world)
    count = next(c for c in _entry(run, "A3")["counts"] if c["key"] == "werkdrukrisicos")
    page = client_as("leidinggevende").get(_url(run, "A3", "werkdrukrisicos")).text
    assert "Roosterdruk in Zuid" not in page and 'data-hidden="1"' in page
    full = client_as("preventiemedewerker").get(_url(run, "A3", "werkdrukrisicos")).text
    assert "Roosterdruk in Zuid" in full and "data-hidden" not in full
    assert count["n"] >= 2
