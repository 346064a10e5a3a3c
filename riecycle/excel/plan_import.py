"""Reading a plan file (the Risico's and Plan van aanpak sheets): check every risk and measure row."""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from riecycle import clock
from riecycle.excel import evaluations_import, move, rienl, schema, stamp, updates
from riecycle.excel.cells import Lookup, day, integer, line, money, names, norm, text, yes_no
from riecycle.excel.directory import Directory
from riecycle.excel.filecheck import read_workbook
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.problems import refuse as _refuse
from riecycle.excel.tables import RowReader, Table, find_sheet, read_table
from riecycle.extensions import db
from riecycle.models import Measure, Risk
from riecycle.models.measure import ChangeType, MeasureLevel, MeasureStatus
from riecycle.models.references import MEASURE_PREFIX, RISK_PREFIX
from riecycle.models.rie import RiskScope, RiskSource, RiskStatus
from riecycle.services import ServiceError, scoring

PSEUDONYM_RE = re.compile(r"–\s*individuele maatregel #\d+\s*$")


@dataclass
class PlanImport:
    risks: list = field(default_factory=list)  # dicts with "row", "ref", "data", "evaluations", "top5"
    measures: list = field(default_factory=list)  # dicts with "row", "data", "status_steps"
    # Rows naming an existing record: dicts with "kind", "row", "record", "changes", ...
    updates: list = field(default_factory=list)
    unchanged: int = 0
    notes: list = field(default_factory=list)  # what was deliberately not taken over, and why
    existing_refs: dict = field(default_factory=dict)  # norm(risk ref) -> id of an existing risk
    stamp: object = None
    # The Evaluaties sheet (evidence workbook): dicts with "row", "measure", "plan", "outcome", ...
    evaluations: list = field(default_factory=list)
    # Moving an organisation in one upload: the teams and staff it creates first (excel/move.py).
    move: object = None
    # Persons named in a moved file who are no user here yet: name -> row numbers; the preview
    # (or the CLI's --map/--responsible) maps each to a user of this organisation.
    unknown: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return (
            not self.risks
            and not self.measures
            and not self.updates
            and not self.unchanged
            and not self.evaluations
        )


def parse_plan(org, data: bytes, filename: str | None = None) -> "PlanImport | rienl.RienlImport":
    """Read and check a risks-plus-measures file; raise ImportRefused listing every problem."""
    wb = read_workbook(data, filename)
    try:
        found = rienl.detect(wb)  # a rie.nl (Euphorie/OiRA) action plan, recognised by its headers
        if found is not None:
            return rienl.parse(wb, *found)
        return _parse_plan(org, wb)
    finally:
        wb.close()


