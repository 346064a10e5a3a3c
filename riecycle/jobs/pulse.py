"""The daily pulse job: freeze closed rounds, open due rounds and mail their links."""

import logging
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from riecycle import clock
from riecycle.audit import reset_actor, set_actor
from riecycle.extensions import db
from riecycle.models import PulseRound, PulseSurvey
from riecycle.services import ServiceError, pulse

log = logging.getLogger(__name__)


def _today(now: datetime | None) -> date:
    return (now or clock.now()).astimezone(clock.AMSTERDAM).date()


def open_due_rounds(now: datetime | None = None) -> list[PulseRound]:
    """Freeze the results of closed rounds, open every due round and mail the links;
    re-runnable and idempotent.

    A round is committed before its links are mailed, so a crash while mailing never sends
    links to a round that does not exist. Unmailed links are re-issued next run.
    """
    today = _today(now)
    pulse.purge_tokens(today)
    pulse.freeze_closed_rounds(today)
    db.session.commit()
    opened = []
    for survey in pulse.active_surveys():
        current = pulse.open_round_of(survey, today)
        if current is not None:
            _retry_mail(current, today)
            continue
        due = pulse.next_due_on(survey)
        if due is not None and due <= today:
            pulse_round = _open_and_mail(survey, today)
            if pulse_round is not None:
                opened.append(pulse_round)
    return opened


def _open_and_mail(survey: PulseSurvey, today: date) -> PulseRound | None:
    try:
        pulse_round, issued = pulse.open_round(survey, today)
        db.session.commit()
    except (ServiceError, IntegrityError) as error:  # nobody to invite, or another process won
        db.session.rollback()
        log.info("pulse survey %s not opened: %s", survey.id, error)
        return None
    pulse.mail_invitations(pulse_round, issued, today)
    db.session.commit()
    return pulse_round


def _retry_mail(pulse_round: PulseRound, today: date) -> None:
    issued = pulse.reissue_unmailed(pulse_round, today)
    if issued:
        db.session.commit()
        pulse.mail_invitations(pulse_round, issued, today)
        db.session.commit()


def open_pulse_rounds(now: datetime | None = None) -> list[PulseRound]:
    """Open every pulse round that is due and mail its links, as the system (needs an app context)."""
    token = set_actor(None)
    try:
        return open_due_rounds(now)
    finally:
        reset_actor(token)
