"""The measures-per-level counts on each risk stay equal to counting the measures, whatever changes."""

from sqlalchemy import case, func, insert, select

from riecycle import risk_levels
from riecycle.extensions import db
from riecycle.models import Measure, Risk
from riecycle.models.measure import measure_risks
from riecycle.services import plan as plan_service
from riecycle.services.records import restore, soft_delete
from tests.factories import bulk_plan_file, make_measure, make_risk
from tests.support.forms import measure_data


def counted(org) -> dict[int, tuple[int, int, int]]:
    """Per risk: live measures per level, counted from the links (the reference)."""
    rows = db.session.execute(
        select(
            Risk.id,
            *(
                func.count(case((Measure.level == level, Measure.id)))
                for level in ("organisatie", "team", "individu")
            ),
        )
        .select_from(Risk)
        .outerjoin(measure_risks, measure_risks.c.risk_id == Risk.id)
        .outerjoin(
            Measure,
            (Measure.id == measure_risks.c.measure_id)
            & Measure.deleted_at.is_(None)
            & (Measure.status != "vervallen"),
        )
        .where(Risk.organisation_id == org.id)
        .group_by(Risk.id)
    ).all()
    return {risk_id: tuple(numbers) for risk_id, *numbers in rows}


def stored(org) -> dict[int, tuple[int, int, int]]:
    db.session.expire_all()
    return {
        r.id: (r.measures_organisatie, r.measures_team, r.measures_individu)
        for r in db.session.scalars(select(Risk).where(Risk.organisation_id == org.id))
    }


def test_counts_follow_every_change_to_a_measure(world):
    editor = world.users["preventiemedewerker"]
    first, second = make_risk(world), make_risk(world)
    measure = plan_service.create_measure(
        world.org,
        editor,
        measure_data(world, first, level="team", team_ids=[world.teams["Zorgteam Noord"].id]),
    )
    db.session.commit()
    assert stored(world.org)[first.id] == (0, 1, 0) == counted(world.org)[first.id]
    assert plan_service.flagged_risk_ids(world.org) == {first.id}

    plan_service.update_measure(
        measure, {"risk_ids": [first.id, second.id], "level": "organisatie"}, measure.version_id
    )
    db.session.commit()
    assert stored(world.org) == counted(world.org)
    assert stored(world.org)[second.id] == (1, 0, 0) and plan_service.flagged_risk_ids(world.org) == set()

    plan_service.update_measure(
        measure, {"risk_ids": [second.id]}, measure.version_id
    )  # unlinked from the first
    db.session.commit()
    assert stored(world.org)[first.id] == (0, 0, 0) and stored(world.org) == counted(world.org)

    plan_service.change_status(measure, editor, "vervallen", "Niet meer nodig")
    db.session.commit()
    assert stored(world.org)[second.id] == (0, 0, 0) == counted(world.org)[second.id]
    plan_service.change_status(measure, editor, "gepland", "Toch nodig")
    db.session.commit()
    assert stored(world.org)[second.id] == (1, 0, 0)

    soft_delete(measure)
    db.session.commit()
    assert stored(world.org)[second.id] == (0, 0, 0)
    restore(measure)
    db.session.commit()
    assert stored(world.org) == counted(world.org) and stored(world.org)[second.id] == (1, 0, 0)


def test_measures_built_directly_and_in_one_flush_are_counted(world):
    risk = make_risk(world)
    make_measure(world, "individu", risk=risk)
    make_measure(world, "team", risk=risk)
    db.session.commit()
    assert stored(world.org)[risk.id] == (0, 1, 1) == counted(world.org)[risk.id]


def test_bulk_inserts_are_counted_by_recount_organisation(world):
    risk = make_risk(world)
    db.session.commit()
    measure_id = db.session.scalar(
        insert(Measure).returning(Measure.id),
        [
            {
                "organisation_id": world.org.id,
                "title": "Bulk",
                "level": "organisatie",
                "approach": "bronaanpak",
                "responsible_id": world.users["beheerder"].id,
                "termijn": risk.created_at.date(),
            }
        ],
    )
    db.session.execute(insert(measure_risks), [{"measure_id": measure_id, "risk_id": risk.id}])
    db.session.commit()
    assert stored(world.org)[risk.id] == (0, 0, 0)  # the ORM hook did not see the Core insert
    risk_levels.recount_organisation(db.session, world.org.id)
    db.session.commit()
    assert stored(world.org)[risk.id] == (1, 0, 0) == counted(world.org)[risk.id]


def test_flagged_ids_match_the_hierarchy_rows(world):
    team_only, mixed, explained = (
        make_risk(world),
        make_risk(world),
        make_risk(world, team_bound_reason="Alleen Zuid"),
    )
    for risk in (team_only, mixed, explained):
        make_measure(world, "team", risk=risk)
    make_measure(world, "organisatie", risk=mixed)
    db.session.commit()
    rows = {row.risk.id for row in plan_service.flagged_risks(world.org)}
    assert rows == plan_service.flagged_risk_ids(world.org) == {team_only.id}


def test_an_import_in_batches_is_counted(world):
    from riecycle.excel import importer

    plan = importer.parse_plan(world.org, bulk_plan_file(8, 4), "plan.xlsx")
    importer.apply_plan(world.org, world.users["beheerder"], plan)
    db.session.commit()
    assert stored(world.org) == counted(world.org)
    assert sum(sum(levels) for levels in stored(world.org).values()) > 0
