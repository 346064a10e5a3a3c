"""One organisation in which everything is in order, and one flipped fact per item.

build_compliant_org (tests/factories.py) makes every self-inspection item answer voldoet or n.v.t.
Each test below changes exactly one fact; then exactly that item's answer changes, every other
item keeps its answer, and the item's sentence says why. The self-inspection runs through the
service (service.evaluate), as a run would.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from riecycle.models import Attendance, Theme
from riecycle.models.base import utcnow
from riecycle.services import risks, voorlichting
from riecycle.services import zelfinspectie as service
from tests.factories import build_compliant_org

IN_ORDER = ("voldoet", "nvt")
# Items the records cannot settle, so the builder cannot make them voldoet and no fact flips them
# honestly: none since the participation record per plan version.
NOT_JUDGED: dict = {}


def answers(org, today) -> dict:
    return {item["id"]: item for item in service.evaluate(org, today)}


@pytest.fixture
def built(db, world):
    built = build_compliant_org(world)
    db.session.commit()
    return built


def test_the_compliant_organisation_is_in_order(built):
    items = answers(built.world.org, built.today)
    assert len(items) == 24
    for item_id, item in items.items():
        expected = NOT_JUDGED.get(item_id)
        if expected:
            assert item["answer"] == expected, item
        else:
            assert item["answer"] in IN_ORDER, (item_id, item["answer"], item["explanation"])
            assert item["source"] == "auto"


# --- the flips: item, what changes, the new answer, a phrase of the reason ---------------------


def ago(built, days):
    return built.today - timedelta(days=days)


def a1_empty_tick(built):
    """A theme ticked "behandeld" without any risk and without grounds."""
    built.themes[built.no_risk_theme].reason = None
    return "zonder risico en zonder vastgelegde conclusie: " + _theme_name(built.no_risk_theme)


def _theme_name(key):
    from riecycle.extensions import db

    return db.session.scalar(select(Theme.name_nl).where(Theme.key == key))


def a2_review_overdue(built):
    built.rie.review_interval_months = 6
    return "herzieningstermijn van 6 maanden is verlopen"


def a3_no_energiebron(built):
    risk = built.risks["werkdruk"]
    risk.factors = [f for f in risk.factors if f.kind != "energiebron"]
    return "geen energiebron benoemd"


def a3_team_below_threshold(built):
    """The onderzoek's only team result falls under the anonymity threshold: no results per team."""
    from riecycle.services import onderzoek

    result = built.onderzoek.teams[0]
    scores = {s.factor_key: s.score for s in result.scores}
    onderzoek.set_team_result(built.world.org, built.onderzoek, result.team_id, 7, 3, scores)
    return "het verdiepend onderzoek voldoet niet aan: Resultaten per team, afdeling of functie"


def a4_hybrid_not_assessed(built):
    built.rie.hybrid_work_considered = False
    return "niet vastgelegd dat hybride"


def a5_toetsing_deleted(built):
    built.toetsing.deleted_at = utcnow()
    return "niet getoetst en er geldt geen vrijstelling"


def a6_or_refused(built):
    built.approvals["rie"].decision = "geweigerd"
    return "weigerde instemming met RI&E"


def b7_risk_without_measure(built):
    risks.create_risk(
        built.world.org,
        {
            "title": "Intimidatie via sociale media",
            "description": "Medewerkers worden online benaderd.",
            "theme_key": "agressie_extern",
            "scope": "teams",
            "team_ids": [built.world.teams["Zorgteam Zuid"].id],
        },
        rie=built.rie,
    )
    return "geen maatregel: Intimidatie via sociale media"


def b8_owner_left(built):
    built.world.users["leidinggevende"].active = False
    return "geen actieve gebruiker"


def b9_team_only(built):
    measure = built.measures["Balie herinrichten en training de-escalatie"]
    measure.level = "team"
    measure.teams = [built.world.teams["Zorgteam Zuid"]]
    return "alleen team- of individuele maatregelen: Agressie van cliënten"


def b10_no_rest(built):
    built.measures["Vaste pauzes en geen mail na 18 uur"].approach = "bronaanpak"
    return "geen maatregel gericht op rust en herstel"


def b11_no_participation(built):
    """The OR agreed, but nothing shows how employees took part in choosing the measures."""
    built.participation.deleted_at = utcnow()
    return "bij versie 1 van het Plan van Aanpak is niet vastgelegd hoe medewerkers meedachten"


