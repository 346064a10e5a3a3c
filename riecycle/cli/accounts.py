"""Organisations, users and platform administrators: `flask --app wsgi org|user|create-admin|avg-wissen`."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from riecycle import audit
from riecycle.cli.common import fail as _fail
from riecycle.cli.common import find_org_or_fail
from riecycle.extensions import db
from riecycle.models import Employee, Membership
from riecycle.models.user import Role
from riecycle.services import (
    ServiceError,
    accounts,
    erasure,
    invitations,
    mfa,
    notifications_mail,
    organisations,
)

org_cli = AppGroup("org", help="Organisaties beheren.")
user_cli = AppGroup("user", help="Gebruikers beheren.")


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
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
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


@user_cli.command("mfa-reset")
@click.option("--email", required=True)
def user_mfa_reset(email):
    """Take away a user's second factor (a lost phone); they set it up again at their next login."""
    user = accounts.find_user(email)
    if user is None:
        _fail(f"Er is geen account met e-mailadres {email}.")
    try:
        mfa.reset(user)
    except ServiceError as error:
        _fail(error.message)
    db.session.commit()
    click.echo(
        f"De tweestapsverificatie van {user.email} is gereset; bij de volgende keer inloggen stelt die een nieuwe in."
    )


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


@click.command("avg-wissen")
@click.option("--org", "slug", required=True)
@click.option("--medewerker", "employee_id", required=True, type=int, help="Id van de medewerker.")
@click.option("--door", "actor_email", required=True, help="E-mail van de beheerder die wist.")
@click.option("--ja", "confirmed", is_flag=True, help="Bevestig: dit kan niet ongedaan worden gemaakt.")
def erase_employee_command(slug, employee_id, actor_email, confirmed):
    """Erase an employee and their individual measures (AVG art. 17), audit content included."""
    org = find_org_or_fail(slug)
    employee = db.session.get(Employee, employee_id)
    if employee is None or employee.organisation_id != org.id:
        _fail(f"Medewerker {employee_id} bestaat niet in '{slug}'.")
    if erasure.is_erased(employee):
        _fail("Deze medewerker is al gewist.")
    actor = accounts.find_user(actor_email)
    role = actor and db.session.scalar(
        select(Membership.role).where(Membership.user_id == actor.id, Membership.organisation_id == org.id)
    )
    if role != Role.BEHEERDER:
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
