"""Pulse monitoring per team (docs/domain.md §7): compose, open rounds, answer, and anonymous results.

Every per-team number that reveals answers passes through visible_team_results(), which
withholds a team's answers below min_respondents() (config, never below 3). Response
counts and rates are not answers and are always shown: a falling response rate is itself
the signal the study found.
"""

import hashlib
import logging
import secrets
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, g, has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from riecycle import clock
from riecycle.extensions import db
from riecycle.inputs import as_id
from riecycle.models import (
    Employee,
    Factor,
    Measure,
    Organisation,
    PulseAnswer,
    PulseResponse,
    PulseRound,
    PulseRoundTeam,
    PulseSurvey,
    PulseToken,
    Risk,
    Team,
)
from riecycle.models.measure import OPEN_STATUSES, measure_risks
from riecycle.models.pulse import INTERVALS_MONTHS
from riecycle.models.rie import risk_factors
from riecycle.seeding import load_yaml
from riecycle.services import ServiceError

log = logging.getLogger(__name__)

MAX_ITEMS = 10
MAX_OPEN_DAYS = 28
SCALE = (1, 2, 3, 4, 5)
# Falling response rate: down in each of the last two closed rounds, or the latest closed
# round this many percentage points below the team's average over its earlier rounds.
FALLING_DROP_POINTS = 15
FALLING_MIN_ROUNDS = 3
# The falling-response rule looks at this many of the latest closed rounds.
FALLING_WINDOW = 12


# --- the statements -------------------------------------------------------------------


@dataclass(frozen=True)
class PulseItem:
    key: str
    kind: str  # factor, implementatie, welzijn
    text_nl: str
    text_en: str
    name_nl: str
    name_en: str
    factor_kind: str | None = None  # werkdrukbron, energiebron, individueel

    def text(self, locale: str | None = None) -> str:
        return self.text_en if _locale(locale) == "en" else self.text_nl

    def name(self, locale: str | None = None) -> str:
        return self.name_en if _locale(locale) == "en" else self.name_nl


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    try:
        return str(get_locale() or "nl")
    except Exception:  # noqa: BLE001 - outside a request there is no locale: Dutch
        return "nl"


SEED_NAMES = {
    "voortgang_bekend": ("Voortgang bekend", "Progress known"),
    "betrokkenheid": ("Betrokkenheid medewerkers", "Staff involvement"),
    "directie_betrokken": ("Directie betrokken", "Management committed"),
    "energie": ("Energie", "Energy"),
    "herstel_na_werk": ("Herstel na het werk", "Recovery after work"),
    "werkplezier": ("Werkplezier", "Enjoyment of work"),
    "uitputting": ("Geen emotionele uitputting", "No emotional exhaustion"),
}


def item_catalogue() -> dict[str, PulseItem]:
    """Every statement a pulse can use (built once per app context: pages ask per team and round)."""
    if not has_app_context():
        return _item_catalogue()
    if "_pulse_item_catalogue" not in g:
        g._pulse_item_catalogue = _item_catalogue()
    return g._pulse_item_catalogue


def _item_catalogue() -> dict[str, PulseItem]:
    """Every statement a pulse can use: factor questions, implementation and wellbeing items."""
    items = {}
    for factor in db.session.scalars(select(Factor).order_by(Factor.position)):
        if factor.pulse_question_nl:
            items[factor.key] = PulseItem(
                factor.key,
                "factor",
                factor.pulse_question_nl,
                factor.pulse_question_en or factor.pulse_question_nl,
                factor.name_nl,
                factor.name_en,
                factor.kind,
            )
    seed = load_yaml("pulse.yaml")
    for kind, section in (("implementatie", "implementation_items"), ("welzijn", "wellbeing_items")):
        for spec in seed[section]:
            nl, en = SEED_NAMES.get(spec["key"], (spec["key"], spec["key"]))
            items[spec["key"]] = PulseItem(spec["key"], kind, spec["text"]["nl"], spec["text"]["en"], nl, en)
    return items


def scale_labels(locale: str | None = None) -> dict[int, str]:
    """The 1-5 answer labels in the user's language."""
    loc = _locale(locale)
    return {int(k): v.get(loc, v["nl"]) for k, v in load_yaml("pulse.yaml")["scale"].items()}


