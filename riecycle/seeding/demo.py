"""The demo organisation (slug 'demo'), loaded through the services; idempotent.

Each area adds a step to DEMO_STEPS (one module per area); a step receives the DemoContext and must skip
whatever already exists, so running `flask seed demo` twice changes nothing.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from riecycle import clock
from riecycle.audit import reset_actor, set_actor
from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import Employee, Organisation, Team
from riecycle.models.organisation import MfaPolicy
from riecycle.seeding import (
    demo_plan,
    demo_pulse,
    demo_rie,
    demo_voorlichting,
    demo_zelfinspectie,
)
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts, organisations

DEMO_PASSWORD = "riecycle-demo"


@dataclass
class DemoContext:
    org: Organisation
    data: dict
    teams: dict = field(default_factory=dict)  # key -> Team
    users: dict = field(default_factory=dict)  # email -> User
    employees: dict = field(default_factory=dict)  # key -> Employee
    created: int = 0

    def day(self, offset_days: int):
        """A date relative to today (the demo stays current whenever it is loaded)."""
        return clock.today() + timedelta(days=offset_days)


def _org(data) -> tuple[Organisation, bool]:
    spec = data["organisation"]
    org = db.session.scalar(select(Organisation).where(Organisation.slug == spec["slug"]))
    if org is not None:
        # The demo users log in with the documented password only, also after a migration
        # gave existing organisations the second-factor rule of new ones.
        org.mfa_policy = MfaPolicy.UIT
        return org, False
    known = ("sector", "employee_count", "weekly_paid_hours", "uses_branche_rie", "risk_method")
    fields = {k: v for k, v in spec.items() if k in known}
    # Explicitly off: every new organisation requires a second factor of its beheerders.
    fields["mfa_policy"] = MfaPolicy.UIT
    return organisations.create_organisation(spec["slug"], spec["name"], **fields), True


def load_users(ctx: DemoContext) -> None:
    """One user per role, all with the documented demo password."""
    for spec in ctx.data["users"]:
        user = accounts.find_user(spec["email"])
        if user is None:
            user = accounts.create_user(spec["email"], spec["name"], DEMO_PASSWORD)
            ctx.created += 1
        if user.membership_for(ctx.org.id) is None:
            accounts.add_membership(ctx.org, user, spec["role"])
            ctx.created += 1
        ctx.users[spec["email"]] = user


def load_teams(ctx: DemoContext) -> None:
    """The bureau and the schools, with the demo leidinggevende on their team(s)."""
    existing = {t.name: t for t in db.session.scalars(select(Team).where(Team.organisation_id == ctx.org.id))}
    for spec in ctx.data["teams"]:
        team = existing.get(spec["name"])
        if team is None:
            team = Team(organisation_id=ctx.org.id, name=spec["name"], kind=spec.get("kind", "afdeling"))
            db.session.add(team)
            ctx.created += 1
        ctx.teams[spec["key"]] = team
    db.session.flush()
    for spec in ctx.data["users"]:
        for key in spec.get("teams") or []:
            team = ctx.teams[key]
            if team.manager_id is None:
                team.manager_id = ctx.users[spec["email"]].id
    db.session.flush()


def load_employees(ctx: DemoContext) -> None:
    """About 120 staff members spread over the teams."""
    existing = {
        (e.name, e.team_id): e
        for e in db.session.scalars(select(Employee).where(Employee.organisation_id == ctx.org.id))
    }
    for spec in ctx.data["employees"]:
        team = ctx.teams[spec["team"]]
        employee = existing.get((spec["name"], team.id))
        if employee is None:
            employee = Employee(
                organisation_id=ctx.org.id,
                name=spec["name"],
                team_id=team.id,
                email=spec.get("email"),
                function=spec.get("function"),
                start_date=ctx.day(spec.get("start_offset_days", -1000)),
                is_leidinggevende=bool(spec.get("is_leidinggevende")),
            )
            db.session.add(employee)
            ctx.created += 1
        ctx.employees[spec["key"]] = employee
    db.session.flush()


# One step per area, in the order of the cycle.
DEMO_STEPS = [
    load_users,
    load_teams,
    load_employees,
    demo_rie.load,
    demo_plan.load,
    demo_pulse.load,
    demo_voorlichting.load,
    demo_zelfinspectie.load,
]


def load_demo() -> int:
    """Load the taxonomy and the demo organisation; return how many records were created."""
    token = set_actor(None)
    try:
        created = load_taxonomy()
        data = load_yaml("demo.yaml")
        org, is_new = _org(data)
        ctx = DemoContext(org=org, data=data, created=int(is_new))
        for step in DEMO_STEPS:
            step(ctx)
        db.session.flush()
        return created + ctx.created
    finally:
        reset_actor(token)
