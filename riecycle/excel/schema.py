"""The columns of the importable sheets, shared by the evidence workbook, the list exports,
the templates and the importer: a file we write is a file we can read back."""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from riecycle.excel.writer import Col
from riecycle.labels import LABELS
from riecycle.labels import MEASURE_FIELD_LABELS as M

RISKS_SHEET = _l("Risico's")
MEASURES_SHEET = _l("Plan van aanpak")
TEAMS_SHEET = _l("Teams")
EMPLOYEES_SHEET = _l("Medewerkers")
EVALUATIONS_SHEET = _l("Evaluaties")
LISTS_SHEET = _l("Lijsten")
HELP_SHEET = _l("Uitleg")
# Several names in one cell (teams, factors, risk references) are separated by this.
SEPARATOR = ";"


@dataclass(frozen=True)
class Field:
    key: str
    header: object  # lazy Dutch string
    kind: str = "text"
    width: float | None = None
    required: bool = False
    importable: bool = True  # False: computed on export, ignored on import
    help: object = ""
    choices: str | None = None  # name of a list on the Lijsten sheet (dropdown)

    @property
    def col(self) -> Col:
        return Col(str(self.header), self.kind, self.width)


RISK_FIELDS = (
    Field(
        "ref",
        _l("Risico-ref"),
        width=12,
        required=True,
        help=_l(
            "Het vaste nummer van het risico in riecycle (R-0001): een rij met een bestaand nummer werkt "
            "dat risico bij. Voor een nieuw risico: een eigen korte code, uniek in dit bestand. "
            "Maatregelen verwijzen ernaar."
        ),
    ),
    Field(
        "theme",
        _l("Thema"),
        width=24,
        required=True,
        choices="themes",
        help=_l("Een PSA-thema uit de lijst."),
    ),
    Field(
        "title",
        _l("Titel"),
        width=36,
        required=True,
        help=_l("Korte naam van het knelpunt (max. 200 tekens)."),
    ),
    Field(
        "description",
        _l("Beschrijving"),
        "longtext",
        required=True,
        help=_l("Wat speelt er, wat is de oorzaak, wanneer en wie raakt het?"),
    ),
    Field(
        "scope",
        _l("Voor wie"),
        width=18,
        choices="risk_scope",
        help=_l("Hele organisatie (standaard), Team(s) of Functiegroep."),
    ),
    Field(
        "teams",
        _l("Teams"),
        width=24,
        choices="teams",
        help=_l("Bij 'Team(s)': één of meer bestaande teams, gescheiden door een puntkomma."),
    ),
    Field("function_group", _l("Functiegroep"), width=18, help=_l("Bij 'Functiegroep': welke functiegroep.")),
    Field(
        "factors",
        _l("Werkdrukfactoren"),
        "longtext",
        width=30,
        help=_l("Optioneel: werkdrukfactoren uit de Werkdruk Wegwijzer, gescheiden door een puntkomma."),
    ),
    Field("source", _l("Bron"), width=18, choices="risk_source", help=_l("Standaard: RI&E.")),
    Field("status", _l("Status"), width=16, choices="risk_status", help=_l("Standaard: Open.")),
    Field(
        "status_reason",
        _l("Toelichting status"),
        "longtext",
        width=30,
        help=_l("Verplicht bij 'Niet van toepassing'."),
    ),
    Field(
        "team_bound_reason",
        _l("Toelichting teamgebonden"),
        "longtext",
        width=30,
        help=_l("Optioneel: waarom dit risico alleen op teamniveau speelt."),
    ),
    Field(
        "top5", _l("Top 5"), "int", width=8, help=_l("Optioneel: plaats 1 t/m 5 in de top 5 van knelpunten.")
    ),
    Field(
        "method",
        _l("Methode"),
        width=11,
        choices="risk_method_short",
        help=_l("Kinney of Matrix; leeg = de methode van uw organisatie."),
    ),
    Field("kans", _l("Kans"), "int", width=8, help=_l("Kinney: 1, 3 of 5. Matrix: 1 t/m 5.")),
    Field("frequentie", _l("Frequentie"), "int", width=11, help=_l("Alleen Kinney: 1, 4 of 7.")),
    Field("effect", _l("Effect"), "int", width=8, help=_l("Kinney: 1, 5 of 10. Matrix: 1 t/m 5.")),
    Field("score", _l("Score"), "int", width=8, importable=False, help=_l("Wordt berekend.")),
    Field("priority", _l("Prioriteit"), width=11, importable=False, help=_l("Wordt berekend.")),
    Field(
        "evaluated_on",
        _l("Datum beoordeling"),
        "date",
        width=14,
        help=_l("Datum van de (laatste) beoordeling; leeg = vandaag."),
    ),
    Field(
        "first_method",
        _l("Eerste methode"),
        width=11,
        choices="risk_method_short",
        help=_l("Optioneel: de eerste beoordeling, als die anders was dan de huidige."),
    ),
    Field("first_kans", _l("Eerste kans"), "int", width=9),
    Field("first_frequentie", _l("Eerste frequentie"), "int", width=11),
    Field("first_effect", _l("Eerste effect"), "int", width=9),
    Field("first_score", _l("Eerste score"), "int", width=9, importable=False),
    Field("first_priority", _l("Eerste prioriteit"), width=11, importable=False),
    Field("first_on", _l("Datum eerste beoordeling"), "date", width=14),
    # Export-only: the plan import does not read these columns.
    Field("grondoorzaak", _l("Grondoorzaak"), "longtext", width=30, importable=False),
    Field("restrisico", _l("Restrisico"), width=11, importable=False, help=_l("Laag, Middel of Hoog.")),
    Field(
        "version",
        _l("Versie"),
        "int",
        width=8,
        help=_l("Niet wijzigen: zo ziet riecycle of het risico na de export nog is gewijzigd."),
    ),
)

