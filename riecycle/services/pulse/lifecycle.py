"""Pulse rounds (their life cycle): when they are due, opening one with personal tokens, mailing the links, closing."""

import hashlib
import logging
import secrets
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, delete, func, or_, select

from riecycle import changes, clock
from riecycle.extensions import db
from riecycle.models import (
    Employee,
    Organisation,
    PulseRound,
    PulseRoundTeam,
    PulseSurvey,
    PulseToken,
    Team,
)
from riecycle.services import ServiceError
from riecycle.services.pulse.items import min_respondents

log = logging.getLogger(__name__)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clipped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def rounds(survey: PulseSurvey) -> list[PulseRound]:
    """A pulse's rounds, oldest first."""
    return list(
        db.session.scalars(
            select(PulseRound)
            .where(PulseRound.survey_id == survey.id, PulseRound.deleted_at.is_(None))
            .order_by(PulseRound.number)
        )
    )


def open_round_of(survey: PulseSurvey, today: date) -> PulseRound | None:
    return next((r for r in reversed(rounds(survey)) if r.is_open(today)), None)


def next_due_on(survey: PulseSurvey) -> date | None:
    """When the scheduler opens the next round (None while inactive)."""
    if not survey.active:
        return None
    existing = rounds(survey)
    return add_months(existing[-1].opens_on, survey.interval_months) if existing else clock.today()


def invitees(survey: PulseSurvey, on: date) -> list[Employee]:
    """Employees with an e-mail address and a team, employed on that day, in the pulse's teams."""
    stmt = (
        select(Employee)
        .where(
            Employee.organisation_id == survey.organisation_id,
            Employee.deleted_at.is_(None),
            Employee.email.is_not(None),
            Employee.email != "",
            Employee.team_id.is_not(None),
            or_(Employee.start_date.is_(None), Employee.start_date <= on),
            or_(Employee.end_date.is_(None), Employee.end_date >= on),
        )
        .join(Team, Team.id == Employee.team_id)
        .where(Team.deleted_at.is_(None))
    )
    if survey.teams:
        stmt = stmt.where(Employee.team_id.in_([t.id for t in survey.teams]))
    return list(db.session.scalars(stmt.order_by(Employee.id)))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(24)
    return raw, hash_token(raw)


@dataclass
class Issued:
    token: PulseToken
    raw: str
    employee: Employee


def open_round(survey: PulseSurvey, on: date) -> tuple[PulseRound, list[Issued]]:
    """Open a round on a day: freeze the statements, count invitees per team, issue tokens."""
    if open_round_of(survey, on) is not None:
        raise ServiceError(_("Er staat al een ronde open."))
    if not survey.item_keys:
        raise ServiceError(_("Kies eerst de stellingen van de puls."))
    people = invitees(survey, on)
    if not people:
        raise ServiceError(_("Er zijn geen medewerkers met een e-mailadres in de gekozen teams."))
    number = (
        db.session.scalar(select(func.max(PulseRound.number)).where(PulseRound.survey_id == survey.id)) or 0
    ) + 1
    new = PulseRound(
        organisation_id=survey.organisation_id,
        survey_id=survey.id,
        number=number,
        opens_on=on,
        closes_on=on + timedelta(days=survey.open_days - 1),
        item_keys=list(survey.item_keys),
    )
    db.session.add(new)
    db.session.flush()
    per_team: dict[int, int] = {}
    issued = []
    for employee in people:
        assert employee.team_id is not None  # invitees() takes only employees in a team
        raw, digest = _new_token()
        token = PulseToken(
            organisation_id=survey.organisation_id,
            round_id=new.id,
            employee_id=employee.id,
            team_id=employee.team_id,
            token_hash=digest,
        )
        db.session.add(token)
        issued.append(Issued(token, raw, employee))
        per_team[employee.team_id] = per_team.get(employee.team_id, 0) + 1
    for team_id, invited in sorted(per_team.items()):
        db.session.add(
            PulseRoundTeam(
                organisation_id=survey.organisation_id, round_id=new.id, team_id=team_id, invited=invited
            )
        )
    db.session.flush()
    return new, issued


