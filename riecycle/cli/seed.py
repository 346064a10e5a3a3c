"""Loading seed data: `flask --app wsgi seed demo|taxonomy`."""

import click
from flask.cli import AppGroup

from riecycle.extensions import db

seed_cli = AppGroup("seed", help="Gegevens laden uit seed/.")


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
