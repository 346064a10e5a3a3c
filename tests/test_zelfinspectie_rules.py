"""Every automatic self-inspection rule flips its answer when the records change."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.models import (
    Approval,
    ArbodienstContract,
    Evaluation,
    Factor,
    Incident,
    IncidentAnalysis,
    Measure,
    PreventiemedewerkerAppointment,
    RieTheme,
    Theme,
    Toetsing,
)
from riecycle.services import accounts
from riecycle.services.zelfinspectie import load_checklist
from riecycle.zelfinspectie_rules import RULES
from tests.factories import (
    add_flushed,
    attend,
    make_bare_measure,
    make_bare_rie,
    make_bare_risk,
    make_instrument,
    make_session,
)

TODAY = clock.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def answer(world, key: str):
    return RULES[key](world.org, TODAY).answer


def test_every_rule_key_in_the_checklist_has_a_rule(app):
    keys = {item.rule for item in load_checklist().items if item.rule}
    assert keys <= set(RULES), keys - set(RULES)
    assert set(RULES) <= keys, "a rule no checklist item uses"


# --- A. RI&E ---------------------------------------------------------------------------


def test_a1_themes_covered_flips(db, world):
    assert answer(world, "rie_covers_all_themes") == "voldoet_niet"
    rie = make_bare_rie(world)
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position)))
    # A bare tick ("behandeld", no risk, no grounds) does not cover a theme.
    for theme in themes:
        add_flushed(RieTheme(organisation_id=world.org.id, rie_id=rie.id, theme_key=theme.key))
    assert answer(world, "rie_covers_all_themes") == "voldoet_niet"
    # Covered by a risk in the current RI&E, by "onderzocht, geen risico" with grounds, or n.v.t.
    make_bare_risk(world, theme=themes[0].key, rie_id=rie.id)
    entries = {e.theme_key: e for e in db.session.scalars(select(RieTheme).where(RieTheme.rie_id == rie.id))}
    for theme in themes[1:-1]:
        entries[theme.key].reason = "Onderzocht in de teamgesprekken: geen risico."
    entries[themes[-1].key].applicable = False
    db.session.flush()
    result = RULES["rie_covers_all_themes"](world.org, TODAY)
    assert result.answer == "deels"
    assert f"{len(themes) - 1} van {len(themes)}" in result.explanation
    assert themes[-1].name_nl in result.explanation
    entries[themes[-1].key].reason = "Komt in ons werk niet voor."
    db.session.flush()
    result = RULES["rie_covers_all_themes"](world.org, TODAY)
    assert result.answer == "voldoet"
    assert f"1 met risico's, {len(themes) - 2} onderzocht zonder risico" in result.explanation


def test_a1_risk_in_an_older_rie_does_not_cover(db, world):
    old = make_bare_rie(world, is_current=False, performed_on=ago(900))
    rie = make_bare_rie(world, version=2)
    make_bare_risk(world, theme="werkdruk", rie_id=old.id)
    add_flushed(RieTheme(organisation_id=world.org.id, rie_id=rie.id, theme_key="werkdruk"))
    result = RULES["rie_covers_all_themes"](world.org, TODAY)
    assert "Werkdruk" in result.explanation.split("conclusie:")[1]


def test_a1_not_applicable_without_reason_does_not_count(db, world):
    rie = make_bare_rie(world)
    for theme in db.session.scalars(select(Theme)):
        add_flushed(
            RieTheme(organisation_id=world.org.id, rie_id=rie.id, theme_key=theme.key, applicable=False)
        )
    assert answer(world, "rie_covers_all_themes") == "voldoet_niet"


def test_a2_review_interval_flips(db, world):
    rie = make_bare_rie(world, performed_on=ago(40 * 31), review_interval_months=36)
    assert answer(world, "rie_current") == "voldoet_niet"
    rie.performed_on = ago(200)
    db.session.flush()
    assert answer(world, "rie_current") == "voldoet"


def test_a3_bronnen_mapped_flips(db, world):
    assert answer(world, "bronnen_mapped") == "voldoet_niet"
    risk = make_bare_risk(world)
    assert answer(world, "bronnen_mapped") == "voldoet_niet"
    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron"))
    energie = db.session.scalar(select(Factor).where(Factor.kind == "energiebron"))
    risk.factors = [bron]
    db.session.flush()
    result = RULES["bronnen_mapped"](world.org, TODAY)
    assert result.answer == "deels" and "energiebron" in result.explanation
    risk.factors = [bron, energie]
    db.session.flush()
    assert answer(world, "bronnen_mapped") == "voldoet"


def test_a4_hybrid_work_flips(db, world):
    rie = make_bare_rie(world)
    assert answer(world, "hybrid_work_considered") == "voldoet_niet"
    rie.hybrid_work_considered = True
    db.session.flush()
    assert answer(world, "hybrid_work_considered") == "voldoet"


def test_a5_toetsing_or_exemption_flips(db, world):
    rie = make_bare_rie(world)
    assert answer(world, "toetsing_or_exempt") == "voldoet_niet"
    add_flushed(
        Toetsing(organisation_id=world.org.id, rie_id=rie.id, expert_name="Arbodienst X", tested_on=ago(10)),
    )
    # Which part was reviewed, and the arbodienst basiscontract, are asked too.
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "deels"
    assert "niet vastgelegd of het een systeemtoets of scopetoets was" in result.explanation
    assert "geen basiscontract met een arbodienst" in result.explanation
    toetsing = db.session.scalar(select(Toetsing).where(Toetsing.rie_id == rie.id))
    toetsing.toets_type = "systeemtoets"
    add_flushed(ArbodienstContract(organisation_id=world.org.id, provider="Arbodienst X", since=ago(400)))
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "deels" and "de scopetoets is niet vastgelegd" in result.explanation
    assert "Basiscontract" not in result.explanation
    toetsing.toets_type = "beide"
    db.session.flush()
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "voldoet"
    assert "Getoetst: systeemtoets en scopetoets." in result.explanation
    assert "Basiscontract met Arbodienst X sinds" in result.explanation


def test_a5_exemption_by_paid_hours(db, world):
    make_bare_rie(world)
    assert answer(world, "toetsing_or_exempt") == "voldoet_niet"
    world.org.weekly_paid_hours = 32
    db.session.flush()
    # Exempt from the toetsing, but every employer needs an arbodienst basiscontract.
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "deels" and "art. 14" in result.explanation
    assert "geen basiscontract" in result.explanation
    add_flushed(ArbodienstContract(organisation_id=world.org.id, provider="Bedrijfsarts B", since=ago(30)))
    result = RULES["toetsing_or_exempt"](world.org, TODAY)
    assert result.answer == "voldoet" and "art. 14" in result.explanation


def test_a6_or_instemming_flips(db, world):
    rie = make_bare_rie(world)
    assert answer(world, "or_instemming_rie") == "voldoet_niet"
    add_flushed(
        Approval(
            organisation_id=world.org.id,
            subject_type="rie",
            subject_id=rie.id,
            submitted_on=ago(60),
            decision="verleend",
            decided_on=ago(50),
        ),
    )
    assert answer(world, "or_instemming_rie") == "deels"
    add_flushed(
        Approval(
            organisation_id=world.org.id,
            subject_type="plan_version",
            subject_id=1,
            submitted_on=ago(40),
            decision="verleend",
            decided_on=ago(30),
        ),
    )
    assert answer(world, "or_instemming_rie") == "voldoet"


# --- B. Plan van Aanpak ----------------------------------------------------------------


def test_b7_every_risk_has_measure_flips(db, world):
    first, second = (
        make_bare_risk(world, title="Hoge werkdruk"),
        make_bare_risk(world, title="Agressie ouders", theme="agressie_extern"),
    )
    assert answer(world, "every_risk_has_measure") == "voldoet_niet"
    make_bare_measure(world, risks=[first])
    result = RULES["every_risk_has_measure"](world.org, TODAY)
    assert result.answer == "deels"
    assert result.explanation.startswith("1 van 2 PSA-risico's heeft geen maatregel: Agressie ouders")
    assert result.fix.endpoint == "plan.new" and result.fix.params == {"risico": second.id}
    make_bare_measure(world, risks=[second])
    assert answer(world, "every_risk_has_measure") == "voldoet"


def test_b7_cancelled_measures_do_not_count(db, world):
    risk = make_bare_risk(world)
    make_bare_measure(world, risks=[risk], status="vervallen")
    assert answer(world, "every_risk_has_measure") == "voldoet_niet"


def test_b8_owner_must_be_an_active_member_flips(db, world):
    owner = accounts.create_user("eigenaar@acme.test", "Eigenaar", "test-wachtwoord-123")
    accounts.add_membership(world.org, owner, "leidinggevende")
    assert answer(world, "measures_have_owner_and_termijn") == "voldoet_niet"  # no measures yet
    make_bare_measure(world, responsible_id=owner.id)
    assert answer(world, "measures_have_owner_and_termijn") == "voldoet"
    owner.active = False
    db.session.flush()
    assert answer(world, "measures_have_owner_and_termijn") == "voldoet_niet"


def test_b9_organisation_level_first_flips(db, world):
    risk = make_bare_risk(world, scope="organisatie")
    make_bare_measure(world, risks=[risk], level="team")
    assert answer(world, "organisation_level_first") == "voldoet_niet"
    make_bare_measure(world, risks=[make_bare_risk(world, title="Ander risico")], level="organisatie")
    assert answer(world, "organisation_level_first") == "deels"
    risk.team_bound_reason = "Speelt alleen in Zorgteam Noord door de nachtdiensten."
    db.session.flush()
    result = RULES["organisation_level_first"](world.org, TODAY)
    assert result.answer == "voldoet"
    # The sentence does not claim an organisation-level measure for the team-bound risk.
    assert "behalve 1 risico waarvan is vastgelegd waarom het teamgebonden is" in result.explanation


def test_b10_rust_en_herstel_flips(db, world):
    assert answer(world, "rust_en_herstel_measures") == "voldoet_niet"
    make_bare_measure(world, approach="rust_en_herstel", level="individu", employee_id=world.employees[0].id)
    assert answer(world, "rust_en_herstel_measures") == "deels"
    make_bare_measure(world, approach="rust_en_herstel", level="team")
    assert answer(world, "rust_en_herstel_measures") == "voldoet"


def test_b11_participation_from_the_or_plan_decision(db, world):
    result = RULES["participation_in_choice"](world.org, TODAY)
    assert result.answer is None and "met de hand" in result.explanation
    add_flushed(
        Approval(
            organisation_id=world.org.id,
            subject_type="plan_version",
            subject_id=1,
            submitted_on=ago(40),
            decision="verleend",
            decided_on=ago(30),
        ),
    )
    result = RULES["participation_in_choice"](world.org, TODAY)
    assert result.answer == "deels"
    assert (
        "inspraak van medewerkers bij het kiezen van de maatregelen is niet vastgelegd" in result.explanation
    )


def test_b12_overdue_share_flips(db, world):
    assert answer(world, "measures_on_schedule") == "nvt"
    measure = make_bare_measure(world, termijn=ago(5))
    result = RULES["measures_on_schedule"](world.org, TODAY)
    assert result.answer == "voldoet_niet" and "1 van 1 maatregelen (100%)" in result.explanation
    measure.termijn = TODAY + timedelta(days=5)
    db.session.flush()
    assert answer(world, "measures_on_schedule") == "voldoet"


# --- C. Voorlichting -------------------------------------------------------------------


def test_c13_coverage_flips(db, world):
    assert answer(world, "voorlichting_coverage") == "voldoet_niet"
    session = make_session(world)
    attend(world, session, world.employees[:3])
    result = RULES["voorlichting_coverage"](world.org, TODAY)
    assert result.answer == "deels"
    assert result.explanation.startswith(
        "50% van de medewerkers (3 van 6) kreeg voorlichting in de afgelopen 12"
    )
    attend(world, session, world.employees[3:5])
    assert answer(world, "voorlichting_coverage") == "voldoet"


def test_c13_old_sessions_do_not_count(db, world):
    session = make_session(world, session_date=ago(400))
    attend(world, session, world.employees)
    assert answer(world, "voorlichting_coverage") == "voldoet_niet"


def test_c14_leidinggevenden_instructed_flips(db, world):
    assert answer(world, "leidinggevenden_instructed") is None
    world.employees[0].is_leidinggevende = True
    db.session.flush()
    assert answer(world, "leidinggevenden_instructed") == "voldoet_niet"
    session = make_session(world, is_leidinggevenden_instructie=True, audience="leidinggevenden")
    attend(world, session, [world.employees[0]])
    assert answer(world, "leidinggevenden_instructed") == "voldoet"


def test_c15_attendance_register_flips(db, world):
    # No sessions held: nothing to register (whether there was voorlichting is C13's question).
    assert answer(world, "attendance_register") == "nvt"
    make_session(world, session_date=TODAY + timedelta(days=10))  # a planned session does not count
    assert answer(world, "attendance_register") == "nvt"
    session = make_session(world)
    result = RULES["attendance_register"](world.org, TODAY)
    assert result.answer == "voldoet_niet"
    assert f"geen presentie geregistreerd: {session.topic} ({session.session_date:%d-%m-%Y})" in (
        result.explanation
    )
    assert result.fix.endpoint == "voorlichting.register" and result.fix.params == {"session_id": session.id}
    attend(world, session, world.employees[:1], status="afwezig")
    assert answer(world, "attendance_register") == "voldoet"
    make_session(world, topic="Pauzes", session_date=ago(3))
    result = RULES["attendance_register"](world.org, TODAY)
    assert result.answer == "deels" and "1 van 2" in result.explanation and "Pauzes" in result.explanation


# --- D. Ongewenst gedrag ---------------------------------------------------------------


def test_d16_gedragscode_flips(db, world):
    assert answer(world, "gedragscode") == "voldoet_niet"
    code = make_instrument(world, "gedragscode", status="concept", adopted_on=None)
    assert answer(world, "gedragscode") == "voldoet_niet"
    code.status, code.adopted_on = "vastgesteld", ago(60)
    db.session.flush()
    result = RULES["gedragscode"](world.org, TODAY)
    assert result.answer == "deels" and "bekendgemaakt" in result.explanation
    assert result.fix.endpoint == "beleid.instrument_edit"
    code.communicated_on, code.communication = ago(30), "Nieuwsbrief"
    db.session.flush()
    assert answer(world, "gedragscode") == "voldoet"


def test_d16_made_known_through_a_voorlichting_session(db, world):
    code = make_instrument(world, "gedragscode")
    assert answer(world, "gedragscode") == "deels"
    code.sessions = [make_session(world)]
    db.session.flush()
    assert answer(world, "gedragscode") == "voldoet"


def test_d16_withdrawn_code_does_not_count(db, world):
    make_instrument(world, "gedragscode", status="ingetrokken", communicated_on=ago(3), communication="Mail")
    assert answer(world, "gedragscode") == "voldoet_niet"


def test_d17_vertrouwenspersoon_flips(db, world):
    vp = make_instrument(
        world,
        "vertrouwenspersoon",
        vp_kind="extern",
        communicated_on=ago(10),
        communication="Teamoverleg",
    )
    result = RULES["vertrouwenspersoon"](world.org, TODAY)
    assert result.answer == "deels" and "opgeleid" in result.explanation
    vp.trained, vp.contact = True, "06-00000000"
    db.session.flush()
    # The training date and anonymous contact are asked too.
    result = RULES["vertrouwenspersoon"](world.org, TODAY)
    assert result.answer == "deels"
    assert "de datum van de opleiding is niet vastgelegd" in result.explanation
    assert "anoniem kunnen benaderen" in result.explanation
    vp.trained_on, vp.anonymous_contact = ago(100), True
    db.session.flush()
    result = RULES["vertrouwenspersoon"](world.org, TODAY)
    assert result.answer == "voldoet", result.explanation
    assert "extern" in result.explanation and "bekendgemaakt op" in result.explanation
    assert "via Teamoverleg" in result.explanation


def test_d18_klachtenregeling_flips(db, world):
    regeling = make_instrument(world, "klachtenregeling", communicated_on=ago(10), communication="Intranet")
    assert answer(world, "klachtenregeling") == "deels"
    regeling.committee = "Landelijke Klachtencommissie"
    db.session.flush()
    assert answer(world, "klachtenregeling") == "voldoet"


def test_d19_opvang_nazorg_flips(db, world):
    assert answer(world, "opvang_nazorg") == "voldoet_niet"
    make_instrument(world, "opvang_nazorg", communicated_on=ago(10), communication="Directieoverleg")
    assert answer(world, "opvang_nazorg") == "voldoet"
    incident = add_flushed(
        Incident(
            organisation_id=world.org.id,
            occurred_on=ago(20),
            theme_key="agressie_extern",
            party="ouder_klant",
            description="Een ouder schold.",
        ),
    )
    assert answer(world, "opvang_nazorg") == "deels"
    incident.opvang_done = True
    db.session.flush()
    assert answer(world, "opvang_nazorg") == "voldoet"


def test_d20_incidents_registered_and_analysed_flips(db, world):
    assert answer(world, "incidents_registered") == "voldoet_niet"
    make_instrument(world, "meldprocedure", communicated_on=ago(100), communication="Intranet")
    assert answer(world, "incidents_registered") == "voldoet"
    add_flushed(
        Incident(
            organisation_id=world.org.id,
            occurred_on=ago(20),
            theme_key="agressie_extern",
            party="ouder_klant",
            description="Een ouder schold.",
        ),
    )
    result = RULES["incidents_registered"](world.org, TODAY)
    assert result.answer == "deels" and result.fix.endpoint == "beleid.analysis_new"
    add_flushed(
        IncidentAnalysis(
            organisation_id=world.org.id,
            analysed_on=ago(5),
            period_start=ago(365),
            period_end=ago(5),
            conclusions="Vooral ouders.",
        ),
    )
    assert answer(world, "incidents_registered") == "voldoet"


# --- E. Evaluatie en borging -----------------------------------------------------------


def test_e21_measures_evaluated_flips(db, world):
    assert answer(world, "measures_evaluated") == "nvt"
    measure = make_bare_measure(world, status="uitgevoerd", completed_on=ago(120), termijn=ago(120))
    assert answer(world, "measures_evaluated") == "voldoet_niet"
    evaluation = add_flushed(
        Evaluation(
            organisation_id=world.org.id,
            measure_id=measure.id,
            planned_on=ago(20),
            done_on=ago(10),
            effect="deels",
        ),
    )
    assert answer(world, "measures_evaluated") == "deels"  # effect, but no process rating
    evaluation.implementation_rating = 4
    db.session.flush()
    assert answer(world, "measures_evaluated") == "voldoet"


def _first_factor(db, kind):
    from riecycle.models import Factor

    return db.session.scalar(select(Factor).where(Factor.kind == kind).order_by(Factor.position))


def test_e22_effect_measurement_flips(db, world):
    from riecycle.services import evaluations, onderzoek

    make_bare_rie(world, performed_on=ago(800))
    assert answer(world, "effect_same_sources") == "voldoet_niet"
    evaluation = add_flushed(
        Evaluation(
            organisation_id=world.org.id,
            kind="thema",
            theme_key="werkdruk",
            planned_on=ago(20),
            done_on=ago(10),
            method="herhaalde_vragenlijst",
        ),
    )
    assert answer(world, "effect_same_sources") == "deels"
    evaluation.is_repeat_measurement = True
    db.session.flush()
    # A repeat measurement without a nulmeting that recorded factors cannot be compared.
    result = RULES["effect_same_sources"](world.org, TODAY)
    assert result.answer == "deels" and "geen nulmeting" in result.explanation
    bron, energie = _first_factor(db, "werkdrukbron"), _first_factor(db, "energiebron")
    baseline = onderzoek.create(world.org, {"title": "Nulmeting 2024", "period_start": ago(700)})
    team = world.teams["Zorgteam Noord"]
    onderzoek.set_team_result(world.org, baseline, team.id, 8, 6, {bron.key: 3.5, energie.key: 2.0})
    result = RULES["effect_same_sources"](world.org, TODAY)
    assert result.answer == "deels" and "niet vastgelegd welke werkdrukbronnen" in result.explanation
    evaluations.set_factor_scores(evaluation, {bron.key: 3.0})
    result = RULES["effect_same_sources"](world.org, TODAY)
    assert result.answer == "deels"
    assert f"niet meer gevraagd: {energie.name_nl}" in result.explanation
    evaluations.set_factor_scores(evaluation, {bron.key: 3.0, energie.key: 2.5})
    result = RULES["effect_same_sources"](world.org, TODAY)
    assert result.answer == "voldoet", result.explanation
    assert "Nulmeting 2024" in result.explanation and bron.name_nl in result.explanation
    from riecycle.models import Factor

    extra = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron", Factor.key != bron.key))
    evaluations.set_factor_scores(evaluation, {bron.key: 3.0, energie.key: 2.5, extra.key: 4.0})
    result = RULES["effect_same_sources"](world.org, TODAY)
    assert result.answer == "deels"
    assert f"nieuw, niet in de nulmeting: {extra.name_nl}" in result.explanation


def test_e23_policy_adjusted_flips(db, world):
    assert answer(world, "policy_adjusted") == "nvt"
    evaluation = add_flushed(
        Evaluation(
            organisation_id=world.org.id,
            kind="thema",
            theme_key="werkdruk",
            planned_on=ago(20),
            done_on=ago(10),
            effect="niet",
        ),
    )
    assert answer(world, "policy_adjusted") == "voldoet_niet"
    evaluation.policy_adjusted = True
    db.session.flush()
    assert answer(world, "policy_adjusted") == "voldoet"


def test_e23_no_claim_of_desired_effect_when_none_was_recorded(db, world):
    for effect in ("opgelost", None):
        add_flushed(
            Evaluation(
                organisation_id=world.org.id,
                kind="thema",
                theme_key="werkdruk",
                planned_on=ago(20),
                done_on=ago(10),
                effect=effect,
            ),
        )
    result = RULES["policy_adjusted"](world.org, TODAY)
    assert result.answer == "voldoet"
    assert "gewenste effect" not in result.explanation
    assert "bij 1 evaluatie is het effect niet vastgelegd" in result.explanation


def test_e24_preventiemedewerker_flips(db, world):
    # The world has a user with the preventiemedewerker role, but no recorded appointment.
    assert answer(world, "preventiemedewerker_appointed") == "deels"
    appointment = add_flushed(
        PreventiemedewerkerAppointment(
            organisation_id=world.org.id, user_id=world.users["preventiemedewerker"].id, since=ago(300)
        ),
    )
    assert answer(world, "preventiemedewerker_appointed") == "deels"
    appointment.or_instemming_on = ago(310)
    db.session.flush()
    # The hours and the training are asked too.
    result = RULES["preventiemedewerker_appointed"](world.org, TODAY)
    assert result.answer == "deels"
    assert "het aantal uren per week is niet vastgelegd" in result.explanation
    assert "de opleiding van de preventiemedewerker is niet vastgelegd" in result.explanation
    appointment.hours_per_week, appointment.training, appointment.trained_on = 6, "Basiscursus", ago(200)
    db.session.flush()
    result = RULES["preventiemedewerker_appointed"](world.org, TODAY)
    assert result.answer == "voldoet"
    assert "6 uur per week" in result.explanation and "opgeleid: Basiscursus" in result.explanation
    appointment.until = ago(1)
    db.session.flush()
    assert answer(world, "preventiemedewerker_appointed") == "deels"


def test_e24_without_anyone(db, world):
    assert RULES["preventiemedewerker_appointed"](world.other_org, TODAY).answer == "voldoet_niet"


# --- tenancy and privacy --------------------------------------------------------------


def test_rules_ignore_other_tenants_records(db, world):
    risk = make_bare_risk(world)
    other_measure = Measure(
        organisation_id=world.other_org.id,
        title="Elders",
        level="organisatie",
        approach="bronaanpak",
        responsible_id=world.users["other"].id,
        termijn=TODAY,
    )
    other_measure.risks = [risk]
    add_flushed(other_measure)
    make_instrument(world, "gedragscode", communicated_on=ago(1), communication="Mail")
    assert answer(world, "every_risk_has_measure") == "voldoet_niet"
    assert RULES["gedragscode"](world.other_org, TODAY).answer == "voldoet_niet"


@pytest.mark.parametrize(
    "key", ["every_risk_has_measure", "measures_on_schedule", "rust_en_herstel_measures"]
)
def test_individual_measures_are_pseudonymised_in_evidence(db, world, key):
    employee = world.employees[0]
    measure = make_bare_measure(
        world,
        level="individu",
        employee_id=employee.id,
        approach="rust_en_herstel",
        termijn=ago(3),
        title=f"Coaching {employee.name}",
    )
    make_bare_risk(world, title="Zonder maatregel")
    result = RULES[key](world.org, TODAY)
    text = result.explanation + " ".join(ref.label for ref in result.evidence)
    assert employee.name not in text
    if key != "every_risk_has_measure":
        assert f"{employee.team.name} – individuele maatregel #{measure.id}" in text
