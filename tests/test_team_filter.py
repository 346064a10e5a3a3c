"""The plan's team filter at 800 teams: the page holds the chosen team, the picker asks teams.json."""

from sqlalchemy import insert

from riecycle import changes
from riecycle.extensions import db
from riecycle.models import Team
from riecycle.views.plan.measures import TEAMS_INLINE


def _many_teams(world, n=800):
    db.session.execute(
        insert(Team),
        [
            {"organisation_id": world.org.id, "name": f"Afdeling {i:03d}", "kind": "afdeling"}
            for i in range(n)
        ],
    )
    changes.touch(world.org.id)  # a bulk insert bypasses the flush hooks
    db.session.commit()


def test_a_small_organisation_lists_its_teams_in_the_page(world, client_as):
    page = client_as("beheerder").get("/o/acme/plan/").text
    assert "Zorgteam Noord" in page and "Zorgteam Zuid" in page
    assert "data-picker-url" not in page


def test_with_800_teams_only_the_chosen_team_is_in_the_page(world, client_as):
    _many_teams(world)
    client = client_as("beheerder")
    page = client.get("/o/acme/plan/").text
    assert "Afdeling 001" not in page and "Zorgteam Noord" not in page
    assert 'data-picker-url="/o/acme/plan/teams.json"' in page
    chosen = world.teams["Zorgteam Noord"].id
    page = client.get(f"/o/acme/plan/?team={chosen}").text
    assert f'<option value="{chosen}" selected>Zorgteam Noord</option>' in page
    assert "Afdeling 001" not in page


def test_teams_json_matches_within_the_organisation(world, client_as):
    _many_teams(world, TEAMS_INLINE + 10)
    client = client_as("leidinggevende")
    found = client.get("/o/acme/plan/teams.json?q=zorgteam").get_json()
    assert [r["text"] for r in found["results"]] == ["Zorgteam Noord", "Zorgteam Zuid"]
    assert found["more"] is False
    everything = client.get("/o/acme/plan/teams.json").get_json()
    assert len(everything["results"]) == 50 and everything["more"] is True
    assert client.get("/o/acme/plan/teams.json?q=Bouwploeg").get_json()["results"] == []  # other org's team
    assert client.get("/o/acme/plan/teams.json?q=%27;--").status_code == 200
    assert client.get("/o/acme/plan/teams.json?q=%00").status_code == 400  # refused before the view


def test_teams_json_refuses_outsiders(world, client_as):
    assert client_as("other").get("/o/acme/plan/teams.json").status_code == 404
    assert client_as("anon").get("/o/acme/plan/teams.json").status_code == 302


def test_a_renamed_or_new_team_shows_in_the_next_answer(world, client_as):
    client = client_as("beheerder")
    assert client.get("/o/acme/plan/teams.json?q=west").get_json()["results"] == []
    db.session.get(Team, world.teams["Zorgteam Zuid"].id).name = "Zorgteam Zuidwest"
    db.session.commit()
    names = [r["text"] for r in client.get("/o/acme/plan/teams.json?q=west").get_json()["results"]]
    assert names == ["Zorgteam Zuidwest"]
