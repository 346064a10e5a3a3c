"""The report RI&E en Plan van Aanpak PSA: PDF and Word from one model, the same every run.

Read back as a reader does: the PDF with pdftotext (poppler-utils), the Word file with
python-docx. Individual measures must never name their employee (docs/domain.md §9).
"""

import hashlib
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import select, update

from riecycle import clock, reports
from riecycle.extensions import db
from riecycle.jobs import make_waiting_reports
from riecycle.models import AuditEntry, Employee, Measure, Notification, ReportCopy, Risk
from riecycle.reports import render
from riecycle.services.report import build_report
from riecycle.services.report import copies as copy_service
from riecycle.services.report.model import headings
from tests.factories import (
    SECRET_TEXT,
    SECRET_TITLE,
    build_compliant_org,
    make_evaluated_risk,
    make_individual_measure,
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make test) needed")

SIGNATURE = ("Ondertekening", "Namens de werkgever", "Namens de OR/PVT", "Handtekening")


@pytest.fixture
def reported(world):
    """The compliant organisation plus a scored risk with an individual measure of a named employee."""
    built = build_compliant_org(world)
    risk = make_evaluated_risk(world)
    secret = make_individual_measure(world, risk)
    db.session.commit()
    built.risks["scored"], built.measures["secret"] = risk, secret
    return built


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes, tmp_path, name="r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return flat(out)


def docx_text(data: bytes) -> tuple[str, Document]:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return flat("\n".join(parts)), doc


def risk_titles(org) -> list[str]:
    return list(db.session.scalars(select(Risk.title).where(Risk.organisation_id == org.id)))


def individual_employees(org) -> list[str]:
    return list(
        db.session.scalars(
            select(Employee.name)
            .join(Measure, Measure.employee_id == Employee.id)
            .where(Measure.organisation_id == org.id, Measure.level == "individu")
        )
    )


def assert_complete_and_pseudonymised(text: str, org) -> None:
    titles = risk_titles(org)
    assert len(titles) == 3
    for title in titles:
        assert flat(title) in text, title
    for heading in headings().values():
        assert heading in text, heading
    for words in SIGNATURE:
        assert words in text
    names = individual_employees(org)
    assert names
    for name in names:
        assert name not in text
    assert SECRET_TITLE not in text and SECRET_TEXT not in text
    assert "Zorgteam Noord – individuele maatregel #" in text


def test_pdf_holds_every_risk_heading_and_signature_but_no_employee(reported, tmp_path):
    data = render(build_report(reported.world.org), "pdf")
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    assert_complete_and_pseudonymised(text, reported.world.org)
    # What the records show: the toetsing, the OR's decision, the vertrouwenspersoon, incidents as totals.
    assert "Kerndeskundige K." in text
    assert "Verleend" in text or "verleend" in text
    assert "Een cliënt schold bij de balie." not in text
    assert "Pagina 1 van" in text


def test_pdf_is_tagged_pdf_ua_with_the_shipped_fonts(reported, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(render(build_report(reported.world.org), "pdf"))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert "pdfuaid:part" in meta
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in fonts.splitlines() if "DejaVu-Sans" in line]
    assert embedded and all(" yes " in line for line in embedded)


def test_docx_holds_every_risk_heading_and_signature_but_no_employee(reported):
    text, doc = docx_text(render(build_report(reported.world.org), "docx"))
    assert_complete_and_pseudonymised(text, reported.world.org)
    styles = {p.style.name for p in doc.paragraphs if p.text.startswith("1. ")}
    assert "Heading 1" in styles
    xml = doc.element.xml
    assert 'TOC \\o "1-2"' in xml
    assert doc.core_properties.created.date() == clock.today()


def test_each_format_is_the_same_twice(reported, tmp_path):
    org = reported.world.org
    first, second = render(build_report(org), "pdf"), render(build_report(org), "pdf")
    assert pdf_text(first, tmp_path, "a.pdf") == pdf_text(second, tmp_path, "b.pdf")
    assert first == second
    one, two = render(build_report(org), "docx"), render(build_report(org), "docx")
    assert one == two


