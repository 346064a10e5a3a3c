"""Every count of an evidence sentence links to the records it counted
(as each viewer may see them, with how many are hidden), a re-run says what changed since the
previous run and why, and a fix link brings the user back to the checklist item."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.models import ChecklistRun, Measure, PolicyInstrument, Risk
from riecycle.services import zelfinspectie as service
from riecycle.zelfinspectie_rules import pack_ids, unpack_ids

ORG_TITLES = ("Werkoverleg herzien", "Piekbelasting spreiden", "Pauzeruimte inrichten")


def _measures(db, world, termijn_days: int = -10):
    """Three organisation-level measures and one individual measure per team, all due `termijn_days` from today."""
    risk = Risk(
        organisation_id=world.org.id,
        theme_key="werkdruk",
        title="Hoge werkdruk",
        description="x",
        scope="organisatie",
    )
    db.session.add(risk)
    termijn = clock.today() + timedelta(days=termijn_days)
    responsible = world.users["preventiemedewerker"].id
    measures = [
        Measure(
            organisation_id=world.org.id,
            title=t,
            level="organisatie",
            approach="bronaanpak",
            responsible_id=responsible,
            termijn=termijn,
        )
        for t in ORG_TITLES
    ]
    noord, zuid = world.employees[0], world.employees[1]  # the leidinggevende leads Noord
    for employee in (noord, zuid):
        measures.append(
            Measure(
                organisation_id=world.org.id,
                title=f"Rooster aanpassen voor {employee.name}",
                level="individu",
                approach="bronaanpak",
                employee_id=employee.id,
                responsible_id=responsible,
                termijn=termijn,
            )
        )
    for m in measures:
        m.risks = [risk]
        db.session.add(m)
    db.session.commit()
    return measures


def _run(db, world):
    run = service.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    return run


def _list_url(run, item_id, key):
    return f"/o/acme/zelfinspectie/uitvoeringen/{run.id}/items/{item_id}/lijst/{key}"


def _rows(html: str) -> list[str]:
    body = html[html.index('class="zi-counted-list"') :] if 'class="zi-counted-list"' in html else ""
    return re.findall(r'<td><a href="/o/acme/plan/\d+">([^<]+)</a></td>', body)


def test_ids_pack_into_runs_and_back():
    assert pack_ids([7, 1, 2, 3, 9, 8]) == [[1, 3], [7, 9]]
    assert unpack_ids(pack_ids(range(1, 3001))) == list(range(1, 3001))
    assert unpack_ids([[1, 2], "x", [5], [None, 3], [4, 4]]) == [1, 2, 4]


def test_a_run_stores_every_count_with_the_ids_it_counted(db, world):
    measures = _measures(db, world)
    run = _run(db, world)
    b12 = run.item("B12")
    counts = {c["key"]: c for c in b12["counts"]}
    ids = sorted(m.id for m in measures)
    assert counts["maatregelen"]["n"] == 5 and unpack_ids(run.counted("B12", "maatregelen")) == ids
    assert counts["over_termijn"]["label"] == "5 over de termijn"
    assert unpack_ids(run.counted("B12", "over_termijn")) == ids
    # The items only say how many; the ids are kept apart, for the list pages.
    assert all("ids" not in count for entry in run.items for count in entry["counts"])
    # The counts match the sentence they belong to.
    assert "5 van 5 maatregelen (100%) zijn over de termijn" in b12["explanation"]
    b9 = {c["key"]: c["n"] for c in run.item("B9")["counts"]}
    assert b9 == {"organisatie": 3, "team": 0, "individu": 2}
    assert "3 op organisatie-, 0 op team- en 2 op individueel niveau" in run.item("B9")["explanation"]
    b7 = {c["key"]: c for c in run.item("B7")["counts"]}
    assert b7["risicos"]["n"] == 1 and "zonder_maatregel" not in b7


def test_the_report_links_each_count_to_its_list(client_as, db, world):
    _measures(db, world)
    run = _run(db, world)
    page = client_as("beheerder").get("/o/acme/zelfinspectie/").text
    item = page[page.index('id="item-B12"') :]
    item = item[: item.index("</article>")]
    assert f'href="{_list_url(run, "B12", "over_termijn")}"' in item
    assert ">5 over de termijn</a>" in item
    assert ">5 maatregelen</a>" in item


def test_the_full_list_for_someone_who_may_see_everything(client_as, db, world):
    measures = _measures(db, world)
    run = _run(db, world)
    response = client_as("beheerder").get(_list_url(run, "B12", "over_termijn"))
    assert response.status_code == 200
    rows = _rows(response.text)
    assert sorted(rows) == sorted(m.title for m in measures)
    assert "data-hidden" not in response.text
    assert "Bij deze uitvoering zijn 5 records geteld, voor de hele organisatie." in response.text


def test_a_leidinggevende_sees_their_part_and_how_many_are_hidden(client_as, db, world):
    measures = _measures(db, world)
    run = _run(db, world)
    page = client_as("leidinggevende").get(_list_url(run, "B12", "over_termijn")).text
    rows = _rows(page)
    noord, zuid = world.employees[0], world.employees[1]
    assert sorted(rows) == sorted([*ORG_TITLES, f"Rooster aanpassen voor {noord.name}"])
    assert zuid.name not in page and "Zorgteam Zuid" not in page
    assert 'data-hidden="1"' in page and "1 daarvan mag u niet inzien" in page
    # Individual measures per level: the leidinggevende sees their own team's, the other is hidden.
    individual = client_as("leidinggevende").get(_list_url(run, "B9", "individu")).text
    assert _rows(individual) == [f"Rooster aanpassen voor {noord.name}"] and 'data-hidden="1"' in individual
    # The count itself is for the whole organisation.
    assert "5 over de termijn" in page
    assert len(measures) == 5


@pytest.mark.parametrize("role", ["or_lid", "auditor"])
def test_or_and_auditor_see_individual_measures_only_as_pseudonyms(client_as, db, world, role):
    measures = _measures(db, world)
    run = _run(db, world)
    page = client_as(role).get(_list_url(run, "B12", "over_termijn")).text
    rows = _rows(page)
    assert len(rows) == 5
    for employee in world.employees:
        assert employee.name not in page
    individual = [m for m in measures if m.level == "individu"]
    for m in individual:
        assert f"individuele maatregel #{m.id}" in page
    assert set(ORG_TITLES) <= set(rows)


def test_the_list_shows_what_was_counted_at_that_run(client_as, db, world):
    measures = _measures(db, world)
    run = _run(db, world)
    gone = measures[0]
    gone.deleted_at = clock.now()
    db.session.add(
        Measure(
            organisation_id=world.org.id,
            title="Later toegevoegd",
            level="organisatie",
            approach="bronaanpak",
            responsible_id=world.users["preventiemedewerker"].id,
            termijn=clock.today() - timedelta(days=3),
        )
    )
    db.session.commit()
    page = client_as("beheerder").get(_list_url(run, "B12", "over_termijn")).text
    rows = _rows(page)
    assert "Later toegevoegd" not in rows and gone.title not in rows and len(rows) == 4
    assert 'data-gone="1"' in page and "1 is sindsdien verwijderd." in page


def test_unknown_lists_and_other_tenants_are_not_found(client_as, db, world):
    _measures(db, world)
    run = _run(db, world)
    client = client_as("beheerder")
    assert client.get(_list_url(run, "B12", "bestaat_niet")).status_code == 404
    assert client.get(_list_url(run, "Z99", "over_termijn")).status_code == 404
    assert (
        client.get(f"/o/acme/zelfinspectie/uitvoeringen/{run.id + 999}/items/B12/lijst/x").status_code == 404
    )
    other = client_as("other")
    assert (
        other.get(f"/o/other/zelfinspectie/uitvoeringen/{run.id}/items/B12/lijst/over_termijn").status_code
        == 404
    )
    assert other.get(_list_url(run, "B12", "over_termijn")).status_code == 404


def test_a_list_from_a_stored_run_never_lists_another_tenants_records(client_as, db, world):
    """Stored ids are not trusted: a record of another organisation is neither listed nor counted as hidden."""
    _measures(db, world)
    foreign = Measure(
        organisation_id=world.other_org.id,
        title="Geheim van een ander",
        level="organisatie",
        approach="bronaanpak",
        responsible_id=world.users["other"].id,
        termijn=clock.today(),
    )
    db.session.add(foreign)
    db.session.commit()
    items = service.evaluate(world.org)
    for entry in items:
        for count in entry["counts"]:
            count["ids"] = pack_ids([*unpack_ids(count["ids"]), foreign.id])
    run = ChecklistRun(
        organisation_id=world.org.id,
        run_at=clock.now(),
        run_on=clock.today(),
        origin="web",
        score=0.5,
        group_scores={},
        **dict(zip(("items", "counted_ids"), service.split_counted(items), strict=True)),
    )
    db.session.add(run)
    db.session.commit()
    page = client_as("beheerder").get(_list_url(run, "B12", "over_termijn")).text
    assert "Geheim van een ander" not in page and "data-hidden" not in page and 'data-gone="1"' in page


# --- point 12: from run to run ------------------------------------------------------------------


def _gedragscode(db, world):
    db.session.add(
        PolicyInstrument(
            organisation_id=world.org.id,
            kind="gedragscode",
            name="Gedragscode",
            status="vastgesteld",
            adopted_on=clock.today() - timedelta(days=30),
            communicated_on=clock.today() - timedelta(days=20),
            communication="Intranet en teamoverleg",
        )
    )
    db.session.commit()


def test_changes_name_what_got_better_and_worse_with_both_sentences(db, world):
    measures = _measures(db, world, termijn_days=30)
    first = _run(db, world)
    _gedragscode(db, world)
    for m in measures:
        m.termijn = clock.today() - timedelta(days=1)
    db.session.commit()
    second = _run(db, world)
    assert service.previous_run(second).id == first.id
    assert service.previous_run(first) is None
    changes = {c["id"]: c for c in service.changes(first, second)}
    assert set(changes) == {"B12", "D16"}
    assert changes["D16"]["direction"] == "better"
    assert (changes["D16"]["old"]["answer"], changes["D16"]["new"]["answer"]) == ("voldoet_niet", "voldoet")
    assert changes["B12"]["direction"] == "worse"
    assert "Geen van de 5 maatregelen is over de termijn." == changes["B12"]["old"]["explanation"]
    assert "5 van 5 maatregelen (100%) zijn over de termijn" in changes["B12"]["new"]["explanation"]


def test_the_report_shows_the_changes_since_the_previous_run(client_as, db, world):
    measures = _measures(db, world, termijn_days=30)
    client = client_as("preventiemedewerker")
    assert client.post("/o/acme/zelfinspectie/uitvoeren").status_code == 302
    page = client.get("/o/acme/zelfinspectie/").text
    assert "Veranderd sinds de vorige uitvoering" not in page  # the first run has nothing to compare
    _gedragscode(db, world)
    for m in measures:
        m.termijn = clock.today() - timedelta(days=1)
    db.session.commit()
    response = client.post("/o/acme/zelfinspectie/uitvoeren", follow_redirects=True)
    page = response.text
    assert (
        "Sinds de vorige uitvoering hebben 2 items een ander antwoord: 1 verbeterd, 1 verslechterd." in page
    )
    section = page[page.index('class="card zi-changes"') :]
    section = section[: section.index("</section>")]
    d16 = section[section.index('data-item="D16"') :]
    d16 = d16[: d16.index("</li>")]
    assert (
        "Verbeterd" in d16
        and "Er is geen gedragscode vastgelegd" in d16
        and "De gedragscode is vastgesteld" in d16
    )
    b12 = section[section.index('data-item="B12"') :]
    b12 = b12[: b12.index("</li>")]
    assert "Verslechterd" in b12 and "Geen van de 5 maatregelen is over de termijn." in b12
    assert "zijn over de termijn" in b12
    # An older run compares with the one before it; the changes of the first run are empty.
    first = service.runs(world.org)[-1]
    assert (
        "Veranderd sinds de vorige uitvoering"
        not in client.get(f"/o/acme/zelfinspectie/uitvoeringen/{first.id}").text
    )


def test_changes_hide_names_from_readers_who_may_not_see_them(client_as, db, world):
    measures = _measures(db, world, termijn_days=30)
    _run(db, world)
    for m in measures:
        m.termijn = clock.today() - timedelta(days=1)
    db.session.commit()
    _run(db, world)
    page = client_as("or_lid").get("/o/acme/zelfinspectie/").text
    assert 'data-item="B12"' in page
    for employee in world.employees:
        assert employee.name not in page


# --- point 12: the fix link returns ------------------------------------------------------------


def _fix_href(page: str, item_id: str) -> str:
    item = page[page.index(f'id="item-{item_id}"') :]
    item = item[: item.index("</article>")]
    return (
        re.search(r'<p class="zi-item-actions no-print">\s*<a href="([^"]+)"', item)
        .group(1)
        .replace("&amp;", "&")
    )


def test_a_fix_link_brings_the_user_back_to_the_item(client_as, db, world):
    _run(db, world)
    client = client_as("preventiemedewerker")
    href = _fix_href(client.get("/o/acme/zelfinspectie/").text, "D16")
    parts = urlsplit(href)
    assert parts.path == "/o/acme/beleid/instrumenten/nieuw"
    assert parse_qs(parts.query)["next"] == ["/o/acme/zelfinspectie/#item-D16"]
    assert client.get(href).status_code == 200
    data = {"name": "Gedragscode", "status": "vastgesteld", "adopted_on": clock.today().isoformat()}
    response = client.post(href, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/o/acme/zelfinspectie/#item-D16"
    assert (
        db.session.scalar(select(func.count()).where(PolicyInstrument.organisation_id == world.org.id)) == 1
    )


def test_a_fix_form_with_errors_stays_and_without_next_goes_where_it_always_went(client_as, db, world):
    client = client_as("preventiemedewerker")
    back = "/o/acme/zelfinspectie/#item-D16"
    failed = client.post(f"/o/acme/beleid/instrumenten/nieuw?kind=gedragscode&next={back}", data={"name": ""})
    assert failed.status_code == 400
    plain = client.post(
        "/o/acme/beleid/instrumenten/nieuw?kind=gedragscode", data={"name": "Code", "status": "concept"}
    )
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/o/acme/beleid/#instrument-")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/o/acme/zelfinspectie/",
        "//evil.example/o/acme/zelfinspectie/",
        "/o/acme/plan/",
        "/o/other/zelfinspectie/",
    ],
)
def test_next_is_only_followed_into_this_organisations_checklist(client_as, db, world, target):
    client = client_as("preventiemedewerker")
    response = client.post(
        "/o/acme/beleid/instrumenten/nieuw",
        query_string={"kind": "gedragscode", "next": target},
        data={"name": "Code", "status": "concept"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/o/acme/beleid/#instrument-")


def test_readers_get_no_return_parameter_on_a_page_they_may_only_read(client_as, db, world):
    _run(db, world)
    page = client_as("or_lid").get("/o/acme/zelfinspectie/").text
    assert "next=" not in page


def test_incident_counts_list_the_meldingen_without_their_descriptions(client_as, db, world):
    from riecycle.models import Incident

    for days, opvang in ((20, False), (40, True)):
        db.session.add(
            Incident(
                organisation_id=world.org.id,
                occurred_on=clock.today() - timedelta(days=days),
                theme_key="agressie_extern",
                team_id=world.teams["Zorgteam Zuid"].id,
                party="ouder_klant",
                description="Vertrouwelijke beschrijving",
                opvang_done=opvang,
            )
        )
    db.session.commit()
    run = _run(db, world)
    counts = {c["key"]: c["n"] for c in run.item("D20")["counts"]}
    assert counts == {"meldingen": 2}
    assert {c["key"]: c["n"] for c in run.item("D19")["counts"]} == {"zonder_opvang": 1}
    page = client_as("or_lid").get(_list_url(run, "D20", "meldingen")).text
    rows = re.findall(r'<td><a href="/o/acme/beleid/meldingen[^"]*">([^<]+)</a></td>', page)
    assert len(rows) == 2 and all(r.startswith("Melding van ") for r in rows)
    assert "Zorgteam Zuid" in page and "Vertrouwelijke beschrijving" not in page
