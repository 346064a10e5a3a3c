"""The evidence workbook at scale: the number of SQL statements does not grow with the rows (no
N+1), and the audience sizes counted in bulk equal the per-session query.

Org 'acme' gets 10 of everything and org 'other' 1,200 (past the 500-row eager-load chunks and
the 1,000-row fetch batches); the same export of each must send the same statements.
"""

from datetime import date, timedelta

from sqlalchemy import insert, select

from riecycle import clock
from riecycle.excel import evidence, rows
from riecycle.extensions import db
from riecycle.models import (
    Employee,
    Evaluation,
    Factor,
    Incident,
    Measure,
    Risk,
    Team,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.rie import risk_factors
from riecycle.models.voorlichting import AUDIENCES, session_measures, session_risks, session_teams
from riecycle.services import voorlichting
from tests.factories import insert_ids, seed_volume
from tests.support.queries import count_queries

# Upper bound (50 statements when written; 134 with 10 rows and 3,187 with 1,200 before the
# export streamed Core rows); the real check is that 10 and 1,200 rows cost the same.
BUDGET = 60


def _org_ids(model, org) -> list[int]:
    return list(
        db.session.scalars(select(model.id).where(model.organisation_id == org.id).order_by(model.id))
    )


def seed_more(org, user, n: int) -> None:
    """On top of seed_volume(): n sessions of every audience with links, n evaluations, n meldingen, factors."""
    today = clock.today()
    risks, measures = _org_ids(Risk, org), _org_ids(Measure, org)
    teams = _org_ids(Team, org)
    factors = list(db.session.scalars(select(Factor.key).limit(3)))
    db.session.execute(
        insert(risk_factors), [{"risk_id": r, "factor_key": f} for r in risks for f in factors]
    )
    sessions = insert_ids(
        VoorlichtingSession,
        [
            {
                "organisation_id": org.id,
                "topic": f"Sessie {i}",
                "audience": AUDIENCES[i % len(AUDIENCES)],
                "session_date": today - timedelta(days=i % 400),
                "organiser_id": user.id,
            }
            for i in range(n)
        ],
    )
    for table, column, targets in (
        (session_teams, "team_id", teams),
        (session_risks, "risk_id", risks),
        (session_measures, "measure_id", measures),
    ):
        db.session.execute(
            insert(table),
            [{"session_id": s, column: targets[i % len(targets)]} for i, s in enumerate(sessions)],
        )
    evaluations = insert_ids(
        Evaluation,
        [
            {
                "organisation_id": org.id,
                "measure_id": measures[i],
                "planned_on": today - timedelta(days=i % 90),
                "responsible_id": user.id,
                "conclusion": f"Conclusie {i}",
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(evaluation_follow_ups),
        [{"evaluation_id": e, "measure_id": measures[-1 - i]} for i, e in enumerate(evaluations)],
    )
    db.session.execute(
        insert(Incident),
        [
            {
                "organisation_id": org.id,
                "occurred_on": today - timedelta(days=i % 90),
                "theme_key": "werkdruk",
                "team_id": teams[0],
                "description": f"Melding {i}",
                "measure_id": measures[i],
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def export_statements(org, viewer) -> int:
    evidence.build(org, viewer)  # first build: per-process caches (checklist, seed files) are warm
    with count_queries(db.engine) as counter:
        evidence.build(org, viewer)
    return counter.count


def test_evidence_export_statements_do_not_grow_with_rows(world):
    world.other_team.manager_id = world.users["other"].id
    for org, user, n in (
        (world.org, world.users["beheerder"], 10),
        (world.other_org, world.users["other"], 1200),
    ):
        seed_volume(org, user, n)
        seed_more(org, user, n)
    for viewer in (rows.Viewer(), rows.Viewer(role="auditor")):
        few = export_statements(world.org, viewer)
        many = export_statements(world.other_org, viewer)
        assert few == many, f"{few} statements with 10 rows, {many} with 1,200 (N+1?)"
        assert many <= BUDGET, f"{many} statements, budget {BUDGET}"


def test_audience_sizes_equal_the_audience_query(world):
    team_a, team_b = world.teams.values()
    day = date(2026, 3, 1)
    spans = [(None, None), (day, None), (day - timedelta(weeks=3), day + timedelta(days=1)), (None, day)]
    spans += [(day + timedelta(days=1), None), (day - timedelta(days=10), day - timedelta(days=20))]
    for i, (start, end) in enumerate(spans * 2):
        db.session.add(
            Employee(
                organisation_id=world.org.id,
                name=f"Extra {i}",
                team_id=(team_a, team_b, None)[i % 3] and (team_a, team_b, None)[i % 3].id,
                start_date=start,
                end_date=end,
                is_leidinggevende=i % 2 == 0,
            )
        )
    db.session.flush()
    sessions = []
    for i, (audience, offset) in enumerate((a, o) for a in AUDIENCES for o in (-30, 0, 1, 400)):
        session = VoorlichtingSession(
            organisation_id=world.org.id,
            topic=f"Sessie {i}",
            audience=audience,
            session_date=day + timedelta(days=offset),
            newcomer_weeks=(None, 4)[i % 2],
        )
        session.teams = [[team_a], [team_a, team_b], []][i % 3]
        sessions.append(session)
    db.session.add_all(sessions)
    db.session.flush()
    sizes = voorlichting.AudienceSizes(world.org)
    for session in sessions:
        expected = len(voorlichting.audience_employees(session))
        assert sizes.size(session, [t.id for t in session.teams]) == expected, (
            session.audience,
            session.session_date,
        )
