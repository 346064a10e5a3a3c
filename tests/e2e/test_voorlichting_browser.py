"""A preventiemedewerker records attendance in the register and sees the team's coverage change."""

from datetime import timedelta

import pytest

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import VoorlichtingSession
from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def _coverage(page, team: str) -> str:
    page.goto("/o/acme/voorlichting/")
    return page.locator(f"#team-coverage tr[data-team='{team}'] td.coverage-cell").inner_text().strip()


def test_recording_attendance_changes_team_coverage(page, world):
    noord = world.teams["Zorgteam Noord"]
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic="Werkstress in het zorgteam",
        audience="teams",
        session_date=clock.today() - timedelta(days=2),
    )
    session.teams = [noord]
    db.session.add(session)
    db.session.commit()
    browser_login(page, world.users["preventiemedewerker"].email)
    assert _coverage(page, "Zorgteam Noord") == "0%"

    page.click("text=Werkstress in het zorgteam")
    page.click("a:has-text('Presentielijst')")
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 3
    names = [e.name for e in world.employees if e.team_id == noord.id]
    page.check(f"tr[data-employee='{names[0]}'] input[value=aanwezig]")
    page.check(f"tr[data-employee='{names[1]}'] input[value=aanwezig]")
    page.check(f"tr[data-employee='{names[2]}'] input[value=afgemeld]")
    page.click("button:has-text('Presentielijst opslaan')")
    assert "Presentielijst opgeslagen" in page.locator(".flash-success").inner_text()
    assert page.locator(f"tr[data-employee='{names[0]}'] input[value=aanwezig]").is_checked()

    assert _coverage(page, "Zorgteam Noord") == "67%"
    assert _coverage(page, "Zorgteam Zuid") == "0%"
    assert page.locator("[data-testid=org-coverage]").inner_text() == "33%"
