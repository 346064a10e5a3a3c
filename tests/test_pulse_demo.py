"""The demo's pulse: a year of rounds for the four schools, one with a falling response."""

from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import Organisation, PulseResponse, PulseRound, PulseToken, WegwijzerCheck
from riecycle.seeding.demo import load_demo
from riecycle.services import pulse


def test_demo_pulse_is_realistic_and_idempotent(app):
    load_demo()
    db.session.commit()
    counts = {
        m: db.session.scalar(select(func.count()).select_from(m))
        for m in (PulseRound, PulseResponse, WegwijzerCheck)
    }
    assert load_demo() == 0
    db.session.commit()
    assert counts == {m: db.session.scalar(select(func.count()).select_from(m)) for m in counts}
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "demo"))
    survey = pulse.get_survey(org)
    rounds, histories = pulse.team_histories(survey)
    assert len(rounds) == 12 and counts[WegwijzerCheck] >= 5
    assert (
        db.session.scalar(select(func.count()).select_from(PulseToken)) == 0
    )  # closed rounds keep no tokens
    by_team = {h.team_name: h for h in histories}
    assert set(by_team) == {"OBS De Regenboog", "OBS De Schans", "OBS Het Kompas", "OBS De Vesting"}
    vesting = by_team["OBS De Vesting"]
    assert (
        vesting.falling and not vesting.latest.visible and vesting.latest.responded < pulse.min_respondents()
    )
    assert all(not h.falling and h.latest.visible for name, h in by_team.items() if name != "OBS De Vesting")
    # The targeted factors improve slowly where the approach works.
    regenboog = by_team["OBS De Regenboog"].results
    factors = pulse.factor_keys_of(rounds[0])
    assert regenboog[-1].mean_of(factors) > regenboog[0].mean_of(factors) + 0.4
    assert all(1 <= v <= 5 for r in regenboog for v in r.means.values())
