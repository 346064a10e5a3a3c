"""A preventiemedewerker records attendance in the register and sees the team's coverage change."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import VoorlichtingSession
from tests.conftest import browser_login

pytestmark = pytest.mark.e2e


def _coverage(page, team: str):
    page.goto("/o/acme/voorlichting/")
    return page.locator(f"#team-coverage tr[data-team='{team}'] td.coverage-cell")


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
    expect(_coverage(page, "Zorgteam Noord")).to_have_text("0%")

    page.click("text=Werkstress in het zorgteam")
    page.click("a:has-text('Presentielijst')")
    rows = page.locator("table.register tbody tr")
    expect(rows).to_have_count(3)
    names = [e.name for e in world.employees if e.team_id == noord.id]
    page.check(f"tr[data-employee='{names[0]}'] input[value=aanwezig]")
    page.check(f"tr[data-employee='{names[1]}'] input[value=aanwezig]")
    page.check(f"tr[data-employee='{names[2]}'] input[value=afgemeld]")
    page.click("button:has-text('Presentielijst opslaan')")
    expect(page.locator(".flash-success")).to_contain_text("Presentielijst opgeslagen")
    expect(page.locator(f"tr[data-employee='{names[0]}'] input[value=aanwezig]")).to_be_checked()

    expect(_coverage(page, "Zorgteam Noord")).to_have_text("67%")
    expect(_coverage(page, "Zorgteam Zuid")).to_have_text("0%")
    expect(page.locator("[data-testid=org-coverage]")).to_have_text("33%")
