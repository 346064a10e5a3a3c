"""Create what a checked import file describes, through the normal services (flush only, in batches).

All or nothing: the caller commits once when everything worked and rolls back otherwise. A
ServiceError raised by a service (a rule the file check did not foresee) becomes an
ImportRefused naming the row, so the user still sees where the problem is.
"""

from dataclasses import dataclass, replace
from datetime import datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle import clock
from riecycle.excel import move, schema
from riecycle.excel.cells import norm
from riecycle.excel.evaluations_import import COLUMNS as EVALUATION_COLUMNS
from riecycle.excel.evaluations_import import OUTCOME_KEYS
from riecycle.excel.plan_import import PlanImport
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.teams_import import TeamsImport
from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.models.measure import MeasureStatus
from riecycle.services import ServiceError, evaluations, risks, teams
from riecycle.services import plan as plan_service
from riecycle.services import rie as rie_service
from riecycle.services.records import chunks


@dataclass(frozen=True)
class _Sheet:
    """A sheet of the file, and which of its columns each service field comes from."""

    title: object
    fields: tuple
    columns: dict  # service field -> schema field key

    def column(self, service_field: str | None) -> str | None:
        """The Dutch header to name in the report (the workbooks are always Dutch)."""
        key = self.columns.get(service_field or "")
        if key is None:
            return None
        with force_locale("nl"):
            return next(str(f.header) for f in self.fields if f.key == key)

    def refuse(self, row: int, error: ServiceError):
        raise ImportRefused([Problem(str(self.title), row, self.column(error.field), error.message)])


RISKS = _Sheet(
    schema.RISKS_SHEET,
    schema.RISK_FIELDS,
    {
        "title": "title",
        "description": "description",
        "theme_key": "theme",
        "scope": "scope",
        "team_ids": "teams",
        "function_group": "function_group",
        "source": "source",
        "status": "status",
        "status_reason": "status_reason",
        "factor_keys": "factors",
        "kans": "kans",
        "effect": "effect",
        "frequentie": "frequentie",
        "evaluated_on": "evaluated_on",
    },
)
MEASURES = _Sheet(
    schema.MEASURES_SHEET,
    schema.MEASURE_FIELDS,
    {
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
        "on": "status",
    },
)
TEAMS = _Sheet(schema.TEAMS_SHEET, schema.TEAM_FIELDS, {"parent_id": "parent", "manager_id": "manager"})
EMPLOYEES = _Sheet(schema.EMPLOYEES_SHEET, schema.EMPLOYEE_FIELDS, {})
EVALUATIONS = _Sheet(schema.EVALUATIONS_SHEET, schema.EVALUATION_FIELDS, EVALUATION_COLUMNS)


def _noon(day) -> datetime:
    """A past day stored as noon, Dutch time (today means now)."""
    if day is None or day == clock.today():
        return clock.now()
    return datetime.combine(day, time(12), clock.AMSTERDAM)


def _guarded(sheet: _Sheet, item: dict, action, *args, **kwargs):
    """Run one service call for an item; a ServiceError becomes a refusal naming the item's row."""
    try:
        return action(*args, **kwargs)
    except ServiceError as error:
        sheet.refuse(item["row"], error)


def apply_plan(org, user, plan: PlanImport, mapping: dict | None = None) -> dict:
    """Create the risks (with their evaluations) and the measures (with their status history),
    then the evaluations of the Evaluaties sheet; a move creates its teams and staff first.

    mapping: for a moved file, the name of each person who is no user here -> the id of the user
    of this organisation who takes over (every such person needs one).

    The services get a batch, so they look references up once and flush per chunk of rows and
    per round (all creations, then each next evaluation or status step) instead of per row; the
    audit trail and the status history come out the same as when each row is created alone."""
    mapping = mapping or {}
    if move.unmapped(plan, mapping):
        move.refuse_unmapped(move.unmapped(plan, mapping))
    moved = (
        _create_teams(org, plan.move) if plan.move is not None else {"teams": 0, "employees": 0, "ids": {}}
    )
    plan = _resolved(plan, moved["ids"], mapping)
    with db.session.no_autoflush:
        # Risk references of the file -> ids: existing risks named by their reference, then new ones.
        created: dict[str, int] = dict(plan.existing_refs)
        risk_batch = risks.RiskBatch(org, [item["data"] for item in plan.risks])
        rie = rie_service.current_rie(org)
        for chunk in chunks(plan.risks):
            created.update(_create_risks(org, user, chunk, rie, risk_batch))
        datas = [_measure_data(item, created) for item in plan.measures]
        batch = plan_service.MeasureBatch(org, datas)
        new_measures: dict = {}
        for chunk in chunks(list(zip(plan.measures, datas, strict=True))):
            made = _create_measures(org, user, chunk, batch)
            new_measures.update(
                {item["ref"]: m for (item, _d), m in zip(chunk, made, strict=True) if item["ref"]}
            )
    evaluated = []
    for item in plan.updates:
        if item["kind"] == "risk":
            _guarded(RISKS, item, _update_risk, org, user, item)
        elif item["kind"] == "measure":
            _guarded(MEASURES, item, _update_measure, user, item, created)
            if item["status"] == MeasureStatus.GEEVALUEERD:
                evaluated.append(item)
    for item in plan.evaluations:
        _guarded(EVALUATIONS, item, _apply_evaluation, org, user, item, new_measures)
    for item in evaluated:
        # Geëvalueerd through the evaluation the workbook records (recorded now or before).
        _guarded(MEASURES, item, _mark_evaluated, user, item["record"])
    return {
        "risks": len(plan.risks),
        "measures": len(plan.measures),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "evaluations": sum(1 for item in plan.evaluations if item["record"] is None),
        "teams": moved["teams"],
        "employees": moved["employees"],
    }