MEASURE_FIELDS = (
    Field(
        "ref",
        _l("Maatregel-ref"),
        width=13,
        help=_l(
            "Het vaste nummer van de maatregel in riecycle (M-0001): een rij met een bestaand nummer werkt "
            "die maatregel bij. Leeg voor een nieuwe maatregel."
        ),
    ),
    Field(
        "risk_refs",
        _l("Risico-ref"),
        width=14,
        required=True,
        help=_l(
            "De Risico-ref(s) van het tabblad Risico's waar deze maatregel bij hoort, gescheiden door een puntkomma."
        ),
    ),
    Field("title", M["title"], width=36, required=True, help=_l("Wat gaat er gebeuren (max. 200 tekens)?")),
    Field("description", M["description"], "longtext"),
    Field(
        "level",
        M["level"],
        width=13,
        required=True,
        choices="level",
        help=_l("Organisatie, Team of Individu."),
    ),
    Field("teams", _l("Teams"), width=24, choices="teams", help=_l("Bij niveau Team: het team of de teams.")),
    Field(
        "employee",
        M["employee_id"],
        width=24,
        help=_l("Bij niveau Individu: de naam van de medewerker zoals in riecycle."),
    ),
    Field("approach", M["approach"], width=16, required=True, choices="approach"),
    Field(
        "responsible",
        M["responsible_id"],
        width=22,
        required=True,
        help=_l("Naam of e-mailadres van een gebruiker van uw organisatie."),
    ),
    Field("termijn", M["termijn"], "date", required=True, help=_l("Wanneer moet de maatregel klaar zijn?")),
    Field("start_date", M["start_date"], "date"),
    Field("budget", M["budget_eur"], "eur", help=_l("Bedrag in euro's, niet negatief.")),
    Field("effort", M["effort"], width=22, help=_l("Benodigde tijd of deskundigheid (max. 200 tekens).")),
    Field("quick_win", M["quick_win"], "bool", choices="yes_no"),
    Field("change_type", M["change_type"], width=22, choices="change_type"),
    Field("pilot", M["pilot"], "bool", width=11, choices="yes_no"),
    Field("status", M["status"], width=15, choices="measure_status", help=_l("Standaard: Gepland.")),
    Field("on_gepland", _l("Gepland op"), "date"),
    Field("on_in_uitvoering", _l("In uitvoering sinds"), "date", width=14),
    Field("on_uitgevoerd", _l("Uitgevoerd op"), "date"),
    Field("on_geevalueerd", _l("Geëvalueerd op"), "date"),
    Field("on_vervallen", _l("Vervallen op"), "date"),
    Field(
        "status_reason",
        _l("Reden vervallen"),
        "longtext",
        width=30,
        help=_l("Verplicht bij status Vervallen."),
    ),
    Field("overdue", _l("Te laat"), "bool", width=9, importable=False, help=_l("Wordt berekend.")),
    Field(
        "version",
        _l("Versie"),
        "int",
        width=8,
        help=_l("Niet wijzigen: zo ziet riecycle of de maatregel na de export nog is gewijzigd."),
    ),
)

