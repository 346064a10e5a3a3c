"""The plan a page at a time: risks with their first measures, grouped pages, totals, visibility."""

import re
from datetime import timedelta

from riecycle import clock
from riecycle.extensions import db
from riecycle.services import plan_lists
from riecycle.services.plan import Filters
from riecycle.services.records import soft_delete
from tests.factories import make_measure, make_risk


def _groups(html: str) -> list[str]:
    return re.findall(r'<div class="group-head"[^>]*>\s*<h2>([^<]+)</h2>', html)


def test_risks_a_page_at_a_time_with_the_first_measures_of_each(world, client_as, monkeypatch):
    monkeypatch.setattr(plan_lists, "RISKS_PER_PAGE", 2)
    monkeypatch.setattr(plan_lists, "MEASURES_PER_RISK", 2)
    busy = make_risk(world, title="Risico A druk", top5_rank=1)
    for i in range(3):
        make_measure(world, risk=busy, title=f"Maatregel A{i}", termijn=clock.today() + timedelta(days=i))
    bare = make_risk(world, title="Risico B zonder maatregel", top5_rank=2)
    third = make_risk(world, title="Risico C", top5_rank=3)
    make_measure(world, risk=third, title="Maatregel C")
    db.session.commit()
    client = client_as("preventiemedewerker")
    first = client.get("/o/acme/plan/").get_data(as_text=True)
    assert _groups(first) == ["Risico A druk", "Risico B zonder maatregel"]
    assert "Maatregel A0" in first and "Maatregel A1" in first and "Maatregel A2" not in first
    assert "Toon alle 3 maatregelen bij dit risico" in first and f"risico={busy.id}" in first
    assert "Nog geen maatregelen bij dit risico" in first and "Pagina 1 van 2" in first
    second = client.get("/o/acme/plan/?page=2").get_data(as_text=True)
    assert _groups(second) == ["Risico C"] and "Maatregel C" in second
    # Past the last page: the last page.
    assert _groups(client.get("/o/acme/plan/?page=99").get_data(as_text=True)) == ["Risico C"]
    # Filtered, a risk without matching measures is left out.
    filtered = client.get("/o/acme/plan/?q=Maatregel").get_data(as_text=True)
    assert "Risico B zonder maatregel" not in filtered and "4 maatregelen gevonden." in filtered
    everything = client.get(f"/o/acme/plan/?risico={busy.id}&groep=geen").get_data(as_text=True)
    assert all(f"Maatregel A{i}" in everything for i in range(3))
    assert bare.id


def test_a_deleted_risk_with_measures_still_shows_them(world, client_as):
    risk = make_risk(world, title="Risico dat verdween")
    make_measure(world, risk=risk, title="Maatregel die blijft")
    db.session.commit()
    soft_delete(risk)
    db.session.commit()
    html = client_as("preventiemedewerker").get("/o/acme/plan/").get_data(as_text=True)
    assert "Risico dat verdween" in html and "verwijderd risico" in html and "Maatregel die blijft" in html


def test_grouped_pages_keep_group_order_and_totals(world, client_as, monkeypatch):
    monkeypatch.setattr(plan_lists, "MEASURES_PER_PAGE", 4)
    risk = make_risk(world)
    for i in range(3):
        make_measure(world, "organisatie", risk=risk, title=f"Org {i}")
    for i in range(3):
        make_measure(world, "team", risk=risk, title=f"Team {i}", teams=[world.teams["Zorgteam Noord"]])
    db.session.commit()
    client = client_as("preventiemedewerker")
    first = client.get("/o/acme/plan/?groep=niveau").get_data(as_text=True)
    second = client.get("/o/acme/plan/?groep=niveau&page=2").get_data(as_text=True)
    assert _groups(first) == ["Organisatie", "Team"] and _groups(second) == ["Team"]
    assert all(f"Org {i}" in first for i in range(3)) and "Team 0" in first and "Team 1" not in first
    assert "Team 1" in second and "Team 2" in second and "Org 0" not in second
    assert "3 maatregelen · op deze pagina 1" in first
    responsible = client.get("/o/acme/plan/?groep=verantwoordelijke").get_data(as_text=True)
    assert _groups(responsible) == ["Preventiemedewerker Acme"]


def test_totals_and_lists_hide_other_teams_individual_measures_from_a_leidinggevende(world, client_as):
    risk = make_risk(world)
    noord = next(e for e in world.employees if e.team_id == world.teams["Zorgteam Noord"].id)
    zuid = next(e for e in world.employees if e.team_id == world.teams["Zorgteam Zuid"].id)
    make_measure(world, "individu", risk=risk, title="Eigen medewerker", employee=noord)
    make_measure(world, "individu", risk=risk, title="Andere medewerker", employee=zuid)
    make_measure(world, "organisatie", risk=risk, title="Iedereen")
    db.session.commit()
    everyone = plan_lists.stats(world.org, Filters())
    assert everyone["total"] == 3
    html = client_as("leidinggevende").get("/o/acme/plan/?groep=geen").get_data(as_text=True)
    assert "Andere medewerker" not in html and "Iedereen" in html
    assert re.search(r'<div class="stat">2</div><div class="stat-label">maatregelen', html)
