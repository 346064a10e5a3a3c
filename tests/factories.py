"""Test data builders: an organisation with one user per role, and a second tenant."""

from dataclasses import dataclass, field
from datetime import date

from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts, organisations

PASSWORD = "test-wachtwoord-123"
ROLES = ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor")


@dataclass
class World:
    org: object
    other_org: object
    users: dict = field(default_factory=dict)  # role -> User (in org); "other" -> beheerder of other_org
    teams: dict = field(default_factory=dict)  # name -> Team
    employees: list = field(default_factory=list)
    other_team: object = None
    other_employee: object = None


def make_org(slug: str, name: str, **fields):
    org = organisations.create_organisation(slug, name, **fields)
    return org


def make_user(org, role: str, email: str, name: str | None = None):
    user = accounts.create_user(email, name or email.split("@")[0].title(), PASSWORD)
    accounts.add_membership(org, user, role)
    return user


def build_world() -> World:
    """Org 'acme' with two teams, employees and a user per role; org 'other' with a beheerder."""
    load_taxonomy()
    org = make_org("acme", "Acme Zorg", sector="zorg", employee_count=60)
    other = make_org("other", "Andere Organisatie", sector="bouw", employee_count=30)
    world = World(org=org, other_org=other)
    for role in ROLES:
        world.users[role] = make_user(org, role, f"{role}@acme.example", f"{role.title()} Acme")
    world.users["other"] = make_user(other, "beheerder", "beheerder@other.example", "Beheerder Other")
    for name in ("Zorgteam Noord", "Zorgteam Zuid"):
        team = Team(organisation_id=org.id, name=name, kind="locatie")
        db.session.add(team)
        world.teams[name] = team
    db.session.flush()
    world.teams["Zorgteam Noord"].manager_id = world.users["leidinggevende"].id
    for i, team in enumerate([*world.teams.values()] * 3):
        employee = Employee(
            organisation_id=org.id,
            name=f"Medewerker {i + 1} {team.name}",
            team_id=team.id,
            email=f"m{i + 1}@acme.example",
            start_date=date(2020, 1, 1),
        )
        db.session.add(employee)
        world.employees.append(employee)
    world.other_team = Team(organisation_id=other.id, name="Bouwploeg", kind="afdeling")
    db.session.add(world.other_team)
    db.session.flush()
    world.other_employee = Employee(organisation_id=other.id, name="Piet Anders", team_id=world.other_team.id)
    db.session.add(world.other_employee)
    db.session.flush()
    return world
