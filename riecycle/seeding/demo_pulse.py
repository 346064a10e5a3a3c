"""Demo: twelve monthly pulse rounds for the four schools, and a few Wegwijzer ticks.

Rounds are opened and answered through the real services (tokens, anonymous responses),
then their tokens are purged as for any closed round. OBS De Vesting's response falls
round after round and ends under the threshold, so its last result is hidden. Answers are
drawn from a seeded random generator: the demo is the same every time it is loaded.
"""

import random
from datetime import timedelta

from riecycle.services import pulse, wegwijzer

SCHOOLS = ("school_a", "school_b", "school_c", "school_d")
FALLBACK_FACTORS = ["tijdsdruk", "hoeveelheid_werk", "taakonderbrekingen", "steun_leidinggevende_functioneel"]
# Respondents per round (oldest first); 21 staff per school have an e-mail address.
RESPONDENTS = {
    "school_a": [16, 17, 17, 18, 17, 18, 18, 19, 18, 18, 19, 19],
    "school_b": [15, 14, 15, 15, 16, 15, 14, 15, 16, 15, 15, 16],
    "school_c": [17, 16, 16, 15, 16, 16, 15, 16, 15, 16, 15, 16],
    "school_d": [18, 17, 16, 15, 14, 13, 11, 10, 8, 7, 5, 4],
}
# Per school: monthly improvement on the targeted factors, and director commitment (start, end).
PROFILE = {
    "school_a": (0.08, (4.1, 4.4)),
    "school_b": (0.05, (3.6, 3.8)),
    "school_c": (0.03, (3.3, 3.3)),
    "school_d": (-0.01, (3.1, 2.1)),
}
TICKS = (
    "inv_begrip_werkdruk",
    "inv_signalen",
    "inv_waar_speelt_het",
    "inv_oorzaken_concreet",
    "inv_top5",
    "mt_bij_de_bron",
    "mt_eigen_ervaring",
    "uv_plan_wat_wie_wanneer",
    "uv_voortgang_bewaakt",
)
ROUNDS = 12


def _answer(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def _answers(rng, keys, school, k, implementation) -> dict:
    trend, (director_start, director_end) = PROFILE[school]
    progress = k / (ROUNDS - 1)
    answers = {}
    for key in keys:
        if key == "directie_betrokken":
            mean = director_start + (director_end - director_start) * progress
        elif key in implementation:
            mean = director_start - 0.3 + (director_end - director_start) * progress * 0.8
        else:
            mean = 2.6 + trend * k
        answers[key] = _answer(rng, mean)
    return answers


def _survey(ctx):
    factors = pulse.targeted_factor_keys(ctx.org)[:4] or FALLBACK_FACTORS
    return pulse.save_survey(
        ctx.org,
        {
            "title": "Maandelijkse puls werkdruk",
            "item_keys": factors + pulse.implementation_keys() + ["energie"],
            "interval_months": 1,
            "open_days": 10,
            "active": True,
            "team_ids": [ctx.teams[key].id for key in SCHOOLS],
        },
    )


def _rounds(ctx, survey) -> None:
    rng = random.Random(8)
    school_of = {ctx.teams[key].id: key for key in SCHOOLS}
    implementation = set(pulse.implementation_keys())
    last_open = ctx.day(-14)
    for k in range(ROUNDS):
        opens_on = pulse.add_months(last_open, k - (ROUNDS - 1))
        pulse_round, issued = pulse.open_round(survey, opens_on)
        by_school: dict[str, list] = {}
        for item in issued:
            by_school.setdefault(school_of[item.employee.team_id], []).append(item)
        for school, people in sorted(by_school.items()):
            for item in rng.sample(people, min(len(people), RESPONDENTS[school][k])):
                day = opens_on + timedelta(days=rng.randrange(survey.open_days))
                pulse.submit_answers(
                    item.raw, _answers(rng, pulse_round.item_keys, school, k, implementation), day
                )
                ctx.created += 1
        ctx.created += 1
    pulse.purge_tokens(ctx.day(0))
    pulse.freeze_closed_rounds(ctx.day(0))  # as the daily job does after a round closes


def load(ctx) -> None:
    """The schools' pulse with a year of rounds, and the werkgroep's first Wegwijzer ticks."""
    if pulse.get_survey(ctx.org) is None:
        _rounds(ctx, _survey(ctx))
    ticked = wegwijzer.checks(ctx.org)
    preventie = ctx.users.get("preventie@demo.riecycle.nl")
    for key in TICKS:
        if key not in ticked:
            wegwijzer.set_ticked(ctx.org, preventie, key, True)
            ctx.created += 1
