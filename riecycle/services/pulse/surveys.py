"""Composing an organisation's pulse survey: its statements, teams and interval."""

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.inputs import as_id
from riecycle.models import (
    PulseSurvey,
    Team,
)
from riecycle.models.pulse import INTERVALS_MONTHS
from riecycle.services import ServiceError
from riecycle.services.pulse.items import MAX_ITEMS, MAX_OPEN_DAYS, item_catalogue

log = logging.getLogger(__name__)


def get_survey(org) -> PulseSurvey | None:
    """The organisation's pulse (one per organisation), or None."""
    return db.session.scalar(
        select(PulseSurvey)
        .where(PulseSurvey.organisation_id == org.id, PulseSurvey.deleted_at.is_(None))
        .order_by(PulseSurvey.id)
    )


def _teams(org, team_ids) -> list[Team]:
    ids = {as_id(i) for i in team_ids or ()}
    if None in ids:
        raise ServiceError(_("Kies alleen teams van deze organisatie."), "team_ids")
    if not ids:
        return []
    teams = list(
        db.session.scalars(
            select(Team).where(Team.id.in_(ids), Team.organisation_id == org.id, Team.deleted_at.is_(None))
        )
    )
    if len(teams) != len(ids):
        raise ServiceError(_("Kies alleen teams van deze organisatie."), "team_ids")
    return teams


def _validated(org, data: dict) -> dict:
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Geef de puls een naam."), "title")
    catalogue = item_catalogue()
    keys = list(dict.fromkeys(data.get("item_keys") or ()))
    if not keys:
        raise ServiceError(_("Kies minstens één stelling."), "item_keys")
    if len(keys) > MAX_ITEMS:
        raise ServiceError(
            _("Kies hoogstens %(n)s stellingen, zodat invullen binnen een minuut lukt.", n=MAX_ITEMS),
            "item_keys",
        )
    if any(k not in catalogue for k in keys):
        raise ServiceError(_("Onbekende stelling gekozen."), "item_keys")
    interval = int(data.get("interval_months") or 0)
    if interval not in INTERVALS_MONTHS:
        raise ServiceError(_("Kies een geldige frequentie."), "interval_months")
    open_days = int(data.get("open_days") or 0)
    if not 1 <= open_days <= min(MAX_OPEN_DAYS, interval * 28):
        raise ServiceError(
            _("Een ronde staat 1 tot %(n)s dagen open.", n=min(MAX_OPEN_DAYS, interval * 28)), "open_days"
        )
    order = list(catalogue)
    return {
        "title": title,
        "item_keys": sorted(keys, key=order.index),
        "interval_months": interval,
        "open_days": open_days,
        "active": bool(data.get("active")),
        "teams": _teams(org, data.get("team_ids")),
    }


def save_survey(org, data: dict) -> PulseSurvey:
    """Create or change the organisation's pulse; open rounds keep the statements they started with."""
    values = _validated(org, data)
    survey = get_survey(org)
    if survey is None:
        survey = PulseSurvey(organisation_id=org.id)
        db.session.add(survey)
    for name, value in values.items():
        if getattr(survey, name) != value:
            setattr(survey, name, value)
    db.session.flush()
    return survey


# --- rounds ---------------------------------------------------------------------------