def a5_only_systeemtoets(built):
    built.toetsing.toets_type = "systeemtoets"
    return "de scopetoets is niet vastgelegd"


def a5_no_basiscontract(built):
    built.contract.deleted_at = utcnow()
    return "geen basiscontract met een arbodienst of bedrijfsarts"


def d17_no_training_date(built):
    built.instruments["vertrouwenspersoon"].trained_on = None
    return "de datum van de opleiding is niet vastgelegd"


def d17_not_anonymous(built):
    built.instruments["vertrouwenspersoon"].anonymous_contact = False
    return "anoniem kunnen benaderen"


def d17_no_jaarverslag(built):
    vp = built.instruments["vertrouwenspersoon"]
    vp.annual_report_year, vp.annual_report_on = None, None
    return "geen jaarverslag van de vertrouwenspersoon"


def d17_old_jaarverslag(built):
    built.instruments["vertrouwenspersoon"].annual_report_year = built.today.year - 3
    return f"het laatste jaarverslag gaat over {built.today.year - 3}"


def e24_no_hours(built):
    built.appointment.hours_per_week = None
    return "het aantal uren per week is niet vastgelegd"


def e24_no_training(built):
    built.appointment.training, built.appointment.trained_on = None, None
    return "de opleiding van de preventiemedewerker is niet vastgelegd"


def b12_overdue(built):
    built.measures["Extra bezetting in de avond"].termijn = ago(built, 5)
    return "over de termijn: Extra bezetting in de avond"


def c13_two_absent(built):
    employees = built.world.employees[1:3]
    voorlichting.record_attendance(
        built.world.org, built.sessions["general"], {e.id: "afwezig" for e in employees}
    )
    return "(4 van 6) kreeg voorlichting"


def c14_leidinggevende_not_instructed(built):
    built.world.employees[1].is_leidinggevende = True
    return "1 van 2 leidinggevenden"


def c15_session_without_register(built):
    session = voorlichting.create_session(
        built.world.org,
        {"topic": "Omgaan met agressie", "audience": "alle_medewerkers", "session_date": ago(built, 20)},
    )
    return f"geen presentie geregistreerd: Omgaan met agressie ({session.session_date:%d-%m-%Y})"


def d16_not_made_known(built):
    code = built.instruments["gedragscode"]
    code.communicated_on, code.communication = None, None
    return "niet aantoonbaar bekendgemaakt"


def d17_not_trained(built):
    built.instruments["vertrouwenspersoon"].trained = False
    return "niet aangetoond dat de vertrouwenspersoon is opgeleid"


def d18_no_committee(built):
    built.instruments["klachtenregeling"].committee = None
    return "geen klachtencommissie"


def d19_no_opvang(built):
    from riecycle.extensions import db
    from riecycle.models import Incident

    db.session.add(
        Incident(
            organisation_id=built.world.org.id,
            occurred_on=ago(built, 20),
            theme_key="agressie_extern",
            party="ouder_klant",
            description="Een cliënt dreigde.",
            opvang_done=False,
        )
    )
    return "geen opvang vastgelegd"


def d20_analysis_deleted(built):
    built.analysis.deleted_at = utcnow()
    return "niet geanalyseerd"


def e21_no_process_rating(built):
    built.evaluation.implementation_rating = None
    return "nog niet: Roosterplanning met het team"


def e22_no_effect_measurement(built):
    """The nulmeting is over a year old and no effect measurement repeated it."""
    built.repeat.deleted_at = utcnow()
    return f"Sinds de nulmeting van {ago(built, 400):%d-%m-%Y} is geen effectmeting"


def e22_repeat_misses_a_factor(built):
    """The repeat measurement did not ask the energiebron the nulmeting asked."""
    from riecycle.services import evaluations

    kept = {s.factor_key: s.score for s in built.repeat.factor_scores if s.factor.kind != "energiebron"}
    missing = next(s.factor.name_nl for s in built.repeat.factor_scores if s.factor.kind == "energiebron")
    evaluations.set_factor_scores(built.repeat, kept)
    return f"vraagt niet dezelfde bronnen als de nulmeting (Nulmeting werkdruk van {ago(built, 400):%d-%m-%Y}): niet meer gevraagd: {missing}"


def e23_not_adjusted(built):
    built.evaluation.effect = "niet"
    return "nog niet na: Evaluatie van"