def _parse_plan(org, wb) -> PlanImport:
    with force_locale("nl"):
        risks_title, measures_title = str(schema.RISKS_SHEET), str(schema.MEASURES_SHEET)
    risks_ws, measures_ws = find_sheet(wb, risks_title), find_sheet(wb, measures_title)
    exported = stamp.read(wb)
    # References match records only in a workbook exported from this organisation.
    existing = updates.Existing.load(org) if exported and exported.organisation == org.slug else None
    if existing is not None and exported.as_of is not None:
        _refuse(
            _(
                "Dit bestand toont de stand van %(d)s (een export met een periode), niet de huidige stand. "
                "Importeren zou bijgewerkte gegevens terugzetten. Exporteer opnieuw zonder periode en breng "
                "daarin uw wijzigingen aan.",
                d=exported.as_of.strftime("%d-%m-%Y"),
            )
        )
    # A missing or renamed sheet is never read as "0 maatregelen". Only the plan list exported
    # from this organisation (measures only) may come without the risks sheet.
    missing = [
        title for title, sheet in ((risks_title, risks_ws), (measures_title, measures_ws)) if sheet is None
    ]
    if risks_ws is None and existing is not None and measures_ws is not None:
        missing = []
    if missing:
        _refuse(
            _(
                "Het tabblad '%(s)s' ontbreekt. Gevonden tabbladen: %(found)s. Gebruik het sjabloon van deze "
                "pagina of het bewijsdossier.",
                s=missing[0],
                found=", ".join(ws.title for ws in wb.worksheets),
            )
            + " "
            + _(
                "Een plan heeft de tabbladen '%(r)s' en '%(m)s', met deze namen.",
                r=risks_title,
                m=measures_title,
            )
        )
    problems: list[Problem] = []
    risk_table = read_table(risks_ws, risks_title, schema.RISK_FIELDS, problems) if risks_ws else None
    measure_table = (
        read_table(measures_ws, measures_title, schema.MEASURE_FIELDS, problems) if measures_ws else None
    )
    result = PlanImport(
        stamp=exported if existing is not None else None,
        notes=[t.note for t in (risk_table, measure_table) if t is not None and t.note],
    )
    evaluations_ws = evaluations_import.sheet(wb) if measures_ws is not None else None
    evaluation_table = evaluations_import.read(evaluations_ws, problems) if evaluations_ws else None
    if evaluation_table is not None and "measure_ref" not in evaluation_table.columns:
        # A workbook exported before the sheet named its measures: read as one without it.
        evaluation_table = None
        result.notes.append(evaluations_import.unreadable_note())
    elif evaluation_table is not None and evaluation_table.note:
        result.notes.append(evaluation_table.note)
    if risk_table is not None or (risks_ws is None and measure_table is not None):
        directory = Directory(org)
        moved = existing is None and move.moving(org, wb, Risk, Measure)
        if moved:
            move.collect_unknown(directory)
            result.move = move.teams_of(org, wb, directory, problems)
            result.notes += result.move.notes if result.move is not None else []
        refs = (
            _risks(org, directory, risk_table, problems, result, existing) if risk_table is not None else {}
        )
        if measure_table is not None:
            recorded = evaluations_import.recorded_keys(evaluation_table, existing)
            new_measures, targets = _measures(
                directory,
                measure_table,
                refs,
                problems,
                result,
                existing,
                evaluation_table is not None,
                recorded,
            )
            if evaluation_table is not None:
                evaluated = evaluations_import.parse(
                    org, evaluation_table, directory, result, existing, problems, new_measures, targets
                )
                evaluations_import.check_evaluated(
                    measure_table, new_measures, evaluated, problems, measure_table.sheet
                )
        if moved:
            result.unknown = dict(directory.unknown_users or {})
            result.notes += [move.what_stays()]
    if not problems and result.empty:
        problems.append(
            Problem(
                risks_title,
                None,
                None,
                _(
                    "Het bestand bevat geen risico's of maatregelen: alle "
                    "rijen onder de kolomkoppen zijn leeg."
                ),
            )
        )
    if problems:
        raise ImportRefused(problems)
    return result


# --- risks: one reader per schema field -------------------------------------------------------


@dataclass
class _Risks:
    """What each risk row is checked against: the organisation, its records and the rows before it."""

    org: object
    directory: Directory
    existing: set  # titles of the organisation's risks
    has_top5: bool
    refs: dict = field(default_factory=dict)  # norm(ref) -> row
    seen: dict = field(default_factory=dict)  # (norm(title), theme) -> row
    ranks: dict = field(default_factory=dict)  # top 5 place -> row
    existing_records: object = None  # updates.Existing in a workbook exported from this organisation
    scope: Lookup = field(default_factory=lambda: Lookup("risk_scope"))
    source: Lookup = field(default_factory=lambda: Lookup("risk_source"))
    status: Lookup = field(default_factory=lambda: Lookup("risk_status"))

    @classmethod
    def of(cls, org, directory: Directory) -> "_Risks":
        alive = (Risk.organisation_id == org.id, Risk.deleted_at.is_(None))
        existing = {norm(t) for t in db.session.scalars(select(Risk.title).where(*alive))}
        has_top5 = db.session.scalar(select(Risk.id).where(*alive, Risk.top5_rank.is_not(None)).limit(1))
        return cls(org, directory, existing, bool(has_top5))


def _cell(key: str, parse, *args, required=None, default=None):
    """A reader for a field that needs no other field: parse the cell (required: the message)."""
    return lambda _rows, r, _row: r.get(key, parse, *args, required=required, default=default)


