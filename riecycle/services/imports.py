"""Create what a checked import file describes, through the normal services (flush only).

All or nothing: the caller commits once when everything worked and rolls back otherwise. A
ServiceError raised by a service (a rule the file check did not foresee) becomes an
ImportRefused naming the row, so the user still sees where the problem is.
"""

from datetime import datetime, time

from flask_babel import gettext as _

from riecycle import clock
from riecycle.excel import schema
from riecycle.excel.importer import ImportRefused, PlanImport, Problem, TeamsImport, norm
from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.services import ServiceError, risks, teams
from riecycle.services import plan as plan_service
from riecycle.services import rie as rie_service

# Service field -> the column to name in the report.
RISK_COLUMNS = {
    "title": "Titel",
    "description": "Beschrijving",
    "theme_key": "Thema",
    "scope": "Voor wie",
    "team_ids": "Teams",
    "function_group": "Functiegroep",
    "source": "Bron",
    "status": "Status",
    "status_reason": "Toelichting status",
    "factor_keys": "Werkdrukfactoren",
    "kans": "Kans",
    "effect": "Effect",
    "frequentie": "Frequentie",
    "evaluated_on": "Datum beoordeling",
}
MEASURE_COLUMNS = {
    "title": "Titel",
    "risk_ids": "Risico-ref",
    "level": "Niveau",
    "team_ids": "Teams",
    "employee_id": "Medewerker",
    "approach": "Aanpak",
    "responsible_id": "Verantwoordelijke",
    "termijn": "Termijn",
    "start_date": "Startdatum",
    "budget_eur": "Budget",
    "effort": "Inzet",
    "change_type": "Soort maatregel",
    "to_status": "Status",
    "reason": "Reden vervallen",
    "on": "Status",
}


def _noon(day) -> datetime:
    """A past day stored as noon, Dutch time (today means now)."""
    if day is None or day == clock.today():
        return clock.now()
    return datetime.combine(day, time(12), clock.AMSTERDAM)


def _refused(sheet, row, columns: dict, error: ServiceError):
    raise ImportRefused([Problem(str(sheet), row, columns.get(error.field or ""), error.message)])


def apply_plan(org, user, plan: PlanImport) -> dict:
    """Create the risks (with their evaluations) and the measures (with their status history)."""
    rie = rie_service.current_rie(org)
    created: dict[str, int] = {}
    for item in plan.risks:
        try:
            risk = risks.create_risk(org, item["data"], rie=rie)
            for evaluation in item["evaluations"]:
                risks.evaluate(
                    org,
                    risk,
                    user,
                    evaluation["kans"],
                    evaluation["effect"],
                    evaluation["frequentie"],
                    evaluated_on=evaluation["on"],
                    method=evaluation["method"],
                )
        except ServiceError as error:
            _refused(schema.RISKS_SHEET, item["row"], RISK_COLUMNS, error)
        if item["top5"]:
            risk.top5_rank = item["top5"]
        created[norm(item["ref"])] = risk.id
    db.session.flush()
    for item in plan.measures:
        data = {**item["data"], "risk_ids": [created[ref] for ref in item["risk_refs"]]}
        steps = item["steps"]
        try:
            measure = plan_service.create_measure(org, user, data, created_at=_noon(steps[0]["on"]))
            for step in steps[1:]:
                plan_service.change_status(
                    measure,
                    user,
                    step["status"],
                    step.get("reason"),
                    on=step["on"] or clock.today(),
                    at=_noon(step["on"]),
                )
        except ServiceError as error:
            _refused(schema.MEASURES_SHEET, item["row"], MEASURE_COLUMNS, error)
    db.session.flush()
    return {"risks": len(plan.risks), "measures": len(plan.measures)}


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
            _refused(
                schema.TEAMS_SHEET,
                item["row"],
                {"parent_id": "Bovenliggend team", "manager_id": "Leidinggevende"},
                error,
            )
        by_name[norm(item["name"])] = team
        new_teams += 1
    for item in parsed.employees:
        team = by_name[norm(item["team"])]
        db.session.add(Employee(organisation_id=org.id, team_id=team.id, **item["data"]))
    db.session.flush()
    if not new_teams and not parsed.employees:
        raise ImportRefused([Problem(None, None, None, _("Er is niets om te importeren."))])
    return {"teams": new_teams, "employees": len(parsed.employees)}
