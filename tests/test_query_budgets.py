"""Query budgets: each main page sends a bounded number of SQL statements, the same with 10 rows
as with 1,000 (no N+1). Counted with SQLAlchemy events around one request.

Org 'acme' gets 10 of everything and org 'other' 1,000; each is read by its own beheerder, so
the two requests take the same code path with a hundred times the data.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import (
    Attendance,
    AuditEntry,
    Employee,
    Measure,
    MeasureStatusChange,
    Risk,
    RiskEvaluation,
    Team,
    VoorlichtingSession,
)
from riecycle.models.measure import measure_risks, measure_teams
from riecycle.models.rie import risk_teams
from riecycle.models.voorlichting import session_teams
from riecycle.services import zelfinspectie
from tests.support.queries import count_queries

# Upper bounds per page; the real check is that 10 and 1,000 rows cost the same.
BUDGETS = {
    "dashboard": 60,
    "risk register": 20,
    "risk detail": 20,
    "plan": 40,
    "mijn maatregelen": 20,
    "session with attendance": 20,
    "self-inspection": 20,
    "audit log": 20,
}


def _ids(model, rows) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def seed(org, user, n: int) -> dict:
    """n risks (each evaluated), n measures, n employees attending one session, n audit entries."""
    today = clock.today()
    team = Team(organisation_id=org.id, name=f"Team {n}", kind="afdeling", manager_id=user.id)
    db.session.add(team)
    db.session.flush()
    risk_ids = _ids(
        Risk,
        [
            {
                "organisation_id": org.id,
                "theme_key": "werkdruk",
                "title": f"Risico {i}",
                "description": "x",
                "scope": "teams",
                "current_score": 60,
                "current_priority": "hoog",
                "current_method": "kinney",
                "current_kans": 3,
                "current_effect": 5,
            }
            for i in range(n)
        ],
    )
    db.session.execute(insert(risk_teams), [{"risk_id": r, "team_id": team.id} for r in risk_ids])
    db.session.execute(
        insert(RiskEvaluation),
        [
            {
                "organisation_id": org.id,
                "risk_id": r,
                "method": "kinney",
                "kans": 3,
                "frequentie": 4,
                "effect": 5,
                "score": 60,
                "priority": "hoog",
            }
            for r in risk_ids
        ],
    )
    employee_ids = _ids(
        Employee,
        [
            {
                "organisation_id": org.id,
                "name": f"Medewerker {i}",
                "team_id": team.id,
                "email": f"m{i}@{org.slug}.test",
            }
            for i in range(n)
        ],
    )
    levels = ("organisatie", "team", "individu")
    measure_ids = _ids(
        Measure,
        [
            {
                "organisation_id": org.id,
                "title": f"Maatregel {i}",
                "level": levels[i % 3],
                "approach": "bronaanpak",
                "employee_id": employee_ids[i] if levels[i % 3] == "individu" else None,
                "responsible_id": user.id,
                "termijn": today + timedelta(days=i % 90 - 30),
                "status": ("gepland", "in_uitvoering", "uitgevoerd")[i % 3],
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(measure_risks), [{"measure_id": m, "risk_id": risk_ids[i]} for i, m in enumerate(measure_ids)]
    )
    db.session.execute(
        insert(measure_teams),
        [{"measure_id": m, "team_id": team.id} for i, m in enumerate(measure_ids) if levels[i % 3] == "team"],
    )
    db.session.execute(
        insert(MeasureStatusChange),
        [
            {"organisation_id": org.id, "measure_id": m, "from_status": None, "to_status": "gepland"}
            for m in measure_ids
        ],
    )
    session = VoorlichtingSession(
        organisation_id=org.id,
        topic="Werkdruk",
        audience="teams",
        session_date=today - timedelta(days=3),
        organiser_id=user.id,
    )
    db.session.add(session)
    db.session.flush()
    db.session.execute(insert(session_teams), [{"session_id": session.id, "team_id": team.id}])
    db.session.execute(
        insert(Attendance),
        [
            {"organisation_id": org.id, "session_id": session.id, "employee_id": e, "status": "aanwezig"}
            for e in employee_ids
        ],
    )
    start = datetime.now(UTC) - timedelta(days=30)
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "organisation_id": org.id,
                "user_id": user.id,
                "entity": "Maatregel",
                "entity_id": measure_ids[i],
                "action": "update",
                "label": f"Maatregel {i}",
                "changes": {"status": ["gepland", "in_uitvoering"]},
                "created_at": start + timedelta(minutes=i),
            }
            for i in range(n)
        ],
    )
    zelfinspectie.run_checklist(org, user)
    db.session.commit()
    return {"risk": risk_ids[0], "session": session.id}


def pages(slug: str, ids: dict) -> dict[str, str]:
    o = f"/o/{slug}"
    return {
        "dashboard": f"{o}/",
        "risk register": f"{o}/rie/risicos",
        "risk detail": f"{o}/rie/risicos/{ids['risk']}",
        "plan": f"{o}/plan/",
        "mijn maatregelen": f"{o}/plan/mijn",
        "session with attendance": f"{o}/voorlichting/{ids['session']}/presentielijst",
        "self-inspection": f"{o}/zelfinspectie/",
        "audit log": f"{o}/audit/",
    }


def queries(client, path: str) -> int:
    client.get(path)  # first request: per-process caches (checklist, seed files) are warm afterwards
    with count_queries(db.engine) as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


@pytest.fixture
def seeded(app, world):
    # The same shape in both organisations apart from the row counts (acme's world team has a manager).
    world.other_team.manager_id = world.users["other"].id
    small = seed(world.org, world.users["beheerder"], 10)
    large = seed(world.other_org, world.users["other"], 1000)
    return small, large


@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_query_budget_does_not_grow_with_rows(page, world, seeded, client_as):
    small, large = seeded
    few = queries(client_as("beheerder"), pages(world.org.slug, small)[page])
    many = queries(client_as("other"), pages(world.other_org.slug, large)[page])
    assert few == many, f"{page}: {few} queries with 10 rows, {many} with 1,000 (N+1?)"
    assert many <= BUDGETS[page], f"{page}: {many} queries, budget {BUDGETS[page]}"