def mail_invitations(pulse_round: PulseRound, issued: list[Issued], on: date) -> int:
    """Mail each invitee their personal link; a failure leaves the token unmailed for a retry."""
    from riecycle.mail import send_mail
    from riecycle.urls import absolute_url

    org = db.session.get(Organisation, pulse_round.organisation_id)
    sent = 0
    for item in issued:
        assert item.employee.email  # invitees() takes only employees with an address
        link = absolute_url("pulse_public.answer", token=item.raw)
        try:
            send_mail(
                item.employee.email,
                _("Korte pulsmeting werkdruk (1 minuut)"),
                _invitation_body(org, pulse_round, link),
            )
        except Exception:  # noqa: BLE001 - one bad address must not stop the others
            log.exception("pulse invitation to employee %s failed", item.employee.id)
            continue
        item.token.mailed_on = on
        sent += 1
    db.session.flush()
    return sent


def _invitation_body(org, pulse_round: PulseRound, link: str) -> str:
    return _(
        "Beste collega,\n\n%(org)s volgt elke periode kort hoe het gaat met de aanpak van werkdruk. "
        "Wilt u %(n)s stellingen beantwoorden? Dat kost minder dan een minuut.\n\n%(link)s\n\n"
        "Uw antwoorden zijn anoniem: ze worden los van uw naam bewaard en alleen per team getoond "
        "als minstens %(min)s collega's hebben geantwoord. De link is persoonlijk, werkt één keer "
        "en is geldig tot en met %(until)s.\n",
        org=org.name,
        n=len(pulse_round.item_keys),
        link=link,
        min=min_respondents(),
        until=pulse_round.last_day.strftime("%d-%m-%Y"),
    )


def reissue_unmailed(pulse_round: PulseRound, on: date) -> list[Issued]:
    """Fresh tokens for invitees whose mail failed (their old link was never delivered)."""
    issued = []
    for token in db.session.scalars(
        select(PulseToken).where(
            PulseToken.round_id == pulse_round.id,
            PulseToken.mailed_on.is_(None),
            PulseToken.used_on.is_(None),
        )
    ):
        employee = db.session.get(Employee, token.employee_id)
        if employee is None or not employee.email or employee.deleted_at is not None:
            continue
        raw, token.token_hash = _new_token()
        issued.append(Issued(token, raw, employee))
    db.session.flush()
    return issued


def close_round(pulse_round: PulseRound, on: date) -> None:
    """Stop accepting answers from today on, and drop the round's tokens."""
    if not pulse_round.is_open(on):
        raise ServiceError(_("Deze ronde staat niet open."))
    pulse_round.closed_early_on = on - timedelta(days=1)
    db.session.flush()
    purge_tokens(on)


def purge_tokens(today: date) -> int:
    """Delete the tokens of finished rounds: after closing, nothing records who answered."""
    finished = select(PulseRound.id).where(
        func.coalesce(PulseRound.closed_early_on, PulseRound.closes_on) < today
    )
    doomed = PulseToken.round_id.in_(finished)
    changes.touch(db.session.scalars(select(PulseToken.organisation_id).where(doomed).distinct()).all())
    result = cast(CursorResult, db.session.execute(delete(PulseToken).where(doomed)))
    return result.rowcount or 0


def active_surveys() -> list[PulseSurvey]:
    """The active pulse surveys of live organisations, in a stable order (the daily job's list)."""
    return list(
        db.session.scalars(
            select(PulseSurvey)
            .join(Organisation, Organisation.id == PulseSurvey.organisation_id)
            .where(
                PulseSurvey.active.is_(True),
                PulseSurvey.deleted_at.is_(None),
                Organisation.deleted_at.is_(None),
            )
            .order_by(PulseSurvey.id)
        )
    )


# --- answering ------------------------------------------------------------------------