def _risk_ref(rows: _Risks, r: RowReader, _row: dict):
    ref = r.get(
        "ref",
        text,
        40,
        required=None
        if rows.existing_records is not None
        else _l("Vul een Risico-ref in, bijvoorbeeld R-001: de maatregelen verwijzen ernaar."),
    )
    if ref and norm(ref) in rows.refs:
        r.error(
            "ref",
            _(
                "De Risico-ref '%(r)s' staat ook in rij %(n)s. Elke Risico-ref mag maar één keer voorkomen.",
                r=ref,
                n=rows.refs[norm(ref)],
            ),
        )
    return ref


def _risk_record(rows: _Risks, r: RowReader, row: dict):
    """The existing risk the row's reference names (only in a workbook exported from here)."""
    existing, ref = rows.existing_records, row["ref"]
    if existing is None or not updates.looks_like(ref, RISK_PREFIX):
        return None
    record = existing.risk(ref)
    if record is None:
        r.error(
            "ref",
            _(
                "Risico %(r)s bestaat niet (meer) in riecycle. Geef een nieuw risico een eigen code "
                "zonder nummer, bijvoorbeeld 'nieuw 1'.",
                r=ref,
            ),
        )
    return record


def _risk_theme(rows: _Risks, r: RowReader, _row: dict):
    theme = r.get("theme", text, required=_l("Kies een PSA-thema."))
    theme_key = rows.directory.themes.get(norm(theme)) if theme else None
    if theme and theme_key is None:
        r.error(
            "theme",
            _(
                "Onbekend thema '%(t)s'. Kies een thema uit de lijst, bijvoorbeeld Werkdruk of Pesten.",
                t=theme,
            ),
        )
    return theme_key


def _risk_scope(rows: _Risks, r: RowReader, row: dict):
    return r.get("scope", rows.scope, default=RiskScope.TEAMS if row["team_ids"] else RiskScope.ORGANISATIE)


def _risk_function_group(_rows: _Risks, r: RowReader, row: dict):
    """The function group, and what the scope asks for (teams or a function group)."""
    function_group = r.get("function_group", line, 200)
    if row["scope"] == RiskScope.TEAMS and not row["team_ids"] and not r.failed:
        r.error("teams", _("Bij 'Team(s)' hoort minstens één team."))
    if row["scope"] == RiskScope.FUNCTIEGROEP and not function_group:
        r.error("function_group", _("Noem de functiegroep, of kies bij 'Voor wie' een andere waarde."))
    return function_group


def _risk_factors(rows: _Risks, r: RowReader, _row: dict) -> list:
    factor_keys = []
    for name in r.get("factors", names) or []:
        key = rows.directory.factors.get(norm(name))
        if key is None:
            r.error("factors", _("Onbekende werkdrukfactor '%(f)s'.", f=name))
        factor_keys.append(key)
    return factor_keys


def _risk_status(rows: _Risks, r: RowReader, _row: dict):
    return r.get("status", rows.status, default=RiskStatus.OPEN)


def _risk_status_reason(_rows: _Risks, r: RowReader, row: dict):
    status_reason = r.get("status_reason", text)
    if row["status"] == RiskStatus.NVT and not status_reason:
        r.error("status_reason", _("Geef bij 'Niet van toepassing' de reden in 'Toelichting status'."))
    return status_reason


def _risk_top5(rows: _Risks, r: RowReader, row: dict):
    top5 = r.get("top5", integer)
    record = row["record"]
    if record is not None:
        if top5 != record.top5_rank:
            r.error("top5", _("De top 5 verandert niet met een import. Pas de top 5 aan in riecycle."))
        return None
    if top5 is None:
        return None
    if not 1 <= top5 <= 5:
        r.error("top5", _("Top 5 moet een getal van 1 tot en met 5 zijn."))
    elif top5 in rows.ranks:
        r.error("top5", _("Plaats %(p)s in de top 5 staat ook in rij %(n)s.", p=top5, n=rows.ranks[top5]))
    elif rows.has_top5:
        r.error(
            "top5",
            _(
                "Deze organisatie heeft al een top 5. Laat de kolom Top 5 leeg en pas de top 5 "
                "na de import aan."
            ),
        )
    elif row["status"] == RiskStatus.NVT:
        r.error("top5", _("Een risico dat niet van toepassing is, kan niet in de top 5."))
    else:
        rows.ranks[top5] = r.number
    return top5


