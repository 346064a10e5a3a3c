"""Small organisations enter onderzoek results per group of teams (afdeling,
functiegroep) or for the whole organisation, with the teams below the threshold as the reason."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Factor, OnderzoekTeam, Team
from riecycle.services import ServiceError, onderzoek


def today():
    return clock.today()


def _study(world, **extra):
    data = {
        "title": "Klein onderzoek",
        "period_start": today() - timedelta(days=30),
        "invited": 12,
        "respondents": 9,
        "anonymous": True,
        "reveals_causes": True,
        "discussed_on": today() - timedelta(days=5),
    } | extra
    return onderzoek.create(world.org, data)


def _bron():
    return db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.position))


def _per_team(study):
    return next(r for r in onderzoek.requirements(study) if r.key == "per_team")


def _teams(world):
    return world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]


def test_teams_below_the_threshold_fail_per_team(world):
    noord, zuid = _teams(world)
    study = _study(world)
    onderzoek.set_team_result(world.org, study, noord.id, 5, 3, {_bron().key: 3.5})
    onderzoek.set_team_result(world.org, study, zuid.id, 6, 4, {_bron().key: 3.0})
    assert not _per_team(study).met


def test_a_group_of_small_teams_meets_per_team_with_its_reason(world):
    noord, zuid = _teams(world)
    study = _study(world)
    result = onderzoek.set_group_result(
        world.org,
        study,
        {
            "scope": "groep",
            "group_kind": "afdeling",
            "group_name": "Zorg",
            "members": {noord.id: 3, zuid.id: 4},
        },
        {_bron().key: 3.4},
    )
    assert result.respondents == 7 and result.label == "Zorg"
    requirement = _per_team(study)
    assert requirement.met
    assert "Resultaten per afdeling Zorg, samengevoegd omdat" in requirement.detail
    assert "Zorgteam Noord (3 respondenten), Zorgteam Zuid (4 respondenten) blijven onder de drempel" in (
        requirement.detail
    )


def test_a_group_is_refused_when_every_team_reaches_the_threshold(world):
    noord, zuid = _teams(world)
    study = _study(world)
    with pytest.raises(ServiceError, match="Elk team haalt de drempel"):
        onderzoek.set_group_result(
            world.org,
            study,
            {
                "scope": "groep",
                "group_kind": "afdeling",
                "group_name": "Zorg",
                "members": {noord.id: 6, zuid.id: 5},
            },
            {},
        )
    assert db.session.scalar(select(func.count()).select_from(OnderzoekTeam)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"scope": "groep", "group_kind": "afdeling", "group_name": "Zorg", "members": {}},
            "minstens twee teams",
        ),
        (
            {"scope": "groep", "group_kind": "x", "group_name": "Zorg", "members": {}},
            "afdeling of functiegroep",
        ),
        ({"scope": "groep", "group_kind": "afdeling", "group_name": " ", "members": {}}, "naam"),
        ({"scope": "iets", "members": {}}, "groep van teams of de hele organisatie"),
    ],
)
def test_bad_group_input_is_refused(world, data, message):
    with pytest.raises(ServiceError, match=message):
        onderzoek.set_group_result(world.org, _study(world), data, {})


def test_a_team_of_another_organisation_is_refused(world):
    noord, _zuid = _teams(world)
    data = {"scope": "groep", "group_kind": "afdeling", "group_name": "Zorg"}
    with pytest.raises(ServiceError, match="team van deze organisatie"):
        onderzoek.set_group_result(
            world.org, _study(world), data | {"members": {noord.id: 3, world.other_team.id: 2}}, {}
        )


def test_whole_organisation_only_when_no_team_or_group_reaches_the_threshold(world):
    noord, zuid = _teams(world)
    study = _study(world)
    whole = {"scope": "organisatie", "members": {noord.id: 3, zuid.id: 4}}
    result = onderzoek.set_group_result(world.org, study, whole, {_bron().key: 3.1})
    requirement = _per_team(study)
    assert requirement.met and result.label == "Hele organisatie"
    assert "Resultaten voor de hele organisatie, omdat Zorgteam Noord (3 respondenten)" in requirement.detail
    # A team that reaches the threshold means the organisation result is not the fallback.
    other = _study(world, title="Tweede")
    extra = Team(organisation_id=world.org.id, name="Kantoor")
    db.session.add(extra)
    db.session.flush()
    onderzoek.set_team_result(world.org, other, extra.id, 8, 6, {_bron().key: 2.0})
    with pytest.raises(ServiceError, match="alleen bedoeld als geen team of groep de drempel haalt"):
        onderzoek.set_group_result(world.org, other, whole, {_bron().key: 3.1})


def test_a_team_belongs_to_one_group(world):
    noord, zuid = _teams(world)
    study = _study(world)
    data = {"scope": "groep", "group_kind": "functiegroep", "group_name": "Verzorgenden"}
    onderzoek.set_group_result(world.org, study, data | {"members": {noord.id: 3, zuid.id: 4}}, {})
    with pytest.raises(ServiceError, match="al bij een andere groep"):
        onderzoek.set_group_result(
            world.org, study, data | {"group_name": "Anders", "members": {noord.id: 3, zuid.id: 4}}, {}
        )


def test_group_form_saves_and_shows_the_reason(world, client_as):
    noord, zuid = _teams(world)
    study = _study(world)
    db.session.commit()
    bron = _bron()
    client = client_as("preventiemedewerker")
    url = f"/o/acme/rie/onderzoek/{study.id}/groepsresultaat"
    page = client.get(url).get_data(as_text=True)
    assert f'name="members_{noord.id}"' in page and f'name="members_{world.other_team.id}"' not in page
    response = client.post(
        url,
        data={
            "scope": "groep",
            "group_kind": "afdeling",
            "group_name": "Zorg",
            f"members_{noord.id}": "3",
            f"members_{zuid.id}": "4",
            f"score_{bron.key}": "3.5",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zorgteam Noord (3 respondenten), Zorgteam Zuid (4 respondenten) blijven onder de drempel" in page
    assert "3.5" in page
    result = db.session.scalar(select(OnderzoekTeam).where(OnderzoekTeam.scope == "groep"))
    edit = client.get(f"{url}?result={result.id}").get_data(as_text=True)
    assert 'value="Zorg"' in edit


def test_bad_group_form_changes_nothing(world, client_as):
    noord, _zuid = _teams(world)
    study = _study(world)
    db.session.commit()
    client = client_as("preventiemedewerker")
    url = f"/o/acme/rie/onderzoek/{study.id}/groepsresultaat"
    for data in (
        {"scope": "groep", "group_kind": "afdeling", "group_name": "Zorg", f"members_{noord.id}": "abc"},
        {"scope": "groep", "group_kind": "afdeling", "group_name": "Zorg", f"members_{noord.id}": "3"},
        {"scope": "onbekend"},
        {
            "scope": "groep",
            "group_kind": "afdeling",
            "group_name": "Zorg",
            f"members_{world.other_team.id}": "3",
        },
    ):
        response = client.post(url, data=data)
        assert response.status_code in (200, 400)
    assert db.session.scalar(select(func.count()).select_from(OnderzoekTeam)) == 0


def test_pulse_comparison_leaves_group_results_out(world):
    """The pulse compares per team; a group result has no single team to set beside it."""
    from riecycle.services.pulse import onderzoek_side

    noord, zuid = _teams(world)
    study = _study(world)
    onderzoek.set_group_result(
        world.org,
        study,
        {
            "scope": "groep",
            "group_kind": "afdeling",
            "group_name": "Zorg",
            "members": {noord.id: 3, zuid.id: 4},
        },
        {_bron().key: 3.4},
    )
    assert onderzoek_side(study).teams == {}
