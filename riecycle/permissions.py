"""Roles, role decorators and per-object permission predicates."""

from functools import wraps

from flask import abort, g
from flask_login import current_user

BEHEERDER = "beheerder"
PREVENTIE = "preventiemedewerker"
LEIDINGGEVENDE = "leidinggevende"
OR_LID = "or_lid"
AUDITOR = "auditor"
ALL_ROLES = (BEHEERDER, PREVENTIE, LEIDINGGEVENDE, OR_LID, AUDITOR)

ROLE_LABELS = {
    BEHEERDER: "Beheerder (werkgever/HR)",
    PREVENTIE: "Preventiemedewerker",
    LEIDINGGEVENDE: "Leidinggevende",
    OR_LID: "OR/PVT-lid",
    AUDITOR: "Auditor",
}

# Named permissions, so views and templates ask "may edit the RI&E?" instead of naming roles.
PERMISSIONS = {
    "view": set(ALL_ROLES),
    "edit_rie": {BEHEERDER, PREVENTIE},
    "edit_plan": {BEHEERDER, PREVENTIE},
    "update_team_measures": {BEHEERDER, PREVENTIE, LEIDINGGEVENDE},
    "comment": {BEHEERDER, PREVENTIE, OR_LID},
    "or_decide": {OR_LID},
    "submit_to_or": {BEHEERDER, PREVENTIE},
    "edit_voorlichting": {BEHEERDER, PREVENTIE},
    # The attendance register names employees: evidence for auditors, not for every member.
    "view_attendance": {BEHEERDER, PREVENTIE, AUDITOR},
    "edit_evaluatie": {BEHEERDER, PREVENTIE},
    "view_reminders": {BEHEERDER, PREVENTIE, AUDITOR},
    "edit_zelfinspectie": {BEHEERDER, PREVENTIE},
    # Compose and open pulse rounds, tick the Wegwijzer checklist.
    "edit_pulse": {BEHEERDER, PREVENTIE},
    "view_audit": {BEHEERDER, AUDITOR},
    "export": {BEHEERDER, PREVENTIE, AUDITOR},
    "import": {BEHEERDER, PREVENTIE},
    "manage": {BEHEERDER},
    "manage_catalogue": {BEHEERDER},
    # Names of employees in individual measures (AVG, DOMAIN.md §9).
    "see_personal": {BEHEERDER, PREVENTIE},
}


def current_role() -> str | None:
    """The role of the logged-in user in the current organisation."""
    membership = getattr(g, "membership", None)
    return membership.role if membership else None


def can(permission: str) -> bool:
    """Whether the current member holds a named permission."""
    role = current_role()
    return role is not None and role in PERMISSIONS[permission]


def requires(permission: str):
    """Decorator: 403 unless the current member holds the permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def roles_required(*roles: str):
    """Decorator: 403 unless the current member has one of these roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_role() not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def managed_team_ids() -> set[int]:
    """Teams (with their sub-teams) led by the current user in this organisation."""
    cached = getattr(g, "_managed_team_ids", None)
    if cached is not None:
        return cached
    from riecycle.services.teams import team_ids_managed_by

    g._managed_team_ids = (
        team_ids_managed_by(g.org.id, current_user.id) if current_role() == LEIDINGGEVENDE else set()
    )
    return g._managed_team_ids


def can_see_employee(employee_team_id: int | None) -> bool:
    """Whether the current member may see an employee's name in an individual measure."""
    if can("see_personal"):
        return True
    return current_role() == LEIDINGGEVENDE and employee_team_id in managed_team_ids()


def can_view_measure(measure) -> bool:
    """Leidinggevenden see organisation measures, their teams' and their own staff's."""
    if current_role() != LEIDINGGEVENDE:
        return True
    if measure.level == "individu":
        return measure.employee is not None and measure.employee.team_id in managed_team_ids()
    return True


def can_edit_measure(measure) -> bool:
    """Editors edit every measure; a leidinggevende edits their own teams' measures."""
    if can("edit_plan"):
        return True
    if current_role() != LEIDINGGEVENDE:
        return False
    mine = managed_team_ids()
    if measure.level == "team":
        return any(t.id in mine for t in measure.teams)
    if measure.level == "individu":
        return measure.employee is not None and measure.employee.team_id in mine
    return measure.responsible_id == current_user.id


def template_helpers() -> dict:
    """Functions the templates use to show or hide controls (the server checks again)."""
    return {
        "can": can,
        "current_role": current_role,
        "can_see_employee": can_see_employee,
        "can_edit_measure": can_edit_measure,
        "ROLE_LABELS": ROLE_LABELS,
    }