def e24_no_or_instemming(built):
    built.appointment.or_instemming_on = None
    return "instemming van de OR/PVT is niet vastgelegd"


FLIPS = [
    ("A1", a1_empty_tick, "deels"),
    ("A2", a2_review_overdue, "voldoet_niet"),
    ("A3", a3_no_energiebron, "deels"),
    ("A3", a3_team_below_threshold, "deels"),
    ("A4", a4_hybrid_not_assessed, "voldoet_niet"),
    ("A5", a5_toetsing_deleted, "voldoet_niet"),
    ("A6", a6_or_refused, "voldoet_niet"),
    ("B7", b7_risk_without_measure, "deels"),
    ("B8", b8_owner_left, "deels"),
    ("B9", b9_team_only, "deels"),
    ("B10", b10_no_rest, "voldoet_niet"),
    ("B11", b11_no_participation, "deels"),
    ("B12", b12_overdue, "deels"),
    ("C13", c13_two_absent, "deels"),
    ("C14", c14_leidinggevende_not_instructed, "deels"),
    ("C15", c15_session_without_register, "deels"),
    ("D16", d16_not_made_known, "deels"),
    ("D17", d17_not_trained, "deels"),
    ("D18", d18_no_committee, "deels"),
    ("D19", d19_no_opvang, "deels"),
    ("D20", d20_analysis_deleted, "deels"),
    ("E21", e21_no_process_rating, "deels"),
    ("E22", e22_no_effect_measurement, "voldoet_niet"),
    ("E22", e22_repeat_misses_a_factor, "deels"),
    ("E23", e23_not_adjusted, "voldoet_niet"),
    ("E24", e24_no_or_instemming, "deels"),
]


@pytest.mark.parametrize(
    ("item_id", "flip", "expected"), FLIPS, ids=[f"{f[0]}-{f[1].__name__}" for f in FLIPS]
)
def test_one_fact_flips_exactly_one_item(db, built, item_id, flip, expected):
    before = answers(built.world.org, built.today)
    assert before[item_id]["answer"] in IN_ORDER
    phrase = flip(built)
    db.session.flush()
    db.session.commit()
    after = answers(built.world.org, built.today)
    changed = {i for i in after if after[i]["answer"] != before[i]["answer"]}
    assert changed == {item_id}, {i: (before[i]["answer"], after[i]["answer"]) for i in changed}
    assert after[item_id]["answer"] == expected, after[item_id]["explanation"]
    assert phrase in after[item_id]["explanation"]


# More facts an inspector asks for: each flips only its own item.
MORE_FLIPS = [
    ("A5", a5_only_systeemtoets, "deels"),
    ("A5", a5_no_basiscontract, "deels"),
    ("D17", d17_no_training_date, "deels"),
    ("D17", d17_not_anonymous, "deels"),
    ("D17", d17_no_jaarverslag, "deels"),
    ("D17", d17_old_jaarverslag, "deels"),
    ("E24", e24_no_hours, "deels"),
    ("E24", e24_no_training, "deels"),
]


@pytest.mark.parametrize(("item_id", "flip", "expected"), MORE_FLIPS, ids=[f[1].__name__ for f in MORE_FLIPS])
def test_one_more_fact_flips_exactly_one_item(db, built, item_id, flip, expected):
    test_one_fact_flips_exactly_one_item(db, built, item_id, flip, expected)


def test_the_compliant_sentences_state_what_an_inspector_asks(built):
    items = answers(built.world.org, built.today)
    d17, e24, a5, b11 = (items[i]["explanation"] for i in ("D17", "E24", "A5", "B11"))
    for phrase in ("extern", "opgeleid op", "ook anoniem", "bekendgemaakt op", "via Teamoverleg"):
        assert phrase in d17, d17
    assert f"jaarverslag over {built.today.year - 1}" in d17
    for phrase in (
        "met instemming van de OR/PVT op",
        "4 uur per week",
        "opgeleid: Basiscursus preventiemedewerker",
    ):
        assert phrase in e24, e24
    assert "Getoetst: systeemtoets en scopetoets." in a5 and "Basiscontract met Arbodienst Voorbeeld" in a5
    assert (
        "werkgroep op" in b11 and "(8 medewerkers)" in b11 and "Instemming OR/PVT met Plan van Aanpak" in b11
    )


def test_every_item_but_the_unjudged_ones_has_a_flip(built):
    flipped = {f[0] for f in FLIPS}
    assert flipped | set(NOT_JUDGED) == {item.id for item in service.load_checklist().items}


