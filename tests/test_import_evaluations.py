"""The evidence workbook's Evaluaties sheet imports back with the plan: a measure becomes
Geëvalueerd only through a recorded evaluation in the same workbook (docs/domain.md §6)."""

import html
import re
from datetime import date, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import AuditEntry, Evaluation, Measure
from riecycle.services import evaluations as evaluation_service
from riecycle.services import plan as plan_service
from tests.factories import make_detailed_measure as make_measure
from tests.factories import make_evaluated_risk as make_risk
from tests.support.files import download_xlsx as download

EVIDENCE = "/o/acme/export/bewijsdossier"
DONE_ON = clock.today() - timedelta(days=3)


def _done_measures(world, n=2):
    risk = make_risk(world)
    user = world.users["preventiemedewerker"]
    measures = [make_measure(world, risk, title=f"Maatregel {i}") for i in range(1, n + 1)]
    for measure in measures:
        plan_service.change_status(measure, user, "in_uitvoering")
        plan_service.change_status(measure, user, "uitgevoerd")
    db.session.commit()
    return measures


def _edit(
    data: bytes, plan: dict | None = None, evaluations: list | None = None, changes: dict | None = None
):
    """Plan van aanpak cells {(ref, header): value}; new Evaluaties rows [{header: value}]; Evaluaties
    cells {(row index from 0, header): value}."""
    wb = load_workbook(BytesIO(data))
    ws = wb["Plan van aanpak"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for (ref, column), value in (plan or {}).items():
            if row[0].value == ref:
                row[head.index(column)].value = value
    sheet = wb["Evaluaties"]
    head = [c.value for c in sheet[1]]
    for values in evaluations or []:
        sheet.append([values.get(h) for h in head])
    for (index, column), value in (changes or {}).items():
        sheet.cell(row=index + 2, column=head.index(column) + 1, value=value)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(measure, **values) -> dict:
    return {
        "Soort": "Eén maatregel",
        "Maatregel-ref": measure.reference,
        "Gepland op": DONE_ON,
        "Methode": "Groepsgesprek",
        "Uitgevoerd op": DONE_ON,
        "Effect": "Deels opgelost",
        "Uitvoering (1-5)": 4,
        "Tevredenheid (1-5)": 3,
        "Conclusie": "De pauzes worden genomen; de werkdruk is iets lager.",
        **values,
    }


def _upload(client, data: bytes):
    return client.post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(data), "dossier.xlsx")},
        content_type="multipart/form-data",
    )


def _import(client, data: bytes) -> str:
    response = _upload(client, data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True)).split("<main")[1][
        :3000
    ]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    return preview


def _evaluations(measure_id):
    return db.session.scalars(
        select(Evaluation).where(Evaluation.measure_id == measure_id, Evaluation.deleted_at.is_(None))
    ).all()


