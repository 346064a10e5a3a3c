"""Renderers of the report model (riecycle/services/report): PDF (pdf.py) and Word (docx.py).

Both read the same model, so they cannot disagree; both are deterministic: the same data give
the same text (PDF) and the same XML (docx), dated by the report date, never by the clock.
"""

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


__all__ = ["FORMATS", "MIMETYPES", "render", "render_docx", "render_pdf"]
