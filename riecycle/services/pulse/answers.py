"""Answering a pulse round with a personal token (once, anonymously)."""

import logging
import secrets
from datetime import date
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update

from riecycle import changes, clock
from riecycle.extensions import db
from riecycle.models import (
    Employee,
    PulseAnswer,
    PulseResponse,
    PulseToken,
)
from riecycle.services import ServiceError
from riecycle.services.pulse.items import SCALE
from riecycle.services.pulse.lifecycle import hash_token

log = logging.getLogger(__name__)


TOKEN_OK, TOKEN_UNKNOWN, TOKEN_USED, TOKEN_CLOSED, TOKEN_NOT_YET = (
    "ok",
    "unknown",
    "used",
    "closed",
    "not_yet",
)


class TokenRefused(ServiceError):
    """The link cannot be used (unknown, used, closed or not yet open)."""

    def __init__(self, state: str):
        super().__init__(_("Deze link kan niet (meer) worden gebruikt."))
        self.state = state


def find_token(raw: str) -> PulseToken | None:
    if not raw or len(raw) > 200:
        return None
    return find_token_by_hash(hash_token(raw))


def find_token_by_hash(token_hash: str | None) -> PulseToken | None:
    """The token behind a link, by its SHA-256 (what the answer session keeps)."""
    if not isinstance(token_hash, str) or len(token_hash) != 64:
        return None
    return db.session.scalar(select(PulseToken).where(PulseToken.token_hash == token_hash))


def _employee_removed(token: PulseToken, today: date) -> bool:
    """The invitee was deleted or has left: their link stops working."""
    employee = db.session.get(Employee, token.employee_id)
    return (
        employee is None
        or employee.deleted_at is not None
        or (employee.end_date is not None and employee.end_date < today)
    )


def token_state(token: PulseToken | None, today: date) -> str:
    if token is None or token.round is None or token.round.deleted_at is not None:
        return TOKEN_UNKNOWN
    if _employee_removed(token, today):
        return TOKEN_UNKNOWN
    if token.used_on is not None:
        return TOKEN_USED
    if today < token.round.opens_on:
        return TOKEN_NOT_YET
    return TOKEN_OK if token.round.is_open(today) else TOKEN_CLOSED


def _clean_answers(item_keys: list[str], answers: dict) -> dict[str, int]:
    clean = {}
    for key in item_keys:
        raw = answers.get(key)
        try:
            value = None if raw is None else int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None:
            raise ServiceError(_("Beantwoord alle stellingen."), key)
        if value not in SCALE:
            raise ServiceError(_("Kies een antwoord van 1 tot en met 5."), key)
        clean[key] = value
    return clean


def submit_answers(raw: str, answers: dict, on: date | None = None) -> PulseResponse:
    """Store one anonymous response and use up the token, in the caller's one transaction."""
    return submit_answers_by_hash(hash_token(raw or ""), answers, on)


def submit_answers_by_hash(token_hash: str, answers: dict, on: date | None = None) -> PulseResponse:
    """submit_answers for the answer session, which keeps only the token's hash."""
    on = on or clock.today()
    token = find_token_by_hash(token_hash)
    state = token_state(token, on)
    if state != TOKEN_OK:
        raise TokenRefused(state)
    assert token is not None and token.round is not None  # token_state refuses a missing one
    clean = _clean_answers(token.round.item_keys, answers)
    # The conditional update is the lock: of two simultaneous posts only one matches.
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(PulseToken)
            .where(PulseToken.id == token.id, PulseToken.used_on.is_(None))
            .values(used_on=on)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        raise TokenRefused(TOKEN_USED)
    changes.touch(token.organisation_id)  # the claim is a Core write (riecycle/changes.py)
    response = PulseResponse(
        id=secrets.token_hex(16),
        organisation_id=token.organisation_id,
        round_id=token.round_id,
        team_id=token.team_id,
    )
    db.session.add(response)
    db.session.add_all(PulseAnswer(response_id=response.id, item_key=k, value=v) for k, v in clean.items())
    db.session.flush()
    db.session.expire(token)
    return response


# --- results --------------------------------------------------------------------------
