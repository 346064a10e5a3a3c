"""The dashboard: cycle stage per PSA theme, attention lists, charts with text alternatives."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from riecycle import charts, clock
from riecycle.extensions import db
from riecycle.models import (
    Evaluation,
    MeasureStatusChange,
    Rie,
    RieTheme,
    RiskEvaluation,
    VoorlichtingSession,
)
from riecycle.services import dashboard, risks
from tests.factories import make_scored_risk, make_simple_measure


def _evaluation(world, **fields):
    found = Evaluation(organisation_id=world.org.id, planned_on=clock.today() - timedelta(days=10), **fields)
    db.session.add(found)
    db.session.flush()
    return found


def stages_by_theme(world):
    return {t.key: t for t in dashboard.theme_stages(world.org, clock.today())}


# --- cycle stage derivation ---------------------------------------------------------------


def test_cycle_stage_per_theme(world):
    today = clock.today()
    werkdruk = make_scored_risk(world, "werkdruk")
    werkdruk_measure = make_simple_measure(world, [werkdruk])
    session = VoorlichtingSession(
        organisation_id=world.org.id, topic="Werkstress", session_date=today - timedelta(days=40)
    )
    session.measures = [werkdruk_measure]
    db.session.add(session)
    _evaluation(
        world,
        kind="maatregel",
        measure_id=werkdruk_measure.id,
        done_on=today - timedelta(days=5),
        policy_adjusted=True,
    )
    make_scored_risk(world, "pesten")  # only inventoried
    agressie = make_scored_risk(world, "agressie_extern")
    make_simple_measure(world, [agressie], status="vervallen")  # a vervallen measure does not count
    _evaluation(world, kind="thema", theme_key="agressie_extern", done_on=today - timedelta(days=3))
    rie = Rie(organisation_id=world.org.id, version=1, is_current=True, performed_on=today)
    db.session.add(rie)
    db.session.flush()
    db.session.add_all(
        [
            RieTheme(
                organisation_id=world.org.id,
                rie_id=rie.id,
                theme_key="discriminatie",
                applicable=False,
                reason="Geen klantcontact",
            ),
            RieTheme(
                organisation_id=world.org.id, rie_id=rie.id, theme_key="seksuele_intimidatie", applicable=True
            ),
        ]
    )
    old = make_scored_risk(world, "agressie_intern")
    old_measure = make_simple_measure(world, [old])
    old_session = VoorlichtingSession(
        organisation_id=world.org.id, topic="Oud", session_date=today - timedelta(days=400)
    )
    old_session.risks = [old]
    db.session.add(old_session)
    db.session.commit()

    themes = stages_by_theme(world)
    assert themes["werkdruk"].current == "bijgesteld" and not themes["werkdruk"].gaps
    assert themes["pesten"].current == "geinventariseerd"
    assert (
        themes["seksuele_intimidatie"].current == "geinventariseerd"
        and themes["seksuele_intimidatie"].risks == 0
    )
    assert not themes["discriminatie"].applicable and themes["discriminatie"].reason == "Geen klantcontact"
    agressie_stage = themes["agressie_extern"]
    assert agressie_stage.current == "geinventariseerd"
    assert agressie_stage.gaps == ["maatregelen", "voorlichting"]
    assert agressie_stage.reached["geevalueerd"] and not agressie_stage.reached["bijgesteld"]
    # Voorlichting older than 12 months does not count.
    assert themes["agressie_intern"].current == "maatregelen"
    assert old_measure.id
    assert (
        themes["ingrijpende_gebeurtenissen"].current is None
        and themes["ingrijpende_gebeurtenissen"].gaps == []
    )


def test_follow_up_measures_count_as_bijgesteld(world):
    from riecycle.models.evaluation import evaluation_follow_ups

    target = make_scored_risk(world, "pesten")
    first = make_simple_measure(world, [target], status="uitgevoerd")
    evaluation = _evaluation(world, kind="maatregel", measure_id=first.id, done_on=clock.today())
    follow = make_simple_measure(world, [target], title="Vervolg")
    db.session.execute(
        evaluation_follow_ups.insert().values(evaluation_id=evaluation.id, measure_id=follow.id)
    )
    db.session.commit()
    stage = stages_by_theme(world)["pesten"]
    assert stage.reached["bijgesteld"] and stage.gaps == ["voorlichting"]


def test_overdue_measures_shown_beside_the_stage(world, client_as):
    today = clock.today()
    werkdruk = make_scored_risk(world, "werkdruk")
    first = make_simple_measure(world, [werkdruk], status="uitgevoerd", termijn=today - timedelta(days=90))
    _evaluation(
        world, kind="maatregel", measure_id=first.id, done_on=today - timedelta(days=5), policy_adjusted=True
    )
    session = VoorlichtingSession(
        organisation_id=world.org.id, topic="Werkdruk", session_date=today - timedelta(days=9)
    )
    session.risks = [werkdruk]
    db.session.add(session)
    second = make_scored_risk(world, "werkdruk", title="Tweede")
    for n in range(6):  # open and past their termijn; one of them on both risks counts once
        make_simple_measure(
            world,
            [werkdruk, second] if n == 0 else [second],
            title=f"Te laat {n}",
            termijn=today - timedelta(days=n + 1),
        )
    make_simple_measure(world, [second], title="Op tijd", termijn=today + timedelta(days=3))
    make_simple_measure(
        world, [second], title="Klaar", status="uitgevoerd", termijn=today - timedelta(days=3)
    )
    make_simple_measure(
        world, [second], title="Vervallen", status="vervallen", termijn=today - timedelta(days=3)
    )
    late_pesten = make_simple_measure(
        world, [make_scored_risk(world, "pesten")], termijn=today - timedelta(days=2)
    )
    db.session.commit()

    themes = stages_by_theme(world)
    assert themes["werkdruk"].current == "bijgesteld" and themes["werkdruk"].overdue == 6
    assert themes["pesten"].overdue == 1 and themes["agressie_extern"].overdue == 0
    assert late_pesten.id

    html = client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    row = re.search(
        r'<tr data-theme="werkdruk" data-stage="bijgesteld" data-overdue="6">(.*?)</tr>', html, re.S
    )
    assert row, "werkdruk row with its overdue count"
    row = row.group(1)
    # Never all green while measures are overdue: the measures step is marked, the state says so.
    assert "stage-behind" in row and row.count("stage-yes") == 4
    assert "Niet bij: maatregelen over termijn" in row
    cell = re.search(r'data-testid="overdue-werkdruk">(.*?)</td>', row, re.S).group(1)
    assert "Achterstand: 6 maatregelen over termijn" in cell
    link = re.search(r'href="([^"]+)"', cell).group(1).replace("&amp;", "&")
    assert "te_laat=1" in link
    plan = client_as("or_lid").get(link).get_data(as_text=True)
    assert "Te laat 5" in plan and "Op tijd" not in plan
    calm = re.search(r'data-testid="overdue-agressie_intern">(.*?)</td>', html, re.S).group(1)
    assert "Geen" in calm


def _heatmap_cells(html: str) -> dict:
    """(method, kans, effect) -> (x, y, fill, count, priority, hoog, middel, laag) of every heatmap rect."""
    cells = {}
    for figure in re.findall(r'<figure class="chart chart-heatmap">.*?</figure>', html, re.S):
        method = re.search(r'<title id="[^"]+">Risico&#39;s: (\w+)', figure).group(1)
        for rect in re.findall(r"<rect [^>]*data-kans[^>]*>", figure):
            a = dict(re.findall(r'([\w-]+)="([^"]*)"', rect))
            cells[(method, int(a["data-kans"]), int(a["data-effect"]))] = (
                float(a["x"]),
                float(a["y"]),
                a["fill"],
                int(a["data-count"]),
                a["data-priority"],
                int(a["data-hoog"]),
                int(a["data-middel"]),
                int(a["data-laag"]),
            )
    return cells


def test_one_heatmap_on_dashboard_and_heatmap_page(world, client_as):
    def scored(title, kans, effect, frequentie=None, method=None):
        found = make_scored_risk(world, title=title)
        risks.evaluate(world.org, found, None, kans, effect, frequentie, method=method)
        return found

    scored("Score 105", 3, 5, 7)  # Kinney 105: hoog in the register
    scored("Score 15", 3, 5, 1)  # same cell, 15: laag
    scored("Score 5", 1, 5, 1)  # 5: laag
    scored("Matrix 20", 4, 5, method="matrix")  # matrix 20: hoog
    db.session.commit()
    client = client_as("or_lid")
    register = client.get("/o/acme/rie/risicos").get_data(as_text=True)
    assert re.search(r"Score 105.*?105.*?Hoog", register, re.S)

    on_dashboard = _heatmap_cells(client.get("/o/acme/cyclus").get_data(as_text=True))
    on_page = _heatmap_cells(client.get("/o/acme/rie/heatmap").get_data(as_text=True))
    assert on_dashboard == on_page and on_page  # same cells, colours, counts and positions

    hoog_fill, laag_fill = charts.PRIORITY_FILL["hoog"], charts.PRIORITY_FILL["laag"]
    assert on_page[("Kinney", 3, 5)][2:] == (hoog_fill, 2, "hoog", 1, 0, 1)
    assert on_page[("Kinney", 1, 5)][2:] == (laag_fill, 1, "laag", 0, 0, 1)
    assert on_page[("Kinney", 5, 10)][2:] == ("#fff", 0, "leeg", 0, 0, 0)
    assert on_page[("Matrix", 4, 5)][2:] == (hoog_fill, 1, "hoog", 1, 0, 0)
    assert {k for m, k, _e in on_page if m == "Kinney"} == {1, 3, 5}
    assert {e for m, _k, e in on_page if m == "Kinney"} == {1, 5, 10}
    # Kans in the rows (higher kans higher up), effect in the columns (more serious to the right).
    for method in ("Kinney", "Matrix"):
        cells = {(k, e): v for (m, k, e), v in on_page.items() if m == method}
        for (k, e), (x, y, *_rest) in cells.items():
            assert all(y == other[1] for (k2, _e2), other in cells.items() if k2 == k)
            assert all(x == other[0] for (_k2, e2), other in cells.items() if e2 == e)
            assert all(y < other[1] for (k2, _e2), other in cells.items() if k2 < k)
            assert all(x > other[0] for (_k2, e2), other in cells.items() if e2 < e)


def test_dashboard_page_shows_stages_with_rules(world, client_as):
    make_scored_risk(world, "werkdruk")
    db.session.commit()
    html = client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    row = re.search(
        r'<tr data-theme="werkdruk" data-stage="geinventariseerd"[^>]*>(.*?)</tr>', html, re.S
    ).group(1)
    assert row.count("stage-yes") == 1 and row.count("stage-no") == 4
    untouched = re.search(r'<tr data-theme="pesten" data-stage=""[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert untouched.count("stage-no") == 5 and "stage-gap" not in untouched
    assert "Hoe bepalen we de stand?" in html
    assert 'title="Maatregelen: Minstens één maatregel' in html


# --- attention lists -------------------------------------------------------------------------


def test_overdue_measures_and_privacy(world, client_as):
    today = clock.today()
    employee = world.employees[1]  # Zorgteam Zuid: not the leidinggevende's team
    make_simple_measure(world, title="Te laat organisatie", termijn=today - timedelta(days=3))
    make_simple_measure(
        world,
        title="Mantelzorg Medewerker",
        level="individu",
        employee=employee,
        termijn=today - timedelta(days=9),
    )
    make_simple_measure(world, title="Op tijd", termijn=today + timedelta(days=3))
    make_simple_measure(world, title="Klaar", status="uitgevoerd", termijn=today - timedelta(days=30))
    db.session.commit()
    found, total = dashboard.overdue_measures(world.org, today)
    assert total == 2 and [m.title for m in found] == ["Mantelzorg Medewerker", "Te laat organisatie"]
    preventie = client_as("preventiemedewerker").get("/o/acme/cyclus").get_data(as_text=True)
    assert "Mantelzorg Medewerker" in preventie and "Te laat organisatie" in preventie
    or_lid = client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    assert "Mantelzorg Medewerker" not in or_lid and "individuele maatregel #" in or_lid
    leidinggevende = client_as("leidinggevende").get("/o/acme/cyclus").get_data(as_text=True)
    assert "Mantelzorg Medewerker" not in leidinggevende


def test_upcoming_sessions_and_evaluations(world, client_as):
    today = clock.today()
    db.session.add_all(
        [
            VoorlichtingSession(
                organisation_id=world.org.id,
                topic="Werkstress herkennen",
                session_date=today + timedelta(days=10),
            ),
            VoorlichtingSession(
                organisation_id=world.org.id, topic="Veel later", session_date=today + timedelta(days=200)
            ),
            Evaluation(
                organisation_id=world.org.id,
                kind="thema",
                theme_key="werkdruk",
                planned_on=today - timedelta(days=2),
            ),
            Evaluation(
                organisation_id=world.org.id,
                kind="thema",
                theme_key="pesten",
                planned_on=today + timedelta(days=20),
            ),
            Evaluation(
                organisation_id=world.org.id,
                kind="thema",
                theme_key="pesten",
                planned_on=today - timedelta(days=20),
                done_on=today - timedelta(days=1),
            ),
        ]
    )
    db.session.commit()
    sessions, sessions_total = dashboard.upcoming_sessions(world.org, today)
    assert [s.topic for s in sessions] == ["Werkstress herkennen"] and sessions_total == 1
    evaluations, evaluations_total = dashboard.upcoming_evaluations(world.org, today)
    assert [e.theme_key for e in evaluations] == ["werkdruk", "pesten"] and evaluations_total == 2
    html = client_as("auditor").get("/o/acme/cyclus").get_data(as_text=True)
    assert "Werkstress herkennen" in html and "Veel later" not in html and "achterstallig" in html


def test_attention_cards_count_all_not_just_the_ones_listed(world, client_as):
    today = clock.today()
    db.session.add_all(
        [
            VoorlichtingSession(
                organisation_id=world.org.id, topic=f"Sessie {i}", session_date=today + timedelta(days=i + 1)
            )
            for i in range(9)
        ]
    )
    db.session.commit()
    sessions, total = dashboard.upcoming_sessions(world.org, today)
    assert len(sessions) == 6 and total == 9
    html = client_as("auditor").get("/o/acme/cyclus").get_data(as_text=True)
    card = re.search(r'data-card="sessions">\s*<div class="stat">(\d+)</div>', html)
    assert card and card.group(1) == "9"


def test_self_inspection_score_or_fallback(world, client_as, monkeypatch):
    from riecycle.models import ChecklistRun
    from riecycle.services import zelfinspectie

    assert "nog geen zelfinspectie" in client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    db.session.add(ChecklistRun(organisation_id=world.org.id, run_on=clock.today(), score=0.75, items=[]))
    db.session.commit()
    html = client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    assert ">75%<" in html and "score laatste zelfinspectie, van" in html
    monkeypatch.delattr(zelfinspectie, "latest_score")
    assert dashboard.self_inspection(world.org).available is False


# --- charts ------------------------------------------------------------------------------------


def _figures(html: str) -> dict:
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<figure class="chart chart-([a-z-]+)">.*?</figure>', html, re.S)
    }


def test_charts_render_with_data_and_text_alternatives(world, client_as):
    today = clock.today()
    first = make_scored_risk(world, "werkdruk", kans=5, effect=10)
    second = make_scored_risk(world, "pesten", kans=1, effect=1)
    db.session.add(
        RiskEvaluation(
            organisation_id=world.org.id,
            risk_id=second.id,
            method="kinney",
            kans=3,
            effect=5,
            frequentie=4,
            score=60,
            priority="hoog",
            evaluated_at=datetime.now(UTC) + timedelta(minutes=1),
        )
    )
    db.session.flush()
    risks.refresh_current(second)
    done = make_simple_measure(world, [first], status="uitgevoerd", termijn=today - timedelta(days=40))
    make_simple_measure(world, [first], status="in_uitvoering", level="team")
    db.session.add(
        MeasureStatusChange(
            organisation_id=world.org.id,
            measure_id=done.id,
            from_status="in_uitvoering",
            to_status="uitgevoerd",
            changed_at=datetime.now(UTC) - timedelta(days=35),
        )
    )
    db.session.commit()
    html = client_as("or_lid").get("/o/acme/cyclus").get_data(as_text=True)
    figures = _figures(html)
    assert {"heatmap", "measures", "completion"} <= set(figures)
    for name in ("heatmap", "measures", "completion"):
        figure = figures[name]
        assert re.search(r'<svg[^>]*role="(?:img|group)"[^>]*aria-labelledby="(\S+) (\S+)"', figure)
        assert "<title id=" in figure and "<desc id=" in figure and "<table>" in figure
        count = int(re.search(r'data-chart="[a-z-]+" data-count="(\d+)"', figure).group(1))
        assert count > 0, name
    heatmap = figures["heatmap"]
    # The latest evaluation counts: 'pesten' moved from (1,1) to (3,5).
    assert 'data-kans="3" data-effect="5" data-count="1"' in heatmap
    assert 'data-kans="5" data-effect="10" data-count="1"' in heatmap
    assert 'data-kans="1" data-effect="1" data-count="0"' in heatmap
    assert 'data-segment="uitgevoerd" data-count="1"' in figures["measures"]


def test_empty_dashboard_explains_itself(world, client_as):
    html = client_as("auditor").get("/o/acme/cyclus").get_data(as_text=True)
    assert "Nog geen beoordeelde risico" in html and "Nog geen pulsrondes" in html
    assert "Stel de puls samen" not in html  # auditors cannot compose
    assert "Stel de puls samen" in client_as("beheerder").get("/o/acme/").get_data(as_text=True)


def test_completion_maths(world):
    today = date(2030, 6, 15)
    for i, (termijn, done_at) in enumerate(
        [
            (date(2030, 2, 1), datetime(2030, 1, 20, 10, tzinfo=UTC)),
            (date(2030, 3, 1), datetime(2030, 4, 2, 10, tzinfo=UTC)),
            (date(2030, 5, 1), None),
            (date(2031, 1, 1), datetime(2030, 4, 30, 23, 30, tzinfo=UTC)),  # 1 May in Amsterdam
        ]
    ):
        m = make_simple_measure(
            world, title=f"M{i}", termijn=termijn, status="uitgevoerd" if done_at else "gepland"
        )
        if done_at:
            db.session.add(
                MeasureStatusChange(
                    organisation_id=world.org.id, measure_id=m.id, to_status="uitgevoerd", changed_at=done_at
                )
            )
            # A second change to uitgevoerd (after a reopening) does not count twice.
            db.session.add(
                MeasureStatusChange(
                    organisation_id=world.org.id,
                    measure_id=m.id,
                    to_status="uitgevoerd",
                    changed_at=done_at + timedelta(days=40),
                )
            )
    db.session.commit()
    data = dashboard.completion_data(world.org, today, months=6)
    assert [s.month for s in data["starts"]] == [1, 2, 3, 4, 5, 6]
    assert data["completed"] == [1, 0, 0, 1, 1, 0]
    assert data["cumulative"] == [1, 1, 1, 2, 3, 3]
    assert data["due"] == [0, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("label", ["<script>alert(1)</script>", 'a"b'])
def test_chart_labels_are_escaped(label):
    figure = charts.stacked_bars(label, [(label, {"gepland": 2})], [("gepland", label)])
    assert "<script>" not in figure and "&lt;script&gt;" in figure or "&#34;" in figure


@pytest.mark.parametrize("role", ["beheerder", "leidinggevende"])
def test_nav_names_the_home_page_and_the_cycle_dashboard_apart(world, client_as, role):
    client = client_as(role)

    def nav(path, lang=None):
        if lang:
            client.post("/taal", data={"lang": lang})
        html = client.get(path).get_data(as_text=True)
        block = re.search(r'<nav class="cyclenav".*?</nav>', html, re.S).group(0)
        return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', block)

    home = nav("/o/acme/")
    assert ("/o/acme/", ' aria-current="page"', "Start") in home
    assert ("/o/acme/cyclus", "", "Cyclus") in home
    assert "Dashboard" not in str(home)
    cycle = nav("/o/acme/cyclus")
    assert ("/o/acme/", "", "Start") in cycle and (
        "/o/acme/cyclus",
        ' aria-current="page"',
        "Cyclus",
    ) in cycle
    english = nav("/o/acme/cyclus", "en")
    assert ("/o/acme/", "", "Home") in english and (
        "/o/acme/cyclus",
        ' aria-current="page"',
        "Cycle",
    ) in english