def test_as_of_shows_the_records_of_that_day(reported, tmp_path):
    org = reported.world.org
    day = clock.today() - timedelta(days=20)
    old = reported.risks["werkdruk"]
    db.session.execute(
        update(Risk).where(Risk.id == old.id).values(created_at=clock.now() - timedelta(days=30))
    )
    db.session.commit()
    text = pdf_text(render(build_report(org, as_of=day), "pdf"), tmp_path)
    assert f"Stand per {day.strftime('%d-%m-%Y')}" in text
    assert old.title in text
    assert reported.risks["agressie"].title not in text  # registered after that day
    assert reported.risks["scored"].title not in text
    docx, _doc = docx_text(render(build_report(org, as_of=day), "docx"))
    assert old.title in docx and reported.risks["agressie"].title not in docx


def test_large_plan_is_summarised_with_the_evidence_workbook_as_annex(reported, tmp_path, app):
    org = reported.world.org
    app.config["REPORT_LIST_MAX"] = 1  # and long lists show their most recent rows
    report, data, annex = reports.make(org, "pdf", full_max=2)
    assert report.summarised and annex is not None
    text = pdf_text(data, tmp_path)
    assert "meer dan 2" in text
    digest = hashlib.sha256(annex[1]).hexdigest()
    assert annex[0] in text and digest in text
    # The hoog risk with its measures in full; the unscored ones counted per theme and priority.
    scored = reported.risks["scored"]
    assert f"{scored.reference} {scored.title}" in text
    assert "Overige risico's, samengevat" in text
    lines = {(line.theme, line.priority): line for line in report.summary_lines}
    werkdruk = lines[("Werkdruk", "niet beoordeeld")]
    assert (werkdruk.risks, werkdruk.measures) == (1, 3)
    assert "Extra bezetting in de avond" not in text  # a measure of a counted risk
    assert reported.risks["werkdruk"].title not in text  # its row is in the annex
    assert "Daarnaast 1 andere risico's van dit thema" in text
    assert "En nog 1, niet in dit rapport" in text  # two voorlichting sessions, one shown
    assert "Werkdruk en agressie" in text and "Signalen van werkstress herkennen" not in text
    words, _doc = docx_text(render(report, "docx"))
    assert "Overige risico's, samengevat" in words and digest in words


def test_english_report(reported, tmp_path):
    text = pdf_text(render(build_report(reported.world.org, lang="en"), "pdf"), tmp_path)
    assert "Summary" in text and "Samenvatting" not in text
    assert "Signatures" in text


# --- the page, the copies, the queue and the CLI ------------------------------------------------


@pytest.mark.parametrize("role", ["beheerder", "preventiemedewerker", "or_lid", "auditor"])
def test_reporters_make_and_download_a_kept_copy(reported, client_as, role):
    client = client_as(role)
    page = client.get("/o/acme/rapport/")
    assert page.status_code == 200
    response = client.post(
        "/o/acme/rapport/maken", data={"format": "pdf", "lang": "nl", "audience": "or", "as_of": ""}
    )
    assert response.status_code == 302
    download = client.get(response.headers["Location"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    copy = db.session.scalars(select(ReportCopy)).one()
    assert copy.sha256 == hashlib.sha256(download.data).hexdigest()
    assert copy.made_by_id == reported.world.users[role].id and copy.audience == "or"
    listing = client.get("/o/acme/rapport/").get_data(as_text=True)
    assert copy.sha256 in listing and copy.filename in listing and "OR/PVT" in listing
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "Overgedragen rapport")).first()
    assert entry is not None and entry.user_id == reported.world.users[role].id