def implementation_keys() -> list[str]:
    return [s["key"] for s in load_yaml("pulse.yaml")["implementation_items"]]


def targeted_factor_keys(org) -> list[str]:
    """Factors linked to the organisation's risks that have open measures: what the plan targets."""
    stmt = (
        select(Factor.key)
        .distinct()
        .join(risk_factors, risk_factors.c.factor_key == Factor.key)
        .join(Risk, Risk.id == risk_factors.c.risk_id)
        .join(measure_risks, measure_risks.c.risk_id == Risk.id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(
            Risk.organisation_id == org.id,
            Risk.deleted_at.is_(None),
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Factor.pulse_question_nl.is_not(None),
        )
    )
    keys = set(db.session.scalars(stmt))
    return [f.key for f in db.session.scalars(select(Factor).order_by(Factor.position)) if f.key in keys]


def default_item_keys(org) -> list[str]:
    """A first proposal: up to five targeted factors plus the three implementation questions."""
    return targeted_factor_keys(org)[:5] + implementation_keys()


def min_respondents() -> int:
    """Answers of a team show only from this many respondents (config, never below 3)."""
    return max(3, int(current_app.config.get("PULSE_MIN_RESPONDENTS", 5) or 5))


# --- composing ------------------------------------------------------------------------


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
    result = db.session.execute(delete(PulseToken).where(PulseToken.round_id.in_(finished)))
    return result.rowcount or 0


def _today(now: datetime | None) -> date:
    return (now or clock.now()).astimezone(clock.AMSTERDAM).date()


def open_due_rounds(now: datetime | None = None) -> list[PulseRound]:
    """The daily job: freeze the results of closed rounds, open every due round and mail the
    links; re-runnable and idempotent.

    It commits: a round is committed before its links are mailed, so a crash while mailing
    never sends links to a round that does not exist. Unmailed links are re-issued next run.
    """
    today = _today(now)
    purge_tokens(today)
    freeze_closed_rounds(today)
    db.session.commit()
    opened = []
    surveys = db.session.scalars(
        select(PulseSurvey)
        .join(Organisation, Organisation.id == PulseSurvey.organisation_id)
        .where(
            PulseSurvey.active.is_(True), PulseSurvey.deleted_at.is_(None), Organisation.deleted_at.is_(None)
        )
        .order_by(PulseSurvey.id)
    ).all()
    for survey in surveys:
        current = open_round_of(survey, today)
        if current is not None:
            _retry_mail(current, today)
            continue
        due = next_due_on(survey)
        if due is not None and due <= today:
            pulse_round = _open_and_mail(survey, today)
            if pulse_round is not None:
                opened.append(pulse_round)
    return opened


def _open_and_mail(survey: PulseSurvey, today: date) -> PulseRound | None:
    try:
        pulse_round, issued = open_round(survey, today)
        db.session.commit()
    except (ServiceError, IntegrityError) as error:  # nobody to invite, or another process won
        db.session.rollback()
        log.info("pulse survey %s not opened: %s", survey.id, error)
        return None
    mail_invitations(pulse_round, issued, today)
    db.session.commit()
    return pulse_round


def _retry_mail(pulse_round: PulseRound, today: date) -> None:
    issued = reissue_unmailed(pulse_round, today)
    if issued:
        db.session.commit()
        mail_invitations(pulse_round, issued, today)
        db.session.commit()


# --- answering ------------------------------------------------------------------------

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
        try:
            value = int(answers.get(key))
        except (TypeError, ValueError):
            raise ServiceError(_("Beantwoord alle stellingen."), key) from None
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
    clean = _clean_answers(token.round.item_keys, answers)
    # The conditional update is the lock: of two simultaneous posts only one matches.
    claimed = db.session.execute(
        update(PulseToken)
        .where(PulseToken.id == token.id, PulseToken.used_on.is_(None))
        .values(used_on=on)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise TokenRefused(TOKEN_USED)
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
#
# A round's answers can only change while it is open. When it has closed, the daily job freezes
# its totals per team (responses, and per statement the sum and number of answers) and the
# organisation figure onto the round, so pages read a few stored numbers instead of aggregating
# every answer again. The anonymity gate is applied when reading, frozen or not.


@dataclass
class TeamResult:
    """A team in a round: response always; answers only when enough people answered."""

    round_id: int
    team_id: int
    team_name: str
    invited: int
    responded: int
    visible: bool
    means: dict = field(default_factory=dict)  # item key -> mean (only when visible)
    # The round is still open: answers are shown only once it closes, because a live average
    # that moves when one more person answers reveals that person's answers.
    pending: bool = False

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    def mean_of(self, keys) -> float | None:
        values = [self.means[k] for k in keys if k in self.means]
        return sum(values) / len(values) if values else None


def _response_counts(round_ids) -> dict[tuple[int, int], int]:
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(PulseResponse.round_id, PulseResponse.team_id, func.count(PulseResponse.id))
        .where(PulseResponse.round_id.in_(round_ids))
        .group_by(PulseResponse.round_id, PulseResponse.team_id)
    )
    return {(r, t): n for r, t, n in rows}


def _answer_sums(round_ids, team_ids=None) -> dict[tuple[int, int], dict[str, list[int]]]:
    """Per (round, team) and statement: [sum of the answers, number of answers]."""
    if not round_ids:
        return {}
    stmt = (
        select(
            PulseResponse.round_id,
            PulseResponse.team_id,
            PulseAnswer.item_key,
            func.sum(PulseAnswer.value),
            func.count(PulseAnswer.value),
        )
        .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
        .where(PulseResponse.round_id.in_(round_ids))
        .group_by(PulseResponse.round_id, PulseResponse.team_id, PulseAnswer.item_key)
    )
    if team_ids is not None:
        stmt = stmt.where(PulseResponse.team_id.in_(team_ids))
    sums: dict[tuple[int, int], dict[str, list[int]]] = {}
    for round_id, team_id, key, total, count in db.session.execute(stmt):
        sums.setdefault((round_id, team_id), {})[key] = [int(total), int(count)]
    return sums


def _means(sums: dict | None, minimum: int) -> dict[str, float]:
    """Means of the statements answered by at least `minimum` people."""
    return {key: total / count for key, (total, count) in (sums or {}).items() if count >= minimum}


def _team_rows(round_ids, team_ids, with_sums: bool):
    columns = [
        PulseRoundTeam.round_id,
        PulseRoundTeam.team_id,
        PulseRoundTeam.invited,
        PulseRoundTeam.responded,
        func.coalesce(Team.name, "?"),
    ]
    stmt = (
        select(*columns, PulseRoundTeam.answer_sums if with_sums else PulseRoundTeam.falling)
        .outerjoin(Team, Team.id == PulseRoundTeam.team_id)
        .where(PulseRoundTeam.round_id.in_(round_ids))
        .order_by(PulseRoundTeam.id)
    )
    if team_ids is not None:
        stmt = stmt.where(PulseRoundTeam.team_id.in_(sorted(team_ids)))
    return db.session.execute(stmt).all()


def visible_team_results(
    round_list, team_ids=None, *, with_means: bool = True
) -> dict[tuple[int, int], TeamResult]:
    """THE anonymity gate: per (round id, team id) the response, and answers only from the threshold.

    team_ids limits the teams (a leidinggevende sees only their own); None means all. Without
    means only the response is read (for response rates and the falling-response flag).
    """
    round_list = list(round_list)
    if not round_list:
        return {}
    frozen = {r.id for r in round_list if r.results_frozen_on is not None}
    live = [r.id for r in round_list if r.id not in frozen]
    pending = {r.id for r in round_list if is_pending(r)}
    counts, minimum = _response_counts(live), min_respondents()
    rows: dict[int, list] = {}
    for row in _team_rows([r.id for r in round_list], team_ids, with_means):
        rows.setdefault(row[0], []).append(row)
    results, sums = {}, {}
    for pulse_round in round_list:
        for round_id, team_id, invited, stored, name, extra in rows.get(pulse_round.id, ()):
            responded = (stored or 0) if round_id in frozen else counts.get((round_id, team_id), 0)
            results[(round_id, team_id)] = TeamResult(
                round_id,
                team_id,
                name,
                invited,
                responded,
                responded >= minimum and round_id not in pending,
                pending=round_id in pending,
            )
            sums[(round_id, team_id)] = extra if round_id in frozen else None
    if with_means:
        visible_live = {k[1] for k, r in results.items() if r.visible and k[0] not in frozen}
        sums.update({k: v for k, v in _answer_sums(live, visible_live).items() if k in results})
        for key, result in results.items():
            result.means = _means(sums.get(key), minimum) if result.visible else {}
    return results


@dataclass
class OrgResult:
    """The organisation's figure, built only from groups that meet the threshold themselves."""

    invited: int
    responded: int
    included: int  # responses counted in the means
    means: dict
    pending: bool = False  # an open round: no averages until it closes

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    @property
    def excluded(self) -> int:
        return self.responded - self.included


def organisation_result(pulse_round: PulseRound) -> OrgResult:
    """All teams together. Hidden teams count only as one pooled group that meets the threshold,
    so the organisation figure minus the visible teams never reveals a small team."""
    minimum = min_respondents()
    stored = pulse_round.frozen_summary or {}
    if pulse_round.results_frozen_on is not None and stored.get("minimum") == minimum:
        return OrgResult(stored["invited"], stored["responded"], stored["included"], stored["means"])
    per_team = visible_team_results([pulse_round], with_means=False)
    if is_pending(pulse_round):
        # Open round: only the response so far. A live organisation average would move with
        # each answer as much as a team's does.
        invited = sum(r.invited for r in per_team.values())
        return OrgResult(invited, sum(r.responded for r in per_team.values()), 0, {}, pending=True)
    visible = {t for (_r, t), res in per_team.items() if res.visible}
    hidden_total = sum(res.responded for res in per_team.values() if not res.visible)
    include = set(visible)
    if hidden_total >= minimum:
        include |= {t for (_r, t), res in per_team.items() if not res.visible}
    responded = sum(res.responded for res in per_team.values())
    invited = sum(res.invited for res in per_team.values())
    included = sum(res.responded for (_r, t), res in per_team.items() if t in include)
    means = {}
    if include and included >= minimum:
        means = _pooled_means(pulse_round, include)
    else:
        included = 0
    return OrgResult(invited, responded, included, means)


def _pooled_means(pulse_round: PulseRound, team_ids: set[int]) -> dict[str, float]:
    """Means per statement over the answers of these teams together."""
    if pulse_round.results_frozen_on is not None:
        per_team = [row[5] or {} for row in _team_rows([pulse_round.id], team_ids, with_sums=True)]
    else:
        per_team = list(_answer_sums([pulse_round.id], team_ids).values())
    pooled: dict[str, list[int]] = {}
    for sums in per_team:
        for key, (total, count) in sums.items():
            entry = pooled.setdefault(key, [0, 0])
            entry[0], entry[1] = entry[0] + total, entry[1] + count
    return _means(pooled, 1)


def organisation_trend(round_list, today: date) -> list[OrgResult]:
    """The organisation figure per round; for a round still open only its response so far."""
    trend = []
    for pulse_round in round_list:
        if is_closed(pulse_round, today) or pulse_round.results_frozen_on is not None:
            trend.append(organisation_result(pulse_round))
            continue
        per_team = visible_team_results([pulse_round], with_means=False).values()
        trend.append(
            OrgResult(
                sum(r.invited for r in per_team), sum(r.responded for r in per_team), 0, {}, pending=True
            )
        )
    return trend


def is_closed(pulse_round: PulseRound, today: date) -> bool:
    return pulse_round.last_day < today


def is_pending(pulse_round: PulseRound) -> bool:
    """Still open (or not yet begun): no averages are shown until it closes."""
    return pulse_round.results_frozen_on is None and not is_closed(pulse_round, clock.today())


def falling_response(rates: list[float | None]) -> str | None:
    """Why a team's response rate counts as falling (closed rounds, oldest first), or None.

    Rule: with at least three closed rounds, the rate went down in each of the last two
    rounds, or the latest rate is at least 15 percentage points below the team's average
    over its earlier rounds.
    """
    known = [r for r in rates if r is not None]
    if len(known) < FALLING_MIN_ROUNDS:
        return None
    if known[-3] > known[-2] > known[-1]:
        return "twee_keer_gedaald"
    earlier = known[:-1]
    if (sum(earlier) / len(earlier) - known[-1]) * 100 >= FALLING_DROP_POINTS:
        return "onder_gemiddelde"
    return None


def _closed_window(
    survey: PulseSurvey, today: date, up_to: PulseRound | None = None, all_rounds: list | None = None
) -> list[PulseRound]:
    """The last FALLING_WINDOW closed rounds (up to and including `up_to`), oldest first."""
    all_rounds = rounds(survey) if all_rounds is None else all_rounds
    closed = [r for r in all_rounds if is_closed(r, today) and (up_to is None or r.number <= up_to.number)]
    return closed[-FALLING_WINDOW:]


def _live_falling(window: list[PulseRound], team_ids=None) -> dict[int, str]:
    results = visible_team_results(window, team_ids, with_means=False)
    per_team: dict[int, list] = {}
    for pulse_round in window:
        for (round_id, team_id), result in results.items():
            if round_id == pulse_round.id:
                per_team.setdefault(team_id, []).append(result.rate)
    flags = {team_id: falling_response(rates) for team_id, rates in per_team.items()}
    return {team_id: flag for team_id, flag in flags.items() if flag}


def falling_teams(
    survey: PulseSurvey, today: date, team_ids=None, all_rounds: list | None = None
) -> dict[int, str]:
    """Team id -> why its response is falling, over the last FALLING_WINDOW closed rounds.

    Stored on the latest closed round when it was frozen; computed from the responses otherwise.
    all_rounds: the survey's rounds when the caller has them already.
    """
    window = _closed_window(survey, today, all_rounds=all_rounds)
    if not window:
        return {}
    latest = window[-1]
    if latest.results_frozen_on is None:
        return _live_falling(window, team_ids)
    stmt = select(PulseRoundTeam.team_id, PulseRoundTeam.falling).where(
        PulseRoundTeam.round_id == latest.id, PulseRoundTeam.falling.is_not(None)
    )
    if team_ids is not None:
        stmt = stmt.where(PulseRoundTeam.team_id.in_(sorted(team_ids)))
    return dict(db.session.execute(stmt).all())


def round_teams(round_list, team_ids=None) -> list[tuple[str, int]]:
    """(name, id) of the teams invited to any of these rounds, by name."""
    ids = [r.id for r in round_list]
    if not ids:
        return []
    stmt = (
        select(Team.name, Team.id)
        .join(PulseRoundTeam, PulseRoundTeam.team_id == Team.id)
        .where(PulseRoundTeam.round_id.in_(ids))
        .distinct()
    )
    if team_ids is not None:
        stmt = stmt.where(Team.id.in_(sorted(team_ids)))
    return sorted(tuple(row) for row in db.session.execute(stmt))


@dataclass
class TeamHistory:
    team_id: int
    team_name: str
    results: list  # TeamResult per round (None when the team was not invited), oldest first
    falling: str | None = None

    @property
    def latest(self) -> TeamResult | None:
        return next((r for r in reversed(self.results) if r is not None), None)


def team_histories(
    survey: PulseSurvey,
    team_ids=None,
    today: date | None = None,
    limit: int | None = None,
    all_rounds: list | None = None,
) -> tuple[list[PulseRound], list[TeamHistory]]:
    """Per team, its result in each round, plus the falling-response flag over closed rounds."""
    today = today or clock.today()
    all_rounds = rounds(survey) if all_rounds is None else all_rounds
    round_list = all_rounds[-limit:] if limit else all_rounds
    results = visible_team_results(round_list, team_ids)
    falling = falling_teams(survey, today, team_ids, all_rounds)
    teams: dict[int, str] = {}
    for (_r, team_id), result in results.items():
        teams.setdefault(team_id, result.team_name)
    histories = []
    for team_id, name in sorted(teams.items(), key=lambda item: item[1]):
        row = [results.get((r.id, team_id)) for r in round_list]
        histories.append(TeamHistory(team_id, name, row, falling.get(team_id)))
    return round_list, histories


def freeze_results(pulse_round: PulseRound, today: date) -> None:
    """Store a closed round's totals per team, its falling-response flags and the organisation figure."""
    if not is_closed(pulse_round, today):
        raise ServiceError(_("Deze ronde staat nog open: de uitkomsten kunnen nog veranderen."))
    counts, sums = _response_counts([pulse_round.id]), _answer_sums([pulse_round.id])
    survey = db.session.get(PulseSurvey, pulse_round.survey_id)
    falling = _live_falling(_closed_window(survey, today, up_to=pulse_round))
    db.session.execute(
        update(PulseRoundTeam),
        [
            {
                "id": row_id,
                "responded": counts.get((pulse_round.id, team_id), 0),
                "answer_sums": sums.get((pulse_round.id, team_id), {}),
                "falling": falling.get(team_id),
            }
            for row_id, team_id in db.session.execute(
                select(PulseRoundTeam.id, PulseRoundTeam.team_id).where(
                    PulseRoundTeam.round_id == pulse_round.id
                )
            )
        ],
    )
    for obj in list(db.session.identity_map.values()):  # the bulk UPDATE bypassed loaded rows
        if isinstance(obj, PulseRoundTeam) and obj.round_id == pulse_round.id:
            db.session.expire(obj)
    pulse_round.results_frozen_on = today
    db.session.flush()
    result = organisation_result(pulse_round)
    pulse_round.frozen_summary = {
        "minimum": min_respondents(),
        "invited": result.invited,
        "responded": result.responded,
        "included": result.included,
        "means": result.means,
    }
    db.session.flush()


def freeze_closed_rounds(today: date) -> int:
    """Freeze every closed round that is not frozen yet, oldest first (the daily job; idempotent)."""
    pending = db.session.scalars(
        select(PulseRound)
        .where(
            PulseRound.results_frozen_on.is_(None),
            PulseRound.deleted_at.is_(None),
            func.coalesce(PulseRound.closed_early_on, PulseRound.closes_on) < today,
        )
        .order_by(PulseRound.survey_id, PulseRound.number)
    ).all()
    for pulse_round in pending:
        freeze_results(pulse_round, today)
    return len(pending)


def factor_keys_of(pulse_round: PulseRound) -> list[str]:
    catalogue = item_catalogue()
    return [k for k in pulse_round.item_keys if k in catalogue and catalogue[k].kind == "factor"]


# --- baseline vs follow-up ------------------------------------------------------------


@dataclass
class Side:
    """One measurement, per team: visible flag, respondents and scores (5 = good end)."""

    label: str
    teams: dict  # team id -> (team name, respondents, visible, {key: score})


def onderzoek_side(onderzoek) -> Side:
    """A verdiepend onderzoek, its scores (higher = bigger knelpunt) turned to the pulse direction."""
    minimum = min_respondents()
    teams = {}
    for result in onderzoek.teams:
        if result.team_id is None:
            continue  # a group or organisation result has no single team to compare with the pulse
        visible = (result.respondents or 0) >= minimum
        scores = {s.factor_key: 6.0 - s.score for s in result.scores} if visible else {}
        teams[result.team_id] = (result.label, result.respondents or 0, visible, scores)
    return Side(onderzoek.title, teams)


def round_side(pulse_round: PulseRound) -> Side:
    teams = {}
    for (_r, team_id), res in visible_team_results([pulse_round]).items():
        teams[team_id] = (res.team_name, res.responded, res.visible, res.means)
    return Side(pulse_round.label, teams)


@dataclass
class ComparisonRow:
    team_id: int
    team_name: str
    item_key: str
    baseline: float | None
    followup: float | None
    hidden: bool  # one side has too few respondents
    missing: bool = False  # the team was not in the baseline

    @property
    def difference(self) -> float | None:
        if self.baseline is None or self.followup is None:
            return None
        return self.followup - self.baseline


def compare(baseline: Side, followup: Side, item_keys: list[str], team_ids=None) -> list[ComparisonRow]:
    """Per team of the follow-up and statement: baseline and follow-up, hidden when either side is
    under the threshold (or the team was not in the baseline)."""
    rows = []
    for team_id in sorted(followup.teams, key=lambda t: followup.teams[t][0]):
        if team_ids is not None and team_id not in team_ids:
            continue
        before, after = baseline.teams.get(team_id), followup.teams[team_id]
        hidden = before is None or not before[2] or not after[2]
        for key in item_keys:
            rows.append(
                ComparisonRow(
                    team_id,
                    after[0],
                    key,
                    None if hidden else before[3].get(key),
                    None if hidden else after[3].get(key),
                    hidden,
                    missing=before is None,
                )
            )
    return rows


def common_items(baseline_keys, followup_round: PulseRound) -> list[str]:
    """The statements measured both times, in the follow-up round's order."""
    keys = set(baseline_keys)
    return [k for k in followup_round.item_keys if k in keys]


def round_for(org, round_id) -> PulseRound | None:
    from riecycle.tenancy import get_in_org

    return get_in_org(PulseRound, round_id, org)
