"""The self-inspection at scale: running the checklist and showing the report cost the same number
of SQL statements for an organisation with 10 and with 1,000 of everything, and a run keeps a
bounded number of evidence references per item with the total.

Two organisations get the same shape, one a hundred times larger, so every rule takes the same
branch in both.
"""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import (
    Attendance,
    ChecklistRun,
    Employee,
    Evaluation,
    Factor,
    Incident,
    Measure,
    Organisation,
    Rie,
    Risk,
    Team,
    VoorlichtingSession,
)
from riecycle.models.evaluation import evaluation_follow_ups
from riecycle.models.measure import measure_risks
from riecycle.models.rie import risk_factors
from riecycle.services import zelfinspectie as service
from riecycle.views.zelfinspectie import REPORT_REFS
from riecycle.zelfinspectie_rules import EVIDENCE_MAX
from tests.conftest import login
from tests.factories import make_org, make_user
from tests.support.queries import count_queries

TODAY = clock.today()


def _ids(model, rows) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _people(org, n: int) -> list[int]:
    """n // 5 teams (at least 2) with 2n employees; every tenth one is a leidinggevende."""
    teams = _ids(
        Team,
        [
            {"organisation_id": org.id, "name": f"Team {i:04}", "kind": "afdeling"}
            for i in range(max(2, n // 5))
        ],
    )
    return _ids(
        Employee,
        [
            {
                "organisation_id": org.id,
                "name": f"Medewerker {i}",
                "team_id": teams[i % len(teams)],
                "start_date": date(2020, 1, 1),
                "is_leidinggevende": i % 10 == 0,
            }
            for i in range(2 * n)
        ],
    )


def _risks_and_measures(org, user, n: int, employees: list[int]) -> list[int]:
    """n werkdruk risks (half linked to a bron); a measure for nine in ten of them, of every kind."""
    rie = Rie(organisation_id=org.id, version=1, is_current=True, performed_on=TODAY - timedelta(days=800))
    db.session.add(rie)
    db.session.flush()
    risks = _ids(
        Risk,
        [
            {
                "organisation_id": org.id,
                "rie_id": rie.id,
                "theme_key": "werkdruk",
                "title": f"Risico {i}",
                "description": "x",
                "scope": "organisatie",
            }
            for i in range(n)
        ],
    )
    bron = db.session.scalar(select(Factor.key).where(Factor.kind == "werkdrukbron").order_by(Factor.key))
    db.session.execute(insert(risk_factors), [{"risk_id": r, "factor_key": bron} for r in risks[::2]])
    levels = ("team", "organisatie", "individu")
    measures = _ids(
        Measure,
        [
            {
                "organisation_id": org.id,
                "title": f"Maatregel {i}",
                "level": levels[i % 3],
                "employee_id": employees[i] if i % 3 == 2 else None,
                "approach": "rust_en_herstel" if i % 4 == 0 else "bronaanpak",
                "responsible_id": user.id,
                # Every fifth one is done (long enough ago to be evaluated); of the others the even ones are late.
                "status": "uitgevoerd" if i % 5 == 0 else "gepland",
                "completed_on": TODAY - timedelta(days=200) if i % 5 == 0 else None,
                "termijn": TODAY - timedelta(days=1 + i) if i % 2 == 0 else TODAY + timedelta(days=30),
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(measure_risks),
        [{"measure_id": m, "risk_id": risks[i]} for i, m in enumerate(measures) if i < n - n // 10],
    )
    return measures


def _evaluations(org, n: int, measures: list[int]) -> None:
    """Half the completed measures evaluated on process and effect; n // 10 theme evaluations without effect."""
    done = TODAY - timedelta(days=5)
    rows = [
        {
            "organisation_id": org.id,
            "kind": "maatregel",
            "measure_id": m,
            "planned_on": done,
            "done_on": done,
            "effect": "deels",
            "implementation_rating": 3,
        }
        for i, m in enumerate(measures)
        if i % 10 == 0
    ]
    rows += [
        {
            "organisation_id": org.id,
            "kind": "thema",
            "theme_key": "werkdruk",
            "planned_on": done,
            "done_on": done,
            "effect": "niet",
            "method": "herhaalde_vragenlijst",
            "policy_adjusted": i % 2 == 0,
        }
        for i in range(n // 10)
    ]
    evaluations = _ids(Evaluation, rows)
    db.session.execute(
        insert(evaluation_follow_ups), [{"evaluation_id": evaluations[-1], "measure_id": measures[1]}]
    )


def _voorlichting(org, n: int, employees: list[int]) -> None:
    """n // 2 sessions, half of them with attendance (60% of the staff); one instruction for leidinggevenden."""
    sessions = _ids(
        VoorlichtingSession,
        [
            {
                "organisation_id": org.id,
                "topic": f"Voorlichting {j}",
                "session_date": TODAY - timedelta(days=10 + j % 300),
            }
            for j in range(n // 2)
        ],
    )
    instruction = _ids(
        VoorlichtingSession,
        [
            {
                "organisation_id": org.id,
                "topic": "Signalen herkennen",
                "session_date": TODAY - timedelta(days=20),
                "audience": "leidinggevenden",
                "is_leidinggevenden_instructie": True,
            }
        ],
    )[0]
    rows = [
        {
            "organisation_id": org.id,
            "session_id": sessions[i % (n // 4)],
            "employee_id": e,
            "status": "aanwezig",
        }
        for i, e in enumerate(employees)
        if i < 6 * n // 5
    ]
    rows += [
        {"organisation_id": org.id, "session_id": instruction, "employee_id": e, "status": "aanwezig"}
        for i, e in enumerate(employees)
        if i % 20 == 0
    ]
    db.session.execute(insert(Attendance), rows)


def build(slug: str, n: int):
    """An organisation with a beheerder and a preventiemedewerker and n of everything."""
    org = make_org(slug, f"Organisatie {slug}", sector="zorg", employee_count=2 * n)
    user = make_user(org, "beheerder", f"beheerder@{slug}.example")
    make_user(org, "preventiemedewerker", f"preventie@{slug}.example")
    employees = _people(org, n)
    measures = _risks_and_measures(org, user, n, employees)
    _evaluations(org, n, measures)
    _voorlichting(org, n, employees)
    db.session.execute(
        insert(Incident),
        [
            {
                "organisation_id": org.id,
                "occurred_on": TODAY - timedelta(days=30),
                "theme_key": "agressie_extern",
                "description": "Melding",
            }
            for _ in range(n // 10)
        ],
    )
    db.session.commit()
    return org, user


@pytest.fixture
def orgs(app):
    from riecycle.seeding.taxonomy import load_taxonomy

    load_taxonomy()
    small, large = build("klein", 10), build("groot", 1000)
    return small, large


def _run_statements(org_id: int) -> tuple[int, ChecklistRun]:
    db.session.expunge_all()
    org = db.session.get(Organisation, org_id)
    with count_queries(db.engine) as counter:
        run = service.run_checklist(org)
    db.session.commit()
    return counter.count, run


def test_run_checklist_statements_do_not_grow_with_the_organisation(app, orgs):
    (small, _), (large, _) = orgs
    with app.test_request_context():
        for org in (small, large):  # warm the per-process caches (checklist, taxonomy)
            service.run_checklist(org)
        few, _ = _run_statements(small.id)
        many, run = _run_statements(large.id)
    assert few == many, f"run_checklist: {few} statements with 10 rows, {many} with 1,000"
    # Every rule runs once per language (the findings are stored in Dutch and in English), so
    # the budget is twice that of one pass of at most 80.
    assert many <= 2 * 80
    # Every rule took the branch the shape was built for, in both organisations.
    answers = {i["id"]: i["answer"] for i in run.items}
    assert answers["B7"] == answers["B9"] == answers["C15"] == answers["E21"] == answers["E23"] == "deels"
    assert answers["B12"] == "voldoet_niet"


def test_page_statements_do_not_grow_with_the_organisation(app, orgs):
    (small, _), (large, _) = orgs
    with app.test_request_context():
        service.run_checklist(small)
        service.run_checklist(large)
        db.session.commit()
    counts, sizes = [], []
    for slug in ("klein", "groot"):
        client = login(app.test_client(), f"beheerder@{slug}.example")
        client.get(f"/o/{slug}/zelfinspectie/")
        with count_queries(db.engine) as counter:
            page = client.get(f"/o/{slug}/zelfinspectie/")
        assert page.status_code == 200
        counts.append(counter.count)
        sizes.append(len(page.data))
    assert counts[0] == counts[1], f"report: {counts[0]} statements with 10 rows, {counts[1]} with 1,000"
    assert sizes[1] < 2 * sizes[0], f"report: {sizes[0]} bytes with 10 rows, {sizes[1]} with 1,000"


def test_a_run_keeps_bounded_evidence_with_the_total(app, orgs):
    _, (large, _) = orgs
    with app.test_request_context():
        run = service.run_checklist(large)
    for item in run.items:
        assert len(item["evidence"]) <= EVIDENCE_MAX, item["id"]
        assert item["evidence_total"] >= len(item["evidence"])
    late = run.item("B12")
    assert late["evidence_total"] == 400 and len(late["evidence"]) == EVIDENCE_MAX
    assert "400 van 1.000 maatregelen (40%) zijn over de termijn" in late["explanation"]
    assert late["explanation"].endswith("en 397 andere.")
    assert (late["evidence_list"]["endpoint"], late["evidence_list"]["params"]) == (
        "plan.index",
        {"te_laat": 1, "groep": "geen"},
    )
    ids = [ref["id"] for ref in late["evidence"]]
    termijns = dict(db.session.execute(select(Measure.id, Measure.termijn).where(Measure.id.in_(ids))).all())
    assert [termijns[i] for i in ids] == sorted(termijns.values()), "oldest overdue first"
    assert run.item("E21")["evidence_total"] == 100
    assert run.item("E23")["evidence_total"] == 149  # 200 without (full) effect, 50 + 1 adjusted


def test_report_shows_the_first_references_the_rest_as_a_count_and_a_link(app, orgs):
    _, (large, user) = orgs
    with app.test_request_context():
        service.run_checklist(large, user)
        db.session.commit()
    client = login(app.test_client(), "beheerder@groot.example")
    page = client.get("/o/groot/zelfinspectie/").text
    item = page[page.index('id="item-B12"') :]
    item = item[: item.index("</article>")]
    assert len(re.findall(r'href="/o/groot/plan/\d+"', item)) == REPORT_REFS
    assert "en 390 meer" in item
    assert 'href="/o/groot/plan/?te_laat=1&amp;groep=geen"' in item
    answer = client.get("/o/groot/zelfinspectie/items/B12/antwoord").text
    assert "en 390 meer" in answer
    assert client.get("/o/groot/plan/?te_laat=1&groep=geen").status_code == 200


def test_old_runs_with_every_reference_still_render_bounded(app, orgs, client_as):
    (small, _), _ = orgs
    with app.test_request_context():
        items = service.evaluate(small)
    refs = [
        {
            "kind": "measure",
            "id": i,
            "label": f"Maatregel {i}",
            "endpoint": "plan.detail",
            "params": {"measure_id": i},
            "fallback": "plan.index",
            "requires": None,
        }
        for i in range(3000)
    ]
    for entry in items:  # as stored before the cap: every reference, no total
        entry.pop("evidence_total"), entry.pop("evidence_list")
        if entry["id"] == "B12":
            entry["evidence"] = refs
    db.session.add(
        ChecklistRun(organisation_id=small.id, run_on=TODAY, items=items, score=0.5, group_scores={})
    )
    db.session.commit()
    client = login(app.test_client(), "beheerder@klein.example")
    page = client.get("/o/klein/zelfinspectie/")
    assert page.status_code == 200
    assert "en 2.990 meer" in page.text and "Maatregel 9<" in page.text and "Maatregel 10<" not in page.text
    run_id = db.session.scalar(select(ChecklistRun.id).where(ChecklistRun.organisation_id == small.id))
    printed = client.get(f"/o/klein/zelfinspectie/uitvoeringen/{run_id}/afdrukken").text
    assert "en 2.980 meer" in printed and "Maatregel 20;" not in printed
    assert service.evidence_text(items[[e["id"] for e in items].index("B12")]).endswith("en 2.980 meer")
