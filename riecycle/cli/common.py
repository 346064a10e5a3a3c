"""Shared helpers of the commands: a clear error, and the organisation named on the command line."""

import click
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Organisation


def fail(message: str):
    """Roll back and stop the command with a clear message."""
    db.session.rollback()
    raise click.ClickException(message)


def find_org_or_fail(slug: str):
    """The organisation with this slug, or a clear CLI error."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        fail(f"Organisatie '{slug}' bestaat niet.")
    return org