def test_the_evaluaties_sheet_carries_the_measure_reference(client_as, world):
    measure = _done_measures(world, 1)[0]
    evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": measure.id, "method": "interview"}
    )
    db.session.commit()
    ws = load_workbook(BytesIO(download(client_as, "auditor", EVIDENCE)))["Evaluaties"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["Soort", "Maatregel-ref", "Maatregel"]
    assert [row[1] for row in ws.iter_rows(min_row=2, values_only=True)] == [measure.reference]


def test_a_measure_moves_to_geevalueerd_with_its_evaluation_row(client_as, world):
    first, second = _done_measures(world)
    audit_before = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    exported = download(client_as, "beheerder", EVIDENCE)
    edited = _edit(exported, {(first.reference, "Status"): "Geëvalueerd"}, [_row(first)])
    preview = _import(client_as("beheerder"), edited)
    assert "Evaluaties van het tabblad Evaluaties: 1 nieuw, 0 bijgewerkt." in preview
    changes = " ".join(re.sub(r"<[^>]+>", " ", preview.split('data-testid="preview-changes"')[1]).split())
    assert f"{first.reference} Status Uitgevoerd Geëvalueerd" in changes

    db.session.expire_all()
    assert db.session.get(Measure, first.id).status == "geevalueerd"
    assert db.session.get(Measure, second.id).status == "uitgevoerd"
    (evaluation,) = _evaluations(first.id)
    assert (evaluation.done_on, evaluation.effect, evaluation.implementation_rating) == (DONE_ON, "deels", 4)
    assert evaluation.conclusion == "De pauzes worden genomen; de werkdruk is iets lager."
    assert _evaluations(second.id) == []
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    assert [e.entity_id for e in entries if e.entity == "Evaluatie" and e.action == "create"] == [
        evaluation.id
    ]
    status = [e for e in entries if e.entity == "Statuswijziging" and e.action == "create"]
    assert len(status) == 1 and status[0].changes["to_status"][1] == "geevalueerd"


def test_an_unchanged_round_trip_creates_no_duplicate_evaluations(client_as, world):
    first, second = _done_measures(world)
    client = client_as("beheerder")
    _import(
        client,
        _edit(
            download(client_as, "beheerder", EVIDENCE),
            {(first.reference, "Status"): "Geëvalueerd"},
            [_row(first)],
        ),
    )
    theme = evaluation_service.plan_evaluation(
        world.org,
        {"kind": "thema", "theme_key": "werkdruk", "method": "groepsgesprek"},
        world.users["beheerder"],
    )
    db.session.commit()
    count = db.session.scalar(select(func.count(Evaluation.id)))
    audit_before = db.session.scalar(select(func.max(AuditEntry.id)))

    again = download(client_as, "beheerder", EVIDENCE)
    response = _upload(client, again)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-3000:]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Bijgewerkt: 0 bestaande risico's en maatregelen." in preview
    assert "Evaluaties van het tabblad" not in preview
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Evaluation.id))) == count
    assert db.session.get(Evaluation, theme.id).done_on is None
    changes = db.session.scalars(
        select(AuditEntry).where(AuditEntry.id > audit_before, AuditEntry.entity != "Document")
    ).all()
    assert changes == []


def test_an_outcome_filled_in_excel_records_the_planned_evaluation(client_as, world):
    first, _second = _done_measures(world)
    planned = evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": first.id, "method": "interview", "planned_on": DONE_ON}
    )
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    edited = _edit(
        exported,
        {(first.reference, "Status"): "Geëvalueerd"},
        changes={
            (0, "Uitgevoerd op"): DONE_ON,
            (0, "Effect"): "Opgelost",
            (0, "Uitvoering (1-5)"): 5,
            (0, "Conclusie"): "Opgelost.",
        },
    )
    preview = _import(client_as("beheerder"), edited)
    assert "Evaluaties van het tabblad Evaluaties: 0 nieuw, 1 bijgewerkt." in preview
    assert f"Evaluatie {first.reference}" in preview
    db.session.expire_all()
    (evaluation,) = _evaluations(first.id)
    assert evaluation.id == planned.id and evaluation.effect == "opgelost" and evaluation.done_on == DONE_ON
    assert db.session.get(Measure, first.id).status == "geevalueerd"


def test_an_evaluation_row_is_checked_as_the_form_checks_it(client_as, world):
    first, _second = _done_measures(world)
    exported = download(client_as, "beheerder", EVIDENCE)
    for values, message in (
        ({"Conclusie": None}, "Schrijf een korte conclusie."),
        ({"Uitvoering (1-5)": None}, "Geef aan hoe de uitvoering ging"),
        ({"Uitvoering (1-5)": 7}, "Kies een waarde van 1 tot en met 5."),
        ({"Uitgevoerd op": clock.today() + timedelta(days=2)}, "kan niet in de toekomst liggen"),
        ({"Maatregel-ref": "M-9999"}, "staat niet op het tabblad Plan van aanpak"),
    ):
        edited = _edit(exported, {(first.reference, "Status"): "Geëvalueerd"}, [_row(first, **values)])
        response = _upload(client_as("beheerder"), edited)
        assert response.status_code == 400, values
        page = html.unescape(response.get_data(as_text=True))
        assert message in page and "Evaluaties" in page, (values, page.split("<main")[1][:2000])
    db.session.expire_all()
    assert _evaluations(first.id) == [] and db.session.get(Measure, first.id).status == "uitgevoerd"


