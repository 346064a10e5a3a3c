"""Files the tests read or download: the English catalogue and spreadsheet downloads."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# --- spreadsheet downloads ---------------------------------------------------------------------


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_xlsx(client_as, role, url):
    response = client_as(role).get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return response.data


# --- translations ------------------------------------------------------------------------------


EN_PO = ROOT / "riecycle" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def header(ws) -> list:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


def column(ws, name) -> list:
    """The cells below a header, as openpyxl cells."""
    index = header(ws).index(name)
    return [row[index] for row in ws.iter_rows(min_row=2)]
