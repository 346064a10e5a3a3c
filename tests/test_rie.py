"""RI&E rules: Kinney and matrix scoring, evaluation history, the art. 14 exemption, themes,
verdiepend onderzoek (response rate, anonymity), the top 5 and the demo loader."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    OnderzoekScore,
    OnderzoekTeam,
    Rie,
    RieTheme,
    Risk,
    RiskEvaluation,
    Toetsing,
    VerdiependOnderzoek,
)
from riecycle.services import ServiceError, onderzoek, scoring
from riecycle.services import rie as rie_service
from riecycle.services import risks as risk_service
from tests.factories import make_rie, make_service_risk


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- Kinney and matrix -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kans", "frequentie", "effect", "score", "priority"),
    [
        (1, 1, 1, 1, "laag"),
        (3, 1, 5, 15, "laag"),  # highest laag: 15
        (1, 4, 5, 20, "middel"),  # lowest middel product above 15
        (3, 7, 1, 21, "middel"),
        (5, 1, 10, 50, "middel"),  # 50 is still middel
        (3, 4, 5, 60, "hoog"),  # lowest hoog product above 50
        (5, 7, 5, 175, "hoog"),
        (5, 7, 10, 350, "hoog"),
    ],
)
def test_kinney_score_and_priority(app, kans, frequentie, effect, score, priority):
    result = scoring.compute("kinney", kans, effect, frequentie)
    assert (result.score, result.priority) == (score, priority)


@pytest.mark.parametrize(("score", "priority"), [(15, "laag"), (16, "middel"), (50, "middel"), (51, "hoog")])
def test_kinney_thresholds(score, priority):
    assert scoring.kinney_priority(score) == priority


@pytest.mark.parametrize(
    ("kans", "frequentie", "effect", "field"),
    [
        (2, 4, 5, "kans"),
        (3, 5, 5, "frequentie"),
        (3, 4, 3, "effect"),
        (3, None, 5, "frequentie"),
        ("x", 4, 5, "kans"),
        (None, 4, 5, "kans"),
    ],
)
def test_kinney_rejects_values_off_the_scale(app, kans, frequentie, effect, field):
    with pytest.raises(ServiceError) as error:
        scoring.compute("kinney", kans, effect, frequentie)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("kans", "effect", "score", "priority"),
    [
        (1, 1, 1, "laag"),
        (2, 2, 4, "laag"),
        (1, 5, 5, "middel"),
        (3, 4, 12, "middel"),
        (3, 5, 15, "hoog"),
        (5, 5, 25, "hoog"),
    ],
)
def test_matrix_score_and_priority(app, kans, effect, score, priority):
    result = scoring.compute("matrix", kans, effect)
    assert (result.score, result.priority) == (score, priority)


@pytest.mark.parametrize(("kans", "effect"), [(0, 3), (6, 3), (3, 6), (3, 10)])
def test_matrix_rejects_values_off_the_grid(app, kans, effect):
    with pytest.raises(ServiceError):
        scoring.compute("matrix", kans, effect)


# --- evaluation history --------------------------------------------------------------------


def test_every_evaluation_is_kept_and_the_latest_is_current(app, world):
    risk = make_service_risk(world)
    user = world.users["preventiemedewerker"]
    today = clock.today()
    risk_service.evaluate(world.org, risk, user, 5, 5, 7, today - timedelta(days=200))
    risk_service.evaluate(world.org, risk, user, 3, 5, 4, today)
    # A backdated evaluation entered later does not replace the latest one.
    risk_service.evaluate(world.org, risk, user, 5, 10, 7, today - timedelta(days=100), note="tussendoor")
    db.session.commit()
    history = risk_service.history(risk)
    assert [e.score for e in history] == [175, 350, 60]
    assert all(e.evaluated_by_id == user.id for e in history)
    first, last = risk_service.before_after(risk)
    assert (first.score, last.score) == (175, 60)
    assert (risk.current_score, risk.current_priority) == (60, "hoog")
    assert (risk.current_kans, risk.current_effect, risk.current_method) == (3, 5, "kinney")
    assert count(RiskEvaluation) == 3


def test_evaluation_uses_the_organisations_method(app, world):
    world.org.risk_method = "matrix"
    risk = make_service_risk(world)
    evaluation = risk_service.evaluate(world.org, risk, None, 4, 4)
    assert (evaluation.method, evaluation.score, evaluation.priority, evaluation.frequentie) == (
        "matrix",
        16,
        "hoog",
        None,
    )


def test_evaluation_date_cannot_be_in_the_future(app, world):
    risk = make_service_risk(world)
    with pytest.raises(ServiceError) as error:
        risk_service.evaluate(world.org, risk, None, 3, 5, 4, clock.today() + timedelta(days=1))
    assert error.value.field == "evaluated_on"
    assert count(RiskEvaluation) == 0


# --- art. 14 exemption ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "hours", "branche", "exempt", "words"),
    [
        (25, None, True, True, ["25 werknemers", "erkende branche-RI&E"]),
        (26, None, True, False, ["26 werknemers is meer dan 25"]),
        (25, None, False, False, ["geen erkende branche-RI&E"]),
        (1, None, False, False, ["geen erkende branche-RI&E"]),
        (None, 40, False, True, ["40 betaalde uren per week"]),
        (
            None,
            41,
            False,
            False,
            ["41 betaalde uren per week is meer dan 40", "aantal werknemers is niet ingevuld"],
        ),
        (120, 40, False, True, ["niet meer dan 40"]),
        (120, 41, True, False, ["120 werknemers is meer dan 25", "41 betaalde uren"]),
        (
            None,
            None,
            True,
            False,
            ["aantal werknemers is niet ingevuld", "betaalde uren per week is niet ingevuld"],
        ),
        (None, None, False, False, ["niet ingevuld"]),
    ],
)
def test_exemption_boundaries(app, world, employees, hours, branche, exempt, words):
    org = world.org
    org.employee_count, org.weekly_paid_hours, org.uses_branche_rie = employees, hours, branche
    result = rie_service.exemption(org)
    assert result.exempt is exempt
    assert "Arbowet art. 14" in result.reason
    assert result.reason.startswith("Vrijgesteld" if exempt else "Toetsing verplicht")
    for word in words:
        assert word in result.reason


def test_unknown_numbers_are_listed_as_missing(app, world):
    world.org.employee_count, world.org.weekly_paid_hours = None, None
    assert rie_service.exemption(world.org).missing == ["employee_count", "weekly_paid_hours"]


def test_an_erkend_instrument_counts_as_branche_rie(app, world):
    world.org.employee_count, world.org.uses_branche_rie = 20, False
    rie = make_rie(world)
    assert rie_service.exemption(world.org, rie).exempt is False
    rie.instrument_erkend = True
    assert rie_service.exemption(world.org, rie).exempt is True


# --- RI&E versions, themes, toetsing -------------------------------------------------------------


def test_exactly_one_version_is_current(app, world):
    first = make_rie(world)
    second = make_rie(world)
    assert (first.version, second.version) == (1, 2)
    assert (first.is_current, second.is_current) == (False, True)
    rie_service.set_current(world.org, first)
    assert rie_service.current_rie(world.org) is first
    assert db.session.scalar(select(func.count()).where(Rie.is_current.is_(True))) == 1
    third = rie_service.create_rie(
        world.org,
        {"performed_on": clock.today(), "performed_by_kind": "extern", "review_interval_months": 12},
        make_current=False,
    )
    assert not third.is_current and rie_service.current_rie(world.org) is first


def test_hybrid_work_needs_a_description(app, world):
    with pytest.raises(ServiceError) as error:
        rie_service.create_rie(
            world.org,
            {
                "performed_on": clock.today(),
                "performed_by_kind": "intern",
                "review_interval_months": 36,
                "hybrid_work_considered": True,
            },
        )
    assert error.value.field == "hybrid_work_notes"


def test_review_due_date(app, world):
    rie = make_rie(world)
    rie.performed_on, rie.review_interval_months = clock.today().replace(year=2024, month=1, day=31), 13
    assert rie.review_due_on.isoformat() == "2025-02-28"


def test_niet_van_toepassing_requires_a_reason(app, world):
    rie = make_rie(world)
    with pytest.raises(ServiceError) as error:
        rie_service.set_theme_coverage(world.org, rie, {"pesten": (False, "  ")})
    assert error.value.field == "reason_pesten"
    assert count(RieTheme) == 0
    rie_service.set_theme_coverage(
        world.org, rie, {"pesten": (False, "Eenmanszaak"), "werkdruk": (True, None)}
    )
    rows = {r.theme.key: r for r in rie_service.theme_rows(world.org, rie)}
    assert rows["pesten"].state == "nvt" and rows["pesten"].entry.reason == "Eenmanszaak"
    assert rows["werkdruk"].state == "behandeld"
    assert rows["discriminatie"].state == "open"


def test_toetsing_needs_a_name_and_a_date_not_in_the_future(app, world):
    rie = make_rie(world)
    with pytest.raises(ServiceError):
        rie_service.add_toetsing(
            world.org, rie, {"expert_kind": "arbodienst", "expert_name": "", "tested_on": clock.today()}
        )
    with pytest.raises(ServiceError):
        rie_service.add_toetsing(
            world.org,
            rie,
            {"expert_kind": "arbodienst", "expert_name": "X", "tested_on": clock.today() + timedelta(days=2)},
        )
    rie_service.add_toetsing(
        world.org,
        rie,
        {"expert_kind": "kerndeskundige", "expert_name": "A. Deskundige", "tested_on": clock.today()},
    )
    assert count(Toetsing) == 1


# --- risks -------------------------------------------------------------------------------------


def test_risk_status_nvt_requires_a_reason(app, world):
    with pytest.raises(ServiceError) as error:
        make_service_risk(world, status="nvt")
    assert error.value.field == "status_reason"
    risk = make_service_risk(world, status="nvt", status_reason="Geen externe contacten")
    assert risk.status == "nvt"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"scope": "teams", "team_ids": []}, "team_ids"),
        ({"scope": "functiegroep"}, "function_group"),
        ({"theme_key": "bestaat_niet"}, "theme_key"),
        ({"factor_keys": ["bestaat_niet"]}, "factor_keys"),
        ({"description": " "}, "description"),
    ],
)
def test_risk_validation(app, world, extra, field):
    with pytest.raises(ServiceError) as error:
        make_service_risk(world, **extra)
    assert error.value.field == field
    assert count(Risk) == 0


def test_risk_cannot_use_another_organisations_team(app, world):
    with pytest.raises(ServiceError):
        make_service_risk(world, scope="teams", team_ids=[world.other_team.id])


def test_top5_ranks_are_unique(app, world):
    ids = [make_service_risk(world, title=f"Risico {n}").id for n in range(7)]
    risk_service.set_top5(world.org, ids[:5])
    assert [r.id for r in risk_service.top5(world.org)] == ids[:5]
    with pytest.raises(ServiceError):
        risk_service.set_top5(world.org, [ids[0], ids[0]])
    with pytest.raises(ServiceError):
        risk_service.set_top5(world.org, ids[:6])
    risk_service.set_top5(world.org, [ids[6], ids[0]])
    ranks = {r.id: r.top5_rank for r in db.session.scalars(select(Risk))}
    assert ranks[ids[6]] == 1 and ranks[ids[0]] == 2
    assert sum(1 for rank in ranks.values() if rank is not None) == 2


# --- verdiepend onderzoek -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("invited", "respondents", "rate", "met"),
    [
        (100, 50, 0.5, True),
        (100, 49, 0.49, False),
        (2, 1, 0.5, True),
        (None, 10, None, False),
        (0, 0, None, False),
    ],
)
def test_response_rate_and_the_half_rule(app, world, invited, respondents, rate, met):
    assert onderzoek.response_rate(invited, respondents) == rate
    study = onderzoek.create(
        world.org,
        {"title": "O", "period_start": clock.today(), "invited": invited or None, "respondents": respondents},
    )
    requirement = {r.key: r for r in onderzoek.requirements(study)}["response"]
    assert requirement.met is met


def test_more_respondents_than_invited_is_refused(app, world):
    with pytest.raises(ServiceError) as error:
        onderzoek.create(
            world.org, {"title": "O", "period_start": clock.today(), "invited": 10, "respondents": 11}
        )
    assert error.value.field == "respondents"


def test_team_results_hidden_below_the_threshold(app, world):
    study = onderzoek.create(world.org, {"title": "O", "period_start": clock.today()})
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    onderzoek.set_team_result(world.org, study, noord.id, 10, 5, {"tijdsdruk": 4.2})
    onderzoek.set_team_result(world.org, study, zuid.id, 10, 4, {"tijdsdruk": 3.1})
    table = onderzoek.results_table(study)
    visible = {t.team_id: v for t, v in table["columns"]}
    assert visible == {noord.id: True, zuid.id: False}
    assert list(table["cells"].values()) == [4.2]
    assert {r.key: r.met for r in onderzoek.requirements(study)}["per_team"] is True


def test_threshold_follows_config_but_never_below_three(app, world):
    app.config["PULSE_MIN_RESPONDENTS"] = 2
    assert onderzoek.min_respondents() == 3
    app.config["PULSE_MIN_RESPONDENTS"] = 8
    assert onderzoek.min_respondents() == 8
    study = onderzoek.create(world.org, {"title": "O", "period_start": clock.today()})
    result = onderzoek.set_team_result(world.org, study, world.teams["Zorgteam Noord"].id, 10, 7, {})
    assert onderzoek.team_visible(result) is False


def test_team_result_replaces_scores_and_checks_the_range(app, world):
    study = onderzoek.create(world.org, {"title": "O", "period_start": clock.today()})
    team_id = world.teams["Zorgteam Noord"].id
    with pytest.raises(ServiceError):
        onderzoek.set_team_result(world.org, study, team_id, 10, 6, {"tijdsdruk": 5.5})
    onderzoek.set_team_result(world.org, study, team_id, 10, 6, {"tijdsdruk": 4.0, "autonomie": 2.0})
    onderzoek.set_team_result(world.org, study, team_id, 10, 7, {"tijdsdruk": 3.0, "autonomie": None})
    assert count(OnderzoekTeam) == 1
    live = db.session.scalars(select(OnderzoekScore).where(OnderzoekScore.deleted_at.is_(None))).all()
    assert [(s.factor_key, s.score) for s in live] == [("tijdsdruk", 3.0)]
    with pytest.raises(ServiceError):
        onderzoek.set_team_result(world.org, study, world.other_team.id, 10, 6, {})


def test_all_requirements_met(app, world):
    study = onderzoek.create(
        world.org,
        {
            "title": "O",
            "period_start": clock.today() - timedelta(days=30),
            "invited": 12,
            "respondents": 6,
            "anonymous": True,
            "reveals_causes": True,
            "discussed_on": clock.today(),
        },
    )
    onderzoek.set_team_result(world.org, study, world.teams["Zorgteam Noord"].id, 6, 6, {"tijdsdruk": 3.5})
    assert all(r.met for r in onderzoek.requirements(study))
    study.anonymous, study.discussed_on = False, None
    met = {r.key: r.met for r in onderzoek.requirements(study)}
    assert met == {"causes": True, "per_team": True, "anonymous": False, "response": True, "discussed": False}


# --- demo ----------------------------------------------------------------------------------------


def test_demo_rie_loads_once(app):
    from riecycle.seeding.demo import load_demo

    load_demo()
    db.session.commit()
    models = (
        Rie,
        Toetsing,
        RieTheme,
        Risk,
        RiskEvaluation,
        VerdiependOnderzoek,
        OnderzoekTeam,
        OnderzoekScore,
        Approval,
    )
    before = {m.__name__: count(m) for m in models}
    assert before["Risk"] == 25 and before["Rie"] == 1 and before["RieTheme"] == 7
    assert before["VerdiependOnderzoek"] == 1 and before["Toetsing"] == 1
    load_demo()
    db.session.commit()
    assert {m.__name__: count(m) for m in models} == before
    rie = db.session.scalar(select(Rie))
    assert rie.is_current and rie.instrument_erkend and "primair onderwijs" in rie.instrument
    approval = db.session.scalar(select(Approval).where(Approval.subject_type == "rie"))
    assert approval.decision == "verleend"
    ranked = db.session.scalars(
        select(Risk).where(Risk.top5_rank.is_not(None)).order_by(Risk.top5_rank)
    ).all()
    assert [r.top5_rank for r in ranked] == [1, 2, 3, 4, 5]
    study = db.session.scalar(select(VerdiependOnderzoek))
    hidden = [t for t in study.teams if not onderzoek.team_visible(t)]
    assert len(hidden) == 1
    first = db.session.scalar(select(Risk).where(Risk.title == "Administratieve lasten leerkrachten"))
    before_, after = risk_service.before_after(first)
    assert (before_.score, after.score) == (175, 105)
    assert before_.evaluated_at.date() <= clock.today() - timedelta(days=419)


def test_demo_has_an_arbodienst_contract_so_a5_is_answered_from_the_records(app):
    from riecycle.models import ArbodienstContract, Attachment, Organisation
    from riecycle.seeding.demo import load_demo
    from riecycle.services import zelfinspectie

    load_demo()
    db.session.commit()
    load_demo()  # idempotent: still one contract with one document
    db.session.commit()
    [contract] = db.session.scalars(select(ArbodienstContract)).all()
    assert contract.provider == "Arbodienst Rivierenland (fictief)" and contract.until is None
    assert contract.since <= clock.today() - timedelta(days=1000)
    [document] = db.session.scalars(
        select(Attachment).where(Attachment.owner_type == "arbodienst_contract")
    ).all()
    assert document.owner_id == contract.id and b"artikel 14 Arbowet" in document.data
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "demo"))
    [a5] = [i for i in zelfinspectie.evaluate(org) if i["id"] == "A5"]
    assert a5["auto_answer"] == "voldoet", a5["explanation"]
    assert "Basiscontract met Arbodienst Rivierenland (fictief) sinds" in a5["explanation"]
    assert "(met document)" in a5["explanation"]
