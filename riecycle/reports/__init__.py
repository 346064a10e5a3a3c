"""Renderers of the report model (riecycle/services/report): PDF (pdf.py) and Word (docx.py).

Both read the same model, so they cannot disagree; both are deterministic: the same data give
the same text (PDF) and the same XML (docx), dated by the report date, never by the clock.
"""

import shutil
from datetime import date
from io import BytesIO

from riecycle import clock
from riecycle.access import AUDITOR, Viewer
from riecycle.reports.docx import render_docx
from riecycle.reports.pdf import render_pdf

FORMATS = {"pdf": render_pdf, "docx": render_docx}
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(report, fmt: str) -> bytes:
    """The report as a file in the format (pdf or docx)."""
    return FORMATS[fmt](report)


def annex(org, as_of: date | None) -> tuple[str, bytes]:
    """The evidence workbook (pseudonymised, as of the day) handed over as the complete annex."""
    from riecycle.excel import evidence

    period = evidence.Period(None, as_of)
    spooled = evidence.build(org, Viewer(role=AUDITOR, org_id=org.id), period)
    out = BytesIO()
    shutil.copyfileobj(spooled, out)
    name = f"bewijsdossier-{org.slug}-{(as_of or clock.today()).isoformat()}.xlsx"
    return name, out.getvalue()


def make(org, fmt: str, lang: str = "nl", as_of: date | None = None, full_max: int | None = None):
    """(report, file bytes, annex (name, bytes) or None): a summarised report brings its annex."""
    from riecycle.services.report.copies import sha256
    from riecycle.services.report.model import build_report

    report = build_report(org, as_of=as_of, lang=lang, full_max=full_max)
    attached = None
    if report.summarised:
        attached = annex(org, report.as_of)
        report.annex = (attached[0], sha256(attached[1]))
    return report, render(report, fmt), attached


def make_copy(org, copy):
    """Make a handed-over copy's file now and store it (services/report/copies.fill)."""
    from riecycle.services.report import copies

    return copies.fill(copy, make(org, copy.format, copy.lang, copy.as_of))


__all__ = ["FORMATS", "MIMETYPES", "annex", "make", "make_copy", "render", "render_docx", "render_pdf"]