def test_an_outcome_without_geevalueerd_in_the_plan_is_refused(client_as, world):
    first, _second = _done_measures(world)
    evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": first.id, "method": "interview", "planned_on": DONE_ON}
    )
    db.session.commit()
    edited = _edit(
        download(client_as, "beheerder", EVIDENCE),
        changes={
            (0, "Uitgevoerd op"): DONE_ON,
            (0, "Effect"): "Opgelost",
            (0, "Uitvoering (1-5)"): 5,
            (0, "Conclusie"): "Ok.",
        },
    )
    response = _upload(client_as("beheerder"), edited)
    assert response.status_code == 400
    assert f"zet maatregel {first.reference} op het tabblad Plan van aanpak op Geëvalueerd" in html.unescape(
        response.get_data(as_text=True)
    )
    # A new evaluation row with an outcome, the measure left at Uitgevoerd: the same.
    second_row = _edit(download(client_as, "beheerder", EVIDENCE), evaluations=[_row(_second)])
    response = _upload(client_as("beheerder"), second_row)
    assert response.status_code == 400
    assert f"zet maatregel {_second.reference} op het tabblad" in html.unescape(
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert _evaluations(_second.id) == [] and db.session.get(Measure, _second.id).status == "uitgevoerd"


def test_an_evaluation_changed_after_the_export_is_a_conflict(client_as, world):
    first, _second = _done_measures(world)
    planned = evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": first.id, "method": "interview", "planned_on": DONE_ON}
    )
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    evaluation_service.record_outcome(
        world.org,
        planned,
        {"done_on": DONE_ON, "effect": "niet", "implementation_rating": 2, "conclusion": "Werkt niet."},
        world.users["preventiemedewerker"],
    )
    db.session.commit()
    edited = _edit(
        exported,
        {(first.reference, "Status"): "Geëvalueerd"},
        changes={
            (0, "Uitgevoerd op"): DONE_ON,
            (0, "Effect"): "Opgelost",
            (0, "Uitvoering (1-5)"): 5,
            (0, "Conclusie"): "Opgelost.",
        },
    )
    response = _upload(client_as("beheerder"), edited)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "gewijzigd na de export" in page and "Werkt niet." in page and "Opgelost." in page
    db.session.expire_all()
    assert db.session.get(Evaluation, planned.id).conclusion == "Werkt niet."


def test_geevalueerd_without_its_evaluation_row_is_still_refused(client_as, world):
    first, _second = _done_measures(world)
    edited = _edit(download(client_as, "beheerder", EVIDENCE), {(first.reference, "Status"): "Geëvalueerd"})
    response = _upload(client_as("beheerder"), edited)
    assert response.status_code == 400
    assert "Vul op het tabblad Evaluaties de evaluatie in" in html.unescape(response.get_data(as_text=True))


def test_a_new_measure_can_arrive_geevalueerd_with_its_evaluation(client_as, world):
    risk = make_risk(world)
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    wb = load_workbook(BytesIO(exported))
    ws = wb["Plan van aanpak"]
    head = [c.value for c in ws[1]]
    values = {
        "Maatregel-ref": "nieuw 1",
        "Risico-ref": risk.reference,
        "Titel": "Teamoverleg over werkdruk",
        "Niveau": "Organisatie",
        "Aanpak": "Bronaanpak",
        "Verantwoordelijke": world.users["preventiemedewerker"].email,
        "Termijn": date(2026, 1, 1),
        "Status": "Geëvalueerd",
    }
    ws.append([values.get(h) for h in head])
    out = BytesIO()
    wb.save(out)

    class New:
        reference = "nieuw 1"

    _import(client_as("beheerder"), _edit(out.getvalue(), evaluations=[_row(New)]))
    db.session.expire_all()
    measure = db.session.scalar(select(Measure).where(Measure.title == "Teamoverleg over werkdruk"))
    assert measure.status == "geevalueerd"
    (evaluation,) = _evaluations(measure.id)
    assert evaluation.done_on == DONE_ON


