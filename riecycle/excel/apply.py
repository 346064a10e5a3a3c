"""Create what a checked import file describes, through the normal services (flush only, in batches).

All or nothing: the caller commits once when everything worked and rolls back otherwise. A
ServiceError raised by a service (a rule the file check did not foresee) becomes an
ImportRefused naming the row, so the user still sees where the problem is.
"""

from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle import clock
from riecycle.excel import schema
from riecycle.excel.cells import norm
from riecycle.excel.plan_import import PlanImport
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.teams_import import TeamsImport
from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.services import ServiceError, risks, teams
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


def apply_plan(org, user, plan: PlanImport) -> dict:
    """Create the risks (with their evaluations) and the measures (with their status history).

    The services get a batch, so they look references up once and flush per chunk of rows and
    per round (all creations, then each next evaluation or status step) instead of per row; the
    audit trail and the status history come out the same as when each row is created alone."""
    with db.session.no_autoflush:
        created: dict[str, int] = {}
        risk_batch = risks.RiskBatch(org, [item["data"] for item in plan.risks])
        rie = rie_service.current_rie(org)
        for chunk in chunks(plan.risks):
            created.update(_create_risks(org, user, chunk, rie, risk_batch))
        datas = [_measure_data(item, created) for item in plan.measures]
        batch = plan_service.MeasureBatch(org, datas)
        for chunk in chunks(list(zip(plan.measures, datas, strict=True))):
            _create_measures(org, user, chunk, batch)
    return {"risks": len(plan.risks), "measures": len(plan.measures)}


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


def _create_measures(org, user, chunk: list[tuple], batch) -> None:
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


def _add_employee(org, team, data: dict) -> None:
    """One new employee (its values are checked as it is built: services/fields.py)."""
    db.session.add(Employee(organisation_id=org.id, team_id=team.id, **data))


def apply_teams(org, parsed: TeamsImport) -> dict:
    """Create the new teams (parents first, as in the file) and the employees."""
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
    for item in parsed.employees:
        team = by_name[norm(item["team"])]
        _guarded(EMPLOYEES, item, _add_employee, org, team, item["data"])
    db.session.flush()
    if not new_teams and not parsed.employees:
        raise ImportRefused([Problem(None, None, None, _("Er is niets om te importeren."))])
    return {"teams": new_teams, "employees": len(parsed.employees)}
