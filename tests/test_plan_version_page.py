"""The plan version as the OR reads it: a summary, then the measures by theme and risk in folding
sections; printed unfolded without links, forms and buttons."""

import re
from pathlib import Path

from riecycle.extensions import db
from riecycle.services import plan_versions
from tests.factories import make_measure, make_risk


def _version(world):
    werkdruk = make_risk(world, title="Hoge werkdruk")
    agressie = make_risk(world, title="Agressie aan de balie")
    agressie.theme_key = "agressie_extern"
    make_measure(world, risk=werkdruk, title="Vaste pauzes", status="gepland")
    make_measure(world, risk=werkdruk, title="Extra bezetting", status="in_uitvoering")
    make_measure(world, risk=agressie, title="Balie ombouwen", status="gepland")
    make_measure(world, "individu", risk=agressie, employee=world.employees[0], title="Coaching voor Jan")
    version = plan_versions.submit_plan(world.org, world.users["preventiemedewerker"])
    db.session.commit()
    return version


def _section(html: str, heading: str) -> str:
    """The <details> section whose summary heading is `heading` (up to the next theme section)."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find('<details class="group theme-group"', start)
    return html[start : end if end != -1 else len(html)]


def test_the_version_is_grouped_by_theme_and_risk_with_a_summary(world, client_as):
    version = _version(world)
    html = client_as("or_lid").get(f"/o/acme/plan/versies/{version.id}").get_data(as_text=True)
    assert "4 maatregelen · 2 thema&#39;s" in html or "4 maatregelen · 2 thema's" in html
    per_status = re.search(r'data-testid="per-status">(.*?)</dd>', html, re.S).group(1)
    assert "Gepland: 3" in per_status and "In uitvoering: 1" in per_status and "Uitgevoerd" not in per_status
    per_level = re.search(r'data-testid="per-level">(.*?)</dd>', html, re.S).group(1)
    assert "Organisatie: 3" in per_level and "Individu" in per_level

    assert html.count('<details class="group theme-group" open>') == 2
    werkdruk = _section(html, "Werkdruk")
    assert "<h3>Hoge werkdruk</h3>" in werkdruk
    assert "Vaste pauzes" in werkdruk and "Extra bezetting" in werkdruk and "Balie ombouwen" not in werkdruk
    agressie = _section(html, "Agressie en geweld (extern)")
    assert "<h3>Agressie aan de balie</h3>" in agressie and "Balie ombouwen" in agressie
    # Risk sections fold; the individual measure stays pseudonymised for the OR.
    assert html.count('<details class="risk-group">') == 2
    assert "Coaching voor Jan" not in html and "individuele maatregel #" in agressie


def test_the_print_stylesheet_unfolds_and_hides_controls(world, client_as):
    version = _version(world)
    html = client_as("or_lid").get(f"/o/acme/plan/versies/{version.id}").get_data(as_text=True)
    assert re.search(r'<body class="plan-print">', html)
    css = (Path(__file__).parents[1] / "riecycle/static/css/plan.css").read_text()
    print_css = css[css.index("The OR's paper copy") :]
    assert "details::details-content { content-visibility: visible; display: block; }" in print_css
    for hidden in (".plan-print form", ".plan-print button", ".plan-print a.small-link"):
        assert hidden in print_css
    js = (Path(__file__).parents[1] / "riecycle/static/js/forms.js").read_text()
    assert "beforeprint" in js and "afterprint" in js
