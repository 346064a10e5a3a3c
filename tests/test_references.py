"""Issue 17 point 1: every risk and measure keeps a permanent number within its organisation."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Measure, Organisation, Risk
from riecycle.models.references import parse_reference
from riecycle.services.records import soft_delete
from tests.factories import make_detailed_measure as make_measure
from tests.factories import make_evaluated_risk as make_risk
from tests.support.files import column
from tests.support.files import download_xlsx as download


def test_numbers_follow_creation_per_organisation(world):
    first, second = make_risk(world, "Eerste"), make_risk(world, "Tweede")
    elsewhere = Risk(organisation_id=world.other_org.id, theme_key="werkdruk", title="Ander", description="x")
    db.session.add(elsewhere)
    measure = make_measure(world, first)
    db.session.commit()
    assert (first.reference, second.reference, elsewhere.reference) == ("R-0001", "R-0002", "R-0001")
    assert measure.reference == "M-0001"
    assert db.session.get(Organisation, world.org.id).last_risk_number == 2


def test_references_stay_stable_after_a_risk_is_deleted(client_as, world):
    first, second, third = (make_risk(world, t) for t in ("Eerste", "Tweede", "Derde"))
    make_measure(world, third, title="Bij het derde")
    soft_delete(first)
    db.session.commit()
    fourth = make_risk(world, "Vierde")
    db.session.commit()
    assert fourth.reference == "R-0004", "a number is never reused"

    wb = load_workbook(BytesIO(download(client_as, "beheerder", "/o/acme/export/bewijsdossier")))
    risks = dict(
        zip(
            (c.value for c in column(wb["Risico's"], "Titel")),
            (c.value for c in column(wb["Risico's"], "Risico-ref")),
            strict=True,
        )
    )
    assert risks == {"Tweede": "R-0002", "Derde": "R-0003", "Vierde": "R-0004"}
    plan = wb["Plan van aanpak"]
    assert [c.value for c in column(plan, "Risico-ref")] == ["R-0003"]
    assert [c.value for c in column(plan, "Maatregel-ref")] == ["M-0001"]


def test_pages_and_plan_search_show_the_reference(client_as, world):
    risk = make_risk(world)
    make_measure(world, risk, title="Eerste maatregel")
    second = make_measure(world, risk, title="Tweede maatregel")
    db.session.commit()
    client = client_as("beheerder")
    assert "M-0002" in client.get(f"/o/acme/plan/{second.id}").get_data(as_text=True)
    assert "R-0001" in client.get(f"/o/acme/rie/risicos/{risk.id}").get_data(as_text=True)
    for q in ("M-0002", "m2", "2"):
        html = client.get("/o/acme/plan/", query_string={"q": q, "groep": "geen"}).get_data(as_text=True)
        assert "Tweede maatregel" in html and "Eerste maatregel" not in html, q


def test_parse_reference():
    assert parse_reference("M-0012", "M") == 12
    assert parse_reference(" m12 ", "M") == 12
    assert parse_reference("12", "M") == 12
    assert parse_reference(12, "R") == 12
    assert parse_reference("R-0012", "M") is None
    assert parse_reference("Pauzes", "M") is None
    assert parse_reference("M-0", "M") is None


def test_numbers_are_unique_within_an_organisation(world):
    risk = make_risk(world)
    measures = [make_measure(world, risk, title=f"Maatregel {i}") for i in range(5)]
    db.session.commit()
    numbers = db.session.scalars(select(Measure.number).where(Measure.organisation_id == world.org.id)).all()
    assert sorted(numbers) == [1, 2, 3, 4, 5]
    assert [m.number for m in measures] == [1, 2, 3, 4, 5]


@pytest.fixture
def migrated_url(fresh_url):
    return fresh_url


def test_migration_numbers_existing_records_in_order_of_creation(migrated_url):
    """Risks made before the migration get numbers by (created_at, id) per organisation, deleted
    ones included, and the counter continues after them."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from riecycle import create_app

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": migrated_url})
    with app.app_context():
        upgrade(revision="sec_forms_1")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO psa_themes (key, position, name_nl, name_en) VALUES ('werkdruk', 1, 'Werkdruk', 'Workload')"
                )
            )
            for org_id in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO organisations (id, slug, name, uses_branche_rie, risk_method, pva_review_month, "
                        "created_at, updated_at) VALUES (:i, :s, :s, false, 'kinney', 2, CURRENT_TIMESTAMP, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"i": org_id, "s": f"org{org_id}"},
                )
            # id order differs from creation order; organisation 2's risk comes in between.
            for risk_id, org_id, day, deleted in (
                (1, 1, 3, None),
                (2, 2, 1, None),
                (3, 1, 1, "2026-01-05"),
                (4, 1, 2, None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO risks (id, organisation_id, theme_key, title, description, scope, source, status, "
                        "measures_organisatie, measures_team, measures_individu, version_id, created_at, updated_at, "
                        "deleted_at) VALUES (:i, :o, 'werkdruk', :t, 'x', 'organisatie', 'rie', 'open', 0, 0, 0, 1, "
                        ":c, :c, :d)"
                    ),
                    {
                        "i": risk_id,
                        "o": org_id,
                        "t": f"Risico {risk_id}",
                        "c": f"2026-01-0{day} 12:00:00",
                        "d": deleted,
                    },
                )
        upgrade()
        with db.engine.connect() as conn:
            numbers = dict(conn.execute(text("SELECT id, number FROM risks")).all())
            counters = dict(conn.execute(text("SELECT id, last_risk_number FROM organisations")).all())
        db.engine.dispose()
    assert numbers == {3: 1, 4: 2, 1: 3, 2: 1}
    assert counters == {1: 3, 2: 1}


def test_a_bulk_insert_is_numbered_too(world):
    """Inserts that bypass the ORM flush (scripts, bulk loads) take their numbers from the counter."""
    from sqlalchemy import insert

    make_risk(world, "Eerste")
    db.session.commit()
    rows = [
        {"organisation_id": world.org.id, "theme_key": "werkdruk", "title": f"Bulk {i}", "description": "x"}
        for i in range(3)
    ]
    ids = list(db.session.scalars(insert(Risk).returning(Risk.id, sort_by_parameter_order=True), rows))
    db.session.commit()
    numbers = [db.session.get(Risk, i).number for i in ids]
    assert numbers == [2, 3, 4]
    assert make_risk(world, "Daarna").number == 5