def _resolved(plan: PlanImport, ids: dict, mapping: dict) -> PlanImport:
    """The plan with the moved teams' and employees' stand-ins and the unknown persons replaced by
    ids (copies: a checked upload is kept for its confirm, excel/parsed.py)."""

    def team_ids(values):
        return [ids.get(v, v) for v in values]

    def responsible(item, data, key="responsible_id"):
        return {**data, key: mapping[item["unknown"]]} if item.get("unknown") else data

    risks_ = [{**i, "data": {**i["data"], "team_ids": team_ids(i["data"]["team_ids"])}} for i in plan.risks]
    measures = []
    for item in plan.measures:
        data = {**item["data"], "team_ids": team_ids(item["data"]["team_ids"])}
        data["employee_id"] = ids.get(data["employee_id"], data["employee_id"])
        # The last step to Geëvalueerd is taken by recording its evaluation (the Evaluaties sheet).
        steps = [s for s in item["steps"] if s["status"] != MeasureStatus.GEEVALUEERD] or item["steps"][:1]
        measures.append({**item, "steps": steps, "data": responsible(item, data)})
    evaluations = [{**i, "plan": responsible(i, i["plan"])} for i in plan.evaluations]
    return replace(plan, risks=risks_, measures=measures, evaluations=evaluations)


def _apply_evaluation(org, user, item: dict, new_measures: dict) -> None:
    """One row of the Evaluaties sheet: plan a new evaluation or change a matched one, then record
    its outcome, through the evaluation form's services."""
    plan = dict(item["plan"])
    if item["measure"] is not None and item["measure"][0] == "ref":
        plan["measure_id"] = new_measures[item["measure"][1]].id
    evaluation, changed = item["record"], {c.field for c in item["changes"]}
    if evaluation is None:
        evaluation = evaluations.plan_evaluation(org, plan, user)
    elif changed & {"responsible_id", "is_repeat_measurement"}:
        plan["responsible_id"] = plan["responsible_id"] or evaluation.responsible_id
        evaluations.update_plan(org, evaluation, plan)
    if item["outcome"] is not None and (item["record"] is None or changed & {*OUTCOME_KEYS, "factor_scores"}):
        evaluations.record_outcome(org, evaluation, item["outcome"], user, mark_measure=item["mark"])
    if item["policy_adjusted"] and not evaluation.policy_adjusted:
        evaluation.policy_adjusted = True
        db.session.flush()


def _mark_evaluated(user, measure) -> None:
    if measure.status != MeasureStatus.UITGEVOERD:
        return
    recorded = evaluations.recorded_evaluation_of(measure)
    if recorded is None:
        raise ServiceError(
            _(
                "Deze maatregel heeft geen vastgelegde evaluatie van proces en effect; de status blijft Uitgevoerd."
            ),
            "to_status",
        )
    evaluations.mark_measure_evaluated(measure, user, recorded)


def _update_risk(org, user, item: dict) -> None:
    """A risk row that names an existing risk: the form's services, so the audit trail is the form's."""
    risk = item["record"]
    risks.update_risk(org, risk, item["data"])
    evaluation = item["evaluation"]
    if evaluation is not None:
        latest = risks.before_after(risk)[1]
        on = evaluation["on"]
        later = on is not None and (
            latest is None or on > latest.evaluated_at.astimezone(clock.AMSTERDAM).date()
        )
        _evaluate(org, risk, user, {**evaluation, "on": on if later else None}, None)


def _update_measure(user, item: dict, created: dict) -> None:
    """A measure row that names an existing measure: the edit form's save, then its status step."""
    measure = item["record"]
    data = {**item["data"], "risk_ids": [created[ref] for ref in item["risk_refs"]]}
    allowed = tuple(key for key in plan_service.EDIT_FIELDS if key in data)
    plan_service.update_measure(measure, data, measure.version_id, allowed=allowed)
    if item["status"] is not None and item["status"] != MeasureStatus.GEEVALUEERD:
        plan_service.change_status(measure, user, item["status"], item["reason"])