def _risk_evaluations(rows: _Risks, r: RowReader, _row: dict) -> list[dict]:
    return _evaluations(rows.org, r)


def _risk_source(rows: _Risks, r: RowReader, _row: dict):
    return r.get("source", rows.source, default=RiskSource.RIE)


# Value name -> reader, in the order of the checks (a reader may use the values read before it).
# Together they read every importable column of schema.RISK_FIELDS (see test_excel_schema_readers).
RISK_READERS = {
    "ref": _risk_ref,
    "record": _risk_record,
    "version": _cell("version", integer),
    "theme_key": _risk_theme,
    "title": _cell("title", line, 200, required=_l("Geef het knelpunt een korte titel.")),
    "description": _cell(
        "description", text, required=_l("Beschrijf wat er speelt: de oorzaak, wanneer en wie het raakt.")
    ),
    "team_ids": lambda rows, r, _row: rows.directory.team_ids(r, "teams"),
    "scope": _risk_scope,
    "function_group": _risk_function_group,
    "factor_keys": _risk_factors,
    "status": _risk_status,
    "status_reason": _risk_status_reason,
    "top5": _risk_top5,
    "evaluations": _risk_evaluations,
    "source": _risk_source,
    "team_bound_reason": _cell("team_bound_reason", text),
}
RISK_DATA = (
    "title",
    "description",
    "theme_key",
    "scope",
    "team_ids",
    "function_group",
    "source",
    "status",
    "status_reason",
    "team_bound_reason",
    "factor_keys",
)


def _read_row(readers: dict, rows, r: RowReader) -> dict:
    row: dict = {}
    for name, reader in readers.items():
        row[name] = reader(rows, r, row)
    return row


def _risks(
    org, directory: Directory, table: Table, problems, result: PlanImport, existing=None
) -> dict[str, int]:
    rows = _Risks.of(org, directory)
    rows.existing_records = existing
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        row = _read_row(RISK_READERS, rows, r)
        _check_risk_row(rows, r, row)
        if r.failed:
            continue
        if row["record"] is not None:
            result.existing_refs[norm(row["ref"])] = row["record"].id
            _risk_update(org, r, row, result)
            continue
        result.risks.append(
            {
                "row": number,
                "ref": row["ref"],
                "top5": row["top5"],
                "evaluations": row["evaluations"],
                "data": {key: row[key] for key in RISK_DATA},
            }
        )
    return rows.refs


def _check_risk_row(rows: _Risks, r: RowReader, row: dict) -> None:
    """Checks across the rows: the same risk twice, a title that exists; then remember the ref."""
    title, theme_key, ref = row["title"], row["theme_key"], row["ref"]
    if title and theme_key:
        key = (norm(title), theme_key)
        if key in rows.seen:
            r.error(
                "title",
                _(
                    "Dubbele rij: dit risico (zelfde titel en thema) staat ook in rij %(n)s.",
                    n=rows.seen[key],
                ),
            )
        elif norm(title) in rows.existing and not (
            row["record"] is not None and norm(row["record"].title) == norm(title)
        ):
            r.error(
                "title",
                _(
                    "Er bestaat al een risico met de titel '%(t)s' in riecycle. Laat deze rij weg of "
                    "geef het risico een andere titel.",
                    t=title,
                ),
            )
        rows.seen[key] = r.number
    if ref and norm(ref) not in rows.refs:
        rows.refs[norm(ref)] = r.number


def _risk_update(org, r: RowReader, row: dict, result: PlanImport) -> None:
    """A row naming an existing risk: what changes, or why the row is refused."""
    record = row["record"]
    evaluation = row["evaluations"][-1] if row["evaluations"] else None
    try:
        changes, data, new_evaluation = updates.risk_changes(
            org, record, {key: row[key] for key in RISK_DATA}, evaluation
        )
    except ServiceError as error:
        r.error(_risk_column(error.field), error.message)
        return
    _add_update(r, result, "risk", record, row, changes, {"data": data, "evaluation": new_evaluation})


