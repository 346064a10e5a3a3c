"""The action plan of a rie.nl RI&E tool (Euphorie/OiRA): read it, map it, import it.

Euphorie writes it with openpyxl (ActionPlanTimeline in src/euphorie/client/browser/report.py of
the Euphorie repository): one sheet, "Plan van aanpak" in Dutch or "Timeline" in English, a
header row with eleven columns, then one row per measure, or one row per risk without a measure.
Rows are sorted by planning start, so the rows of one risk need not be together. Custom risks are
numbered "Ω.n". Budget is a whole number, the dates are date cells, Categorie is the priority in
the tool's language (hoog/gemiddeld/laag, High/Medium/Low) or empty.

The file is recognised by its headers, never by the sheet name: riecycle's own plan sheet is
also called "Plan van aanpak". A rie.nl RI&E covers far more than PSA, so each Sectie is mapped
to a PSA theme or skipped (Choices), in the preview or with the CLI's --theme-map.

parse() only reads; apply() creates the RI&E details, risks and measures through the services
(flush only): all or nothing, with the services' validation and audit entries.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import clock
from riecycle.excel.cells import CellError, day, money, norm, text
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.tables import MAX_COLUMNS, RowReader, read_table
from riecycle.extensions import db
from riecycle.models import Membership, Risk, Team, Theme, User
from riecycle.models.measure import MeasureApproach, MeasureLevel
from riecycle.models.rie import Priority
from riecycle.services import ServiceError
from riecycle.services import plan as plan_service
from riecycle.services import rie as rie_service
from riecycle.services import risks as risk_service

# key, Dutch header, English header: Euphorie's ActionPlanTimeline.columns in their order.
COLUMNS = (
    ("start", "Begindatum", "Planning start"),
    ("end", "Eind datum", "Planning end"),
    ("action", "Plan van aanpak", "General approach (to eliminate or reduce the risk)"),
    ("requirements", "Benodigde kennis en vereisten", "Level of expertise and/or requirements needed"),
    ("responsible", "Wie is er verantwoordelijk?", "Who is responsible?"),
    ("budget", "Budget (in Euro)", "Budget"),
    ("section", "Sectie", "Section"),
    ("number", "Risiconummer", "Risk number"),
    ("risk", "Risico", "Risk"),
    ("priority", "Categorie", "Priority"),
    ("comment", "Opmerkingen", "Comments"),
)
# The headers that make a sheet a rie.nl action plan (riecycle's own sheets have none of them).
SIGNATURE = {"nl": ("section", "number", "risk", "priority"), "en": ("section", "number", "risk", "priority")}
PRIORITIES = {
    "hoog": Priority.HOOG,
    "high": Priority.HOOG,
    "gemiddeld": Priority.MIDDEL,
    "medium": Priority.MIDDEL,
    "middel": Priority.MIDDEL,
    "laag": Priority.LAAG,
    "low": Priority.LAAG,
}
TITLE_MAX = 200
# Measures without an end date get this termijn unless the preview or the CLI gives another.
DEFAULT_TERMIJN_DAYS = 90
DEFAULT_TOOL = "RI&E-tool van rie.nl"


@dataclass(frozen=True)
class _Field:
    """A column of the file, in the shape tables.read_table expects of a schema field."""

    key: str
    header: str
    required: bool = True
    importable: bool = True


def _fields(language: str) -> tuple:
    index = 1 if language == "nl" else 2
    return tuple(_Field(c[0], c[index], required=c[0] in SIGNATURE[language]) for c in COLUMNS)


# --- detection ----------------------------------------------------------------------------------


def detect(wb):
    """(sheet, language) when a sheet's header row is a rie.nl action plan, else None."""
    for ws in wb.worksheets:
        found = {norm(value) for value in _first_row(ws) if value not in (None, "")}
        for language, index in (("nl", 1), ("en", 2)):
            wanted = {norm(c[index]) for c in COLUMNS if c[0] in SIGNATURE[language]}
            if wanted <= found:
                return ws, language
    return None


def _first_row(ws) -> list:
    """The values of row 1 only; a sheet that cannot be read is left to the plan check to report."""
    try:
        for values in ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True):
            return list(values)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for damaged sheets
        return []
    return []


# --- reading ------------------------------------------------------------------------------------