def _create_risks(org, user, items: list[dict], rie, batch) -> dict[str, int]:
    """A chunk of risks, then their evaluations round by round, then their top 5 ranks."""
    made = [_guarded(RISKS, item, risks.create_risk, org, item["data"], rie, batch) for item in items]
    # Numbered, not inserted yet: each risk goes in with the current score of its latest
    # evaluation (an UPDATE of a row with a version counter is sent one row at a time).
    batch.number()
    for round_ in range(max(len(item["evaluations"]) for item in items)):
        for item, risk in zip(items, made, strict=True):
            if round_ < len(item["evaluations"]):
                evaluation = item["evaluations"][round_]
                _guarded(RISKS, item, _evaluate, org, risk, user, evaluation, batch)
    batch.flush()
    for item, risk in zip(items, made, strict=True):
        if item["top5"]:
            risk.top5_rank = item["top5"]  # pyright: ignore[reportOptionalMemberAccess]
    db.session.flush()
    return {norm(item["ref"]): risk.id for item, risk in zip(items, made, strict=True)}  # pyright: ignore[reportOptionalMemberAccess]


def _evaluate(org, risk, user, evaluation: dict, batch) -> None:
    """Record one evaluation read from the file."""
    risks.evaluate(
        org,
        risk,
        user,
        evaluation["kans"],
        evaluation["effect"],
        evaluation["frequentie"],
        evaluated_on=evaluation["on"],
        method=evaluation["method"],
        batch=batch,
    )


def _measure_data(item: dict, created: dict) -> dict:
    """The service input for one measure row, with the new risks' ids for its risk refs."""
    return {**item["data"], "risk_ids": [created[ref] for ref in item["risk_refs"]]}


def _create_measures(org, user, chunk: list[tuple], batch) -> list:
    """A chunk of measures, then their status steps round by round."""
    measures = [
        _guarded(
            MEASURES,
            item,
            plan_service.create_measure,
            org,
            user,
            data,
            created_at=_noon(item["steps"][0]["on"]),
            batch=batch,
        )
        for item, data in chunk
    ]
    batch.flush()
    for round_ in range(1, max(len(item["steps"]) for item, _data in chunk)):
        for (item, _data), measure in zip(chunk, measures, strict=True):
            if round_ < len(item["steps"]):
                step = item["steps"][round_]
                _guarded(MEASURES, item, _step, measure, user, step, batch)
        batch.flush()
    return measures


def _step(measure, user, step: dict, batch) -> None:
    """Replay one status step with its date (today when the file gives none)."""
    plan_service.change_status(
        measure,
        user,
        step["status"],
        step.get("reason"),
        on=step["on"] or clock.today(),
        at=_noon(step["on"]),
        batch=batch,
    )


def _add_employee(org, team, data: dict) -> Employee:
    """One new employee (its values are checked as it is built: services/fields.py)."""
    employee = Employee(organisation_id=org.id, team_id=team.id, **data)
    db.session.add(employee)
    return employee


def apply_teams(org, parsed: TeamsImport) -> dict:
    """Create the new teams (parents first, as in the file) and the employees."""
    created = _create_teams(org, parsed)
    if not created["teams"] and not created["employees"]:
        raise ImportRefused([Problem(None, None, None, _("Er is niets om te importeren."))])
    return {"teams": created["teams"], "employees": created["employees"]}


def _create_teams(org, parsed: TeamsImport) -> dict:
    """The new teams and employees, and the ids that replace their stand-ins in a moved plan
    (excel/move.py: ("team", name) and ("employee", n))."""
    by_name = {
        norm(t.name): t
        for t in db.session.scalars(
            db.select(Team).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        )
    }
    new_teams = 0
    for item in parsed.teams:
        if item["exists"]:
            continue
        parent = by_name.get(norm(item["parent"]))
        try:
            team = teams.create_team(
                org,
                {
                    "name": item["name"],
                    "kind": item["kind"],
                    "parent_id": parent.id if parent else None,
                    "manager_id": item["manager_id"],
                },
            )
        except ServiceError as error:
            TEAMS.refuse(item["row"], error)
        by_name[norm(item["name"])] = team
        new_teams += 1
    employees = [
        _guarded(EMPLOYEES, item, _add_employee, org, by_name[norm(item["team"])], item["data"])
        for item in parsed.employees
    ]
    db.session.flush()
    ids = {("team", key): team.id for key, team in by_name.items()}
    ids.update({("employee", n): e.id for n, e in enumerate(employees)})  # pyright: ignore[reportOptionalMemberAccess]
    return {"teams": new_teams, "employees": len(parsed.employees), "ids": ids}
