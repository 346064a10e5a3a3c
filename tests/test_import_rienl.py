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


def _pending_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_english_file_upload_preview_maps_sections_risks_and_people(app, world, client_as):
    client = client_as("preventiemedewerker")
    pending_id = _pending_id(upload(client, workbook(sample_rows("en"), "en"), "Action plan for Acme.xlsx"))
    preview = client.get(f"/o/acme/export/importeren/{pending_id}")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Plan van aanpak uit rie.nl importeren" in html
    # "Werkdruk" matches a theme and is mapped already; "Screen work" is not.
    assert '<option value="werkdruk" selected>' in html
    assert "Screen work" in html and "Custom risks" in html
    ordered = sorted(sample_rows("en"), key=lambda r: r[0] or date.min)  # as Euphorie writes them
    sections = list(dict.fromkeys(r[6] for r in ordered))
    risks = list(dict.fromkeys(r[7] for r in ordered))
    people = list(dict.fromkeys(r[4] for r in ordered if r[4]))
    form = {
        "tool": "OiRA Office work",
        "erkend": "nee",
        "performed_on": "2026-11-01",
        "termijn": "2027-01-31",
        f"section_{sections.index('Undesirable behaviour')}": "pesten",
        f"section_{sections.index('Custom risks')}": "agressie_extern",
        f"risk_{risks.index('3.2')}": "skip",  # one risk of a mapped section skipped
        f"responsible_{people.index('Preventiemedewerker Acme')}": str(world.users["preventiemedewerker"].id),
        f"responsible_{people.index('Onbekende Collega')}": str(world.users["beheerder"].id),
    }
    form[f"section_{sections.index('Werkdruk')}"] = "werkdruk"
    # The custom risk (Ω.1, section "Custom risks") goes to agressie_extern; its measure on team level.
    measure_row = 2 + [r[7] for r in ordered].index("Ω.1")
    form[f"level_{measure_row}"] = "team"
    form[f"team_{measure_row}"] = str(world.teams["Zorgteam Noord"].id)
    done = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen", data=form)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    risks_by_number = _risks()
    assert set(risks_by_number) == {"3.1", "4.1", "Ω.1"}
    assert risks_by_number["Ω.1"].theme_key == "agressie_extern"
    assert risks_by_number["3.1"].tool_priority == "hoog"  # "High"
    assert risks_by_number["4.1"].theme_key == "pesten"
    measures = {m.title: m for m in db.session.scalars(select(Measure))}
    balie = measures["Train baliemedewerkers in de-escalatie."]
    assert balie.level == "team" and [t.name for t in balie.teams] == ["Zorgteam Noord"]
    assert balie.termijn == date(2026, 12, 1) and balie.start_date is None
    assert (
        measures["Herverdeel administratieve taken naar een officeassistent."].responsible
        == world.users["beheerder"]
    )
    assert measures["Stel een externe vertrouwenspersoon aan"].termijn == date(2027, 1, 31)
    rie = db.session.scalar(select(Rie).where(Rie.organisation_id == world.org.id))
    assert (rie.instrument, rie.instrument_erkend, rie.performed_on) == (
        "OiRA Office work",
        False,
        date(2026, 11, 1),
    )
    page = client.get("/o/acme/rie/risicos").get_data(as_text=True)
    assert "nog niet gescoord" in page


