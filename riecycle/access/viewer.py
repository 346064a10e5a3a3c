"""Who is looking: a role, a user, an organisation and the teams they lead.

A Viewer works outside a request too (mails, the calendar feed, the scheduler, the CLI), so
every channel asks the same questions of the same object.
"""

from dataclasses import dataclass, field

from riecycle.access.pseudonym import pseudonym
from riecycle.access.roles import BEHEERDER, HOME_PAGES, LEIDINGGEVENDE, role_can
from riecycle.models.measure import MeasureLevel
from riecycle.models.rie import RiskScope


@dataclass(frozen=True)
class Viewer:
    """What one member of one organisation may see (docs/domain.md §9)."""

    role: str | None = BEHEERDER
    user_id: int | None = None
    org_id: int | None = None
    team_ids: frozenset = field(default_factory=frozenset)  # a leidinggevende's teams and sub-teams

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)

    @property
    def personal(self) -> bool:
        """Employee names and free text of every individual measure."""
        return self.can("see_personal")

    @property
    def attendance(self) -> bool:
        return self.can("view_attendance")

    @property
    def audit(self) -> bool:
        return self.can("view_audit")

    @property
    def home(self) -> str:
        """Which home page the viewer gets (access/roles.py HOME_PAGES)."""
        return HOME_PAGES.get(self.role or "", "cyclus")

    @property
    def is_leader(self) -> bool:
        return self.role == LEIDINGGEVENDE

    # --- individual measures ---------------------------------------------------------------

    def sees_employee(self, team_id) -> bool:
        """Whether the name of an employee of this team may be shown in an individual measure."""
        return self.personal or (self.is_leader and team_id is not None and team_id in self.team_ids)

    def sees(self, level: str, employee_team_id) -> bool:
        """Whether a measure's title, free text and employee may be shown (else: pseudonym)."""
        return level != MeasureLevel.INDIVIDU or self.sees_employee(employee_team_id)

    def sees_measure(self, measure) -> bool:
        """sees() for an ORM measure, from its current state."""
        return self.sees(measure.level, measure.employee_team_id)

    def lists_measure(self, measure) -> bool:
        """Whether the measure exists for this viewer at all: a leidinggevende does not even see
        the pseudonyms of other teams' individual measures; OR and auditor see them as counts."""
        if not self.is_leader or measure.level != MeasureLevel.INDIVIDU:
            return True
        return measure.employee_team_id in self.team_ids

    def title_of(self, measure) -> str:
        """The title, or the pseudonym where the viewer may not see it."""
        return measure.title if self.sees_measure(measure) else pseudonym(measure)

    # --- risks -------------------------------------------------------------------------------

    def sees_risk(self, risk) -> bool:
        """A leidinggevende sees organisation-wide risks, function groups and their own teams'."""
        if not self.is_leader or risk.scope != RiskScope.TEAMS:
            return True
        return any(t.id in self.team_ids for t in risk.teams)


def viewer_for(user, org_id: int) -> Viewer | None:
    """The viewer of a user in an organisation (None: not a member). Works outside a request."""
    membership = user.membership_for(org_id)
    if membership is None:
        return None
    return viewer_of(membership.role, user.id, org_id)


def viewer_of(role: str, user_id: int | None, org_id: int) -> Viewer:
    """A viewer from a role; the led teams are looked up for a leidinggevende."""
    teams: frozenset = frozenset()
    if role == LEIDINGGEVENDE and user_id is not None:
        from riecycle.access.teams import team_ids_managed_by

        teams = frozenset(team_ids_managed_by(org_id, user_id))
    return Viewer(role, user_id, org_id, teams)


def current_viewer() -> Viewer | None:
    """The viewer of this request (cached on g), None outside an organisation."""
    from flask import g
    from flask_login import current_user

    cached = g.get("_viewer")
    if cached is not None:
        return cached
    membership = g.get("membership")
    org = g.get("org")
    if membership is None or org is None:
        return None
    g._viewer = viewer_of(membership.role, current_user.id, org.id)
    return g._viewer
