"""Reading the evidence workbook's Evaluaties sheet back, with the plan.

Each row is an evaluation of one measure (named by its Maatregel-ref: the permanent number of a
measure in riecycle or the code of a new measure on the Plan van aanpak sheet) or of a theme's
whole approach. In a workbook exported from this organisation a row that matches an existing
evaluation (same kind, measure or theme, planned date and method) updates it; any other row plans
a new evaluation, and a row with an outcome records it, checked as the evaluation form checks it
(services.evaluations.check_outcome). A measure becomes Geëvalueerd only through a recorded
evaluation in the same workbook, as in riecycle itself. Nothing is deleted because it is missing.
"""

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from riecycle.excel import move, schema, updates
from riecycle.excel.cells import CellError, Lookup, day, integer, norm, text, yes_no
from riecycle.excel.directory import Directory
from riecycle.excel.tables import RowReader, Table, find_sheet, read_table
from riecycle.extensions import db
from riecycle.labels import label
from riecycle.models import Evaluation, Factor, Measure, Theme
from riecycle.models.evaluation import EvaluationKind
from riecycle.models.measure import MeasureLevel, MeasureStatus
from riecycle.models.references import MEASURE_PREFIX
from riecycle.services import ServiceError
from riecycle.services import evaluations as evaluation_service

OUTCOME_KEYS = ("done_on", "effect", "implementation_rating", "satisfaction", "conclusion")
# Service field -> the column that holds it.
COLUMNS = {
    "done_on": "done_on",
    "effect": "effect",
    "implementation_rating": "implementation_rating",
    "satisfaction": "satisfaction",
    "conclusion": "conclusion",
    "factor_scores": "factor_scores",
    "responsible_id": "responsible",
    "measure_id": "measure_ref",
    "theme_key": "theme",
    "kind": "kind",
    "method": "method",
}


def sheet(wb):
    """The Evaluaties sheet of a workbook, or None (a template or a list export has none)."""
    with force_locale("nl"):
        return find_sheet(wb, str(schema.EVALUATIONS_SHEET))


def read(ws, problems) -> Table | None:
    with force_locale("nl"):
        title = str(schema.EVALUATIONS_SHEET)
    return read_table(ws, title, schema.EVALUATION_FIELDS, problems)


def unreadable_note() -> str:
    return _(
        "Het tabblad Evaluaties is niet ingelezen: het heeft geen kolom Maatregel-ref (een bewijsdossier van "
        "een eerdere versie van riecycle). Exporteer opnieuw om evaluaties mee te nemen."
    )


def measure_key(ref, existing) -> tuple | None:
    """How a Maatregel-ref is known: ("id", id) for an existing measure, ("ref", code) otherwise."""
    if not ref:
        return None
    if existing is not None and updates.looks_like(ref, MEASURE_PREFIX):
        record = existing.measure(ref)
        if record is not None:
            return ("id", record.id)
    return ("ref", norm(ref))


def recorded_keys(table: Table | None, existing) -> set:
    """The measures that a row with an outcome date evaluates (read before the Plan sheet's rows,
    which may move to Geëvalueerd only with such a row)."""
    if table is None:
        return set()
    found = set()
    for _number, cells in table.rows:
        if cells.get("done_on") not in (None, "") and cells.get("measure_ref") not in (None, ""):
            try:
                found.add(measure_key(text(cells["measure_ref"]), existing))
            except CellError:
                continue  # reported when the row is read
    return found


