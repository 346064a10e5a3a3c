"""Importing the action plan of a rie.nl RI&E tool (Euphorie/OiRA): recognised by its headers in
the plan upload and `flask import plan`, sections mapped to PSA themes or skipped, all or nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import AuditEntry, Measure, Rie, Risk
from tests.support.imports import counts, upload
from tests.support.rienl import row, sample_rows, workbook


def _risks() -> dict:
    db.session.expire_all()
    return {
        r.description.rsplit("risiconummer ", 1)[1].rstrip("."): r for r in db.session.scalars(select(Risk))
    }


def _run(app, tmp_path, data: bytes, *args):
    path = tmp_path / "plan-van-aanpak.xlsx"
    path.write_bytes(data)
    return app.test_cli_runner().invoke(args=["import", "plan", "--org", "acme", str(path), *args])


def test_cli_imports_a_dutch_file_maps_sections_and_lists_what_it_skipped(app, world, tmp_path):
    result = _run(
        app,
        tmp_path,
        workbook(sample_rows("nl")),
        "--theme-map",
        "Ongewenste omgangsvormen=Pesten",
        "--responsible",
        "preventiemedewerker@acme.example",
        "--tool",
        "RI&E Zorg en Welzijn",
        "--erkend",
    )
    assert result.exit_code == 0, result.output
    assert "Sectie 'Beeldschermwerk': overgeslagen" in result.output
    assert "Overgeslagen: 2.1 Schoonmaakmiddelen" in result.output
    assert "Overgeslagen: Ω.1 Klanten worden agressief" in result.output
    assert "Import geslaagd: 3 risico's en 3 maatregelen" in result.output
    risks = _risks()
    assert set(risks) == {"3.1", "3.2", "4.1"}
    werkdruk = risks["3.1"]
    assert (werkdruk.theme_key, werkdruk.title) == (
        "werkdruk",
        "Medewerkers ervaren structureel te veel werk.",
    )
    assert werkdruk.tool_priority == "hoog" and risks["3.2"].tool_priority == "middel"
    assert werkdruk.current_score is None and werkdruk.current_priority is None  # nog niet gescoord
    assert "Vooral in de zomermaanden." in werkdruk.description
    assert risks["4.1"].theme_key == "pesten"
    measures = {m.title: m for m in db.session.scalars(select(Measure))}
    first = measures["Maak werkdruk een vast punt in het teamoverleg."]
    assert first.description.endswith("Evalueer elk kwartaal.")
    assert (first.start_date, first.termijn, first.budget_eur) == (
        date(2026, 2, 1),
        date(2026, 6, 30),
        Decimal("1500.00"),
    )
    assert first.effort == "Gespreksvaardigheid van de leidinggevende"
    assert first.level == "organisatie" and first.responsible == world.users["preventiemedewerker"]
    # "Onbekende Collega" matches no user: --responsible takes it.
    other = measures["Herverdeel administratieve taken naar een officeassistent."]
    assert other.responsible == world.users["preventiemedewerker"]
    undated = measures["Stel een externe vertrouwenspersoon aan"]
    assert undated.start_date is None and undated.termijn == clock.today() + timedelta(days=90)
    rie = db.session.scalar(select(Rie).where(Rie.organisation_id == world.org.id, Rie.is_current.is_(True)))
    assert (rie.instrument, rie.instrument_erkend) == ("RI&E Zorg en Welzijn", True)
    assert werkdruk.rie_id == rie.id
    audited = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "Risico", AuditEntry.action == "create")
    ).all()
    assert len({a.entity_id for a in audited}) == 3


def test_cli_without_responsible_refuses_and_writes_nothing(app, world, tmp_path):
    before = counts()
    result = _run(app, tmp_path, workbook(sample_rows("nl")))
    assert result.exit_code == 1
    assert "'Onbekende Collega' (Wie is er verantwoordelijk?) is geen gebruiker" in result.output
    assert counts() == before
