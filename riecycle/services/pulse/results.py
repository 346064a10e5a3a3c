"""Pulse results: per team behind the anonymity threshold, per organisation, trends, freezing."""

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from riecycle import changes, clock
from riecycle.extensions import db
from riecycle.models import (
    PulseAnswer,
    PulseResponse,
    PulseRound,
    PulseRoundTeam,
    PulseSurvey,
    Team,
)
from riecycle.services import ServiceError
from riecycle.services.pulse.items import (
    FALLING_DROP_POINTS,
    FALLING_MIN_ROUNDS,
    FALLING_WINDOW,
    item_catalogue,
    min_respondents,
)
from riecycle.services.pulse.lifecycle import rounds

log = logging.getLogger(__name__)


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
    return {team_id: falling for team_id, falling in db.session.execute(stmt).tuples() if falling is not None}


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
    assert survey is not None  # a round belongs to its survey (foreign key)
    falling = _live_falling(_closed_window(survey, today, up_to=pulse_round))
    changes.touch(pulse_round.organisation_id)  # the bulk UPDATE below (riecycle/changes.py)
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
