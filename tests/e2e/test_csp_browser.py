"""The Content-Security-Policy blocks nothing riecycle needs: the main pages load without a CSP
violation, and the confirm dialogs (now in static/js/app.js) still guard deletions."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Employee
from tests.conftest import browser_login
from tests.factories import make_survey, run_round, same, team

pytestmark = pytest.mark.e2e


def test_pages_load_without_csp_violations_and_confirm_works(page, world):
    survey = make_survey(world)
    run_round(survey, clock.today(), {team(world).id: same(4, 3)})
    employee = db.session.scalar(select(Employee).where(Employee.organisation_id == world.org.id))
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    browser_login(page, world.users["beheerder"].email)
    for url in (
        "/o/acme/",
        "/o/acme/plan/",
        "/o/acme/plan/tijdlijn",
        "/o/acme/pulse/",
        "/o/acme/zelfinspectie/",
        "/o/acme/beheer/gebruikers",
        f"/o/acme/beheer/medewerkers/{employee.id}",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator("h1").first).to_be_visible()
    assert not problems, problems

    # The confirm dialog: dismissing keeps the employee, accepting deletes it.
    delete = page.get_by_role("button", name="Medewerker verwijderen")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    delete.click()
    expect(page).to_have_url(re.compile(rf"/beheer/medewerkers/{employee.id}$"))
    assert questions and questions[0].startswith("Medewerker verwijderen?")
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page).to_have_url(re.compile(r"/beheer/medewerkers$"))
    expect(page.locator(".flash-success")).to_contain_text("is verwijderd")
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).deleted_at is not None
    assert not problems, problems
