"""The plan import in batches: the same audit trail and status history as creating each row on
its own through the services, and a number of SQL statements that does not grow with the rows."""

import json
from collections import defaultdict

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.audit import reset_actor, set_actor
from riecycle.excel import apply, importer
from riecycle.excel.importer import norm
from riecycle.extensions import db
from riecycle.models import AuditEntry, Measure, Risk
from riecycle.services import plan as plan_service
from riecycle.services import rie as rie_service
from riecycle.services import risks as risk_service
from tests.factories import (
    build_rich_measures,
    build_rich_plan,
    bulk_plan_file,
    copy_organisation,
    measure_row,
    plan_file,
    risk_row,
)
from tests.support.files import download_xlsx
from tests.support.queries import count_queries


def _one_by_one(org, user, plan) -> None:
    """The import as it was before batching: every row through the services on its own."""
    rie = rie_service.current_rie(org)
    created = {}
    for item in plan.risks:
        risk = risk_service.create_risk(org, item["data"], rie=rie)
        for e in item["evaluations"]:
            risk_service.evaluate(
                org,
                risk,
                user,
                e["kans"],
                e["effect"],
                e["frequentie"],
                evaluated_on=e["on"],
                method=e["method"],
            )
        if item["top5"]:
            risk.top5_rank = item["top5"]
        created[norm(item["ref"])] = risk.id
    db.session.flush()
    for item in plan.measures:
        data = {**item["data"], "risk_ids": [created[ref] for ref in item["risk_refs"]]}
        steps = item["steps"]
        measure = plan_service.create_measure(org, user, data, created_at=apply._noon(steps[0]["on"]))
        for step in steps[1:]:
            on = step["on"] or clock.today()
            plan_service.change_status(
                measure, user, step["status"], step.get("reason"), on=on, at=apply._noon(step["on"])
            )
    db.session.flush()


def _trail(org) -> list[str]:
    """Per record its audit entries in order (ids of new records replaced by titles), sorted."""
    titles = {
        "risk_id": dict(
            db.session.execute(select(Risk.id, Risk.title).where(Risk.organisation_id == org.id)).all()
        ),
        "measure_id": dict(
            db.session.execute(
                select(Measure.id, Measure.title).where(Measure.organisation_id == org.id)
            ).all()
        ),
    }
    records = defaultdict(list)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.organisation_id == org.id).order_by(AuditEntry.id)
    )
    for entry in entries:
        changes = {k: v for k, v in entry.changes.items() if k != "id"}
        for key, names in titles.items():
            if key in changes:
                changes[key] = [None, names[changes[key][1]]]
        records[(entry.entity, entry.entity_id)].append(
            [entry.action, entry.label, entry.personal, entry.user_id, changes]
        )
    return sorted(json.dumps([entity, history], sort_keys=True) for (entity, _id), history in records.items())


def test_batched_import_writes_what_one_row_at_a_time_writes(client_as, world, monkeypatch):
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    copy = copy_organisation(world)
    db.session.commit()
    data = download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")
    user = world.users["preventiemedewerker"]
    frozen = clock.now()
    monkeypatch.setattr(clock, "now", lambda: frozen)
    token = set_actor(user.id)
    try:
        _one_by_one(copy, user, importer.parse_plan(copy, data, "dossier.xlsx"))
        expected = _trail(copy)
        db.session.rollback()
        importer.apply_plan(copy, user, importer.parse_plan(copy, data, "dossier.xlsx"))
        trail = _trail(copy)
    finally:
        reset_actor(token)
    kinds = [json.loads(record)[0] for record in expected]
    assert [kinds.count(k) for k in ("Risico", "Risicobeoordeling", "Maatregel", "Statuswijziging")] == [
        3,
        3,
        5,
        9,  # the rich plan has no geëvalueerd step any more (the import refuses that status)
    ]
    assert trail == expected


def _statements(world, n: int, started: int = 0) -> int:
    """The SQL statements of reading and applying a file (rolled back afterwards)."""
    data = bulk_plan_file(n, started)
    with count_queries(db.engine) as counter:
        plan = importer.parse_plan(world.org, data, "plan.xlsx")
        importer.apply_plan(world.org, world.users["beheerder"], plan)
    assert (len(plan.risks), len(plan.measures)) == (n, 3 * n + started)
    db.session.rollback()
    return counter.count


def test_statements_do_not_grow_with_the_rows(world):
    assert _statements(world, 5) == _statements(world, 50)


def test_a_status_step_costs_only_its_versioned_update(world):
    # SQLAlchemy sends an UPDATE of a row with a version counter (the optimistic lock on
    # measures) on its own, to check that exactly that row changed; everything else is batched.
    ten, twenty = _statements(world, 5, started=10), _statements(world, 5, started=20)
    assert twenty - ten == 2 * 10


def test_an_employee_name_twice_is_told_apart_by_team(world):
    from riecycle.models import Employee

    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    for team in (noord, zuid):
        db.session.add(Employee(organisation_id=world.org.id, name="Sam de Vries", team_id=team.id))
    db.session.commit()
    row = {"Niveau": "Individu", "Medewerker": "Sam de Vries"}
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, plan_file([risk_row()], [measure_row(**row)]), "plan.xlsx")
    assert "Er zijn meerdere medewerkers met de naam 'Sam de Vries'" in refused.value.problems[0].message
    row["Medewerker"] = "Sam de Vries (Zorgteam Zuid)"
    plan = importer.parse_plan(world.org, plan_file([risk_row()], [measure_row(**row)]), "plan.xlsx")
    chosen = db.session.get(Employee, plan.measures[0]["data"]["employee_id"])
    assert (chosen.name, chosen.team_id) == ("Sam de Vries", zuid.id)