@dataclass
class _Context:
    directory: Directory
    existing: object  # updates.Existing or None
    stamp: object
    new_measures: dict  # norm(file code) -> {"row", "status"} of the new measures of the Plan sheet
    targets: dict  # id of an existing measure -> the status its Plan sheet row gives
    kind: Lookup = field(default_factory=lambda: Lookup("evaluation_kind"))
    method: Lookup = field(default_factory=lambda: Lookup("evaluation_method"))
    effect: Lookup = field(default_factory=lambda: Lookup("effect"))
    stored: dict = field(default_factory=dict)  # match key -> [Evaluation, ...]
    evaluated: set = field(default_factory=set)  # measure keys with a recorded evaluation row

    def reference(self, measure_id) -> str:
        record = db.session.get(Measure, measure_id)
        return record.reference if record is not None else ""

    def load(self, org) -> None:
        if self.existing is None:
            return
        for evaluation in db.session.scalars(
            select(Evaluation)
            .where(Evaluation.organisation_id == org.id, Evaluation.deleted_at.is_(None))
            .order_by(Evaluation.id)
        ):
            key = (
                evaluation.kind,
                evaluation.measure_id,
                evaluation.theme_key,
                evaluation.planned_on,
                evaluation.method,
            )
            self.stored.setdefault(key, []).append(evaluation)


def parse(
    org, table: Table, directory: Directory, result, existing, problems, new_measures: dict, targets: dict
):
    """Check every row of the Evaluaties sheet; add the evaluations (and their changes) to `result`."""
    context = _Context(directory, existing, result.stamp, new_measures, targets)
    context.load(org)
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        item = _row(org, context, r)
        if r.failed or item is None:
            continue
        if item["record"] is None:
            result.evaluations.append(item)
            continue
        if not item["changes"]:
            result.unchanged += 1
            continue
        if updates.is_conflict(item["record"], None, context.stamp):
            r.error(None, updates.conflict_message(item["reference"], None, item["record"], item["changes"]))
            continue
        result.evaluations.append(item)
        result.updates.append(
            {
                "kind": "evaluation",
                "row": number,
                "record": item["record"],
                "reference": item["reference"],
                "changes": item["changes"],
            }
        )
    return context.evaluated


def _row(org, context: _Context, r: RowReader) -> dict | None:
    kind = r.get(
        "kind", context.kind, required=_l("Kies wat de evaluatie evalueert: één maatregel of een thema.")
    )
    method = r.get("method", context.method, required=_l("Kies de methode van de evaluatie."))
    planned_on = r.get("planned_on", day, required=_l("Vul de datum in waarop de evaluatie gepland is."))
    measure, status = _measure(context, r, kind)
    theme_key = _theme(context, r, kind)
    responsible = context.directory.user(r, "responsible", None)
    repeat = r.get("is_repeat", yes_no, default=False)
    policy_adjusted = r.get("policy_adjusted", yes_no, default=False)
    outcome = _outcome(context, r, kind, measure)
    if r.failed:
        return None
    measure_id = measure[1] if measure and measure[0] == "id" else None
    plan = {
        "kind": kind,
        "measure_id": measure_id,
        "theme_key": theme_key if kind == EvaluationKind.THEMA else None,
        "planned_on": planned_on,
        "method": method,
        "is_repeat_measurement": repeat,
        "responsible_id": responsible.id if responsible is not None else None,
    }
    record = _match(context, plan)
    if outcome is not None and outcome.pop("keep_conclusion"):
        if record is None or not record.conclusion:
            r.error("conclusion", _("Schrijf een korte conclusie."))
            return None
        outcome["conclusion"] = record.conclusion
    item = {
        "row": r.number,
        "measure": measure,
        "plan": plan,
        "outcome": outcome,
        "policy_adjusted": policy_adjusted,
        "unknown": responsible.name if isinstance(responsible, move.Unknown) else None,
        "record": record,
        "changes": [],
        "reference": None,
        # Whether recording the outcome moves an uitgevoerd measure to Geëvalueerd: only when the
        # Plan sheet says so (a measure missing from it follows the form's rule).
        "mark": status in (None, MeasureStatus.GEEVALUEERD),
    }
    if outcome is not None and measure is not None:
        context.evaluated.add(measure)
    newly_recorded = outcome is not None and (record is None or record.done_on is None)
    if newly_recorded and measure and measure[0] == "id" and status == MeasureStatus.UITGEVOERD:
        # As in the form, recording the outcome makes the uitgevoerd measure Geëvalueerd: the Plan
        # sheet must say so too (a moved or new measure keeps the status its file gives).
        r.error(
            "done_on",
            _(
                "Deze evaluatie wordt vastgelegd: zet maatregel %(m)s op het tabblad Plan van aanpak op "
                "Geëvalueerd, of laat de uitkomst leeg.",
                m=context.reference(measure[1]),
            ),
        )
        return None
    if record is not None:
        item["reference"] = _reference(record)
        item["changes"] = _changes(record, plan, outcome, policy_adjusted, context.directory)
    return item


