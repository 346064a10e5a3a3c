"""Query budgets: each main page sends a bounded number of SQL statements, the same with 10 rows
as with 1,000 (no N+1). Counted with SQLAlchemy events around one request.

Org 'acme' gets 10 of everything and org 'other' 1,000; each is read by its own beheerder, so
the two requests take the same code path with a hundred times the data.
"""

import pytest

from riecycle.extensions import db
from tests.factories import seed_volume
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
    small = seed_volume(world.org, world.users["beheerder"], 10)
    large = seed_volume(world.other_org, world.users["other"], 1000)
    return small, large


@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_query_budget_does_not_grow_with_rows(page, world, seeded, client_as):
    small, large = seeded
    few = queries(client_as("beheerder"), pages(world.org.slug, small)[page])
    many = queries(client_as("other"), pages(world.other_org.slug, large)[page])
    assert few == many, f"{page}: {few} queries with 10 rows, {many} with 1,000 (N+1?)"
    assert many <= BUDGETS[page], f"{page}: {many} queries, budget {BUDGETS[page]}"
