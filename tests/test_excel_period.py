"""The evidence workbook for a period: every sheet shows the state as of the end date, and the
summary counts the same records as the sheets."""

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from riecycle import clock
from riecycle.clock import AMSTERDAM
from riecycle.extensions import db
from riecycle.services import asof, evaluations, plan_versions, zelfinspectie
from riecycle.services import plan as plan_service
from riecycle.services import risks as risk_service
from tests.factories import make_detailed_measure, make_evaluated_risk
from tests.support.files import column

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _moment(day):
    return datetime.combine(day, time(12), AMSTERDAM)


@pytest.fixture
def history(world):
    """Records made before, during and after a period that ends 30 days ago."""
    today = clock.today()
    start, end = today - timedelta(days=200), today - timedelta(days=30)
    owner = world.users["preventiemedewerker"]
    before = _moment(end - timedelta(days=60))

    old_risk = make_evaluated_risk(world, title="Werkdruk sinds het voorjaar", evaluations=())
    new_risk = make_evaluated_risk(world, title="Pas na de periode gevonden", theme="pesten", evaluations=())
    old_measure = make_detailed_measure(world, old_risk, title="Vaste pauzes sinds het voorjaar")
    done_before = make_detailed_measure(world, old_risk, title="Afgerond in de periode")
    new_measure = make_detailed_measure(world, old_risk, title="Pas na de periode bedacht")
    gone_later = make_detailed_measure(world, old_risk, title="Later geschrapt")
    for record in (old_risk, old_measure, done_before, gone_later):
        record.created_at = before
    db.session.flush()
    # In the period: one measure carried out (its history dated then).
    plan_service.change_status(done_before, owner, "in_uitvoering", at=before + timedelta(days=1))
    plan_service.change_status(done_before, owner, "uitgevoerd", at=before + timedelta(days=2))
    # After the period: a status change, a risk status change, a deletion.
    plan_service.change_status(old_measure, owner, "in_uitvoering")
    risk_service.update_risk(
        world.org,
        old_risk,
        {
            "title": old_risk.title,
            "description": old_risk.description,
            "theme_key": old_risk.theme_key,
            "status": "in_behandeling",
        },
    )
    gone_later.deleted_at = clock.now()
    # The plan was put before the OR/PVT in the period, the instemming came after it.
    version = plan_versions.submit_plan(world.org, owner, "Versie 1", submitted_on=end - timedelta(days=10))
    version.submitted_at = _moment(end - timedelta(days=10))
    plan_versions.record_decision(world.org, version, world.users["or_lid"], "verleend", today)
    # An evaluation planned in the period, done after it (which made the measure geëvalueerd).
    evaluation = evaluations.plan_evaluation(
        world.org,
        {"kind": "maatregel", "measure_id": done_before.id, "method": "interview", "planned_on": end},
        owner,
    )
    evaluation.created_at = before
    evaluations.record_outcome(
        world.org,
        evaluation,
        {"done_on": today, "effect": "opgelost", "implementation_rating": 4, "conclusion": "Werkt goed."},
        owner,
    )
    # The only self-inspection ran after the period.
    zelfinspectie.run_checklist(world.org, owner, today=today)
    db.session.commit()
    assert old_risk.status == "in_behandeling" and old_measure.status == "in_uitvoering"
    return {
        "start": start,
        "end": end,
        "old_risk": old_risk,
        "new_risk": new_risk,
        "old_measure": old_measure,
        "done_before": done_before,
        "new_measure": new_measure,
        "gone_later": gone_later,
    }


def _download(client_as, url):
    response = client_as("beheerder").get(url)
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return response


def _facts(wb) -> dict:
    ws = wb["Samenvatting"]
    facts = {}
    for row in ws.iter_rows(min_row=2, max_col=3):
        if row[0].value == "Thema":
            break
        if row[0].value:
            facts[row[0].value] = (row[1].value, row[2].value)
    return facts


def _values(ws, name) -> list:
    return [c.value for c in column(ws, name) if c.value is not None]


