"""The counts of C13, C14, A1, E24 link to the records they counted; employees are named only to
who may see them (docs/domain.md §9), the others see a number per team."""

import re

import pytest

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