def _risk_column(service_field: str | None) -> str | None:
    return {"theme_key": "theme", "team_ids": "teams", "factor_keys": "factors"}.get(
        service_field or "", service_field
    )


def _add_update(r: RowReader, result: PlanImport, kind: str, record, row: dict, changes, extra: dict) -> None:
    """Count an unchanged row, refuse a conflict, or keep the update."""
    if not changes:
        result.unchanged += 1
        return
    if updates.is_conflict(record, row["version"], result.stamp):
        r.error("version", updates.conflict_message(record.reference, row["version"], record, changes))
        return
    result.updates.append(
        {
            "kind": kind,
            "row": r.number,
            "record": record,
            "reference": record.reference,
            "changes": changes,
            **extra,
        }
    )


def _evaluation(org, r: RowReader, prefix: str, on_key: str, method_lookup) -> dict | None:
    keys = [f"{prefix}kans", f"{prefix}frequentie", f"{prefix}effect"]
    before = len(r.problems)
    values = [r.get(k, integer) for k in keys]
    if len(r.problems) > before:
        return None  # a cell is not a number: that message says it all
    method = r.get(f"{prefix}method", method_lookup)
    on = r.get(on_key, day)
    if all(v is None for v in values):
        if method or (prefix and on):
            r.error(
                keys[0],
                _("Vul kans en effect (en bij Kinney de frequentie) in, of laat de beoordeling leeg."),
            )
        return None
    method = method or org.risk_method
    kans, frequentie, effect = values
    try:
        result = scoring.compute(method, kans, effect, frequentie)
    except ServiceError as error:
        r.error(
            f"{prefix}{error.field}" if error.field in ("kans", "frequentie", "effect") else keys[0],
            error.message,
        )
        return None
    if on is not None and on > clock.today():
        r.error(on_key, _("De datum van de beoordeling kan niet in de toekomst liggen."))
    return {
        "method": method,
        "kans": kans,
        "frequentie": frequentie if method == "kinney" else None,
        "effect": effect,
        "on": on,
        "score": result.score,
        "priority": result.priority,
    }


def _evaluations(org, r: RowReader) -> list[dict]:
    """The first evaluation (when it differs from the current one) and the current one."""
    method = Lookup("risk_method_short")
    current = _evaluation(org, r, "", "evaluated_on", method)
    first = _evaluation(org, r, "first_", "first_on", method)
    if first is not None and current is None:
        r.error("kans", _("Vul ook de huidige beoordeling in (kans, frequentie, effect)."))
        return []
    if first is None or first == current:
        return [current] if current else []
    if first["on"] is None:
        r.error("first_on", _("Vul de datum van de eerste beoordeling in."))
    elif current["on"] is not None and first["on"] > current["on"]:
        r.error("first_on", _("De eerste beoordeling ligt na de huidige beoordeling."))
    return [first, current]


# --- measures: one reader per schema field ----------------------------------------------------


@dataclass
class _Measures:
    """What each measure row is checked against: the directory, the risk refs and the rows before it."""

    directory: Directory
    refs: dict  # norm(risk ref) -> row, from the Risico's sheet
    today: date
    seen_refs: dict = field(default_factory=dict)  # norm(measure ref) -> row
    seen: dict = field(default_factory=dict)  # the measure's identity -> row
    existing_records: object = None  # updates.Existing in a workbook exported from this organisation
    pseudonymised: bool = False
    with_evaluations: bool = False  # the workbook has an Evaluaties sheet
    recorded: set | frozenset = frozenset()  # measures with a recorded evaluation row there
    level: Lookup = field(default_factory=lambda: Lookup("level"))
    approach: Lookup = field(default_factory=lambda: Lookup("approach"))
    status: Lookup = field(default_factory=lambda: Lookup("measure_status"))
    change_type: Lookup = field(default_factory=lambda: Lookup("change_type"))


def _measure_ref(rows: _Measures, r: RowReader, _row: dict):
    ref = r.get("ref", line, 40)
    if ref and norm(ref) in rows.seen_refs:
        r.error(
            "ref", _("De Maatregel-ref '%(r)s' staat ook in rij %(n)s.", r=ref, n=rows.seen_refs[norm(ref)])
        )
    elif ref:
        rows.seen_refs[norm(ref)] = r.number
    return ref


