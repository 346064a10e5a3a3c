"""Running the zelfinspectie again without changes stores nothing new, and the history is
paged."""

from datetime import date, timedelta

from sqlalchemy import func, select

from riecycle import clock
from riecycle.models import AuditEntry, ChecklistRun, Risk
from riecycle.services import zelfinspectie as service


def _count(db):
    return db.session.scalar(select(func.count()).select_from(ChecklistRun))


def test_running_again_without_changes_reuses_the_latest_run(client_as, db, world):
    client = client_as("preventiemedewerker")
    assert client.post("/o/acme/zelfinspectie/uitvoeren").status_code == 302
    first = service.latest_run(world.org)
    for _ in range(5):
        response = client.post("/o/acme/zelfinspectie/uitvoeren", follow_redirects=True)
        assert "Er is niets veranderd sinds de uitvoering" in response.text
    assert _count(db) == 1
    runs_audited = select(func.count(AuditEntry.id)).where(AuditEntry.entity == "Zelfinspectie")
    assert db.session.scalar(runs_audited) == 1
    assert service.latest_run(world.org).id == first.id

    # A change in the records gives a new run, with the new answers.
    db.session.add(
        Risk(organisation_id=world.org.id, theme_key="werkdruk", title="Werkdruk", description="x")
    )
    db.session.commit()
    response = client.post("/o/acme/zelfinspectie/uitvoeren", follow_redirects=True)
    assert "De zelfinspectie is uitgevoerd" in response.text
    assert _count(db) == 2
    # Another organisation's runs are its own.
    assert service.latest_run(world.other_org) is None


def test_an_unchanged_run_on_another_day_is_stored(db, world):
    today = clock.today()
    service.run_checklist(world.org, today=today - timedelta(days=1))
    service.run_checklist(world.org, today=today - timedelta(days=1))
    assert _count(db) == 1
    service.run_checklist(world.org, today=today)
    assert _count(db) == 2


def test_history_pages_through_the_runs(client_as, db, world):
    first_day = date(2025, 1, 1)
    for n in range(30):
        service.run_checklist(world.org, today=first_day + timedelta(days=n))
    db.session.commit()
    client = client_as("auditor")
    first_page = client.get("/o/acme/zelfinspectie/historie").text
    second_page = client.get("/o/acme/zelfinspectie/historie?page=2").text
    newest, oldest = service.runs(world.org)[0], service.runs(world.org)[-1]
    show = "/o/acme/zelfinspectie/uitvoeringen/{}/afdrukken"
    assert show.format(newest.id) in first_page and show.format(oldest.id) not in first_page
    assert show.format(oldest.id) in second_page and show.format(newest.id) not in second_page
    assert first_page.count("/afdrukken") == 25 and second_page.count("/afdrukken") == 5
    assert "Pagina 1 van 2" in first_page