TEAM_FIELDS = (
    Field("name", _l("Naam"), width=28, required=True),
    Field("kind", _l("Soort"), width=12, choices="team_kind", help=_l("Afdeling (standaard) of Locatie.")),
    Field(
        "parent",
        _l("Bovenliggend team"),
        width=28,
        choices="teams",
        help=_l("Optioneel: een bestaand team of een team hoger in dit tabblad."),
    ),
    Field(
        "manager",
        _l("Leidinggevende"),
        width=28,
        help=_l("Optioneel: naam of e-mailadres van een gebruiker van uw organisatie."),
    ),
)

EMPLOYEE_FIELDS = (
    Field("name", _l("Naam"), width=28, required=True),
    Field(
        "team",
        _l("Team"),
        width=24,
        required=True,
        choices="teams",
        help=_l("Een bestaand team of een team van het tabblad Teams."),
    ),
    Field("email", _l("E-mail"), width=28),
    Field("function", _l("Functie"), width=22),
    Field("start_date", _l("Startdatum"), "date"),
    Field("end_date", _l("Einddatum"), "date"),
    Field("is_leidinggevende", _l("Is leidinggevende"), "bool", width=12, choices="yes_no"),
)

# The evidence workbook's Evaluaties sheet: read back with the plan (a measure moving to
# Geëvalueerd needs its evaluation in the same workbook; a move re-creates the evaluations).
EVALUATION_FIELDS = (
    Field("kind", _l("Soort"), width=24, required=True, choices="evaluation_kind"),
    Field(
        "measure_ref",
        _l("Maatregel-ref"),
        width=12,
        help=_l(
            "Het vaste nummer (M-0001) of de eigen code van de maatregel op het tabblad Plan van aanpak."
        ),
    ),
    Field("measure", _l("Maatregel"), width=34, importable=False),
    Field("theme", _l("Thema"), width=22, choices="themes"),
    Field("planned_on", _l("Gepland op"), "date", required=True),
    Field("method", _l("Methode"), width=20, required=True, choices="evaluation_method"),
    Field("is_repeat", _l("Herhaalde meting"), "bool", width=11, choices="yes_no"),
    Field("responsible", _l("Verantwoordelijke"), width=22),
    Field("done_on", _l("Uitgevoerd op"), "date"),
    Field("effect", _l("Effect"), width=16, choices="effect"),
    Field("implementation_rating", _l("Uitvoering (1-5)"), "int", width=11),
    Field("satisfaction", _l("Tevredenheid (1-5)"), "int", width=12),
    Field("conclusion", _l("Conclusie"), "longtext", width=40),
    Field("policy_adjusted", _l("Beleid bijgesteld"), "bool", width=11, choices="yes_no"),
    Field("follow_ups", _l("Vervolgmaatregelen"), "longtext", width=30, importable=False),
    Field("factor_scores", _l("Gevraagde bronnen (score)"), "longtext", width=34),
)

# Value lists for dropdowns and for reading labels back: kind in labels.LABELS -> stored values.
LABEL_KINDS = {
    "risk_scope": "risk_scope",
    "risk_source": "risk_source",
    "risk_status": "risk_status",
    "level": "level",
    "approach": "approach",
    "measure_status": "measure_status",
    "change_type": "change_type",
    "team_kind": "team_kind",
}
METHOD_SHORT = {"kinney": _l("Kinney"), "matrix": _l("Matrix")}


def columns(fields) -> list[Col]:
    with force_locale("nl"):
        return [f.col for f in fields]


def dutch_labels(kind: str) -> dict:
    """Stored value -> Dutch label, for a kind in labels.LABELS (or the method names)."""
    source = METHOD_SHORT if kind == "risk_method_short" else LABELS[LABEL_KINDS.get(kind, kind)]
    with force_locale("nl"):
        return {k: str(v) for k, v in source.items() if k is not None}


def dutch(kind: str, value) -> str | None:
    """The Dutch label written to a cell (the importer reads it back)."""
    if value is None:
        return None
    return dutch_labels(kind).get(value, value)