def test_a1_empty_tick_names_the_theme(db, built):
    """An applicable theme without risks needs its grounds ("onderzocht, geen risico")."""
    theme = built.no_risk_theme
    before = answers(built.world.org, built.today)["A1"]
    assert "1 onderzocht zonder risico" in before["explanation"]
    built.themes[theme].reason = "   "
    db.session.commit()
    after = answers(built.world.org, built.today)["A1"]
    assert after["answer"] == "deels" and _theme_name(theme) in after["explanation"]


def test_c15_attendance_rows_count_as_a_register(db, built):
    """A register of who was absent is a register too; only sessions without any row count."""
    session = voorlichting.create_session(
        built.world.org,
        {"topic": "Pauzes", "audience": "alle_medewerkers", "session_date": ago(built, 5)},
    )
    voorlichting.record_attendance(built.world.org, session, {built.world.employees[0].id: "afwezig"})
    db.session.commit()
    assert answers(built.world.org, built.today)["C15"]["answer"] == "voldoet"
    assert db.session.scalar(select(Attendance).where(Attendance.session_id == session.id)) is not None


def test_sentences_use_the_singular_for_one(db, built):
    """Sentences use the singular for one: "1 maatregel is", never "1 maatregelen zijn"."""
    items = answers(built.world.org, built.today)
    assert items["B10"]["explanation"].startswith("1 maatregel is gericht op rust en herstel")
    assert items["E21"]["explanation"].startswith(
        "De maatregel die langer dan drie maanden is afgerond, is geëvalueerd op proces en effect"
    )
    assert items["E23"]["explanation"].startswith(
        "Alle 2 afgeronde evaluaties lieten het gewenste effect zien"
    )
    assert items["E22"]["explanation"].startswith("De herhaalde meting van")
    assert "dezelfde 2 werkdrukbronnen en energiebronnen als de nulmeting" in items["E22"]["explanation"]
    assert items["D20"]["explanation"].startswith("1 melding geregistreerd in de afgelopen 12 maanden")
    assert items["C15"]["explanation"].startswith("Van alle 2 voorlichtingssessies")
    run = service.run_checklist(built.world.org, today=built.today)
    assert service.verdict(run)[0] == "ok", service.verdict(run)
    built.participation.deleted_at = utcnow()  # B11, a supporting point, becomes deels
    db.session.commit()
    run = service.run_checklist(built.world.org, today=built.today)
    assert service.verdict(run) == (
        "warn",
        "Op orde op de kernpunten; 1 ondersteunend punt is nog niet (helemaal) in orde.",
    )
    built.rie.review_interval_months = 6  # A2, a legal core item, fails
    db.session.commit()
    run = service.run_checklist(built.world.org, today=built.today)
    assert service.verdict(run)[1] == "Nog niet op orde: 1 wettelijk kernpunt voldoet niet."
    built.measures["Extra bezetting in de avond"].termijn = ago(built, 5)
    db.session.commit()
    late = answers(built.world.org, built.today)["B12"]["explanation"]
    assert late.startswith("1 van 4 maatregelen (25%) is over de termijn")


def test_a3_grouped_results_with_their_reason(db, built):
    """Small teams grouped into an afdeling: A3 is in order again and says why the results are grouped."""
    from riecycle.services import onderzoek

    a3_team_below_threshold(built)
    db.session.commit()
    before = answers(built.world.org, built.today)
    assert before["A3"]["answer"] == "deels"
    noord, zuid = built.world.teams["Zorgteam Noord"], built.world.teams["Zorgteam Zuid"]
    scores = {s.factor_key: s.score for s in built.onderzoek.teams[0].scores}
    onderzoek.set_group_result(
        built.world.org,
        built.onderzoek,
        {
            "scope": "groep",
            "group_kind": "afdeling",
            "group_name": "Zorg",
            "members": {noord.id: 3, zuid.id: 4},
        },
        scores,
    )
    db.session.commit()
    after = answers(built.world.org, built.today)
    changed = {i for i in after if after[i]["answer"] != before[i]["answer"]}
    assert changed == {"A3"}
    assert after["A3"]["answer"] == "voldoet"
    assert (
        "(resultaten per afdeling Zorg, want Zorgteam Noord (3 respondenten), Zorgteam Zuid (4 respondenten) "
        "blijven onder de drempel van 5 respondenten)" in after["A3"]["explanation"]
    )