def _measure_record(rows: _Measures, r: RowReader, row: dict):
    """The existing measure the row's reference names (only in a workbook exported from here)."""
    existing, ref = rows.existing_records, row["ref"]
    if existing is None or not updates.looks_like(ref, MEASURE_PREFIX):
        return None
    record = existing.measure(ref)
    if record is None:
        r.error(
            "ref",
            _(
                "Maatregel %(r)s bestaat niet (meer) in riecycle. Laat de Maatregel-ref leeg voor een "
                "nieuwe maatregel.",
                r=ref,
            ),
        )
    return record


def _protected(rows: _Measures, row: dict) -> bool:
    """A pseudonymised copy never overwrites the title, free text or employee of an individual
    measure: the file holds a pseudonym (or nothing) there."""
    record = row.get("record")
    return (
        record is not None
        and record.level == MeasureLevel.INDIVIDU
        and (rows.pseudonymised or bool(PSEUDONYM_RE.search(row.get("title") or "")))
    )


def _measure_risk_refs(rows: _Measures, r: RowReader, _row: dict):
    risk_refs = r.get(
        "risk_refs",
        names,
        required=_l(
            "Vul de Risico-ref in van het risico waar deze maatregel bij hoort (zie tabblad Risico's)."
        ),
    )
    for value in risk_refs or []:
        known = rows.existing_records is not None and rows.existing_records.risk(value) is not None
        if norm(value) not in rows.refs and not known:
            r.error(
                "risk_refs",
                _(
                    "Risico-ref '%(r)s' staat niet op het tabblad Risico's. Controleer de "
                    "schrijfwijze of voeg het risico toe.",
                    r=value,
                ),
            )
    return risk_refs


def _measure_level(rows: _Measures, r: RowReader, _row: dict):
    return r.get("level", rows.level, required=_l("Kies het niveau: Organisatie, Team of Individu."))


def _measure_teams(rows: _Measures, r: RowReader, row: dict) -> list[int]:
    if row["level"] != MeasureLevel.TEAM:
        return []
    team_ids = rows.directory.team_ids(r, "teams")
    if not team_ids and not r.failed:
        r.error("teams", _("Kies bij een teammaatregel het team of de teams."))
    return team_ids


def _measure_employee(rows: _Measures, r: RowReader, row: dict):
    """The employee of an individual measure (a pseudonymised export cannot be read back)."""
    if row["level"] != MeasureLevel.INDIVIDU:
        return None
    if _protected(rows, row):
        return row["record"].employee
    value = r.get("employee", line)
    if row["title"] and PSEUDONYM_RE.search(row["title"]) and not value:
        r.error(
            "title",
            _(
                "Deze rij is geanonimiseerd (een export voor OR of auditor) en kan niet worden "
                "ingelezen. Vul de echte titel en de medewerker in, of laat de rij weg."
            ),
        )
    elif not value:
        r.error("employee", _("Vul bij een individuele maatregel de medewerker in."))
    else:
        return rows.directory.employee(r, "employee", value)
    return None


def _measure_approach(rows: _Measures, r: RowReader, _row: dict):
    return r.get("approach", rows.approach, required=_l("Kies de aanpak, bijvoorbeeld Bronaanpak."))


def _measure_responsible(rows: _Measures, r: RowReader, _row: dict):
    return rows.directory.user(
        r,
        "responsible",
        _l(
            "Vul de verantwoordelijke in: elke maatregel heeft een "
            "eigenaar (naam of e-mailadres van een gebruiker)."
        ),
    )


def _measure_start(_rows: _Measures, r: RowReader, row: dict):
    start = r.get("start_date", day)
    if start and row["termijn"] and start > row["termijn"]:
        r.error("start_date", _("De startdatum ligt na de termijn."))
    return start


def _measure_status(rows: _Measures, r: RowReader, _row: dict):
    return r.get("status", rows.status, default=MeasureStatus.GEPLAND)