def test_a_period_shows_the_state_as_of_its_end(client_as, history):
    start, end = history["start"], history["end"]
    response = _download(client_as, f"/o/acme/export/bewijsdossier?van={start}&tot={end}")
    disposition = response.headers["Content-Disposition"]
    assert f"{start.isoformat()}-tot-{end.isoformat()}" in disposition
    wb = load_workbook(BytesIO(response.data))

    # Risks: the one found after the period is absent; the other shows its status of then.
    risks = wb["Risico's"]
    assert _values(risks, "Titel") == ["Werkdruk sinds het voorjaar"]
    assert _values(risks, "Status") == ["Open"]

    # Measures: created after the end absent; deleted after the end still there; statuses of then.
    plan = wb["Plan van aanpak"]
    titles = _values(plan, "Titel")
    statuses = dict(zip(titles, _values(plan, "Status"), strict=True))
    assert "Pas na de periode bedacht" not in titles
    assert statuses == {
        "Vaste pauzes sinds het voorjaar": "Gepland",
        "Afgerond in de periode": "Uitgevoerd",
        "Later geschrapt": "Gepland",
    }

    # The evaluation was planned then, but not yet done.
    evaluation_sheet = wb["Evaluaties"]
    assert [c.value.date() for c in column(evaluation_sheet, "Gepland op")] == [end]
    assert _values(evaluation_sheet, "Uitgevoerd op") == []
    assert _values(evaluation_sheet, "Conclusie") == []

    # The summary counts exactly these records.
    facts = _facts(wb)
    assert facts["Risico's"][0] == len(_values(risks, "Titel")) == 1
    assert facts["Maatregelen"][0] == len(titles) == 3
    assert facts["Maatregelen open"][0] == 2
    assert facts["Maatregelen uitgevoerd of geëvalueerd"][0] == 1
    assert facts["Periode tot en met"][0].date() == end

    # Decisions and runs after the end are absent: the plan was still before the OR/PVT.
    assert facts["Plan van Aanpak: laatste versie"][1] == "Ligt voor bij de OR/PVT"
    assert facts["Plan van Aanpak: instemming OR/PVT"][0] is None
    assert facts["Zelfinspectie: datum"][0] is None and facts["Zelfinspectie: score"][0] is None
    zelf = wb["Zelfinspectie"]
    assert "Nog geen zelfinspectie uitgevoerd." in [c.value for row in zelf.iter_rows() for c in row]

    # The theme table counts the same risks.
    summary = wb["Samenvatting"]
    header_row = next(r for r in range(2, summary.max_row + 1) if summary.cell(r, 1).value == "Thema")
    theme_risks = [
        summary.cell(r, 3).value
        for r in range(header_row + 1, summary.max_row + 1)
        if isinstance(summary.cell(r, 3).value, int)
    ]
    assert sum(theme_risks) == 1


def test_without_a_period_everything_is_current(client_as, history):
    response = _download(client_as, "/o/acme/export/bewijsdossier")
    assert f"-{clock.today().isoformat()}.xlsx" in response.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(response.data))
    plan = wb["Plan van aanpak"]
    titles = _values(plan, "Titel")
    assert "Pas na de periode bedacht" in titles and "Later geschrapt" not in titles
    statuses = dict(zip(titles, _values(plan, "Status"), strict=True))
    assert statuses["Vaste pauzes sinds het voorjaar"] == "In uitvoering"
    assert statuses["Afgerond in de periode"] == "Geëvalueerd"
    assert _values(wb["Evaluaties"], "Conclusie") == ["Werkt goed."]
    assert _values(wb["Risico's"], "Status") == ["In behandeling", "Open"]
    facts = _facts(wb)
    assert facts["Risico's"][0] == 2 and facts["Maatregelen"][0] == len(titles) == 3
    assert facts["Plan van Aanpak: instemming OR/PVT"][0].date() == clock.today()
    assert facts["Zelfinspectie: datum"][0].date() == clock.today()


def test_as_of_services_give_records_and_statuses_of_a_day(app, world, history):
    end = history["end"]
    org = world.org
    risk_ids = set(db.session.scalars(asof.risks_stmt(org, end).with_only_columns(asof.Risk.id)))
    assert risk_ids == {history["old_risk"].id}
    measure_ids = set(db.session.scalars(asof.measures_stmt(org, end).with_only_columns(asof.Measure.id)))
    assert measure_ids == {history["old_measure"].id, history["done_before"].id, history["gone_later"].id}
    statuses = asof.measure_statuses(org, end)
    assert statuses[history["old_measure"].id] == "gepland"
    assert statuses[history["done_before"].id] == "uitgevoerd"
    assert asof.risk_statuses(org, end)[history["old_risk"].id] == "open"
    # Today: the current state.
    assert asof.risk_statuses(org, clock.today())[history["old_risk"].id] == "in_behandeling"
    assert asof.latest_run(org, end) is None and asof.latest_run(org, clock.today()) is not None


