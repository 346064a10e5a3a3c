"""The dashboard in a real browser: the charts render with data, on screen and in print."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import MeasureStatusChange
from riecycle.services import pulse
from tests.conftest import browser_login
from tests.factories import (
    add_staff,
    make_scored_risk,
    make_simple_measure,
    make_survey,
    run_round,
    same,
    team,
)

pytestmark = pytest.mark.e2e


def _data(world):
    today = clock.today()
    first = make_scored_risk(world, "werkdruk", kans=5, effect=10)
    make_scored_risk(world, "pesten", kans=3, effect=5)
    done = make_simple_measure(world, [first], status="uitgevoerd", termijn=today - timedelta(days=60))
    make_simple_measure(world, [first], status="in_uitvoering", level="team")
    make_simple_measure(world, [first], termijn=today - timedelta(days=5))
    db.session.add(
        MeasureStatusChange(
            organisation_id=world.org.id,
            measure_id=done.id,
            to_status="uitgevoerd",
            changed_at=datetime.now(UTC) - timedelta(days=50),
        )
    )
    add_staff(world, "Zorgteam Noord", 5)
    add_staff(world, "Zorgteam Zuid", 3)
    survey = make_survey(world)
    for months_ago, n in ((3, 7), (2, 6), (1, 5)):
        run_round(
            survey,
            pulse.add_months(today, -months_ago),
            {team(world).id: same(3, n), team(world, "Zorgteam Zuid").id: same(4, 5)},
        )
    db.session.commit()


def test_dashboard_charts_render_with_data(page, world):
    _data(world)
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(page, world.users["preventiemedewerker"].email)
    expect(page).to_have_url(re.compile(r"/o/acme/$"))
    page.get_by_role("link", name="Beleidscyclus en grafieken").click()  # from the home page to the cycle
    expect(page).to_have_url(re.compile(r"/o/acme/cyclus$"))
    heatmap = page.locator("svg[data-chart=heatmap]")
    expect(heatmap).to_have_attribute("data-count", "2")
    expect(page.locator("svg[data-chart=heatmap] rect[data-count='1']")).to_have_count(2)
    expect(page.locator("svg[data-chart=measures] rect[data-segment]")).to_have_count(3)
    expect(page.locator("svg[data-chart=completion]")).to_have_attribute(
        "data-count", re.compile(r"^[1-9]\d*$")
    )
    trends = page.locator("svg[data-chart=pulse-trend]")
    expect(trends).to_have_count(2)
    expect(page.locator("svg[data-chart=pulse-trend] circle[data-score]")).to_have_count(6)
    expect(page.locator("svg[data-chart=pulse-trend] rect[data-rate]")).to_have_count(6)
    expect(page.locator("[data-alert=falling-response]")).to_contain_text("Dalende respons")
    assert heatmap.bounding_box()["width"] > 200
    out = Path("test-artifacts")
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    # Printed: navigation goes, the charts stay.
    page.emulate_media(media="print")
    expect(page.locator("nav.cyclenav")).to_be_hidden()
    expect(heatmap).to_be_visible()
    expect(trends.first).to_be_visible()
    page.screenshot(path=str(out / "dashboard_print.png"), full_page=True)
    # The numbers are there as a table for whoever cannot see the chart.
    page.emulate_media(media="screen")
    page.locator("figure.chart-heatmap details summary").click()
    expect(page.locator("figure.chart-heatmap table")).to_be_visible()
    # The stage and the overdue state side by side: werkdruk has one open measure past its termijn.
    overdue = page.locator("[data-testid=overdue-werkdruk]")
    expect(overdue).to_have_text("Achterstand: 1 maatregel over termijn")
    expect(page.locator("tr[data-theme=werkdruk] td.stage-behind")).to_have_count(2)
    # The same heatmap on /rie/heatmap; a cell opens the register filtered on it.
    dashboard_cells = heatmap.locator("rect[data-kans]").evaluate_all(
        "rs => rs.map(r => [r.dataset.kans, r.dataset.effect, r.dataset.count, r.getAttribute('fill')])"
    )
    page.goto(re.sub(r"cyclus$", "rie/heatmap", page.url))
    on_page = page.locator("svg[data-chart=heatmap]")
    assert (
        on_page.locator("rect[data-kans]").evaluate_all(
            "rs => rs.map(r => [r.dataset.kans, r.dataset.effect, r.dataset.count, r.getAttribute('fill')])"
        )
        == dashboard_cells
    )
    page.screenshot(path=str(out / "heatmap.png"), full_page=True)
    on_page.locator("rect[data-kans='5'][data-effect='10']").click()
    page.wait_for_url("**/rie/risicos?**")
    expect(page).to_have_url(re.compile(r"kans=5.*effect=10"))