def test_preview_refuses_an_unassigned_name_and_writes_nothing(app, world, client_as):
    client = client_as("beheerder")
    pending_id = _pending_id(upload(client, workbook(sample_rows("nl"))))
    before = counts()
    form = {
        "tool": "RI&E Zorg",
        "erkend": "ja",
        "performed_on": "2026-11-01",
        "termijn": "2027-01-31",
    }
    ordered = sorted(sample_rows("nl"), key=lambda r: r[0] or date.min)
    form[f"section_{list(dict.fromkeys(r[6] for r in ordered)).index('Werkdruk')}"] = "werkdruk"
    refused = client.post(f"/o/acme/export/importeren/{pending_id}/bevestigen", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "&#39;Onbekende Collega&#39; (Wie is er verantwoordelijk?) is geen gebruiker" in html
    assert counts() == before
    bad = client.post(
        f"/o/acme/export/importeren/{pending_id}/bevestigen", data={**form, "tool": "", "termijn": "morgen"}
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Vul in uit welke RI&amp;E-tool het bestand komt." in text and "geen geldige datum" in text
    assert counts() == before


def test_unreadable_rows_are_refused_each_with_a_dutch_message(app, world, client_as):
    rows = [
        *sample_rows("nl"),
        row("Werkdruk", "3.3", "Te veel overwerk.", "urgent"),
        row(
            "Werkdruk",
            "3.4",
            "Onduidelijke taken.",
            "laag",
            action="Maak taakprofielen.",
            start=date(2026, 5, 1),
            end=date(2026, 4, 1),
        ),
        row("Werkdruk", "3.5", "Geen inwerkprogramma.", budget="veel", action="Schrijf een inwerkplan."),
        row("Werkdruk", None, "Risico zonder nummer."),
        row("Werkdruk", "3.6", "Ander risico.", responsible="Jan de Vries"),
        row("Pesten", "3.1", "Een ander risico met nummer 3.1."),
    ]
    before = counts()
    response = upload(client_as("preventiemedewerker"), workbook(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "'urgent' is geen prioriteit",
        "De begindatum ligt na de einddatum.",
        "'veel' is geen bedrag",
        "Vul het Risiconummer in",
        "heeft een datum, verantwoordelijke of budget maar geen Plan van aanpak",
        "Risiconummer 3.1 staat ook in rij",
    ):
        assert message.replace("'", "&#39;") in html, message
    assert '<td>Plan van aanpak</td><td class="num">' in html
    assert counts() == before


def test_riecycles_own_plan_sheet_is_not_taken_for_a_rienl_file(app, world):
    from riecycle.excel import importer
    from tests.factories import plan_file

    parsed = importer.parse_plan(world.org, plan_file())
    assert getattr(parsed, "kind", None) != "rienl" and parsed.risks


@pytest.mark.parametrize("language", ["nl", "en"])
def test_imported_risk_stays_out_of_the_heatmap_until_scored(app, world, tmp_path, language):
    result = _run(
        app, tmp_path, workbook(sample_rows(language), language), "--responsible", "beheerder@acme.example"
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    from tests.conftest import login

    login(client, "beheerder@acme.example")
    heatmap = client.get("/o/acme/rie/heatmap").get_data(as_text=True)
    assert 'data-testid="priority-hoog">0 risico' in heatmap  # "hoog" in the tool is not a score
    assert 'prioriteit=geen&amp;status=actief">2 risico' in heatmap
    risk = _risks()["3.1"]
    show = client.get(f"/o/acme/rie/risicos/{risk.id}").get_data(as_text=True)
    assert "Nog niet gescoord. Prioriteit uit de RI&E-tool: Hoog" in show
    scored = client.post(
        f"/o/acme/rie/risicos/{risk.id}/beoordelen",
        data={"kans": "5", "frequentie": "7", "effect": "5", "evaluated_on": clock.today().isoformat()},
    )
    assert scored.status_code == 302, scored.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).current_priority == "hoog"
    heatmap = client.get("/o/acme/rie/heatmap").get_data(as_text=True)
    assert 'data-testid="priority-hoog">1 risico' in heatmap


def test_importing_the_same_file_twice_is_refused_and_changes_nothing(app, world, tmp_path):
    args = ("--responsible", "beheerder@acme.example")
    assert _run(app, tmp_path, workbook(sample_rows("nl")), *args).exit_code == 0
    before = counts()
    again = _run(app, tmp_path, workbook(sample_rows("nl")), *args)
    assert again.exit_code == 1
    assert (
        "Er bestaat al een risico met de titel 'Medewerkers ervaren structureel te veel werk.'"
        in again.output
    )
    assert counts() == before
