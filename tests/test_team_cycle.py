"""Team cycles: every walk up the tree is bounded, and the cycle check holds when two
saves race (A under B, B under A)."""

import threading

from sqlalchemy import select, update

from riecycle.extensions import db
from riecycle.models import Team
from riecycle.services import ServiceError
from riecycle.services import teams as team_service

LIMIT = 20  # seconds: far more than any of these requests needs, far less than forever


def _bounded(call):
    """Run call in a daemon thread; fail (instead of hanging the suite) when it does not return."""
    result = {}

    def run():
        try:
            result["value"] = call()
        except BaseException as error:  # noqa: BLE001 - reported below
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(LIMIT)
    assert not thread.is_alive(), "the request did not finish: an unbounded walk up the team tree"
    if "error" in result:
        raise result["error"]
    return result["value"]


def _cycle(world):
    """Two teams, each under the other, written directly (as an older version could)."""
    noord = Team(
        organisation_id=world.org.id,
        name="Kring A",
        kind="afdeling",
        manager_id=world.users["leidinggevende"].id,
    )
    zuid = Team(organisation_id=world.org.id, name="Kring B", kind="afdeling")
    db.session.add_all([noord, zuid])
    db.session.flush()
    db.session.execute(update(Team).where(Team.id == noord.id).values(parent_id=zuid.id))
    db.session.execute(update(Team).where(Team.id == zuid.id).values(parent_id=noord.id))
    db.session.commit()
    return noord, zuid


def test_an_existing_cycle_hangs_no_page_and_no_save(world, client_as):
    noord, zuid = _cycle(world)
    noord_id, zuid_id = noord.id, zuid.id
    for role, path in [
        ("beheerder", "/o/acme/beheer/teams"),
        ("beheerder", f"/o/acme/beheer/teams/{noord_id}"),
        ("leidinggevende", "/o/acme/"),
        ("leidinggevende", "/o/acme/plan/"),
        ("leidinggevende", "/o/acme/beheer/teams"),
    ]:
        client = client_as(role)
        response = _bounded(lambda client=client, path=path: client.get(path))
        assert response.status_code in (200, 403), (role, path, response.status_code)

    beheerder = client_as("beheerder")
    # A new team under a team in the cycle: the check ends and allows it (it closes no cycle).
    response = _bounded(
        lambda: beheerder.post(
            "/o/acme/beheer/teams/nieuw",
            data={"name": "Nachtdienst", "kind": "afdeling", "parent_id": str(noord_id), "manager_id": ""},
        )
    )
    assert response.status_code == 302
    nacht = db.session.scalar(select(Team).where(Team.name == "Nachtdienst"))
    nacht_id = nacht.id
    assert nacht.parent_id == noord_id
    # Moving a team of the cycle under its own sub-team is still refused.
    response = _bounded(
        lambda: beheerder.post(
            f"/o/acme/beheer/teams/{noord_id}",
            data={"name": "Kring A", "kind": "afdeling", "parent_id": str(nacht_id), "manager_id": ""},
        )
    )
    assert "Een team kan niet onder zichzelf vallen" in response.get_data(as_text=True)

    # The teams of the cycle can be deleted again: Zuid's only sub-team (Noord) is also above it.
    db.session.execute(update(Team).where(Team.id == nacht_id).values(parent_id=None))
    db.session.commit()
    response = _bounded(lambda: beheerder.post(f"/o/acme/beheer/teams/{zuid_id}/verwijderen"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, zuid_id).deleted_at is not None
    assert db.session.get(Team, noord_id).parent_id is None  # the cycle is broken


def test_ancestors_is_bounded_by_depth(world):
    noord = world.teams["Zorgteam Noord"]
    parent = noord
    for n in range(team_service.MAX_DEPTH + 5):
        child = Team(organisation_id=world.org.id, name=f"Laag {n}", kind="afdeling", parent_id=parent.id)
        db.session.add(child)
        db.session.flush()
        parent = child
    db.session.commit()
    chain = team_service.ancestors(world.org.id, parent.id)
    assert len(chain) == team_service.MAX_DEPTH + 1
    try:
        team_service.create_team(world.org, {"name": "Te diep", "kind": "afdeling", "parent_id": parent.id})
    except ServiceError as error:
        assert "te diep" in error.message
    else:
        raise AssertionError("a team below the maximum depth was accepted")
    db.session.rollback()


def test_two_parallel_saves_cannot_make_a_cycle(world, app):
    """A under B and B under A at the same time: one wins, the other is refused, no cycle."""
    noord_id, zuid_id, org_id = (
        world.teams["Zorgteam Noord"].id,
        world.teams["Zorgteam Zuid"].id,
        world.org.id,
    )
    first_checked, outcome = threading.Event(), {}

    def save(team_id, parent_id, key, hold):
        with app.app_context():
            from riecycle.models import Organisation

            org = db.session.get(Organisation, org_id)
            team = db.session.get(Team, team_id)
            try:
                team_service.update_team(org, team, {"parent_id": parent_id})
            except ServiceError as error:
                db.session.rollback()
                outcome[key] = error.message
                return
            finally:
                first_checked.set() if hold else None
            if hold:
                # Keep the transaction open while the other save runs its check.
                threading.Event().wait(1.0)
            db.session.commit()
            outcome[key] = "ok"

    first = threading.Thread(target=save, args=(noord_id, zuid_id, "first", True), daemon=True)
    first.start()
    assert first_checked.wait(LIMIT)
    second = threading.Thread(target=save, args=(zuid_id, noord_id, "second", False), daemon=True)
    second.start()
    first.join(LIMIT)
    second.join(LIMIT)
    assert not first.is_alive() and not second.is_alive()
    assert outcome["first"] == "ok"
    assert "onder zichzelf" in outcome["second"]
    db.session.expire_all()
    parents = {
        t.id: t.parent_id for t in db.session.scalars(select(Team).where(Team.organisation_id == org_id))
    }
    assert parents[noord_id] == zuid_id and parents[zuid_id] is None
