"""Cached aggregates (riecycle/cache.py): never a stale page, and the key holds everything.

After each kind of change, the next request must show the change (the page differs from before)
and must be exactly what the same request computes with the cache switched off.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from riecycle import cache, changes, clock
from riecycle.access import Viewer
from riecycle.extensions import db
from riecycle.models import Evaluation, Measure, Team, User
from riecycle.services import plan as plan_service
from tests.conftest import login
from tests.factories import (
    make_scored_risk,
    make_session,
    make_simple_measure,
    make_survey,
    run_round,
    same,
)
from tests.support.queries import count_queries

DASHBOARD = "/o/acme/cyclus"
PLAN = "/o/acme/plan/"
MINE = "/o/acme/plan/mijn"
HOME = "/o/acme/"  # with the "Aan de slag" checklist (its invitation step: test_start.py)


def _normal(html: str) -> str:
    """The page without what differs per request anyway (CSRF tokens, nonces, chart ids: a
    process-wide sequence, so a cached chart keeps its own and never shares one on a page)."""
    html = re.sub(r"\bchart\d+-", "chart#-", html)
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "csrf", html)
    html = re.sub(r'value="[^"]*" name="csrf_token"', "csrf", html)
    return re.sub(r'nonce="[^"]*"', "nonce", html)


def fetch(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return _normal(response.text)


def fresh(client, path: str) -> str:
    """The page computed without the cache."""
    from flask import current_app

    current_app.config["AGGREGATE_CACHE"] = False
    try:
        return fetch(client, path)
    finally:
        current_app.config["AGGREGATE_CACHE"] = True


def _measure(world, **fields):
    measure = make_simple_measure(world, **fields)
    db.session.commit()
    return measure


def _overdue(world):
    _measure(world, title="Te late maatregel", termijn=clock.today() - timedelta(days=3))


def _status(world):
    measure = db.session.scalars(db.select(Measure).where(Measure.title == "Basismaatregel")).one()
    plan_service.change_status(measure, world.users["beheerder"], "in_uitvoering")
    plan_service.change_status(measure, world.users["beheerder"], "uitgevoerd")
    db.session.commit()


def _risk(world):
    make_scored_risk(world, theme="agressie_extern", title="Agressie aan de balie", kans=6, effect=15)
    db.session.commit()


def _session(world):
    make_session(world, topic="Voorlichting volgende week", session_date=clock.today() + timedelta(days=7))
    db.session.commit()


def _evaluation(world):
    measure = db.session.scalars(db.select(Measure).where(Measure.title == "Basismaatregel")).one()
    db.session.add(
        Evaluation(
            organisation_id=world.org.id, measure_id=measure.id, planned_on=clock.today() + timedelta(days=5)
        )
    )
    db.session.commit()


def _pulse(world):
    survey = make_survey(world)
    run_round(survey, clock.today() - timedelta(days=40), {world.teams["Zorgteam Noord"].id: same(4, 3)})


def _team_rename(world):
    db.session.get(Team, world.teams["Zorgteam Zuid"].id).name = "Zorgteam Zuidwest"
    db.session.commit()


def _association(world):
    measure = db.session.scalars(db.select(Measure).where(Measure.title == "Basismaatregel")).one()
    measure.teams.append(db.session.get(Team, world.teams["Zorgteam Zuid"].id))
    db.session.commit()


def _delete(world):
    from riecycle.services.records import soft_delete

    soft_delete(db.session.scalars(db.select(Measure).where(Measure.title == "Basismaatregel")).one())
    db.session.commit()


def _freeze(world):
    from riecycle.services import pulse as pulse_service

    _pulse(world)
    pulse_service.freeze_closed_rounds(clock.today())
    db.session.commit()


def _flag(world):
    risk = make_scored_risk(world, theme="werkdruk", title="Alleen teammaatregelen")
    make_simple_measure(world, [risk], title="Teammaatregel", level="team")
    db.session.commit()


def _checklist_run(world):
    from riecycle.services import zelfinspectie

    zelfinspectie.run_checklist(world.org, world.users["preventiemedewerker"])
    db.session.commit()


CHANGES = {
    "self-inspection run": (_checklist_run, [HOME]),
    "overdue measure": (_overdue, [DASHBOARD, PLAN, MINE]),
    "status change": (_status, [DASHBOARD, PLAN, MINE]),
    "risk with evaluation": (_risk, [DASHBOARD]),
    "voorlichting session": (_session, [DASHBOARD]),
    "evaluation": (_evaluation, [DASHBOARD]),
    "pulse answers": (_pulse, [DASHBOARD]),
    "pulse freeze": (_freeze, [DASHBOARD]),
    "team renamed": (_team_rename, [PLAN]),
    "measure's teams only": (_association, [PLAN + "?team={zuid}"]),
    "measure deleted": (_delete, [DASHBOARD, PLAN, MINE]),
    "risk flagged eerst organisatieniveau": (_flag, [PLAN]),
}


@pytest.mark.parametrize("kind", list(CHANGES))
def test_the_next_request_shows_every_kind_of_change(world, client_as, kind):
    change, paths = CHANGES[kind]
    risk = make_scored_risk(world, title="Basisrisico")
    _measure(world, title="Basismaatregel", risks=[risk])
    client = client_as("preventiemedewerker")  # responsible for the measures: mijn maatregelen
    paths = [p.format(zuid=world.teams["Zorgteam Zuid"].id) for p in paths]
    before = {p: fetch(client, p) for p in paths}
    assert all(fetch(client, p) == before[p] for p in paths)  # served from the cache, unchanged
    change(world)
    for path in paths:
        after = fetch(client, path)
        assert after != before[path], f"{kind}: {path} did not change"
        assert after == fresh(client, path), f"{kind}: {path} is stale"


def test_a_cached_dashboard_costs_fewer_queries(world, client_as):
    make_simple_measure(world, title="Maatregel", termijn=clock.today() - timedelta(days=1))
    db.session.commit()
    client = client_as("beheerder")
    with count_queries(db.engine) as first:
        fetch(client, DASHBOARD)
    with count_queries(db.engine) as second:
        fetch(client, DASHBOARD)
    assert second.count < first.count - 10


def test_each_role_and_team_gets_its_own_figures(world, client_as):
    noord = world.employees[0]  # in Zorgteam Noord, which the leidinggevende leads
    zuid = next(e for e in world.employees if e.team_id == world.teams["Zorgteam Zuid"].id)
    past = clock.today() - timedelta(days=2)
    make_simple_measure(world, title="Gesprek Noord", level="individu", employee=noord, termijn=past)
    make_simple_measure(world, title="Gesprek Zuid", level="individu", employee=zuid, termijn=past)
    db.session.commit()
    for role in ("beheerder", "leidinggevende", "or_lid", "auditor", "preventiemedewerker"):
        client = client_as(role)
        for path in (DASHBOARD, PLAN, MINE):
            assert fetch(client, path) == fresh(client, path), (role, path)
    leader = fetch(client_as("leidinggevende"), DASHBOARD)
    assert "Gesprek Noord" in leader and "Gesprek Zuid" not in leader


def test_the_key_holds_role_teams_user_language_and_day(app, world):
    org = world.org.id
    with app.test_request_context():
        base = cache.key("k", org, Viewer("beheerder", 1, org))
        assert cache.key("k", org, Viewer("beheerder", 2, org)) == base  # same visibility
        assert cache.key("k", org, Viewer("preventiemedewerker", 1, org)) != base
        leader = cache.key("k", org, Viewer("leidinggevende", 1, org, frozenset({1})))
        assert cache.key("k", org, Viewer("leidinggevende", 1, org, frozenset({2}))) != leader
        assert cache.key("k", org, Viewer("beheerder", 1, org), user_id=1) != base
        assert cache.key("k", world.other_org.id, Viewer("beheerder", 1, org)) != base
        with time_machine.travel(
            datetime.combine(clock.today() + timedelta(days=1), datetime.min.time(), UTC)
        ):
            assert cache.key("k", org, Viewer("beheerder", 1, org)) != base


def test_a_new_day_shows_measures_falling_overdue_at_midnight(world, app):
    noon = datetime.now(UTC).replace(hour=11, minute=0)
    with time_machine.travel(noon, tick=False):
        make_simple_measure(world, title="Vandaag de termijn", termijn=clock.today())
        db.session.commit()
        client = app.test_client()
        login(client, world.users["beheerder"].email)
        today_page = fetch(client, DASHBOARD)
        assert 'data-card="overdue"' in today_page
        counter = changes.counter(world.org.id)
    with time_machine.travel(noon + timedelta(days=1), tick=False):
        assert changes.counter(world.org.id) == counter  # no write happened
        login(client, world.users["beheerder"].email)  # a day later the sign-in has expired
        tomorrow = fetch(client, DASHBOARD)
        assert tomorrow != today_page
        assert "Vandaag de termijn" not in today_page and "Vandaag de termijn" in tomorrow
        assert tomorrow == fresh(client, DASHBOARD)


def test_each_language_gets_its_own_figures(world, client_as):
    make_scored_risk(world, title="Risico")
    db.session.commit()
    client = client_as("beheerder")
    dutch = fetch(client, DASHBOARD)
    assert "Maatregelen per niveau en status" in dutch
    user = db.session.get(User, world.users["beheerder"].id)
    user.locale = "en"  # shows on no page: the counter stays, the key's language changes
    db.session.commit()
    english = fetch(client, DASHBOARD)
    assert "Maatregelen per niveau en status" not in english
    assert english == fresh(client, DASHBOARD)


def test_the_lru_is_bounded(app):
    lru = cache.LRU(3)
    for i in range(5):
        lru.put(i, i)
    assert len(lru) == 3 and lru.get(0) is None and lru.get(4) == 4
    lru.get(2)
    lru.put(5, 5)
    assert lru.get(2) == 2 and lru.get(3) is None


def test_uncommitted_changes_of_this_request_bypass_the_cache(world, app):
    from riecycle.services import cached

    viewer = Viewer("beheerder", world.users["beheerder"].id, world.org.id)
    with app.test_request_context():
        first = cached.plan_stats(world.org, plan_service.Filters(viewer=viewer))["total"]
        make_simple_measure(world, title="Nog niet bewaard")
        assert world.org.id in changes.pending(db.session)
        assert cached.plan_stats(world.org, plan_service.Filters(viewer=viewer))["total"] == first + 1
        db.session.rollback()