@dataclass
class RienlImport:
    """What a rie.nl file says, before it is mapped: risks by Risiconummer with their measures."""

    sheet: str
    language: str
    risks: list = field(
        default_factory=list
    )  # dicts: number, title, section, priority, comments, row, measures
    notes: list = field(default_factory=list)
    # The attributes the views and the CLI read of every plan import.
    stamp: object = None
    updates: list = field(default_factory=list)
    unchanged: int = 0
    kind: str = "rienl"

    @property
    def sections(self) -> list[str]:
        """The distinct sections, in the order of the file."""
        return list(dict.fromkeys(r["section"] for r in self.risks))

    @property
    def measures(self) -> list[dict]:
        return [m for r in self.risks for m in r["measures"]]

    @property
    def responsibles(self) -> list[str]:
        """The distinct names in "Wie is er verantwoordelijk?", in the order of the file."""
        return list(dict.fromkeys(m["responsible"] for m in self.measures if m["responsible"]))

    @property
    def empty(self) -> bool:
        return not self.risks


def parse(wb, ws, language: str) -> RienlImport:
    """Read every row; raise ImportRefused with a Dutch message for each row that cannot be read."""
    problems: list[Problem] = []
    table = read_table(ws, ws.title, _fields(language), problems)
    result = RienlImport(ws.title, language)
    if table is None:
        raise ImportRefused(problems)
    if table.note:
        result.notes.append(table.note)
    by_number: dict[str, dict] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        _row(r, by_number, result)
    if not problems and result.empty:
        problems.append(
            Problem(ws.title, None, None, _("Het bestand bevat geen risico's: alle rijen zijn leeg."))
        )
    if problems:
        raise ImportRefused(problems)
    return result


def _row(r: RowReader, by_number: dict, result: RienlImport) -> None:
    """One row: the risk it names (new or seen before) and its measure, if any."""
    number = r.get("number", text, required=_("Vul het Risiconummer in (bijvoorbeeld 1.2.3 of Ω.1)."))
    title = r.get("risk", text, required=_("Vul de omschrijving van het risico in (kolom Risico)."))
    section = r.get("section", text, required=_("Vul de sectie in (kolom Sectie)."))
    priority = _priority(r)
    comment = r.get("comment", text)
    measure = _measure(r)
    if r.failed:
        return
    risk = by_number.get(norm(number))
    if risk is None:
        risk = {
            "number": number,
            "title": title,
            "section": section,
            "priority": priority,
            "comments": [],
            "row": r.number,
            "measures": [],
        }
        by_number[norm(number)] = risk
        result.risks.append(risk)
    elif norm(risk["title"]) != norm(title) or norm(risk["section"]) != norm(section):
        r.error(
            "number",
            _(
                "Risiconummer %(n)s staat ook in rij %(r)s, maar met een ander risico of een andere sectie. "
                "Elk Risiconummer hoort bij één risico.",
                n=number,
                r=risk["row"],
            ),
        )
        return
    if comment and comment not in risk["comments"]:
        risk["comments"].append(comment)
    if priority and not risk["priority"]:
        risk["priority"] = priority
    if measure is not None:
        risk["measures"].append({**measure, "risk_number": number, "row": r.number})


def _priority(r: RowReader):
    value = r.get("priority", text)
    if value is None:
        return None
    priority = PRIORITIES.get(norm(value))
    if priority is None:
        r.error(
            "priority",
            _("'%(v)s' is geen prioriteit. Gebruik hoog, gemiddeld of laag (of High, Medium, Low).", v=value),
        )
    return priority


def _measure(r: RowReader) -> dict | None:
    """The measure of a row, or None for a risk without a measure."""
    action = r.get("action", text)
    start, end = r.get("start", day), r.get("end", day)
    requirements = r.get("requirements", text)
    responsible = r.get("responsible", text)
    budget = r.get("budget", money)
    if not action:
        if any(v is not None for v in (start, end, requirements, responsible, budget)):
            r.error(
                "action",
                _(
                    "Deze rij heeft een datum, verantwoordelijke of budget maar geen Plan van aanpak. Vul de "
                    "aanpak in, of maak de andere kolommen van de maatregel leeg."
                ),
            )
        return None
    if start and end and start > end:
        r.error("start", _("De begindatum ligt na de einddatum."))
    return {
        "title": first_sentence(action),
        "description": action,
        "start": start,
        "end": end,
        "requirements": requirements,
        "responsible": responsible,
        "budget": budget,
    }


SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def first_sentence(value: str, limit: int = TITLE_MAX) -> str:
    """The first sentence (or line) of a text, at most `limit` characters, cut at a word."""
    first = SENTENCE_END.split(value.strip().splitlines()[0].strip(), maxsplit=1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"


# --- the choices of the preview or the CLI ------------------------------------------------------


@dataclass
class Choices:
    """How the file is mapped: section -> theme (None = skip), per-risk overrides, users, the tool."""

    sections: dict = field(default_factory=dict)  # section -> theme key or None
    risk_themes: dict = field(default_factory=dict)  # norm(risk number) -> theme key, or "" to skip
    responsibles: dict = field(default_factory=dict)  # responsible name -> user id
    fallback_id: int | None = None  # for names that match no user, and measures without a name
    levels: dict = field(default_factory=dict)  # measure row -> (level, [team ids])
    tool: str = DEFAULT_TOOL
    erkend: bool = False
    performed_on: date | None = None  # the date of a new RI&E version (none current yet)
    termijn: date | None = None  # for measures without an end date


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.position)))


def theme_for(section: str, all_themes: list[Theme]) -> str | None:
    """The PSA theme a section name matches: its name or key, or the one theme named in it."""
    key = norm(section)
    for theme in all_themes:
        if key in (norm(theme.name_nl), norm(theme.name_en), norm(theme.key)):
            return theme.key
    inside = [t.key for t in all_themes if norm(t.name_nl) in key]
    return inside[0] if len(inside) == 1 else None


