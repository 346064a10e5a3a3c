"""The plan import reads every importable column of excel/schema.py, the one schema to write and read."""

import pytest

from riecycle.excel import importer, schema, tables
from tests.matrix.export import measure_row, plan_file, risk_row


def test_every_importable_schema_column_is_read(app, world, monkeypatch):
    read: dict[str, set] = {}
    original = tables.RowReader.get

    def recording(self, key, *args, **kwargs):
        read.setdefault(self.table.sheet, set()).add(key)
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(tables.RowReader, "get", recording)
    data = plan_file(
        [risk_row()],
        [
            measure_row(title="Teammaatregel", Niveau="Team", Teams="Bestaat niet"),
            measure_row(title="Individueel", Niveau="Individu", Medewerker="Niemand"),
        ],
    )
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse_plan(world.org, data, "plan.xlsx")
    assert any("Bestaat niet" in p.message for p in refused.value.problems)  # the team column was read
    for title, fields in (
        (schema.RISKS_SHEET, schema.RISK_FIELDS),
        (schema.MEASURES_SHEET, schema.MEASURE_FIELDS),
    ):
        with app.test_request_context():
            sheet = str(title)
        importable = {f.key for f in fields if f.importable}
        assert read[sheet] == importable, (sheet, importable ^ read[sheet])


def test_every_importable_evaluation_column_is_read(app, world, client_as, monkeypatch):
    """The Evaluaties sheet of the evidence workbook: a recorded evaluation of a measure."""
    from datetime import timedelta

    from riecycle import clock
    from riecycle.extensions import db
    from riecycle.services import evaluations
    from riecycle.services import plan as plan_service
    from tests.factories import make_detailed_measure, make_evaluated_risk
    from tests.support.files import download_xlsx

    measure = make_detailed_measure(world, make_evaluated_risk(world))
    user = world.users["preventiemedewerker"]
    plan_service.change_status(measure, user, "in_uitvoering")
    plan_service.change_status(measure, user, "uitgevoerd")
    evaluation = evaluations.plan_evaluation(
        world.org, {"kind": "maatregel", "measure_id": measure.id, "method": "interview"}, user
    )
    outcome = {"done_on": clock.today() - timedelta(days=1), "effect": "deels", "implementation_rating": 3}
    evaluations.record_outcome(world.org, evaluation, {**outcome, "conclusion": "Goed."}, user)
    db.session.commit()
    data = download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")
    read: dict[str, set] = {}
    original = tables.RowReader.get

    def recording(self, key, *args, **kwargs):
        read.setdefault(self.table.sheet, set()).add(key)
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(tables.RowReader, "get", recording)
    parsed = importer.parse_plan(world.org, data, "bewijsdossier.xlsx")
    assert parsed.unchanged >= 2 and parsed.evaluations == []
    importable = {f.key for f in schema.EVALUATION_FIELDS if f.importable}
    assert read["Evaluaties"] == importable, importable ^ read["Evaluaties"]