def test_rapport_button_for_reporters_only(reported, client_as):
    for role in ("beheerder", "preventiemedewerker", "or_lid", "auditor"):
        home = client_as(role).get("/o/acme/").get_data(as_text=True)
        assert 'data-testid="report"' in home, role
    assert 'data-testid="report"' not in client_as("leidinggevende").get("/o/acme/").get_data(as_text=True)
    assert 'data-testid="report"' in client_as("auditor").get("/o/acme/export/").get_data(as_text=True)
    assert client_as("leidinggevende").get("/o/acme/rapport/").status_code == 403


def test_bad_input_is_refused_in_dutch(reported, client_as):
    client = client_as("beheerder")
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = client.post(
        "/o/acme/rapport/maken", data={"format": "pdf", "lang": "nl", "audience": "or", "as_of": future}
    )
    assert response.status_code == 400
    assert "De datum van de stand ligt in de toekomst." in response.get_data(as_text=True)
    bad = client.post("/o/acme/rapport/maken", data={"format": "exe", "lang": "xx", "audience": "?"})
    assert bad.status_code == 400
    assert db.session.scalar(select(ReportCopy.id)) is None


def test_large_report_goes_to_the_scheduler_and_notifies(reported, client_as, app):
    app.config["REPORT_JOB_MIN_MEASURES"] = 1
    client = client_as("preventiemedewerker")
    response = client.post(
        "/o/acme/rapport/maken", data={"format": "docx", "lang": "nl", "audience": "inspectie", "as_of": ""}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/o/acme/rapport/")
    copy = db.session.scalars(select(ReportCopy)).one()
    assert copy.state == "wachtend" and copy.sha256 is None
    page = client.get("/o/acme/rapport/").get_data(as_text=True)
    assert "Wordt gemaakt" in page
    assert make_waiting_reports() == 1
    assert make_waiting_reports() == 0  # nothing twice
    db.session.expire_all()
    copy = db.session.get(ReportCopy, copy.id)
    assert copy.state == "klaar"
    note = db.session.scalars(select(Notification).where(Notification.rule == "report_ready")).one()
    assert note.user_id == reported.world.users["preventiemedewerker"].id and copy.filename in note.title
    download = client.get(f"/o/acme/rapport/{copy.id}/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == copy.sha256
    text, _doc = docx_text(download.data)
    assert reported.risks["werkdruk"].title in text


def test_cli_writes_the_report(reported, app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "rapport.docx"
    result = runner.invoke(args=["report", "rie", "--org", "acme", "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text, _doc = docx_text(out.read_bytes())
    assert reported.risks["agressie"].title in text
    pdf = tmp_path / "rapport.pdf"
    day = (clock.today() - timedelta(days=1)).isoformat()
    result = runner.invoke(
        args=[
            "report",
            "rie",
            "--org",
            "acme",
            "--format",
            "pdf",
            "--out",
            str(pdf),
            "--as-of",
            day,
            "--lang",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    future = (clock.today() + timedelta(days=2)).isoformat()
    bad = runner.invoke(
        args=["report", "rie", "--org", "acme", "--format", "pdf", "--out", str(pdf), "--as-of", future]
    )
    assert bad.exit_code != 0 and "toekomst" in bad.output


def test_a_failing_report_is_marked_and_its_maker_told(reported, app, monkeypatch):
    from riecycle.services import ServiceError

    copy = copy_service.request_copy(
        reported.world.org, reported.world.users["auditor"], "pdf", "en", "intern", None
    )
    db.session.commit()

    def broken(org, fmt, lang="nl", as_of=None, full_max=None):
        raise ServiceError("kapot")

    monkeypatch.setattr(reports, "make", broken)
    assert make_waiting_reports() == 0
    db.session.expire_all()
    copy = db.session.get(ReportCopy, copy.id)
    assert copy.state == "mislukt" and copy.data is None
    note = db.session.scalars(select(Notification).where(Notification.rule == "report_ready")).one()
    assert "kon niet worden gemaakt" in note.title
    assert make_waiting_reports() == 0  # a failed copy is not retried for ever
