"""Role decorators and request-time helpers; the rules themselves live in riecycle.access."""

from functools import wraps

from flask import abort, g

from riecycle.access import (  # noqa: F401 - re-exported: the roles are imported from here
    ALL_ROLES,
    AUDITOR,
    BEHEERDER,
    LEIDINGGEVENDE,
    OR_LID,
    PERMISSIONS,
    PREVENTIE,
    ROLE_LABELS,
    current_viewer,
    role_can,
)
from riecycle.models.measure import MeasureLevel


def current_role() -> str | None:
    """The role of the logged-in user in the current organisation."""
    membership = getattr(g, "membership", None)
    return membership.role if membership else None


def can(permission: str) -> bool:
    """Whether the current member holds a named permission."""
    return role_can(current_role(), permission)


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
    viewer = current_viewer()
    return set(viewer.team_ids) if viewer is not None else set()


def can_see_employee(employee_team_id: int | None) -> bool:
    """Whether the current member may see an employee's name in an individual measure."""
    viewer = current_viewer()
    return viewer is not None and viewer.sees_employee(employee_team_id)


def can_view_measure(measure) -> bool:
    """Whether the measure exists for the current member (see Viewer.lists_measure)."""
    viewer = current_viewer()
    return viewer is not None and viewer.lists_measure(measure)


def may_see_personal(measure) -> bool:
    """Whether the current member may read a measure's title, free text and documents."""
    viewer = current_viewer()
    return viewer is not None and viewer.lists_measure(measure) and viewer.sees_measure(measure)


def title_of(measure) -> str:
    """The measure's title, or its pseudonym for the current member."""
    return current_viewer().title_of(measure)


def can_edit_measure(measure) -> bool:
    """Editors edit every measure; a leidinggevende edits their own teams' measures."""
    if can("edit_plan"):
        return True
    viewer = current_viewer()
    if viewer is None or not viewer.is_leader:
        return False
    mine = viewer.team_ids
    if measure.level == MeasureLevel.TEAM:
        return any(t.id in mine for t in measure.teams)
    if measure.level == MeasureLevel.INDIVIDU:
        return measure.employee is not None and measure.employee.team_id in mine
    return measure.responsible_id == viewer.user_id


def may_read_document(attachment) -> bool:
    from riecycle.access.documents import may_read_document as rule

    return rule(current_viewer(), attachment)


def may_delete_document(attachment) -> bool:
    from riecycle.access.documents import may_delete_document as rule

    return rule(current_viewer(), attachment)


def visible_risks(risks) -> list:
    """The risks of a list the current member may see (a leidinggevende: not other teams')."""
    hidden = g.get("_hidden_risks")
    if hidden is None:
        from riecycle.access.filters import hidden_risk_ids

        viewer = current_viewer()
        hidden = g._hidden_risks = hidden_risk_ids(viewer, viewer.org_id) if viewer else frozenset()
    return [r for r in risks if r.id not in hidden]


def template_helpers() -> dict:
    """Functions the templates use to show or hide controls (the server checks again)."""
    return {
        "can": can,
        "current_role": current_role,
        "can_see_employee": can_see_employee,
        "can_edit_measure": can_edit_measure,
        "may_delete_document": may_delete_document,
        "visible_risks": visible_risks,
        "masked_title": title_of,
        "ROLE_LABELS": ROLE_LABELS,
    }
