"""Roles and the named permissions each role holds (docs/domain.md §9)."""

from riecycle.models.user import Role

BEHEERDER = Role.BEHEERDER
PREVENTIE = Role.PREVENTIEMEDEWERKER
LEIDINGGEVENDE = Role.LEIDINGGEVENDE
OR_LID = Role.OR_LID
AUDITOR = Role.AUDITOR
ALL_ROLES = tuple(Role)

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
    # The report "RI&E en Plan van Aanpak PSA" (always pseudonymised): also for the OR/PVT.
    "report": {BEHEERDER, PREVENTIE, OR_LID, AUDITOR},
    "import": {BEHEERDER, PREVENTIE},
    "manage": {BEHEERDER},
    "manage_catalogue": {BEHEERDER},
    # Names of employees in individual measures (AVG, docs/domain.md §9).
    "see_personal": {BEHEERDER, PREVENTIE},
    # Roles that may be made responsible for (or evaluate) an individual measure: they must be
    # able to read it. A leidinggevende only for their own staff (checked per measure).
    "responsible_personal": {BEHEERDER, PREVENTIE, LEIDINGGEVENDE},
}


# Each role's home page (views/dashboard.py): what the role works on first. The cycle
# dashboard stays reachable for every role under its own address.
HOME_PAGES = {
    BEHEERDER: "cyclus",
    PREVENTIE: "preventie",
    LEIDINGGEVENDE: "teams",
    OR_LID: "or",
    AUDITOR: "audit",
}


def role_can(role: str | None, permission: str) -> bool:
    """Whether a role holds a named permission (None: no membership, nothing)."""
    return role is not None and role in PERMISSIONS[permission]