def _measure_steps(rows: _Measures, r: RowReader, row: dict) -> list[dict]:
    if row["record"] is not None:
        # An existing measure takes one step from its current status, as in the form.
        return [{"status": row["status"], "on": None, "reason": r.get("status_reason", text)}]
    return _status_steps(r, row["status"], rows.today, rows.with_evaluations)


def _measure_change_type(rows: _Measures, r: RowReader, _row: dict):
    return r.get("change_type", rows.change_type, default=ChangeType.EENVOUDIG)


# Value name -> reader, in the order of the checks (a reader may use the values read before it).
# Together they read every importable column of schema.MEASURE_FIELDS (see test_excel_schema_readers).
MEASURE_READERS = {
    "ref": _measure_ref,
    "record": _measure_record,
    "version": _cell("version", integer),
    "risk_refs": _measure_risk_refs,
    "title": _cell("title", line, 200, required=_l("Geef de maatregel een titel: wat gaat er gebeuren?")),
    "level": _measure_level,
    "team_ids": _measure_teams,
    "employee": _measure_employee,
    "approach": _measure_approach,
    "responsible": _measure_responsible,
    "termijn": _cell("termijn", day, required=_l("Vul de termijn in: wanneer moet de maatregel klaar zijn?")),
    "start_date": _measure_start,
    "budget_eur": _cell("budget", money),
    "effort": _cell("effort", line, 200),
    "status": _measure_status,
    "steps": _measure_steps,
    "description": _cell("description", text),
    "quick_win": _cell("quick_win", yes_no, default=False),
    "change_type": _measure_change_type,
    "pilot": _cell("pilot", yes_no, default=False),
}
MEASURE_DATA = (
    "title",
    "description",
    "level",
    "team_ids",
    "approach",
    "termijn",
    "start_date",
    "budget_eur",
    "effort",
    "quick_win",
    "change_type",
    "pilot",
)


def _measures(
    directory: Directory,
    table: Table,
    refs: dict,
    problems,
    result: PlanImport,
    existing=None,
    with_evaluations: bool = False,
    recorded: set | frozenset = frozenset(),
) -> tuple[dict, dict]:
    """Check the measure rows; returns the new measures by their file code and the status each
    existing measure's row gives it (for the Evaluaties sheet)."""
    rows = _Measures(directory, refs, clock.today())
    rows.existing_records = existing
    rows.pseudonymised = bool(result.stamp and result.stamp.pseudonymised)
    rows.with_evaluations, rows.recorded = with_evaluations, recorded
    new_measures: dict = {}
    targets: dict = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        row = _read_row(MEASURE_READERS, rows, r)
        _check_measure_row(rows, r, row)
        if r.failed:
            continue
        for value in row["risk_refs"]:
            known = existing.risk(value) if existing is not None and norm(value) not in refs else None
            if known is not None:
                result.existing_refs[norm(value)] = known.id
        if row["record"] is not None:
            targets[row["record"].id] = row["status"]
            evaluated = ("id", row["record"].id) in rows.recorded
            _measure_update(directory.org, r, row, result, _protected(rows, row), evaluated)
            continue
        employee, responsible = row["employee"], row["responsible"]
        code = norm(row["ref"]) if row["ref"] else None
        if code:
            new_measures[code] = {"row": number, "status": row["status"], "ref": row["ref"]}
        result.measures.append(
            {
                "row": number,
                "ref": code,
                "risk_refs": [norm(v) for v in row["risk_refs"]],
                "steps": row["steps"],
                "data": {
                    **{key: row[key] for key in MEASURE_DATA},
                    "employee_id": employee.id if employee else None,
                    "responsible_id": responsible.id,
                },
                "responsible": responsible.name,
                "unknown": responsible.name if isinstance(responsible, move.Unknown) else None,
            }
        )
    return new_measures, targets


