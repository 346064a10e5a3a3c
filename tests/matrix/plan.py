"""Expectations for the Plan van Aanpak, plus builders the plan tests share."""

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import CatalogueEntry
from tests.factories import make_measure, make_risk, make_version
from tests.matrix import EDITORS, EVERYONE, org_route

UPDATERS = EDITORS | {"leidinggevende"}
COMMENTERS = EDITORS | {"or_lid"}


def _measure(world):
    measure = make_measure(world, responsible=world.users["leidinggevende"])
    db.session.commit()
    return {"measure_id": measure.id}


def _risk(world):
    risk = make_risk(world)
    db.session.commit()
    return {"risk_id": risk.id}


def _entry(world):
    entry = CatalogueEntry(
        organisation_id=world.org.id,
        title="Eigen maatregel",
        description="Tekst",
        level="team",
        approach="veerkracht",
        themes=[],
        factors=[],
    )
    db.session.add(entry)
    db.session.commit()
    return {"entry_id": entry.id}


def _version(world):
    version = make_version(world)
    db.session.commit()
    return {"version_id": version.id}


def _participation(world):
    from datetime import timedelta

    from riecycle import clock
    from riecycle.models import PlanParticipation

    version = make_version(world)
    row = PlanParticipation(
        organisation_id=world.org.id,
        plan_version_id=version.id,
        method="werkgroep",
        held_on=clock.today() - timedelta(days=3),
        participants=5,
    )
    db.session.add(row)
    db.session.commit()
    return {"participation_id": row.id}


ROUTES = {
    "plan.participation_add": org_route(EDITORS, post_ok=302, data=lambda w: {"method": "werkgroep"}),
    "plan.participation_delete": org_route(EDITORS, params=_participation, post_ok=302),
    "plan.index": org_route(EVERYONE),
    "plan.teams_json": org_route(EVERYONE),
    "plan.mine": org_route(EVERYONE),
    "plan.team": org_route(EVERYONE),
    "plan.timeline": org_route(EVERYONE),
    "plan.hierarchy": org_route(EVERYONE),
    "plan.priorities": org_route(EVERYONE),
    "plan.catalogue": org_route(EVERYONE),
    "plan.versions": org_route(EVERYONE),
    "plan.compare": org_route(EVERYONE),
    "plan.new": org_route(EDITORS),
    "plan.detail": org_route(EVERYONE, params=_measure),
    "plan.edit": org_route(UPDATERS, params=_measure),
    "plan.change_status": org_route(
        UPDATERS, params=_measure, post_ok=302, data=lambda w: {"to_status": "in_uitvoering"}
    ),
    "plan.add_note": org_route(UPDATERS, params=_measure, post_ok=302, data=lambda w: {"text": "Voortgang"}),
    "plan.upload": org_route(UPDATERS, params=_measure, post_ok=302),
    "plan.delete": org_route(EDITORS, params=_measure, post_ok=302),
    "plan.score": org_route(EDITORS, params=_measure),
    "plan.team_bound": org_route(
        EDITORS, params=_risk, post_ok=302, data=lambda w: {"reason": "Alleen hier"}
    ),
    "plan.catalogue_new": org_route({"beheerder"}),
    "plan.catalogue_edit": org_route({"beheerder"}, params=_entry),
    "plan.catalogue_delete": org_route({"beheerder"}, params=_entry, post_ok=302),
    "plan.submit": org_route(EDITORS, post_ok=302),
    "plan.version": org_route(EVERYONE, params=_version),
    "plan.comment": org_route(COMMENTERS, params=_version, post_ok=302, data=lambda w: {"text": "Opmerking"}),
    "plan.decide": org_route(
        {"or_lid"},
        params=_version,
        post_ok=302,
        data=lambda w: {"decision": "aangehouden", "decided_on": clock.today().isoformat()},
    ),
}
