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
from riecycle.services import rie as rie_service
from riecycle.services import risks, voorlichting
from riecycle.services import zelfinspectie as service
from tests.factories import build_compliant_org

IN_ORDER = ("voldoet", "nvt")
# Items the records cannot settle yet, so the builder cannot make them voldoet and no fact flips
# them honestly (issue 16):
# - B11 (participation in choosing measures): there is no participation record per plan version
#   (point 4); the rule reads only the OR's plan decision and answers "deels" at best.
NOT_JUDGED = {"B11": "deels"}


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


def e22_old_nulmeting(built):
    rie_service.create_rie(
        built.world.org,
        {"performed_on": ago(built, 800), "performed_by_kind": "intern", "review_interval_months": 36},
        make_current=False,
    )
    return "Sinds de nulmeting van"


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
    ("A4", a4_hybrid_not_assessed, "voldoet_niet"),
    ("A5", a5_toetsing_deleted, "voldoet_niet"),
    ("A6", a6_or_refused, "voldoet_niet"),
    ("B7", b7_risk_without_measure, "deels"),
    ("B8", b8_owner_left, "deels"),
    ("B9", b9_team_only, "deels"),
    ("B10", b10_no_rest, "voldoet_niet"),
    # B11: not flipped, see NOT_JUDGED.
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
    # E22 flips only on whether an effect measurement exists once the nulmeting is over a year old.
    # Its "voldoet" sentence (same werkdrukbronnen and energiebronnen as the nulmeting) is not
    # checked against recorded factors yet (issue 16 point 2); no flip here can test that claim.
    ("E22", e22_old_nulmeting, "voldoet_niet"),
    ("E23", e23_not_adjusted, "voldoet_niet"),
    ("E24", e24_no_or_instemming, "deels"),
]


@pytest.mark.parametrize(("item_id", "flip", "expected"), FLIPS, ids=[f[0] for f in FLIPS])
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
    assert items["E23"]["explanation"].startswith("De afgeronde evaluatie liet het gewenste effect zien")
    assert items["D20"]["explanation"].startswith("1 melding geregistreerd in de afgelopen 12 maanden")
    assert items["C15"]["explanation"].startswith("Van alle 2 voorlichtingssessies")
    run = service.run_checklist(built.world.org, today=built.today)
    # Only B11 is not in order (deels, a supporting point).
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
