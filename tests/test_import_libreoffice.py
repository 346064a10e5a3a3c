"""A workbook re-saved by LibreOffice imports back: it parses, and as an update import of the
same organisation it changes nothing."""

import html
import shutil
import subprocess
import zipfile
from io import BytesIO

import pytest
from sqlalchemy import func, select

from riecycle.excel.importer import parse_plan
from riecycle.excel.problems import ImportRefused
from riecycle.extensions import db
from riecycle.models import AuditEntry, Measure, Risk
from tests.conftest import require
from tests.factories import make_detailed_measure, make_evaluated_risk
from tests.support.files import download_xlsx

EVIDENCE = "/o/acme/export/bewijsdossier"


def _resave(tmp_path, data: bytes) -> bytes:
    """Let LibreOffice open and save the workbook again as xlsx (its own profile under tmp_path)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require(soffice is not None, "LibreOffice (soffice, Debian package libreoffice-calc-nogui)")
    source = tmp_path / "in" / "bewijsdossier.xlsx"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (out / "bewijsdossier.xlsx").read_bytes()


def _without_stamp(data: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        assert "docProps/custom.xml" in src.namelist(), "LibreOffice kept the stamp"
        for item in src.infolist():
            if item.filename != "docProps/custom.xml":
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def _counts(org_id):
    return (
        db.session.scalar(select(func.count(Risk.id)).where(Risk.organisation_id == org_id)),
        db.session.scalar(select(func.count(Measure.id)).where(Measure.organisation_id == org_id)),
    )


def test_a_workbook_saved_by_libreoffice_imports_without_changes(client_as, world, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("LibreOffice writes the same file whatever the database: run once, on SQLite")
    risk = make_evaluated_risk(world)
    for n in range(3):
        make_detailed_measure(world, risk, title=f"Maatregel {n + 1}")
    db.session.commit()
    resaved = _resave(tmp_path, download_xlsx(client_as, "beheerder", EVIDENCE))

    parsed = parse_plan(world.org, resaved, "bewijsdossier.xlsx")
    assert not parsed.risks and not parsed.measures and not parsed.updates, "nothing new, nothing changed"
    assert parsed.unchanged
    # LibreOffice keeps the workbook's custom properties; without them (another program's save)
    # the rows cannot be matched: a clear refusal, never duplicates.
    with pytest.raises(ImportRefused) as refused:
        parse_plan(world.org, _without_stamp(resaved), "bewijsdossier.xlsx")
    assert "Er bestaat al een risico met de titel" in str(refused.value.problems[0].message)

    client = client_as("beheerder")
    before = _counts(world.org.id)
    audit_before = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    response = client.post(
        "/o/acme/export/importeren",
        data={"kind": "plan", "file": (BytesIO(resaved), "bewijsdossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Dit wordt aangemaakt: 0 risico's en 0 maatregelen." in preview
    assert client.post(response.headers["Location"] + "/bevestigen").status_code == 302
    db.session.expire_all()
    assert _counts(world.org.id) == before, "no duplicates"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    assert {e.entity for e in entries} <= {"Document"}, [(e.entity, e.action) for e in entries]