def _measure_update(org, r: RowReader, row: dict, result: PlanImport, protect: bool, evaluated: bool) -> None:
    """A row naming an existing measure: what changes, or why the row is refused."""
    record, employee, step = row["record"], row["employee"], row["steps"][0]
    data = {
        **{key: row[key] for key in MEASURE_DATA},
        "employee_id": employee.id if employee else None,
        "responsible_id": row["responsible"].id,
        "risk_ids": [
            result.existing_refs[norm(v)] for v in row["risk_refs"] if norm(v) in result.existing_refs
        ],
    }
    try:
        changes, data = updates.measure_changes(org, record, data, row["risk_refs"], protect)
        status = updates.status_change(record, step["status"], step["reason"], evaluated)
    except ServiceError as error:
        r.error(MEASURE_COLUMNS.get(error.field or "", "status"), error.message)
        return
    if protect:
        result.notes.append(
            _(
                "Rij %(n)s (%(ref)s): titel, beschrijving, inzet en medewerker zijn niet overgenomen: dit "
                "bestand is gepseudonimiseerd.",
                n=r.number,
                ref=record.reference,
            )
        )
    extra = {"data": data, "risk_refs": [norm(v) for v in row["risk_refs"]], "status": None, "reason": None}
    if status is not None:
        changes.append(status)
        extra.update(status=step["status"], reason=step["reason"])
    _add_update(r, result, "measure", record, row, changes, extra)


# Service field -> the column that holds it (where a refusal of the services is reported).
MEASURE_COLUMNS = {
    "title": "title",
    "risk_ids": "risk_refs",
    "level": "level",
    "team_ids": "teams",
    "employee_id": "employee",
    "approach": "approach",
    "responsible_id": "responsible",
    "termijn": "termijn",
    "start_date": "start_date",
    "budget_eur": "budget",
    "effort": "effort",
    "change_type": "change_type",
    "to_status": "status",
    "reason": "status_reason",
}


def _check_measure_row(rows: _Measures, r: RowReader, row: dict) -> None:
    """The same measure twice in the file (same title, level, risks, employee and teams)."""
    employee = row["employee"]
    key = (
        norm(row["title"]),
        row["level"],
        tuple(sorted(norm(v) for v in row["risk_refs"] or [])),
        employee.id if employee else None,
        tuple(sorted(row["team_ids"])),
    )
    if row["title"] and key in rows.seen:
        r.error("title", _("Dubbele rij: dezelfde maatregel staat ook in rij %(n)s.", n=rows.seen[key]))
    rows.seen.setdefault(key, r.number)


STEP_KEYS = {
    MeasureStatus.GEPLAND: "on_gepland",
    MeasureStatus.IN_UITVOERING: "on_in_uitvoering",
    MeasureStatus.UITGEVOERD: "on_uitgevoerd",
    MeasureStatus.GEEVALUEERD: "on_geevalueerd",
    MeasureStatus.VERVALLEN: "on_vervallen",
}


def _status_steps(r: RowReader, status: str, today: date, with_evaluations: bool = False) -> list[dict]:
    """The status path to replay: gepland, then each next step with its date (empty = today)."""
    from riecycle.excel.rows import status_path

    dates = {s: r.get(k, day) for s, k in STEP_KEYS.items()}
    reason = r.get("status_reason", text)
    steps = []
    for step in status_path(status, dates):
        on = dates.get(step)
        if on is not None and on > today:
            r.error(
                STEP_KEYS[step], _("Deze datum ligt in de toekomst; een status kan alleen al bereikt zijn.")
            )
        steps.append({"status": step, "on": on})
    if status == MeasureStatus.GEEVALUEERD and not with_evaluations:
        # A file without an Evaluaties sheet cannot hold the evaluation this status rests on
        # (with one, evaluations_import.check_evaluated asks for the measure's row there).
        r.error(
            "status",
            _(
                "Rij %(n)s: status Geëvalueerd kan niet worden ingelezen. Een maatregel wordt alleen "
                "geëvalueerd door een vastgelegde evaluatie, en dit bestand bevat geen evaluaties. "
                "Lees de maatregel in als Uitgevoerd en leg daarna de evaluatie vast in riecycle.",
                n=r.number,
            ),
        )
    if status == MeasureStatus.VERVALLEN and not reason:
        r.error("status_reason", _("Geef bij status Vervallen de reden in 'Reden vervallen'."))
    if steps:
        steps[-1]["reason"] = reason if status == MeasureStatus.VERVALLEN else None
    return steps
