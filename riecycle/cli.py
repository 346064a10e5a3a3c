"""Command-line interface: thin wrappers over the services (flask --app wsgi ...)."""

import click
from flask.cli import AppGroup

from riecycle.extensions import db
from riecycle.labels import LABELS
from riecycle.services import ServiceError, accounts, invitations, notifications_mail, organisations

org_cli = AppGroup("org", help="Organisaties beheren.")
user_cli = AppGroup("user", help="Gebruikers beheren.")
seed_cli = AppGroup("seed", help="Gegevens laden uit seed/.")


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


def find_org_or_fail(slug: str):
    """The organisation with this slug, or a clear CLI error."""
    from sqlalchemy import select

    from riecycle.models import Organisation

    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        _fail(f"Organisatie '{slug}' bestaat niet.")
    return org


@org_cli.command("create")
@click.option("--slug", required=True, help="Korte naam in de URL, bv. 'acme'.")
@click.option("--name", required=True, help="Volledige naam.")
@click.option("--sector", default=None)
@click.option("--employees", "employee_count", type=int, default=None)
@click.option("--branche-rie/--no-branche-rie", default=False)
def org_create(slug, name, sector, employee_count, branche_rie):
    """Create an organisation."""
    try:
        org = organisations.create_organisation(
            slug, name, sector=sector, employee_count=employee_count, uses_branche_rie=branche_rie
        )
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"Organisatie '{org.slug}' aangemaakt (id {org.id}).")


@user_cli.command("create")
@click.option("--org", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(LABELS["role"])))
@click.option("--name", default=None)
@click.option("--password", default=None, help="Zonder wachtwoord wordt een uitnodiging gemaild.")
def user_create(slug, email, role, name, password):
    """Create a user (or reuse one) and give them a role in an organisation."""
    org = find_org_or_fail(slug)
    invitation = None
    try:
        user = accounts.find_user(email)
        if user is None and not password:  # a new person without a password is invited
            invitation = invitations.invite(org, email, name or email, role, None)
        else:
            user = user or accounts.create_user(email, name or email, password)
            accounts.add_membership(org, user, role)
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    if invitation is not None:
        sent = notifications_mail.deliver_invitation(invitation, None)
        db.session.commit()
        if not sent:
            _fail(f"De uitnodiging aan {invitation.email} kon niet worden verstuurd.")
        click.echo(f"Uitnodiging verstuurd naar {invitation.email}; {role} in '{org.slug}' na accepteren.")
        return
    click.echo(f"{user.email} is {role} in '{org.slug}'.")


@click.command("create-admin")
@click.option("--email", prompt="E-mailadres")
@click.option("--name", default="Platformbeheerder")
@click.option("--password", prompt="Wachtwoord", hide_input=True, confirmation_prompt=True)
def create_admin(email, name, password):
    """Create a platform administrator, who can create organisations."""
    try:
        user = accounts.find_user(email) or accounts.create_user(email, name)
        accounts.set_password(user, password)
        user.is_platform_admin = True
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(f"{user.email} is platformbeheerder.")


@seed_cli.command("demo")
def seed_demo():
    """Load the PSA taxonomy and the demo organisation (idempotent)."""
    from riecycle.seeding.demo import load_demo

    created = load_demo()
    db.session.commit()
    click.echo(f"Demo geladen: {created} records aangemaakt of bijgewerkt.")


@seed_cli.command("taxonomy")
def seed_taxonomy():
    """Load only the PSA themes and werkdruk factors."""
    from riecycle.seeding.taxonomy import load_taxonomy

    changes = load_taxonomy()
    db.session.commit()
    click.echo(f"Taxonomie geladen: {changes} wijzigingen.")


@click.command("avg-wissen")
@click.option("--org", "slug", required=True)
@click.option("--medewerker", "employee_id", required=True, type=int, help="Id van de medewerker.")
@click.option("--door", "actor_email", required=True, help="E-mail van de beheerder die wist.")
@click.option("--ja", "confirmed", is_flag=True, help="Bevestig: dit kan niet ongedaan worden gemaakt.")
def erase_employee_command(slug, employee_id, actor_email, confirmed):
    """Erase an employee and their individual measures (AVG art. 17), audit content included."""
    from riecycle import audit
    from riecycle.models import Employee
    from riecycle.services import erasure

    org = find_org_or_fail(slug)
    employee = db.session.get(Employee, employee_id)
    if employee is None or employee.organisation_id != org.id:
        _fail(f"Medewerker {employee_id} bestaat niet in '{slug}'.")
    if erasure.is_erased(employee):
        _fail("Deze medewerker is al gewist.")
    from sqlalchemy import select

    from riecycle.models import Membership

    actor = accounts.find_user(actor_email)
    role = actor and db.session.scalar(
        select(Membership.role).where(Membership.user_id == actor.id, Membership.organisation_id == org.id)
    )
    if role != "beheerder":
        _fail(f"'{actor_email}' is geen beheerder van '{slug}'.")
    if not confirmed:
        _fail("Geef --ja mee: wissen kan niet ongedaan worden gemaakt.")
    token = audit.set_actor(actor.id)
    try:
        result = erasure.erase_employee(org, employee, actor)
        db.session.commit()
    finally:
        audit.reset_actor(token)
    click.echo(
        f"Gewist: medewerker {employee_id}, {result.measures} maatregelen, {result.audit_entries} auditregels."
    )


def register(app) -> None:
    """Attach every command group to the app."""
    from riecycle.scheduler import reminders_cli, scheduler_command

    for command in (
        org_cli,
        user_cli,
        seed_cli,
        create_admin,
        reminders_cli,
        scheduler_command,
        erase_employee_command,
    ):
        app.cli.add_command(command)
    from riecycle.cli_zelfinspectie import zelfinspectie_command

    app.cli.add_command(zelfinspectie_command)
    from riecycle.cli_pulse import pulse_cli

    app.cli.add_command(pulse_cli)
    from riecycle.cli_excel import export_cli, import_cli

    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
