"""Frozen pulse results: once a round has closed its totals are stored, and every figure read from
them is the one the answers give (the anonymity gate applies the same way)."""

from datetime import timedelta

import pytest

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs.pulse import open_due_rounds
from riecycle.models import PulseRound
from riecycle.services import ServiceError
from riecycle.services import pulse as service
from tests.factories import make_survey, run_round, same, team
from tests.support.queries import count_queries


def _figures(survey, today):
    round_list = service.rounds(survey)
    results = service.visible_team_results(round_list)
    return (
        {k: (r.invited, r.responded, r.visible, r.means) for k, r in results.items()},
        [service.organisation_result(r) for r in round_list],
        service.falling_teams(survey, today),
        [(h.team_name, h.falling) for h in service.team_histories(survey, today=today)[1]],
    )


@pytest.fixture
def history(staffed):
    """Four closed rounds (Noord's response falling, Zuid under the threshold once) and an open one."""
    survey = make_survey(staffed)
    today = clock.today()
    noord, zuid = team(staffed).id, team(staffed, "Zorgteam Zuid").id
    for months_ago, n_noord, n_zuid in ((4, 8, 5), (3, 7, 4), (2, 6, 5), (1, 5, 6)):
        answers = {noord: same(4, n_noord), zuid: same(2, n_zuid)}
        answers[noord][0] = {"tijdsdruk": 1, "betrokkenheid": 5}
        run_round(survey, service.add_months(today, -months_ago), answers)
    run_round(survey, today, {noord: same(3, 2)})
    return survey, today


def test_frozen_figures_equal_the_live_ones(history):
    survey, today = history
    live = _figures(survey, today)
    assert live[2] == {team_id: "twee_keer_gedaald" for team_id in live[2]} and len(live[2]) == 1
    assert service.freeze_closed_rounds(today) == 4
    db.session.commit()
    db.session.expire_all()
    frozen = _figures(survey, today)
    assert frozen[0] == live[0]
    assert [vars(r) for r in frozen[1]] == [vars(r) for r in live[1]]
    assert frozen[2:] == live[2:]
    rounds = service.rounds(survey)
    assert [r.results_frozen_on is not None for r in rounds] == [True, True, True, True, False]


def test_frozen_rounds_are_read_without_touching_the_answers(history):
    survey, today = history
    service.freeze_closed_rounds(today)
    db.session.commit()
    closed = service.rounds(survey)[:4]
    with count_queries(db.engine) as counter:
        service.visible_team_results(closed)
        for pulse_round in closed:
            service.organisation_result(pulse_round)
    assert counter.count > 0
    assert not [s for s in counter.statements if "pulse_answers" in s or "pulse_responses" in s]


def test_freezing_is_idempotent_and_refuses_an_open_round(history):
    survey, today = history
    assert service.freeze_closed_rounds(today) == 4
    assert service.freeze_closed_rounds(today) == 0
    current = service.rounds(survey)[-1]
    with pytest.raises(ServiceError):
        service.freeze_results(current, today)
    assert current.results_frozen_on is None


def test_a_changed_threshold_is_applied_to_frozen_rounds(app, staffed, history):
    survey, today = history
    app.config["PULSE_MIN_RESPONDENTS"] = 6
    live = _figures(survey, today)
    app.config["PULSE_MIN_RESPONDENTS"] = 5
    service.freeze_closed_rounds(today)  # frozen while the threshold was 5
    db.session.commit()
    app.config["PULSE_MIN_RESPONDENTS"] = 6
    db.session.expire_all()
    frozen = _figures(survey, today)
    assert frozen[0] == live[0]
    assert [vars(r) for r in frozen[1]] == [vars(r) for r in live[1]]
    # Zuid answered 5, 4, 5 and 6 times: with a threshold of 6 only its last closed round shows answers.
    zuid = team(staffed, "Zorgteam Zuid").id
    visible = [frozen[0][(r.id, zuid)][2] for r in service.rounds(survey)[:4]]
    assert visible == [False, False, False, True]


def test_the_daily_job_freezes_closed_rounds(history, outbox):
    survey, today = history
    open_due_rounds(clock.now() + timedelta(days=0))
    db.session.expire_all()
    assert all(r.results_frozen_on == today for r in service.rounds(survey)[:4])
    assert db.session.get(PulseRound, service.rounds(survey)[-1].id).results_frozen_on is None


def test_the_pulse_page_shows_teams_a_page_at_a_time(history, client_as, monkeypatch):
    import re

    from riecycle.views import pulse as pulse_views

    monkeypatch.setattr(pulse_views, "TEAMS_PER_PAGE", 1)
    client = client_as("preventiemedewerker")
    first = client.get("/o/acme/pulse/").get_data(as_text=True)
    second = client.get("/o/acme/pulse/?page=2").get_data(as_text=True)
    rows = [re.findall(r'<tr data-team="([^"]+)">', html) for html in (first, second)]
    assert rows == [["Zorgteam Noord"], ["Zorgteam Zuid"]]
    assert "Pagina 1 van 2" in first
    falling = client.get("/o/acme/pulse/?dalend=1").get_data(as_text=True)
    assert re.findall(r'<tr data-team="([^"]+)">', falling) == ["Zorgteam Noord"]
    assert 'data-alert="falling-response"' in falling