def test_a_pseudonymised_copy_keeps_the_conclusion_of_an_individual_measure(client_as, world):
    from tests.factories import make_individual_measure

    risk = make_risk(world)
    individual = make_individual_measure(world, risk)
    user = world.users["preventiemedewerker"]
    plan_service.change_status(individual, user, "in_uitvoering")
    plan_service.change_status(individual, user, "uitgevoerd")
    evaluation = evaluation_service.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": individual.id, "method": "interview"}, user
    )
    evaluation_service.record_outcome(
        world.org,
        evaluation,
        {
            "done_on": DONE_ON,
            "effect": "deels",
            "implementation_rating": 3,
            "conclusion": "Vertrouwelijk verslag.",
        },
        user,
    )
    db.session.commit()
    exported = download(client_as, "auditor", EVIDENCE)
    ws = load_workbook(BytesIO(exported))["Evaluaties"]
    head = [c.value for c in ws[1]]
    (row,) = list(ws.iter_rows(min_row=2, values_only=True))
    assert row[head.index("Conclusie")] is None and row[head.index("Maatregel-ref")] == individual.reference
    # Unchanged: nothing is written over the stored conclusion.
    preview = _import(client_as("beheerder"), exported)
    assert "Evaluaties van het tabblad" not in preview
    # A changed effect is taken over; the hidden conclusion stays.
    edited = _edit(exported, changes={(0, "Effect"): "Opgelost"})
    preview = _import(client_as("beheerder"), edited)
    assert "0 nieuw, 1 bijgewerkt" in preview
    db.session.expire_all()
    (stored,) = _evaluations(individual.id)
    assert stored.effect == "opgelost" and stored.conclusion == "Vertrouwelijk verslag."


def test_an_older_workbook_without_the_measure_reference_column_still_imports(client_as, world):
    first, _second = _done_measures(world)
    _import(
        client_as("beheerder"),
        _edit(
            download(client_as, "beheerder", EVIDENCE),
            {(first.reference, "Status"): "Geëvalueerd"},
            [_row(first)],
        ),
    )
    wb = load_workbook(BytesIO(download(client_as, "beheerder", EVIDENCE)))
    wb["Evaluaties"].delete_cols(2)  # as exported before the sheet named its measures
    out = BytesIO()
    wb.save(out)
    preview = _import(client_as("beheerder"), out.getvalue())
    assert "Het tabblad Evaluaties is niet ingelezen: het heeft geen kolom Maatregel-ref" in preview
    db.session.expire_all()
    assert len(_evaluations(first.id)) == 1 and db.session.get(Measure, first.id).status == "geevalueerd"


def test_the_factor_scores_of_an_effect_measurement_round_trip(client_as, world):
    from riecycle.models import Factor

    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.position))
    theme = evaluation_service.plan_evaluation(
        world.org,
        {
            "kind": "thema",
            "theme_key": "werkdruk",
            "method": "herhaalde_vragenlijst",
            "is_repeat_measurement": True,
        },
        world.users["preventiemedewerker"],
    )
    evaluation_service.record_outcome(
        world.org,
        theme,
        {
            "done_on": DONE_ON,
            "effect": "deels",
            "conclusion": "Iets beter.",
            "factor_scores": {bron.key: 3.5},
        },
    )
    db.session.commit()
    exported = download(client_as, "beheerder", EVIDENCE)
    assert "Evaluaties van het tabblad" not in _import(client_as("beheerder"), exported), "unchanged"
    preview = _import(
        client_as("beheerder"),
        _edit(exported, changes={(0, "Gevraagde bronnen (score)"): f"{bron.name_nl}: 4,0"}),
    )
    changes = " ".join(re.sub(r"<[^>]+>", " ", preview.split('data-testid="preview-changes"')[1]).split())
    assert f"Gevraagde bronnen (score) {bron.name_nl}: 3.5 {bron.name_nl}: 4.0" in changes
    db.session.expire_all()
    assert [(s.factor_key, s.score) for s in db.session.get(Evaluation, theme.id).factor_scores] == [
        (bron.key, 4.0)
    ]
    refused = _upload(
        client_as("beheerder"), _edit(exported, changes={(0, "Gevraagde bronnen (score)"): "Onbekend: 3"})
    )
    assert refused.status_code == 400
    assert "'Onbekend: 3' is geen werkdrukbron of energiebron met een score" in html.unescape(
        refused.get_data(as_text=True)
    )