def members(org) -> list[User]:
    """The organisation's users, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id, User.active.is_(True))
            .order_by(User.name)
        )
    )


def user_for(name: str, users: list[User]) -> User | None:
    """The one user whose name or e-mail address is the name in the file."""
    found = [u for u in users if norm(name) in (norm(u.name), norm(u.email))]
    return found[0] if len(found) == 1 else None


def default_choices(org, parsed: RienlImport) -> Choices:
    """What the preview shows before the user changes anything."""
    all_themes, users = themes(), members(org)
    choices = Choices(
        sections={s: theme_for(s, all_themes) for s in parsed.sections},
        termijn=clock.today() + timedelta(days=DEFAULT_TERMIJN_DAYS),
        performed_on=clock.today(),
    )
    for name in parsed.responsibles:
        user = user_for(name, users)
        if user is not None:
            choices.responsibles[name] = user.id
    return choices


# --- what the choices make of the file ----------------------------------------------------------


@dataclass
class Plan:
    """The risks and measures that will be created, and what is skipped."""

    risks: list = field(default_factory=list)  # (risk dict, theme key)
    skipped: list = field(default_factory=list)  # risk dicts
    problems: list = field(default_factory=list)


def plan(org, parsed: RienlImport, choices: Choices) -> Plan:
    """Apply the mapping; every measure needs a responsible user and a termijn."""
    result = Plan()
    known = {t.key for t in themes()}
    users = {u.id: u for u in members(org)}
    existing = {
        norm(t)
        for t in db.session.scalars(
            select(Risk.title).where(Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        )
    }
    for risk in parsed.risks:
        theme = choices.risk_themes.get(norm(risk["number"]))
        if theme is None:
            theme = choices.sections.get(risk["section"])
        if not theme:
            result.skipped.append(risk)
            continue
        if theme not in known:
            result.problems.append(
                Problem(parsed.sheet, risk["row"], None, _("Kies een bestaand PSA-thema."))
            )
            continue
        if norm(_risk_values(risk, theme)["title"]) in existing:
            result.problems.append(
                Problem(
                    parsed.sheet,
                    risk["row"],
                    None,
                    _(
                        "Er bestaat al een risico met de titel '%(t)s' in riecycle (is dit bestand al "
                        "geïmporteerd?). Sla dit risico over of pas het bestaande risico aan.",
                        t=risk["title"],
                    ),
                )
            )
            continue
        result.risks.append((risk, theme))
        for measure in risk["measures"]:
            user_id = choices.responsibles.get(measure["responsible"]) if measure["responsible"] else None
            user_id = user_id or choices.fallback_id
            if user_id not in users:
                result.problems.append(Problem(parsed.sheet, measure["row"], None, _unassigned(measure)))
            if measure["end"] is None and choices.termijn is None:
                result.problems.append(
                    Problem(
                        parsed.sheet,
                        measure["row"],
                        None,
                        _(
                            "Deze maatregel heeft geen einddatum. Kies een termijn voor maatregelen zonder einddatum."
                        ),
                    )
                )
    if not result.risks and not result.problems:
        result.problems.append(
            Problem(
                None,
                None,
                None,
                _(
                    "Alle secties zijn overgeslagen: er blijft niets over om te importeren. Koppel minstens één sectie aan een PSA-thema."
                ),
            )
        )
    return result


def _unassigned(measure: dict) -> str:
    if measure["responsible"]:
        return _(
            "'%(n)s' (Wie is er verantwoordelijk?) is geen gebruiker van deze organisatie. Koppel de naam aan "
            "een gebruiker, of kies een verantwoordelijke voor namen zonder gebruiker.",
            n=measure["responsible"],
        )
    return _(
        "Deze maatregel heeft geen verantwoordelijke. Kies een verantwoordelijke voor maatregelen zonder naam."
    )


# --- creating the records -----------------------------------------------------------------------


def apply(org, user, parsed: RienlImport, choices: Choices) -> dict:
    """Record the tool on the RI&E, then the risks and their measures: all or nothing."""
    mapped = plan(org, parsed, choices)
    if mapped.problems:
        raise ImportRefused(mapped.problems)
    rie = _rie(org, choices)
    counts = {"risks": 0, "measures": 0, "skipped": len(mapped.skipped), "updated": 0, "unchanged": 0}
    for risk_data, theme in mapped.risks:
        risk = _guard(
            parsed, risk_data["row"], risk_service.create_risk, org, _risk_values(risk_data, theme), rie
        )
        risk.tool_priority = risk_data["priority"]
        db.session.flush()
        counts["risks"] += 1
        for measure in risk_data["measures"]:
            data = _measure_values(measure, risk, choices)
            _guard(parsed, measure["row"], plan_service.create_measure, org, user, data)
            counts["measures"] += 1
    return counts


def _guard(parsed: RienlImport, row: int, action, *args):
    try:
        return action(*args)
    except ServiceError as error:
        raise ImportRefused([Problem(parsed.sheet, row, None, error.message)]) from None


def _rie(org, choices: Choices):
    """The current RI&E records the tool; without one, a new version is made."""
    rie = rie_service.current_rie(org)
    tool = (choices.tool or "").strip() or DEFAULT_TOOL
    try:
        if rie is None:
            return rie_service.create_rie(
                org,
                {
                    "performed_on": choices.performed_on or clock.today(),
                    "performed_by_kind": "intern",
                    "instrument": tool,
                    "instrument_erkend": choices.erkend,
                    "review_interval_months": 36,
                },
            )
        data = {key: getattr(rie, key) for key in rie_service.RIE_FIELDS}
        rie_service.update_rie(rie, {**data, "instrument": tool, "instrument_erkend": choices.erkend})
    except ServiceError as error:
        raise ImportRefused([Problem(None, None, None, error.message)]) from None
    return rie


def _risk_values(risk: dict, theme: str) -> dict:
    """Title (the risk text, cut at 200 characters), description (the comments, and where it came from)."""
    title = risk["title"].strip()
    parts = []
    if len(title) > TITLE_MAX or "\n" in title:
        parts.append(title)
        title = first_sentence(title)
    parts += risk["comments"]
    parts.append(
        _(
            "Overgenomen uit de RI&E-tool: sectie '%(s)s', risiconummer %(n)s.",
            s=risk["section"],
            n=risk["number"],
        )
    )
    return {"title": title, "description": "\n\n".join(parts), "theme_key": theme}


def _measure_values(measure: dict, risk, choices: Choices) -> dict:
    user_id = choices.responsibles.get(measure["responsible"]) if measure["responsible"] else None
    level, team_ids = choices.levels.get(measure["row"], (MeasureLevel.ORGANISATIE, []))
    requirements = measure["requirements"]
    description = measure["description"]
    effort = requirements
    if requirements and len(requirements) > TITLE_MAX:
        effort = first_sentence(requirements)
        label = _("Benodigde kennis en vereisten:")
        description = f"{description}\n\n{label} {requirements}"
    return {
        "title": measure["title"],
        "description": description,
        "risk_ids": [risk.id],
        "level": level,
        "team_ids": team_ids,
        "approach": MeasureApproach.BRONAANPAK,
        "responsible_id": user_id or choices.fallback_id,
        "termijn": measure["end"] or choices.termijn,
        "start_date": measure["start"],
        "budget_eur": measure["budget"],
        "effort": effort,
    }


# --- the preview form and the CLI options -------------------------------------------------------


def choices_from_form(org, parsed: RienlImport, form) -> tuple[Choices, list[str]]:
    """The choices posted by the preview; the Dutch errors of the fields that are wrong."""
    errors: list[str] = []
    known = {t.key for t in themes()}
    users = {str(u.id): u.id for u in members(org)}
    teams = {
        str(t.id): t.id
        for t in db.session.scalars(
            select(Team).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        )
    }
    choices = Choices(tool=(form.get("tool") or "").strip(), erkend=form.get("erkend") == "ja")
    if not choices.tool:
        errors.append(_("Vul in uit welke RI&E-tool het bestand komt."))
    elif len(choices.tool) > 200:
        errors.append(_("De naam van de RI&E-tool is te lang (maximaal 200 tekens)."))
    for index, section in enumerate(parsed.sections):
        value = form.get(f"section_{index}", "")
        if value and value not in known:
            errors.append(_("Kies een PSA-thema of 'Overslaan' bij sectie '%(s)s'.", s=section))
        choices.sections[section] = value or None
    for index, risk in enumerate(parsed.risks):
        value = form.get(f"risk_{index}", "")
        if value == "skip":
            choices.risk_themes[norm(risk["number"])] = ""
        elif value in known:
            choices.risk_themes[norm(risk["number"])] = value
        elif value:
            errors.append(_("Kies een PSA-thema bij risico %(n)s.", n=risk["number"]))
    for index, name in enumerate(parsed.responsibles):
        value = form.get(f"responsible_{index}", "")
        if value in users:
            choices.responsibles[name] = users[value]
        elif value:
            errors.append(_("Kies een gebruiker bij '%(n)s'.", n=name))
    fallback = form.get("fallback", "")
    choices.fallback_id = users.get(fallback)
    for measure in parsed.measures:
        level = form.get(f"level_{measure['row']}", MeasureLevel.ORGANISATIE)
        team = form.get(f"team_{measure['row']}", "")
        if level == MeasureLevel.TEAM and team in teams:
            choices.levels[measure["row"]] = (MeasureLevel.TEAM, [teams[team]])
        elif level == MeasureLevel.TEAM:
            errors.append(_("Kies het team bij de maatregel van rij %(r)s.", r=measure["row"]))
        elif level != MeasureLevel.ORGANISATIE:
            errors.append(_("Kies een geldig niveau bij de maatregel van rij %(r)s.", r=measure["row"]))
    choices.termijn = _form_day(
        form.get("termijn"), errors, _("De termijn voor maatregelen zonder einddatum")
    )
    choices.performed_on = _form_day(form.get("performed_on"), errors, _("De datum van de RI&E"))
    return choices, errors


def _form_day(value, errors: list, what: str) -> date | None:
    try:
        result = day(value)
    except CellError:
        result = None
    if result is None:
        errors.append(_("%(w)s is geen geldige datum (dag-maand-jaar).", w=what))
    return result


def choices_from_cli(org, parsed: RienlImport, theme_map, responsible, tool, erkend, termijn) -> Choices:
    """--theme-map "Sectie=thema" (repeatable; empty thema skips), --responsible EMAIL, --tool, --erkend."""
    choices = default_choices(org, parsed)
    all_themes = themes()
    sections = {norm(s): s for s in parsed.sections}
    for item in theme_map:
        name, sep, theme = item.partition("=")
        if not sep:
            raise ServiceError(_("Schrijf --theme-map als \"Sectie=thema\" (nu: '%(v)s').", v=item))
        section = sections.get(norm(name))
        if section is None:
            raise ServiceError(
                _(
                    "Sectie '%(s)s' staat niet in het bestand. Secties: %(all)s.",
                    s=name,
                    all="; ".join(parsed.sections),
                )
            )
        key = theme_for(theme, all_themes) if theme.strip() else None
        if theme.strip() and key is None:
            raise ServiceError(_("Onbekend thema '%(t)s'.", t=theme))
        choices.sections[section] = key
    if responsible:
        user = user_for(responsible, members(org))
        if user is None:
            raise ServiceError(_("%(e)s is geen gebruiker van deze organisatie.", e=responsible))
        choices.fallback_id = user.id
    choices.tool = tool or DEFAULT_TOOL
    choices.erkend = erkend
    if termijn is not None:
        choices.termijn = termijn
    return choices
