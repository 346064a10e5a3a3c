"""A rie.nl (Euphorie/OiRA) action plan, written the way Euphorie writes it.

Euphorie's ActionPlanTimeline.create_workbook (src/euphorie/client/browser/report.py): a new
openpyxl Workbook, its first sheet titled "Plan van aanpak" (nl) or "Timeline" (en), the eleven
translated column titles in row 1, then one row per measure (or per risk without a measure),
sorted by planning start; a cell is written only when its value is not None. Dates are date
objects, the budget an int, the priority the translated label ("hoog"/"High"), custom risks are
numbered "Ω.n" in the section "Aangepaste risico's" ("Custom risks").
"""

from datetime import date
from io import BytesIO

from openpyxl.workbook import Workbook

HEADERS = {
    "nl": (
        "Begindatum",
        "Eind datum",
        "Plan van aanpak",
        "Benodigde kennis en vereisten",
        "Wie is er verantwoordelijk?",
        "Budget (in Euro)",
        "Sectie",
        "Risiconummer",
        "Risico",
        "Categorie",
        "Opmerkingen",
    ),
    "en": (
        "Planning start",
        "Planning end",
        "General approach (to eliminate or reduce the risk)",
        "Level of expertise and/or requirements needed",
        "Who is responsible?",
        "Budget",
        "Section",
        "Risk number",
        "Risk",
        "Priority",
        "Comments",
    ),
}
TITLES = {"nl": "Plan van aanpak", "en": "Timeline"}
PRIORITY = {
    "nl": {"high": "hoog", "medium": "gemiddeld", "low": "laag"},
    "en": {"high": "High", "medium": "Medium", "low": "Low"},
}
CUSTOM = {"nl": "Aangepaste risico's", "en": "Custom risks"}


def row(
    section,
    number,
    risk,
    priority=None,
    comment=None,
    *,
    start=None,
    end=None,
    action=None,
    requirements=None,
    responsible=None,
    budget=None,
):
    """One row in Euphorie's column order (priority: "high"/"medium"/"low" or None)."""
    return [start, end, action, requirements, responsible, budget, section, number, risk, priority, comment]


def workbook(rows: list, language: str = "nl") -> bytes:
    """The .xlsx bytes of an action plan with these rows (priorities translated as Euphorie does)."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = TITLES[language]
    for column, title in enumerate(HEADERS[language]):
        sheet.cell(row=1, column=column + 1).value = title
    # Euphorie sorts by planning start (rows without a measure first).
    ordered = sorted(rows, key=lambda r: r[0] or date.min)
    for number, values in enumerate(ordered, start=2):
        values = list(values)
        if values[9] in PRIORITY[language]:
            values[9] = PRIORITY[language][values[9]]
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=number, column=column).value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sample_rows(language: str = "nl", responsible: str = "Preventiemedewerker Acme") -> list:
    """Non-PSA sections, a PSA section with two measures for one risk, a risk without a measure,
    a measure without dates, and a custom risk (Ω.1)."""
    nl = language == "nl"
    return [
        row(
            "Beeldschermwerk" if nl else "Screen work",
            "1.1",
            "Het beeldscherm staat niet op ooghoogte." if nl else "The screen is not at eye level.",
            "low",
            action="Schaf monitorarmen aan.",
            responsible="Jan de Vries",
            start=date(2026, 1, 5),
            end=date(2026, 3, 1),
            budget=800,
        ),
        row(
            "Gevaarlijke stoffen" if nl else "Hazardous substances",
            "2.1",
            "Schoonmaakmiddelen staan open in de keuken." if nl else "Cleaning products are left open.",
            "medium",
        ),
        row(
            "Werkdruk",
            "3.1",
            "Medewerkers ervaren structureel te veel werk.",
            "high",
            "Vooral in de zomermaanden.",
            action="Maak werkdruk een vast punt in het teamoverleg. Evalueer elk kwartaal.",
            requirements="Gespreksvaardigheid van de leidinggevende",
            responsible=responsible,
            start=date(2026, 2, 1),
            end=date(2026, 6, 30),
            budget=1500,
        ),
        row(
            "Werkdruk",
            "3.1",
            "Medewerkers ervaren structureel te veel werk.",
            "high",
            "Vooral in de zomermaanden.",
            action="Herverdeel administratieve taken naar een officeassistent.",
            responsible="Onbekende Collega",
            start=date(2026, 4, 1),
            end=date(2026, 9, 30),
        ),
        row("Werkdruk", "3.2", "Er is geen tijd voor pauzes.", "medium" if nl else "low"),
        row(
            "Ongewenste omgangsvormen" if nl else "Undesirable behaviour",
            "4.1",
            "Er is geen vertrouwenspersoon.",
            "high",
            action="Stel een externe vertrouwenspersoon aan",
            responsible=responsible,
        ),
        row(
            CUSTOM[language],
            "Ω.1",
            "Klanten worden agressief aan de balie.",
            "high",
            action="Train baliemedewerkers in de-escalatie.",
            responsible=responsible,
            end=date(2026, 12, 1),
        ),
    ]