def _measure(context: _Context, r: RowReader, kind) -> tuple[tuple | None, str | None]:
    """The measure a measure evaluation evaluates, and the status the Plan sheet gives it."""
    ref = r.get("measure_ref", text, 40)
    if kind != EvaluationKind.MAATREGEL:
        return None, None
    if not ref:
        r.error(
            "measure_ref",
            _("Vul de Maatregel-ref in van de geëvalueerde maatregel (zie het tabblad Plan van aanpak)."),
        )
        return None, None
    key = measure_key(ref, context.existing)
    if key[0] == "id":
        return key, context.targets.get(key[1])
    found = context.new_measures.get(key[1])
    if found is None:
        r.error(
            "measure_ref",
            _(
                "Maatregel '%(r)s' staat niet op het tabblad Plan van aanpak en bestaat niet in riecycle.",
                r=ref,
            ),
        )
        return None, None
    return key, found["status"]


def _theme(context: _Context, r: RowReader, kind):
    theme = r.get("theme", text)
    theme_key = context.directory.themes.get(norm(theme)) if theme else None
    if theme and theme_key is None:
        r.error("theme", _("Onbekend thema '%(t)s'. Kies een thema uit de lijst.", t=theme))
    elif kind == EvaluationKind.THEMA and theme_key is None:
        r.error("theme", _("Kies het thema waarvan de aanpak is geëvalueerd."))
    return theme_key


def _factor_scores(context: _Context, r: RowReader) -> dict | None:
    """ "Naam: 3.5; Naam: 4.0" (as the export writes it) -> {factor key: score}."""
    value = r.get("factor_scores", text)
    if not value:
        return None
    scores = {}
    for part in value.split(schema.SEPARATOR):
        name, _sep, score = part.rpartition(":")
        key = context.directory.factors.get(norm(name))
        try:
            number = float(score.strip().replace(",", "."))
        except ValueError:
            number = None
        if not name.strip() or key is None or number is None:
            r.error(
                "factor_scores",
                _(
                    "'%(p)s' is geen werkdrukbron of energiebron met een score (schrijf 'Naam: 3,5').",
                    p=part.strip(),
                ),
            )
            return None
        scores[key] = number
    return scores


def _outcome(context: _Context, r: RowReader, kind, measure) -> dict | None:
    """The recorded outcome, checked as the form checks it; None when the row has none."""
    values = {
        "done_on": r.get("done_on", day),
        "effect": r.get("effect", context.effect),
        "implementation_rating": r.get("implementation_rating", integer),
        "satisfaction": r.get("satisfaction", integer),
        "conclusion": r.get("conclusion", text),
        "factor_scores": _factor_scores(context, r),
    }
    if all(v in (None, "", {}) for v in values.values()):
        return None
    if r.failed:
        return None
    if not values["conclusion"] and _protected(context, measure):
        # A pseudonymised copy leaves the conclusion out: the stored one is kept (_row).
        values["conclusion"], values["keep_conclusion"] = KEPT, True
    try:
        checked = evaluation_service.check_outcome(kind, values)
    except ServiceError as error:
        r.error(COLUMNS.get(error.field or "", "done_on"), error.message)
        return None
    return {**checked, "keep_conclusion": "keep_conclusion" in values}


KEPT = "…"  # stands in for a conclusion a pseudonymised copy hides, until the row is matched


