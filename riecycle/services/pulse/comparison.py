"""Baseline (verdiepend onderzoek) versus follow-up (a pulse round), per statement."""

import logging
from dataclasses import dataclass

from riecycle.models import (
    PulseRound,
)
from riecycle.services.pulse.items import min_respondents
from riecycle.services.pulse.results import visible_team_results

log = logging.getLogger(__name__)


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
                    None if hidden or before is None else before[3].get(key),
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