# --- the theme steps of the summary agree with the sheets --------------------------------------

STEPS = ("Geïnventariseerd", "Maatregelen", "Geëvalueerd", "Bijgesteld")


def _rows(ws) -> list[dict]:
    head = [c.value for c in ws[1]]
    return [
        dict(zip(head, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True) if any(row)
    ]


def _summary_steps(wb) -> dict:
    """Theme -> {step: reached} from the Samenvatting's theme table."""
    ws = wb["Samenvatting"]
    start = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "Thema")
    head = [c.value for c in ws[start]]
    steps = {}
    for row in ws.iter_rows(min_row=start + 1, values_only=True):
        if not row[0] or not isinstance(row[2], int):
            continue
        steps[row[0]] = {step: row[head.index(step)] == "Ja" for step in STEPS}
    return steps


def _sheet_steps(wb) -> dict:
    """Theme -> {step: reached}, worked out from the Risico's, Plan van aanpak and Evaluaties sheets
    by the rules of the dashboard (the RI&E covers no themes in this history)."""
    risks = {
        r["Risico-ref"]: r["Thema"] for r in _rows(wb["Risico's"]) if r["Status"] != "Niet van toepassing"
    }
    measure_themes = {}
    for m in _rows(wb["Plan van aanpak"]):
        themes = {risks[ref.strip()] for ref in (m["Risico-ref"] or "").split(";") if ref.strip() in risks}
        measure_themes[m["Maatregel-ref"]] = (themes, m["Status"] != "Vervallen")
    steps = {}

    def reach(theme, step):
        steps.setdefault(theme, dict.fromkeys(STEPS, False))[step] = True

    for theme in risks.values():
        reach(theme, "Geïnventariseerd")
    for themes, live in measure_themes.values():
        for theme in themes if live else ():
            reach(theme, "Maatregelen")
    for e in _rows(wb["Evaluaties"]):
        if e["Uitgevoerd op"] is None:
            continue
        themes, live = measure_themes.get(e["Maatregel-ref"], (set(), False))
        for theme in ({e["Thema"]} if e["Thema"] else set()) | (themes if live else set()):
            reach(theme, "Geëvalueerd")
            if e["Beleid bijgesteld"] == "Ja" or e["Vervolgmaatregelen"]:
                reach(theme, "Bijgesteld")
    return steps


@pytest.mark.parametrize("period", [True, False], ids=["period", "today"])
def test_the_theme_steps_of_the_summary_agree_with_the_sheets(client_as, history, period):
    url = "/o/acme/export/bewijsdossier"
    if period:
        url += f"?van={history['start']}&tot={history['end']}"
    wb = load_workbook(BytesIO(_download(client_as, url).data))
    summary, sheets = _summary_steps(wb), _sheet_steps(wb)
    reached = {theme: marks for theme, marks in summary.items() if any(marks.values())}
    assert reached == sheets
    werkdruk = summary["Werkdruk"]
    if period:
        # At the end of the period the evaluation was not done yet and the pesten risk not found.
        assert werkdruk == {
            "Geïnventariseerd": True,
            "Maatregelen": True,
            "Geëvalueerd": False,
            "Bijgesteld": False,
        }
        assert not any(summary["Pesten"].values())
        notes = [c.value for row in wb["Samenvatting"].iter_rows() for c in row if isinstance(c.value, str)]
        assert "De stappen per thema en het aantal risico's tonen de stand op de einddatum." in notes
    else:
        assert werkdruk["Geëvalueerd"] and summary["Pesten"]["Geïnventariseerd"]


def test_as_of_theme_stages_follow_the_day(app, world, history):
    end = history["end"]
    then = {s.key: s for s in asof.theme_stages(world.org, end)}
    assert then["werkdruk"].current == "maatregelen" and then["werkdruk"].risks == 1
    assert then["pesten"].current is None and then["pesten"].risks == 0
    today = {s.key: s for s in asof.theme_stages(world.org, clock.today())}
    assert today["werkdruk"].reached["geevalueerd"] and today["pesten"].reached["geinventariseerd"]
