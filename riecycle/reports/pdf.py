"""The report as a tagged PDF (PDF/UA-1) with WeasyPrint, from templates/reports/rie.html.

Fonts ship with the app (static/fonts, DejaVu Sans), so the PDF looks the same on every machine;
the document's dates are the report date, so two runs give the same file.
"""

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


def render_html(report) -> str:
    """The report's HTML, in the report's language."""
    with force_locale(report.lang):
        return render_template("reports/rie.html", report=report, fonts=FONTS.as_uri())


def render_pdf(report) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(report)
    fonts = FontConfiguration()
    fetcher = _fetcher()
    with force_locale(report.lang):
        css = render_template("reports/rie.css", report=report, fonts=FONTS.as_uri())
    stylesheet = CSS(string=css, base_url=str(FONTS), url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=str(FONTS), url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts
    )
    identifier = f"riecycle-{report.org_slug}-{report.report_date.isoformat()}".encode()
    current_app.logger.debug("rapport: %s pagina's", len(document.pages))
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier, uncompressed_pdf=False)


def _fetcher():
    """Only the shipped fonts may be loaded: a report never fetches anything from the network."""
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(FONTS.as_uri() + "/"):
                raise ValueError(f"niet toegestaan: {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",))
