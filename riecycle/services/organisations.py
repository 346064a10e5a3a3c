"""Organisations: created by a platform administrator."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import Organisation
from riecycle.services import ServiceError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def create_organisation(slug: str, name: str, **fields) -> Organisation:
    """Create a tenant with a unique, URL-safe slug."""
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ServiceError(
            _("De korte naam mag alleen kleine letters, cijfers en streepjes bevatten (2-59 tekens)."),
            "slug",
        )
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise ServiceError(_("De korte naam '%(s)s' is al in gebruik.", s=slug), "slug")
    if not (name or "").strip():
        raise ServiceError(_("Naam is verplicht."), "name")
    org = Organisation(slug=slug, name=name.strip(), **fields)
    db.session.add(org)
    db.session.flush()
    return org


def update_organisation(org: Organisation, data: dict) -> None:
    """Change the organisation's profile (name, sector, size, method)."""
    for key, value in data.items():
        setattr(org, key, value)
    db.session.flush()