def _protected(context: _Context, measure) -> bool:
    """Whether a pseudonymised copy hides the free text of this (individual) measure's evaluations."""
    if context.stamp is None or not context.stamp.pseudonymised or not measure or measure[0] != "id":
        return False
    record = db.session.get(Measure, measure[1])
    return record is not None and record.level == MeasureLevel.INDIVIDU


def _match(context: _Context, plan: dict):
    key = (plan["kind"], plan["measure_id"], plan["theme_key"], plan["planned_on"], plan["method"])
    found = context.stored.get(key)
    return found.pop(0) if found else None


def _reference(record: Evaluation) -> str:
    if record.measure is not None:
        what = record.measure.reference
    else:
        theme = db.session.get(Theme, record.theme_key) if record.theme_key else None
        what = theme.name_nl if theme is not None else ""
    return _("Evaluatie %(w)s (gepland %(d)s)", w=what, d=record.planned_on.strftime("%d-%m-%Y"))


def _header(key: str) -> str:
    with force_locale("nl"):
        return next(str(f.header) for f in schema.EVALUATION_FIELDS if f.key == key)


def _shown(key: str, value) -> str:
    if value in (None, ""):
        return "—"
    if key == "effect":
        return str(label(value, "effect"))
    if key == "done_on":
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    return str(value)


def _changes(record: Evaluation, plan: dict, outcome: dict | None, policy_adjusted: bool, directory) -> list:
    """What a row changes in a matched evaluation (field, old, new)."""
    changes = []

    def compare(key: str, column: str, old, new) -> None:
        if old != new:
            changes.append(updates.Change(key, _header(column), _shown(key, old), _shown(key, new)))

    if plan["responsible_id"] is not None and plan["responsible_id"] != record.responsible_id:
        names = {u.id: u.name for u in directory.users_by_email.values()}
        changes.append(
            updates.Change(
                "responsible_id",
                _header("responsible"),
                names.get(record.responsible_id, "—"),
                names.get(plan["responsible_id"], "—"),
            )
        )
    compare("is_repeat_measurement", "is_repeat", record.is_repeat_measurement, plan["is_repeat_measurement"])
    if outcome is not None:
        for key in OUTCOME_KEYS:
            compare(key, key, getattr(record, key), outcome[key])
        scores, stored = outcome.get("factor_scores"), {s.factor_key: s.score for s in record.factor_scores}
        if scores is not None and scores != stored:
            changes.append(
                updates.Change("factor_scores", _header("factor_scores"), _scores(stored), _scores(scores))
            )
    compare(
        "policy_adjusted",
        "policy_adjusted",
        record.policy_adjusted,
        policy_adjusted or record.policy_adjusted,
    )
    return changes


def _scores(scores: dict) -> str:
    """{factor key: score} as the sheet writes it: "Naam: 3.5; ..." (the factors in model order)."""
    if not scores:
        return "—"
    names = dict(db.session.execute(select(Factor.key, Factor.name_nl).where(Factor.key.in_(scores))).all())
    return "; ".join(f"{names.get(key, key)}: {score:.1f}" for key, score in sorted(scores.items()))


def check_evaluated(
    measures_table: Table | None, new_measures: dict, evaluated: set, problems, title: str
) -> None:
    """Each new measure that the Plan sheet gives status Geëvalueerd needs a recorded evaluation row."""
    from riecycle.excel.problems import Problem

    for code, found in new_measures.items():
        if found["status"] == MeasureStatus.GEEVALUEERD and ("ref", code) not in evaluated:
            problems.append(
                Problem(
                    title,
                    found["row"],
                    measures_table.columns.get("status") if measures_table else None,
                    _(
                        "Status Geëvalueerd vraagt een vastgelegde evaluatie van deze maatregel op het tabblad "
                        "Evaluaties (met de Maatregel-ref '%(r)s' en de datum bij 'Uitgevoerd op').",
                        r=found["ref"],
                    ),
                )
            )
