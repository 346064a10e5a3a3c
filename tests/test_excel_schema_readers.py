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
