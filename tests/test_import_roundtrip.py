"""Round trip: the evidence workbook's Risico's and Plan van aanpak sheets import into an empty
organisation (same team names), and exporting that organisation again gives the same content."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Measure
from tests.factories import build_rich_measures, build_rich_plan, copy_organisation, past_day
from tests.support.files import download_xlsx


def _sheet(data: bytes, title: str) -> list[list]:
    return [list(row) for row in load_workbook(BytesIO(data))[title].iter_rows(values_only=True)]


def test_export_import_export_gives_the_same_content(client_as, world):
    werkdruk, agressie = build_rich_plan(world)
    build_rich_measures(world, werkdruk, agressie)
    copy = copy_organisation(world)
    db.session.commit()
    client = client_as("beheerder")
    first = download_xlsx(client_as, "beheerder", "/o/acme/export/bewijsdossier")

    response = client.post(
        "/o/kopie/export/importeren",
        data={"kind": "plan", "file": (BytesIO(first), "dossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit wordt aangemaakt: 3 risico's en 5 maatregelen." in preview
    confirm = response.headers["Location"] + "/bevestigen"
    assert client.post(confirm).status_code == 302

    second = download_xlsx(client_as, "beheerder", "/o/kopie/export/bewijsdossier")
    for title in ("Risico's", "Plan van aanpak"):
        before, after = _sheet(first, title), _sheet(second, title)
        assert len(before) > 2
        version = before[0].index("Versie")  # each record's own edit counter, not content
        for old, new in zip(before, after, strict=True):
            assert old[:version] + old[version + 1 :] == new[:version] + new[version + 1 :], title
    db.session.expire_all()
    imported = db.session.scalar(
        select(Measure).where(Measure.organisation_id == copy.id, Measure.title == "Extra invalkracht")
    )
    assert imported.status == "uitgevoerd" and imported.completed_on == past_day(30)[0]
