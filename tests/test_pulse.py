"""Pulse monitoring: anonymity, single-use tokens, the threshold everywhere, response rates,
the falling-response flag, the baseline comparison and the monthly job."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import DateTime, func, inspect, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.jobs.pulse import open_due_rounds
from riecycle.models import (
    AuditEntry,
    Employee,
    Measure,
    OnderzoekTeam,
    PulseAnswer,
    PulseResponse,
    PulseRound,
    PulseToken,
    Risk,
    VerdiependOnderzoek,
)
from riecycle.services import ServiceError, onderzoek
from riecycle.services import pulse as service
from tests.factories import PULSE_ANSWER, PULSE_ITEMS, make_survey, run_round, same, team

# --- helpers (also used by the dashboard and browser tests) ----------------------------


# --- answering -------------------------------------------------------------------------


def test_answer_page_works_once(staffed, client):
    survey = make_survey(staffed)
    _round, issued = service.open_round(survey, clock.today())
    db.session.commit()
    raw = issued[0].raw
    page = client.get(f"/puls/{raw}", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.request.path == PULSE_ANSWER
    assert 'name="viewport"' in html and "minder dan een minuut" in html
    assert html.count('type="radio"') == 5 * len(PULSE_ITEMS)
    first = client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2"})
    assert first.status_code == 302 and first.headers["Location"].endswith("/puls/bedankt")
    # The session ended with the answer; the link itself is used up.
    assert client.post(PULSE_ANSWER, data={"tijdsdruk": "1", "betrokkenheid": "1"}).status_code == 410
    second = client.get(f"/puls/{raw}")
    assert second.status_code == 410
    assert "Deze link is al gebruikt" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 1
    values = sorted(db.session.scalars(select(PulseAnswer.value)))
    assert values == [2, 4]


def test_bad_answers_rerender_and_keep_the_token(staffed, client):
    survey = make_survey(staffed)
    _round, issued = service.open_round(survey, clock.today())
    db.session.commit()
    raw = issued[0].raw
    assert client.get(f"/puls/{raw}").status_code == 303
    missing = client.post(PULSE_ANSWER, data={"tijdsdruk": "4"})
    assert missing.status_code == 400
    assert "Kies een antwoord" in missing.get_data(as_text=True)
    out_of_range = client.post(PULSE_ANSWER, data={"tijdsdruk": "9", "betrokkenheid": "3"})
    assert out_of_range.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 0
    assert client.post(PULSE_ANSWER, data={"tijdsdruk": "5", "betrokkenheid": "3"}).status_code == 302


def test_unknown_and_closed_links_get_a_clear_dutch_page(staffed, client):
    assert client.get("/puls/bestaat-niet").status_code == 404
    assert "niet (meer) geldig" in client.get("/puls/bestaat-niet").get_data(as_text=True)
    survey = make_survey(staffed)
    past = clock.today() - timedelta(days=20)
    _round, issued = service.open_round(survey, past)
    db.session.commit()
    response = client.get(f"/puls/{issued[0].raw}")
    assert response.status_code == 410 and "gesloten" in response.get_data(as_text=True)
    with pytest.raises(service.TokenRefused):
        service.submit_answers(issued[1].raw, {"tijdsdruk": 3, "betrokkenheid": 3})


def test_public_post_requires_csrf(staffed, client, app):
    survey = make_survey(staffed)
    _round, issued = service.open_round(survey, clock.today())
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/puls/{issued[0].raw}", follow_redirects=True).get_data(as_text=True)
    response = client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2"})
    assert response.status_code == 400
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    ok = client.post(PULSE_ANSWER, data={"tijdsdruk": "4", "betrokkenheid": "2", "csrf_token": token})
    assert ok.status_code == 302


# --- anonymity -------------------------------------------------------------------------


def test_no_table_links_an_answer_to_an_employee(staffed):
    for model in (PulseResponse, PulseAnswer):
        table = model.__table__
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & {"employees", "pulse_tokens", "users"}, (table.name, targets)
        assert not [
            c.name for c in table.columns if "employee" in c.name or "token" in c.name or "user" in c.name
        ]
        assert not [c.name for c in table.columns if isinstance(c.type, DateTime) or c.name.endswith("_at")]
    assert {c.name for c in PulseResponse.__table__.columns} == {
        "id",
        "organisation_id",
        "round_id",
        "team_id",
    }
    assert {fk.column.table.name for fk in PulseAnswer.__table__.foreign_keys} == {"pulse_responses"}
    token_targets = {fk.column.table.name for fk in PulseToken.__table__.foreign_keys}
    assert "pulse_responses" not in token_targets and "token_hash" in PulseToken.__table__.columns
    assert not [c.name for c in PulseToken.__table__.columns if isinstance(c.type, DateTime)]

    survey = make_survey(staffed)
    _round, issued = run_round(survey, clock.today(), {team(staffed).id: same(4, 6)})
    raws = {item.raw for item in issued}
    for token in db.session.scalars(select(PulseToken)):
        assert token.token_hash not in raws and len(token.token_hash) == 64  # only the SHA-256
    responses = db.session.scalars(select(PulseResponse)).all()
    assert len(responses) == 6
    employee_ids = {str(e.id) for e in db.session.scalars(select(Employee))}
    for response in responses:
        assert re.fullmatch(r"[0-9a-f]{32}", response.id) and response.id not in employee_ids
    # Nothing about tokens, responses or answers goes to the audit trail (it has exact times).
    entities = set(db.session.scalars(select(AuditEntry.entity)))
    assert not {"PulseToken", "PulseResponse", "PulseAnswer"} & entities
    assert not [c for c in inspect(PulseResponse).relationships if c.mapper.class_ in (Employee, PulseToken)]


def test_closing_a_round_removes_its_tokens(staffed):
    survey = make_survey(staffed)
    pulse_round, _issued = run_round(survey, clock.today(), {team(staffed).id: same(4, 5)})
    assert db.session.scalar(select(func.count()).select_from(PulseToken)) == 14
    service.close_round(pulse_round, clock.today())
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PulseToken)) == 0
    assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 5
    assert service.visible_team_results([pulse_round])[(pulse_round.id, team(staffed).id)].responded == 5


# --- threshold: never a team result with 4 respondents ----------------------------------


@pytest.fixture
def four_and_five(staffed):
    """Noord: 5 respondents answering 5; Zuid: 4 respondents answering 1 (threshold 5).

    The round has closed (open 10 days): an open round shows no averages at all."""
    survey = make_survey(staffed)
    pulse_round, _issued = run_round(
        survey,
        clock.today() - timedelta(days=20),
        {team(staffed).id: same(5, 5), team(staffed, "Zorgteam Zuid").id: same(1, 4)},
    )
    return pulse_round


def test_threshold_in_the_service(four_and_five, staffed):
    results = service.visible_team_results([four_and_five])
    noord, zuid = (
        results[(four_and_five.id, team(staffed).id)],
        results[(four_and_five.id, team(staffed, "Zorgteam Zuid").id)],
    )
    assert noord.visible and noord.means == {"tijdsdruk": 5.0, "betrokkenheid": 5.0}
    assert not zuid.visible and zuid.means == {} and zuid.responded == 4
    org = service.organisation_result(four_and_five)
    # The small team is left out of the organisation figure, so it cannot be derived from it.
    assert org.means == {"tijdsdruk": 5.0, "betrokkenheid": 5.0} and org.excluded == 4


def test_threshold_in_pages_charts_and_export(four_and_five, staffed, client_as):
    client = client_as("or_lid")
    zuid = "Zorgteam Zuid"
    html = client.get(f"/o/acme/pulse/rondes/{four_and_five.id}").get_data(as_text=True)
    cells = re.findall(r'<td class="num below-threshold">(.*?)</td>', html, re.S)
    assert cells and all("te weinig antwoorden" in c for c in cells)
    assert "1,0" not in html and "5,0" in html
    index = client.get("/o/acme/pulse/").get_data(as_text=True)
    figures = re.findall(r"<figure class=\"chart chart-pulse-trend\">.*?</figure>", index, re.S)
    assert len(figures) == 2
    for chunk in figures:
        if f">{zuid}</title>" in chunk:
            assert 'data-count="0"' in chunk and "data-score" not in chunk and "&lt;5" in chunk
        else:
            assert 'data-score="5.0"' in chunk or 'data-score="5"' in chunk
    dashboard = client.get("/o/acme/cyclus").get_data(as_text=True)
    dashboard_charts = re.findall(r"<figure class=\"chart chart-pulse-trend\">.*?</figure>", dashboard, re.S)
    # The dashboard shows the organisation's trend (and only falling teams): Zuid's 1,0 is nowhere.
    assert len(dashboard_charts) == 1 and ">Acme Zorg</title>" in dashboard_charts[0]
    assert f">{zuid}</title>" not in dashboard and 'data-score="1' not in dashboard
    export = client.get("/o/acme/pulse/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = [line.split(";") for line in export.get_data(as_text=True).lstrip("\ufeff").splitlines()[1:]]
    zuid_rows = [r for r in rows if r[2] == zuid]
    assert len(zuid_rows) == 1 and zuid_rows[0][4] == "4" and "verborgen" in zuid_rows[0][7]
    assert all(r[7] in ("5,00",) for r in rows if r[2] == "Zorgteam Noord")


def test_threshold_comes_from_config_but_never_below_three(app, four_and_five, staffed):
    app.config["PULSE_MIN_RESPONDENTS"] = 4
    results = service.visible_team_results([four_and_five])
    assert results[(four_and_five.id, team(staffed, "Zorgteam Zuid").id)].visible
    app.config["PULSE_MIN_RESPONDENTS"] = 1
    assert service.min_respondents() == 3


def test_leidinggevende_sees_only_their_own_teams(four_and_five, client_as):
    html = client_as("leidinggevende").get(f"/o/acme/pulse/rondes/{four_and_five.id}").get_data(as_text=True)
    assert "Zorgteam Noord" in html and "Zorgteam Zuid" not in html
    export = client_as("leidinggevende").get("/o/acme/pulse/export.csv").get_data(as_text=True)
    assert "Zorgteam Noord" in export and "Zorgteam Zuid" not in export


# --- response rates and the falling flag ------------------------------------------------


def test_response_rate_maths(staffed):
    survey = make_survey(staffed)
    pulse_round, _issued = run_round(
        survey, clock.today(), {team(staffed).id: same(3, 6), team(staffed, "Zorgteam Zuid").id: same(3, 3)}
    )
    results = service.visible_team_results([pulse_round])
    noord = results[(pulse_round.id, team(staffed).id)]
    zuid = results[(pulse_round.id, team(staffed, "Zorgteam Zuid").id)]
    assert (noord.invited, noord.responded, noord.rate) == (8, 6, 0.75)
    assert (zuid.invited, zuid.responded, zuid.rate) == (6, 3, 0.5)
    org = service.organisation_result(pulse_round)
    assert (org.invited, org.responded) == (14, 9) and org.rate == pytest.approx(9 / 14)


def test_people_without_email_or_out_of_service_are_not_invited(staffed):
    noord = team(staffed)
    db.session.add(Employee(organisation_id=staffed.org.id, name="Zonder mail", team_id=noord.id))
    db.session.add(
        Employee(
            organisation_id=staffed.org.id,
            name="Vertrokken",
            team_id=noord.id,
            email="weg@acme.example",
            end_date=date(2021, 1, 1),
        )
    )
    survey = make_survey(staffed, team_ids=[noord.id])
    pulse_round, issued = service.open_round(survey, clock.today())
    assert len(issued) == 8 and {i.employee.team_id for i in issued} == {noord.id}
    assert [(t.team_id, t.invited) for t in pulse_round.teams] == [(noord.id, 8)]


@pytest.mark.parametrize(
    ("rates", "flag"),
    [
        ([0.8, 0.7, 0.6], "twee_keer_gedaald"),
        ([0.8, 0.8, 0.8, 0.6], "onder_gemiddelde"),  # 20 points under the average
        ([0.8, 0.8, 0.8, 0.66], None),  # 14 points: not yet
        ([0.8, 0.8, 0.8, 0.65], "onder_gemiddelde"),  # exactly 15 points
        ([0.8, 0.6, 0.7], None),
        ([0.8, 0.7], None),  # too few rounds
        ([0.9, None, 0.8, 0.7], "twee_keer_gedaald"),  # rounds the team was not in are skipped
        ([0.5, 0.6, 0.7], None),
    ],
)
def test_falling_response_rule(rates, flag):
    assert service.falling_response(rates) == flag


def test_falling_response_is_flagged_on_the_pages(staffed, client_as):
    survey = make_survey(staffed)
    today = clock.today()
    noord, zuid = team(staffed).id, team(staffed, "Zorgteam Zuid").id
    for months_ago, n_noord in ((4, 8), (3, 7), (2, 6), (1, 5)):
        run_round(survey, service.add_months(today, -months_ago), {noord: same(4, n_noord), zuid: same(4, 5)})
    # An open round's response is still growing: it does not count.
    run_round(survey, today, {noord: same(4, 1)})
    _rounds, histories = service.team_histories(survey, today=today)
    flags = {h.team_name: h.falling for h in histories}
    assert flags == {"Zorgteam Noord": "twee_keer_gedaald", "Zorgteam Zuid": None}
    html = client_as("or_lid").get("/o/acme/pulse/").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-team="([^"]+)">(.*?)</tr>', html, re.S))
    assert "dalende respons" in rows["Zorgteam Noord"] and "dalende respons" not in rows["Zorgteam Zuid"]
    assert "15 procentpunt" in html
    dashboard = client_as("auditor").get("/o/acme/cyclus").get_data(as_text=True)
    assert 'data-alert="falling-response"' in dashboard and "Zorgteam Noord" in dashboard


# --- baseline vs follow-up ---------------------------------------------------------------


def _onderzoek(world, scores_by_team: dict, respondents: dict):
    found = onderzoek.create(
        world.org,
        {
            "title": "Verdiepend onderzoek 2024",
            "period_start": date(2024, 3, 1),
            "anonymous": True,
            "reveals_causes": True,
        },
    )
    for team_id, scores in scores_by_team.items():
        onderzoek.set_team_result(world.org, found, team_id, None, respondents[team_id], scores)
    db.session.commit()
    return found


def test_baseline_comparison_with_verdiepend_onderzoek(staffed, client_as):
    noord, zuid = team(staffed).id, team(staffed, "Zorgteam Zuid").id
    # Onderzoek: higher = bigger knelpunt. 4.0 on tijdsdruk is 2.0 in the pulse direction.
    baseline = _onderzoek(
        staffed, {noord: {"tijdsdruk": 4.0}, zuid: {"tijdsdruk": 2.0}}, {noord: 10, zuid: 3}
    )
    survey = make_survey(staffed)
    pulse_round, _issued = run_round(
        survey,
        clock.today() - timedelta(days=20),
        {
            noord: [{"tijdsdruk": 3, "betrokkenheid": 4}] * 3 + [{"tijdsdruk": 4, "betrokkenheid": 4}] * 3,
            zuid: same(2, 6),
        },
    )
    side = service.onderzoek_side(baseline)
    items = service.common_items({"tijdsdruk"}, pulse_round)
    assert items == ["tijdsdruk"]
    rows = {r.team_name: r for r in service.compare(side, service.round_side(pulse_round), items)}
    assert rows["Zorgteam Noord"].baseline == pytest.approx(2.0)
    assert rows["Zorgteam Noord"].followup == pytest.approx(3.5)
    assert rows["Zorgteam Noord"].difference == pytest.approx(1.5)
    # Zuid had only 3 respondents in the onderzoek: hidden, although the pulse side is visible.
    assert rows["Zorgteam Zuid"].hidden and rows["Zorgteam Zuid"].difference is None
    html = (
        client_as("or_lid")
        .get(f"/o/acme/pulse/vergelijken?baseline=o:{baseline.id}&followup={pulse_round.id}")
        .get_data(as_text=True)
    )
    assert 'data-difference="1.50"' in html and "6 − score" in html
    assert re.search(r'data-team="Zorgteam Zuid".*?te weinig respondenten', html, re.S)


def test_baseline_comparison_between_pulse_rounds(staffed, client_as):
    noord, zuid = team(staffed).id, team(staffed, "Zorgteam Zuid").id
    survey = make_survey(staffed)
    today = clock.today()
    first, _i = run_round(survey, service.add_months(today, -3), {noord: same(2, 6), zuid: same(3, 5)})
    later, _i = run_round(survey, service.add_months(today, -1), {noord: same(4, 6), zuid: same(3, 4)})
    rows = service.compare(service.round_side(first), service.round_side(later), list(PULSE_ITEMS))
    by_key = {(r.team_name, r.item_key): r for r in rows}
    assert by_key[("Zorgteam Noord", "tijdsdruk")].difference == pytest.approx(2.0)
    assert by_key[("Zorgteam Zuid", "betrokkenheid")].hidden  # 4 respondents in the later round
    html = (
        client_as("auditor")
        .get(f"/o/acme/pulse/vergelijken?baseline=r:{first.id}&followup={later.id}")
        .get_data(as_text=True)
    )
    assert html.count('data-difference="2.00"') == 2
    assert client_as("auditor").get("/o/acme/pulse/vergelijken?baseline=o:999999").status_code == 200


def test_foreign_baseline_is_refused(staffed, client_as):
    other_onderzoek = VerdiependOnderzoek(
        organisation_id=staffed.other_org.id, title="Ander", period_start=date(2024, 1, 1)
    )
    db.session.add(other_onderzoek)
    db.session.commit()
    make_survey(staffed)
    html = (
        client_as("beheerder")
        .get(f"/o/acme/pulse/vergelijken?baseline=o:{other_onderzoek.id}")
        .get_data(as_text=True)
    )
    assert "Ander" not in html and "Kies een bestaande nulmeting" in html
    assert db.session.scalar(select(func.count()).select_from(OnderzoekTeam)) == 0


# --- composing ---------------------------------------------------------------------------


def test_targeted_factors_come_from_risks_with_open_measures(staffed):
    from riecycle.models import Factor

    risk = Risk(organisation_id=staffed.org.id, theme_key="werkdruk", title="Piekdrukte", description="x")
    risk.factors = [db.session.get(Factor, "tijdsdruk"), db.session.get(Factor, "taakonderbrekingen")]
    closed = Risk(organisation_id=staffed.org.id, theme_key="werkdruk", title="Opgelost", description="x")
    closed.factors = [db.session.get(Factor, "autonomie")]
    db.session.add_all([risk, closed])
    db.session.flush()
    for target, status in ((risk, "in_uitvoering"), (closed, "uitgevoerd")):
        measure = Measure(
            organisation_id=staffed.org.id,
            title=f"M {target.title}",
            level="organisatie",
            approach="bronaanpak",
            responsible_id=staffed.users["preventiemedewerker"].id,
            termijn=date(2030, 1, 1),
            status=status,
        )
        measure.risks = [target]
        db.session.add(measure)
    db.session.commit()
    assert service.targeted_factor_keys(staffed.org) == ["tijdsdruk", "taakonderbrekingen"]
    assert service.default_item_keys(staffed.org) == [
        "tijdsdruk",
        "taakonderbrekingen",
        "voortgang_bekend",
        "betrokkenheid",
        "directie_betrokken",
    ]


def test_compose_validates_and_saves(staffed, client_as):
    client = client_as("preventiemedewerker")
    page = client.get("/o/acme/pulse/samenstellen").get_data(as_text=True)
    assert 'value="directie_betrokken" checked' in page
    catalogue = list(service.item_catalogue())
    too_many = client.post(
        "/o/acme/pulse/samenstellen",
        data={"title": "Puls", "item_keys": catalogue[:11], "interval_months": "1", "open_days": "10"},
    )
    assert too_many.status_code == 400 and "binnen een minuut" in too_many.get_data(as_text=True)
    assert (
        client.post(
            "/o/acme/pulse/samenstellen",
            data={"title": "Puls", "item_keys": ["tijdsdruk"], "interval_months": "1", "open_days": "40"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/o/acme/pulse/samenstellen",
            data={"title": "Puls", "item_keys": ["bestaat_niet"], "interval_months": "1", "open_days": "5"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/o/acme/pulse/samenstellen",
            data={
                "title": "Puls",
                "item_keys": ["tijdsdruk"],
                "interval_months": "1",
                "open_days": "5",
                "team_ids": [str(staffed.other_team.id)],
            },
        ).status_code
        == 400
    )
    db.session.expire_all()
    assert service.get_survey(staffed.org) is None
    ok = client.post(
        "/o/acme/pulse/samenstellen",
        data={
            "title": "Maandpuls",
            "item_keys": ["directie_betrokken", "tijdsdruk"],
            "interval_months": "2",
            "open_days": "7",
            "active": "y",
            "team_ids": [str(team(staffed).id)],
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    survey = service.get_survey(staffed.org)
    assert survey.item_keys == ["tijdsdruk", "directie_betrokken"]  # catalogue order
    assert (survey.interval_months, survey.open_days, [t.id for t in survey.teams]) == (
        2,
        7,
        [team(staffed).id],
    )


def test_open_now_and_close_from_the_pages(staffed, client_as, outbox):
    make_survey(staffed)
    client = client_as("beheerder")
    assert client.post("/o/acme/pulse/ronde-openen", data={"bevestigd": "ja"}).status_code == 302
    mails = outbox()
    assert len(mails) == 14
    again = client.post("/o/acme/pulse/ronde-openen", data={"bevestigd": "ja"}, follow_redirects=True)
    assert "al een ronde open" in again.get_data(as_text=True)
    pulse_round = db.session.scalar(select(PulseRound))
    assert client.post(f"/o/acme/pulse/rondes/{pulse_round.id}/sluiten").status_code == 302
    db.session.expire_all()
    assert not db.session.get(PulseRound, pulse_round.id).is_open(clock.today())
    link = re.search(r"http://localhost(/puls/\S+)", mails[0].get_content()).group(1)
    assert client_as("anon").get(link).status_code == 404  # token removed with the round


# --- the monthly job -----------------------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)


def test_open_due_rounds_is_idempotent_and_mails_personal_links(staffed, outbox, client):
    survey = make_survey(staffed)
    start = date(2030, 3, 10)
    opened = open_due_rounds(_at(start))
    assert [r.number for r in opened] == [1]
    mails = outbox()
    assert len(mails) == 14 and len({m["To"] for m in mails}) == 14
    assert "minder dan een minuut" in mails[0].get_content()
    assert open_due_rounds(_at(start)) == []
    assert open_due_rounds(_at(start + timedelta(days=5))) == []
    assert len(outbox()) == 14
    db.session.expire_all()
    tokens = db.session.scalars(select(PulseToken)).all()
    assert len(tokens) == 14 and all(t.mailed_on == start for t in tokens)
    # After the round closes its tokens go; a month after opening the next round opens.
    assert open_due_rounds(_at(start + timedelta(days=20))) == []
    assert db.session.scalar(select(func.count()).select_from(PulseToken)) == 0
    second = open_due_rounds(_at(service.add_months(start, 1)))
    assert [r.number for r in second] == [2]
    survey = service.get_survey(staffed.org)
    survey.active = False
    db.session.commit()
    assert open_due_rounds(_at(service.add_months(start, 3))) == []


def test_failed_invitations_are_reissued_next_run(staffed, outbox, monkeypatch):
    make_survey(staffed)
    from riecycle import mail

    real = mail.send_mail
    broken = staffed.employees[0].email

    def flaky(to, subject, body, attachments=()):
        if to == broken:
            raise OSError("smtp down")
        return real(to, subject, body, attachments)

    monkeypatch.setattr(mail, "send_mail", flaky)
    day = date(2030, 5, 1)
    open_due_rounds(_at(day))
    assert len(outbox()) == 13
    unmailed = db.session.scalar(select(PulseToken).where(PulseToken.mailed_on.is_(None)))
    old_hash = unmailed.token_hash
    monkeypatch.setattr(mail, "send_mail", real)
    assert open_due_rounds(_at(day + timedelta(days=1))) == []
    mails = outbox()
    assert len(mails) == 14 and mails[-1]["To"] == broken
    db.session.expire_all()
    token = db.session.get(PulseToken, unmailed.id)
    assert token.mailed_on == day + timedelta(days=1) and token.token_hash != old_hash


def test_cli_open_due(app, staffed, outbox):
    make_survey(staffed)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pulse", "open-due", "--now", "2031-01-05"])
    assert result.exit_code == 0, result.output
    assert "1 ronde(s) geopend" in result.output
    again = runner.invoke(args=["pulse", "open-due", "--now", "2031-01-05T09:00:00+01:00"])
    assert "0 ronde(s) geopend" in again.output
    bad = runner.invoke(args=["pulse", "open-due", "--now", "gisteren"])
    assert bad.exit_code != 0


def test_open_round_refuses_without_invitees(world):
    survey = make_survey(world, team_ids=[world.teams["Zorgteam Noord"].id])
    for employee in world.employees:
        employee.email = None
    db.session.commit()
    with pytest.raises(ServiceError):
        service.open_round(survey, clock.today())


def test_the_scheduler_job_opens_due_rounds(staffed, outbox, app):
    """The daily scheduled job (riecycle.jobs.daily_reminders) opens the pulse as well."""
    from riecycle import jobs

    make_survey(staffed)
    jobs.daily_reminders(app)
    db.session.expire_all()
    assert [r.number for r in db.session.scalars(select(PulseRound))] == [1]
    links = [m for m in outbox() if "/puls/" in m.get_content()]
    assert len(links) == 14
    jobs.daily_reminders(app)  # a second run the same day sends no link twice
    assert len([m for m in outbox() if "/puls/" in m.get_content()]) == 14


def test_a_failing_reminder_pass_does_not_stop_the_pulse(staffed, outbox, app, monkeypatch):
    from riecycle import jobs
    from riecycle.jobs import reminders

    def broken(now=None):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(reminders, "run_pass", broken)
    make_survey(staffed)
    jobs.daily_reminders(app)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PulseRound)) == 1
