"""Test data builders: an organisation with one user per role, and a second tenant."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import insert, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    Attendance,
    AuditEntry,
    Employee,
    Evaluation,
    Measure,
    MeasureStatusChange,
    PlanVersion,
    PolicyInstrument,
    Rie,
    Risk,
    RiskEvaluation,
    Team,
    VoorlichtingSession,
)
from riecycle.models.measure import measure_risks, measure_teams
from riecycle.models.rie import risk_teams
from riecycle.models.voorlichting import session_teams
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts, organisations, zelfinspectie
from riecycle.services import plan as plan_service
from riecycle.services import pulse as pulse_service
from riecycle.services import rie as rie_service
from riecycle.services import risks as risk_service

PASSWORD = "test-wachtwoord-123"
ROLES = ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor")


@dataclass
class World:
    org: object
    other_org: object
    users: dict = field(default_factory=dict)  # role -> User (in org); "other" -> beheerder of other_org
    teams: dict = field(default_factory=dict)  # name -> Team
    employees: list = field(default_factory=list)
    other_team: object = None
    other_employee: object = None


def make_org(slug: str, name: str, **fields):
    """An organisation; the second factor is off unless a test asks for it (mfa_policy=...)."""
    fields.setdefault("mfa_policy", "uit")
    org = organisations.create_organisation(slug, name, **fields)
    return org


def make_user(org, role: str, email: str, name: str | None = None):
    user = accounts.create_user(email, name or email.split("@")[0].title(), PASSWORD)
    accounts.add_membership(org, user, role)
    return user


def build_world() -> World:
    """Org 'acme' with two teams, employees and a user per role; org 'other' with a beheerder."""
    load_taxonomy()
    org = make_org("acme", "Acme Zorg", sector="zorg", employee_count=60)
    other = make_org("other", "Andere Organisatie", sector="bouw", employee_count=30)
    world = World(org=org, other_org=other)
    for role in ROLES:
        world.users[role] = make_user(org, role, f"{role}@acme.example", f"{role.title()} Acme")
    world.users["other"] = make_user(other, "beheerder", "beheerder@other.example", "Beheerder Other")
    for name in ("Zorgteam Noord", "Zorgteam Zuid"):
        team = Team(organisation_id=org.id, name=name, kind="locatie")
        db.session.add(team)
        world.teams[name] = team
    db.session.flush()
    world.teams["Zorgteam Noord"].manager_id = world.users["leidinggevende"].id
    for i, team in enumerate([*world.teams.values()] * 3):
        employee = Employee(
            organisation_id=org.id,
            name=f"Medewerker {i + 1} {team.name}",
            team_id=team.id,
            email=f"m{i + 1}@acme.example",
            start_date=date(2020, 1, 1),
        )
        db.session.add(employee)
        world.employees.append(employee)
    world.other_team = Team(organisation_id=other.id, name="Bouwploeg", kind="afdeling")
    db.session.add(world.other_team)
    db.session.flush()
    world.other_employee = Employee(organisation_id=other.id, name="Piet Anders", team_id=world.other_team.id)
    db.session.add(world.other_employee)
    db.session.flush()
    return world


# --- an organisation in which everything is in order -------------------------------------------


@dataclass
class Compliant:
    """Handles on the records of build_compliant_org, so a test can flip exactly one fact."""

    world: World
    today: date
    rie: object = None
    toetsing: object = None
    themes: dict = field(default_factory=dict)  # theme key -> RieTheme
    no_risk_theme: str = ""  # the theme recorded as "onderzocht, geen risico" with its grounds
    risks: dict = field(default_factory=dict)  # name -> Risk
    measures: dict = field(default_factory=dict)  # name -> Measure
    sessions: dict = field(default_factory=dict)  # name -> VoorlichtingSession
    instruments: dict = field(default_factory=dict)  # kind -> PolicyInstrument
    approvals: dict = field(default_factory=dict)  # "rie" / "plan_version" -> Approval
    evaluation: object = None
    onderzoek: object = None  # the verdiepend onderzoek: the nulmeting of werkdruk- and energiebronnen
    repeat: object = None  # the effect measurement that repeats the nulmeting's factors (E22)
    incident: object = None
    analysis: object = None
    appointment: object = None
    participation: object = None  # how employees took part in choosing the plan's measures
    contract: object = None  # the arbodienst basiscontract
    leidinggevende: object = None  # the employee marked leidinggevende


def build_compliant_org(world: World, today: date | None = None) -> Compliant:
    """Make world.org an organisation in which every self-inspection item is in order.

    Built through the services (RI&E, themes, toetsing, risks, measures and their status
    workflow, voorlichting and attendance, policy instruments, approvals, evaluations, the
    preventiemedewerker); incidents and their analysis are added as records. Every automatic
    item then answers voldoet or n.v.t.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from riecycle import clock
    from riecycle.models import Factor, Incident, IncidentAnalysis, RieTheme, Theme
    from riecycle.services import approvals, evaluations, plan, plan_versions, policy, risks, voorlichting
    from riecycle.services import rie as rie_service

    today = today or clock.today()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    org, users = world.org, world.users
    owner = users["preventiemedewerker"]
    built = Compliant(world=world, today=today)

    # A. The RI&E of 200 days ago, hybrid work assessed, tested by a kerndeskundige (60 employees: no
    # art. 14 exemption). The nulmeting is the verdiepend onderzoek of 400 days ago (below).
    built.rie = rie_service.create_rie(
        org,
        {
            "performed_on": ago(200),
            "performed_by_kind": "extern",
            "performed_by": "Arbodienst Voorbeeld",
            "review_interval_months": 36,
            "hybrid_work_considered": True,
            "hybrid_work_notes": "Thuiswerkplekken en bereikbaarheid zijn beoordeeld.",
        },
    )
    built.toetsing = rie_service.add_toetsing(
        org,
        built.rie,
        {
            "expert_name": "Kerndeskundige K.",
            "expert_kind": "kerndeskundige",
            "tested_on": ago(180),
            "toets_type": "beide",
        },
    )
    built.contract = policy.create_contract(org, {"provider": "Arbodienst Voorbeeld", "since": ago(700)})
    bron = db.session.scalar(select(Factor).where(Factor.kind == "werkdrukbron").order_by(Factor.key))
    energie = db.session.scalar(select(Factor).where(Factor.kind == "energiebron").order_by(Factor.key))
    built.risks["werkdruk"] = risks.create_risk(
        org,
        {
            "title": "Hoge werkdruk in de avonddienst",
            "description": "Te weinig bezetting in de avond; oorzaak: roosters.",
            "theme_key": "werkdruk",
            "scope": "organisatie",
            "factor_keys": [bron.key, energie.key],
        },
        rie=built.rie,
    )
    built.risks["agressie"] = risks.create_risk(
        org,
        {
            "title": "Agressie van cliënten",
            "description": "Verbale agressie bij de balie, vooral bij wachttijden.",
            "theme_key": "agressie_extern",
            "scope": "organisatie",
        },
        rie=built.rie,
    )
    # Every theme covered: two with risks, one "onderzocht, geen risico" with its grounds (behandeld
    # with a toelichting), the rest niet van toepassing with a reason.
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position)))
    with_risks = {"werkdruk", "agressie_extern"}
    built.no_risk_theme = next(t.key for t in themes if t.key not in with_risks)
    coverage = {}
    for theme in themes:
        if theme.key in with_risks:
            coverage[theme.key] = (True, None)
        elif theme.key == built.no_risk_theme:
            coverage[theme.key] = (True, "Onderzocht in de interviews met alle teams: geen risico gevonden.")
        else:
            coverage[theme.key] = (False, "Komt in ons werk niet voor; besproken met de OR.")
    rie_service.set_theme_coverage(org, built.rie, coverage)
    built.themes = {
        e.theme_key: e for e in db.session.scalars(select(RieTheme).where(RieTheme.rie_id == built.rie.id))
    }

    # B. Measures: organisation level for both risks, one team measure for rust en herstel, one
    # done four months ago and evaluated on process and effect. Nothing overdue.
    def measure(name, **data):
        values = {
            "title": name,
            "level": "organisatie",
            "approach": "bronaanpak",
            "responsible_id": owner.id,
            "termijn": today + timedelta(days=60),
        } | data
        built.measures[name] = plan.create_measure(org, owner, values)
        return built.measures[name]

    measure("Extra bezetting in de avond", risk_ids=[built.risks["werkdruk"].id])
    measure(
        "Balie herinrichten en training de-escalatie",
        risk_ids=[built.risks["agressie"].id],
        responsible_id=users["leidinggevende"].id,
    )
    measure(
        "Vaste pauzes en geen mail na 18 uur",
        risk_ids=[built.risks["werkdruk"].id],
        level="team",
        team_ids=[world.teams["Zorgteam Noord"].id],
        approach="rust_en_herstel",
    )
    done = measure("Roosterplanning met het team", risk_ids=[built.risks["werkdruk"].id], termijn=ago(130))
    plan.change_status(done, owner, "in_uitvoering", on=ago(150))
    plan.change_status(done, owner, "uitgevoerd", on=ago(120))

    # A6 and the plan: the OR agreed to the RI&E and to the Plan van Aanpak.
    built.approvals["rie"] = approvals.submit(org, "rie", built.rie.id, owner, submitted_on=ago(170))
    approvals.decide(built.approvals["rie"], users["or_lid"], "verleend", ago(160))
    version = plan_versions.submit_plan(org, owner, "Plan van Aanpak 1", submitted_on=ago(110))
    built.approvals["plan_version"] = plan_versions.record_decision(
        org, version, users["or_lid"], "verleend", ago(100)
    )
    # B11. Employees chose the measures in a werkgroep.
    built.participation = plan_versions.add_participation(
        org, version, {"method": "werkgroep", "held_on": ago(120), "participants": 8}
    )

    # E. The done measure evaluated on process and effect, with the desired effect.
    built.evaluation = evaluations.plan_evaluation(
        org,
        {"kind": "maatregel", "measure_id": done.id, "method": "groepsgesprek", "planned_on": ago(20)},
        owner,
    )
    evaluations.record_outcome(
        org,
        built.evaluation,
        {"done_on": ago(10), "effect": "opgelost", "implementation_rating": 4, "conclusion": "Werkt goed."},
        owner,
    )

    # A3 and E22. The verdiepend onderzoek (the nulmeting) meets the Arbeidsinspectie's requirements,
    # with team results above the anonymity threshold; the effect measurement of last week repeated
    # the same werkdrukbron and energiebron.
    from riecycle.services import onderzoek

    built.onderzoek = onderzoek.create(
        org,
        {
            "title": "Nulmeting werkdruk",
            "period_start": ago(400),
            "period_end": ago(390),
            "invited": 12,
            "respondents": 9,
            "anonymous": True,
            "reveals_causes": True,
            "discussed_on": ago(380),
        },
    )
    onderzoek.set_team_result(
        org, built.onderzoek, world.teams["Zorgteam Noord"].id, 7, 6, {bron.key: 3.8, energie.key: 2.2}
    )
    built.repeat = evaluations.plan_evaluation(
        org,
        {
            "kind": "thema",
            "theme_key": "werkdruk",
            "method": "herhaalde_vragenlijst",
            "is_repeat_measurement": True,
            "planned_on": ago(10),
        },
        owner,
    )
    evaluations.record_outcome(
        org,
        built.repeat,
        {
            "done_on": ago(5),
            "effect": "opgelost",
            "conclusion": "Tijdsdruk lager, steun gelijk gebleven.",
            "factor_scores": {bron.key: 2.9, energie.key: 2.4},
        },
        owner,
    )

    # C. Everyone informed this year, the leidinggevende instructed; a register for every session.
    built.leidinggevende = world.employees[0]
    built.leidinggevende.is_leidinggevende = True
    general = voorlichting.create_session(
        org, {"topic": "Werkdruk en agressie", "audience": "alle_medewerkers", "session_date": ago(60)}, owner
    )
    voorlichting.record_attendance(org, general, {e.id: "aanwezig" for e in world.employees})
    instructie = voorlichting.create_session(
        org,
        {
            "topic": "Signalen van werkstress herkennen",
            "audience": "leidinggevenden",
            "session_date": ago(90),
            "is_leidinggevenden_instructie": True,
        },
        owner,
    )
    voorlichting.record_attendance(org, instructie, {built.leidinggevende.id: "aanwezig"})
    built.sessions = {"general": general, "instructie": instructie}

    # D. Policy instruments, adopted and made known.
    known = {
        "status": "vastgesteld",
        "adopted_on": ago(300),
        "communicated_on": ago(250),
        "communication": "Teamoverleg",
    }
    for kind, extra in (
        ("gedragscode", {}),
        (
            "vertrouwenspersoon",
            {
                "vp_kind": "extern",
                "adopted_on": ago(500),  # over a year: a jaarverslag is due
                "trained": True,
                "trained_on": ago(320),
                "contact": "06-12345678",
                "anonymous_contact": True,
                "annual_report_year": today.year - 1,
                "annual_report_on": min(ago(1), date(today.year, 1, 1)),
            },
        ),
        ("klachtenregeling", {"committee": "Landelijke Klachtencommissie"}),
        ("opvang_nazorg", {}),
        ("meldprocedure", {}),
    ):
        built.instruments[kind] = policy.create_instrument(
            org, kind, {"name": kind.title(), **known, **extra}
        )
    # One melding this year, with opvang, and the meldingen analysed.
    built.incident = Incident(
        organisation_id=org.id,
        occurred_on=ago(40),
        theme_key="agressie_extern",
        party="ouder_klant",
        description="Een cliënt schold bij de balie.",
        opvang_done=True,
    )
    built.analysis = IncidentAnalysis(
        organisation_id=org.id,
        analysed_on=ago(15),
        period_start=ago(365),
        period_end=ago(15),
        conclusions="Vooral bij wachttijden aan de balie.",
    )
    db.session.add_all([built.incident, built.analysis])

    # E24. The preventiemedewerker, appointed with the OR's instemming.
    built.appointment = policy.create_appointment(
        org,
        {
            "user_id": owner.id,
            "since": ago(400),
            "or_instemming_on": ago(410),
            "hours_per_week": 4,
            "training": "Basiscursus preventiemedewerker",
            "trained_on": ago(380),
        },
    )
    db.session.flush()
    return built


# --- pulse: staff, a survey and answered rounds ------------------------------------------------


PULSE_ITEMS = ("tijdsdruk", "betrokkenheid")
PULSE_ANSWER = "/puls/antwoord"  # the token-free answer page a personal link leads to


def team(world, name="Zorgteam Noord"):
    return world.teams[name]


def add_staff(world, team_name: str, n: int):
    """Extra employees with an e-mail address (the world has three per team)."""
    target = team(world, team_name)
    start = sum(1 for e in db.session.scalars(select(Employee).where(Employee.team_id == target.id)))
    for i in range(start, start + n):
        db.session.add(
            Employee(
                organisation_id=world.org.id,
                name=f"Extra {i} {target.name}",
                team_id=target.id,
                email=f"extra{i}.{target.id}@acme.example",
                start_date=date(2020, 1, 1),
            )
        )
    db.session.flush()


def make_survey(world, items=PULSE_ITEMS, **extra):
    survey = pulse_service.save_survey(
        world.org,
        {
            "title": "Puls",
            "item_keys": list(items),
            "interval_months": 1,
            "open_days": 10,
            "active": True,
            **extra,
        },
    )
    db.session.commit()
    return survey


def run_round(survey, on: date, answers_by_team: dict):
    """Open a round on `on` and let people answer: {team_id: [answers dict, ...]}."""
    pulse_round, issued = pulse_service.open_round(survey, on)
    by_team: dict[int, list] = {}
    for item in issued:
        by_team.setdefault(item.employee.team_id, []).append(item)
    for team_id, answer_list in answers_by_team.items():
        assert len(by_team[team_id]) >= len(answer_list), "add staff first"
        for item, answers in zip(by_team[team_id], answer_list, strict=False):
            pulse_service.submit_answers(item.raw, answers, on)
    db.session.commit()
    return pulse_round, issued


def same(value: int, n: int, items=PULSE_ITEMS):
    return [dict.fromkeys(items, value) for _ in range(n)]


# --- through the services: an evaluated risk, measures, a session with attendance --------------


SECRET_TITLE = "Mantelzorgregeling voor moeder van Medewerker 1"


SECRET_TEXT = "Zorgt twee middagen per week voor een zieke ouder."


def make_evaluated_risk(
    world, title="Hoge werkdruk op de afdeling", theme="werkdruk", evaluations=((5, 7, 5, 60), (3, 4, 5, 10))
):
    risk = risk_service.create_risk(
        world.org, {"title": title, "description": "Te veel werk in te weinig tijd.", "theme_key": theme}
    )
    for kans, freq, effect, days_ago in evaluations:
        risk_service.evaluate(
            world.org,
            risk,
            world.users["preventiemedewerker"],
            kans,
            effect,
            freq,
            evaluated_on=clock.today() - timedelta(days=days_ago),
            method="kinney",
        )
    return risk


def make_detailed_measure(world, risk, **overrides):
    data = {
        "title": "Vaste pauzes in het rooster",
        "description": "Iedereen een half uur pauze.",
        "risk_ids": [risk.id],
        "level": "organisatie",
        "approach": "rust_en_herstel",
        "responsible_id": world.users["preventiemedewerker"].id,
        "termijn": date(2099, 3, 31),
        "start_date": None,
        "budget_eur": "1.500,50",
        "effort": "2 uur per week",
        "quick_win": True,
        "change_type": "eenvoudig",
        "pilot": False,
    }
    data.update(overrides)
    return plan_service.create_measure(world.org, world.users["preventiemedewerker"], data)


def make_individual_measure(world, risk):
    employee = world.employees[0]
    return make_detailed_measure(
        world,
        risk,
        title=SECRET_TITLE,
        description=SECRET_TEXT,
        level="individu",
        employee_id=employee.id,
        approach="werk_prive",
        effort="Flexibele uren",
        budget_eur=None,
    )


def make_attended_session(world, days_ago=10, topic="Voorlichting werkdruk"):
    session = VoorlichtingSession(
        organisation_id=world.org.id,
        topic=topic,
        audience="alle_medewerkers",
        session_date=clock.today() - timedelta(days=days_ago),
    )
    db.session.add(session)
    db.session.flush()
    for employee, status in zip(world.employees[1:4], ("aanwezig", "aanwezig", "afwezig"), strict=True):
        db.session.add(
            Attendance(
                organisation_id=world.org.id, session_id=session.id, employee_id=employee.id, status=status
            )
        )
    db.session.flush()
    return session


# --- evaluations: a carried-out measure and its evaluation (committed) -------------------------


def make_done_measure(world, status="uitgevoerd", **fields) -> Measure:
    risk = Risk(
        organisation_id=world.org.id,
        theme_key="werkdruk",
        title="Hoge werkdruk",
        description="Te veel administratie",
    )
    db.session.add(risk)
    db.session.flush()
    values = {
        "title": "Administratie schrappen",
        "level": "team",
        "approach": "bronaanpak",
        "responsible_id": world.users["leidinggevende"].id,
        "termijn": date(2025, 1, 1),
        "status": status,
        "completed_on": date(2025, 1, 15) if status == "uitgevoerd" else None,
    } | fields
    m = Measure(organisation_id=world.org.id, **values)
    m.risks = [risk]
    m.teams = [world.teams["Zorgteam Noord"]]
    db.session.add(m)
    db.session.commit()
    return m


def make_evaluation(world, measure, **fields) -> Evaluation:
    evaluation = Evaluation(
        organisation_id=world.org.id,
        kind="maatregel",
        measure_id=measure.id,
        planned_on=date(2025, 4, 15),
        method="groepsgesprek",
        responsible_id=world.users["preventiemedewerker"].id,
        **fields,
    )
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


# --- dashboard: a scored risk and a bare measure (flushed) -------------------------------------


def make_scored_risk(
    world, theme="werkdruk", title="Risico", kans=3, effect=5, frequentie=4, method="kinney"
):
    found = Risk(organisation_id=world.org.id, theme_key=theme, title=title, description="x")
    db.session.add(found)
    db.session.flush()
    db.session.add(
        RiskEvaluation(
            organisation_id=world.org.id,
            risk_id=found.id,
            method=method,
            kans=kans,
            effect=effect,
            frequentie=frequentie,
            score=kans * effect * (frequentie or 1),
            priority="middel",
        )
    )
    db.session.flush()
    risk_service.refresh_current(found)  # what the risk service does after every evaluation
    return found


def make_simple_measure(
    world, risks=(), title="Maatregel", status="gepland", level="organisatie", termijn=None, employee=None
):
    found = Measure(
        organisation_id=world.org.id,
        title=title,
        level=level,
        approach="bronaanpak",
        responsible_id=world.users["preventiemedewerker"].id,
        status=status,
        termijn=termijn or clock.today() + timedelta(days=30),
        employee_id=employee.id if employee else None,
    )
    found.risks = list(risks)
    db.session.add(found)
    db.session.flush()
    return found


# --- a rich plan with history, and an empty copy of the organisation ---------------------------


def past_day(days: int) -> tuple[date, datetime]:
    day = clock.today() - timedelta(days=days)
    return day, datetime.combine(day, time(12), clock.AMSTERDAM)


def change_status_on(measure, user, status, days, reason=None):
    day, moment = past_day(days)
    plan_service.change_status(measure, user, status, reason, on=day, at=moment)


def build_rich_plan(world):
    user = world.users["preventiemedewerker"]
    noord, zuid = world.teams["Zorgteam Noord"], world.teams["Zorgteam Zuid"]
    werkdruk = risk_service.create_risk(
        world.org,
        {
            "title": "Werkdruk in de avonddienst",
            "description": "Te weinig handen.\nVooral op vrijdag.",
            "theme_key": "werkdruk",
            "scope": "teams",
            "team_ids": [zuid.id, noord.id],
            "factor_keys": ["tijdsdruk", "hoeveelheid_werk"],
            "team_bound_reason": "Alleen in de zorgteams.",
        },
    )
    risk_service.evaluate(world.org, werkdruk, user, 5, 10, 7, evaluated_on=past_day(200)[0], method="kinney")
    risk_service.evaluate(world.org, werkdruk, user, 3, 5, 4, evaluated_on=past_day(20)[0], method="kinney")
    agressie = risk_service.create_risk(
        world.org,
        {
            "title": "Agressie van bezoekers",
            "description": "Schelden aan de balie.",
            "theme_key": "agressie_extern",
            "scope": "functiegroep",
            "function_group": "Baliemedewerkers",
            "source": "signaal",
            "status": "in_behandeling",
        },
    )
    risk_service.evaluate(world.org, agressie, user, 4, 4, None, evaluated_on=past_day(3)[0], method="matrix")
    risk_service.set_top5(world.org, [agressie.id])
    risk_service.create_risk(
        world.org,
        {
            "title": "Discriminatie",
            "description": "Niet gebleken.",
            "theme_key": "discriminatie",
            "status": "nvt",
            "status_reason": "Geen signalen in het MTO.",
        },
    )
    return werkdruk, agressie


def build_rich_measures(world, werkdruk, agressie):
    user = world.users["preventiemedewerker"]
    zuid = world.teams["Zorgteam Zuid"]
    done = make_detailed_measure(
        world,
        werkdruk,
        title="Extra invalkracht",
        budget_eur="12.500,00",
        start_date=past_day(100)[0],
        termijn=date(2099, 1, 1),
        pilot=True,
        change_type="organisatieverandering",
        created_at=past_day(120)[1],
    )
    change_status_on(done, user, "in_uitvoering", 90)
    change_status_on(done, user, "uitgevoerd", 30)
    # Left at uitgevoerd: moving a geëvalueerd measure (with its evaluation) is tested in
    # tests/test_import_move.py and tests/test_import_evaluations.py.
    team = make_detailed_measure(
        world,
        werkdruk,
        title="Werkdruk vast op de agenda",
        level="team",
        team_ids=[zuid.id],
        approach="veerkracht",
        budget_eur=None,
        quick_win=False,
        created_at=past_day(60)[1],
    )
    change_status_on(team, user, "in_uitvoering", 40)
    make_detailed_measure(
        world,
        agressie,
        title="=Balie met glas",
        risk_ids=[agressie.id, werkdruk.id],
        termijn=date(2099, 5, 1),
    )
    dropped = make_detailed_measure(
        world, agressie, title="Beveiliger", effort="-", created_at=past_day(50)[1]
    )
    change_status_on(dropped, user, "vervallen", 10, reason="Te duur voor het effect.")
    employee = world.employees[0]
    make_detailed_measure(
        world,
        werkdruk,
        title="Aangepaste uren mantelzorg",
        level="individu",
        employee_id=employee.id,
        approach="werk_prive",
        description="Vertrouwelijk.",
    )


def copy_organisation(world):
    copy = organisations.create_organisation("kopie", "Kopie Zorg", mfa_policy="uit")
    teams = {}
    for team in db.session.scalars(select(Team).where(Team.organisation_id == world.org.id)):
        teams[team.name] = Team(organisation_id=copy.id, name=team.name, kind=team.kind)
        db.session.add(teams[team.name])
    db.session.flush()
    for employee in db.session.scalars(select(Employee).where(Employee.organisation_id == world.org.id)):
        db.session.add(
            Employee(organisation_id=copy.id, name=employee.name, team_id=teams[employee.team.name].id)
        )
    for role in ("beheerder", "preventiemedewerker"):
        accounts.add_membership(copy, world.users[role], role)
    return copy


# --- volume: n of everything, inserted in bulk -------------------------------------------------


def insert_ids(model, rows) -> list[int]:
    return list(db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def seed_volume(org, user, n: int) -> dict:
    """n risks (each evaluated), n measures, n employees attending one session, n audit entries."""
    today = clock.today()
    team = Team(organisation_id=org.id, name=f"Team {n}", kind="afdeling", manager_id=user.id)
    db.session.add(team)
    db.session.flush()
    risk_ids = insert_ids(
        Risk,
        [
            {
                "organisation_id": org.id,
                "theme_key": "werkdruk",
                "title": f"Risico {i}",
                "description": "x",
                "scope": "teams",
                "current_score": 60,
                "current_priority": "hoog",
                "current_method": "kinney",
                "current_kans": 3,
                "current_effect": 5,
            }
            for i in range(n)
        ],
    )
    db.session.execute(insert(risk_teams), [{"risk_id": r, "team_id": team.id} for r in risk_ids])
    db.session.execute(
        insert(RiskEvaluation),
        [
            {
                "organisation_id": org.id,
                "risk_id": r,
                "method": "kinney",
                "kans": 3,
                "frequentie": 4,
                "effect": 5,
                "score": 60,
                "priority": "hoog",
            }
            for r in risk_ids
        ],
    )
    employee_ids = insert_ids(
        Employee,
        [
            {
                "organisation_id": org.id,
                "name": f"Medewerker {i}",
                "team_id": team.id,
                "email": f"m{i}@{org.slug}.test",
            }
            for i in range(n)
        ],
    )
    levels = ("organisatie", "team", "individu")
    measure_ids = insert_ids(
        Measure,
        [
            {
                "organisation_id": org.id,
                "title": f"Maatregel {i}",
                "level": levels[i % 3],
                "approach": "bronaanpak",
                "employee_id": employee_ids[i] if levels[i % 3] == "individu" else None,
                "responsible_id": user.id,
                "termijn": today + timedelta(days=i % 90 - 30),
                "status": ("gepland", "in_uitvoering", "uitgevoerd")[i % 3],
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        insert(measure_risks), [{"measure_id": m, "risk_id": risk_ids[i]} for i, m in enumerate(measure_ids)]
    )
    db.session.execute(
        insert(measure_teams),
        [{"measure_id": m, "team_id": team.id} for i, m in enumerate(measure_ids) if levels[i % 3] == "team"],
    )
    db.session.execute(
        insert(MeasureStatusChange),
        [
            {"organisation_id": org.id, "measure_id": m, "from_status": None, "to_status": "gepland"}
            for m in measure_ids
        ],
    )
    session = VoorlichtingSession(
        organisation_id=org.id,
        topic="Werkdruk",
        audience="teams",
        session_date=today - timedelta(days=3),
        organiser_id=user.id,
    )
    db.session.add(session)
    db.session.flush()
    db.session.execute(insert(session_teams), [{"session_id": session.id, "team_id": team.id}])
    db.session.execute(
        insert(Attendance),
        [
            {"organisation_id": org.id, "session_id": session.id, "employee_id": e, "status": "aanwezig"}
            for e in employee_ids
        ],
    )
    start = datetime.now(UTC) - timedelta(days=30)
    db.session.execute(
        insert(AuditEntry),
        [
            {
                "organisation_id": org.id,
                "user_id": user.id,
                "entity": "Maatregel",
                "entity_id": measure_ids[i],
                "action": "update",
                "label": f"Maatregel {i}",
                "changes": {"status": ["gepland", "in_uitvoering"]},
                "created_at": start + timedelta(minutes=i),
            }
            for i in range(n)
        ],
    )
    zelfinspectie.run_checklist(org, user)
    db.session.commit()
    return {"risk": risk_ids[0], "session": session.id}


# --- a large plan workbook ---------------------------------------------------------------------


def bulk_plan_file(n: int, started: int = 0) -> bytes:
    """n risks evaluated twice, each with an organisation, a team and an individual measure, plus
    `started` measures that were carried out (two status steps each)."""
    past = (clock.today() - timedelta(days=30)).strftime("%d-%m-%Y")
    first = {"Eerste kans": 5, "Eerste frequentie": 7, "Eerste effect": 10, "Datum eerste beoordeling": past}
    risks = [risk_row(f"R-{i}", title=f"Risico {i}", **first) for i in range(n)]
    measures = []
    for i in range(n):
        measures += [
            measure_row(f"R-{i}", title=f"Roosterafspraken {i}"),
            measure_row(
                f"R-{i}", title=f"Teamoverleg {i}", Niveau="Team", Teams="Zorgteam Noord; Zorgteam Zuid"
            ),
            measure_row(
                f"R-{i}", title=f"Rooster {i}", Niveau="Individu", Medewerker="Medewerker 1 Zorgteam Noord"
            ),
        ]
    done = {"Status": "Uitgevoerd", "Uitgevoerd op": past}
    measures += [measure_row("R-0", title=f"Training {i}", **done) for i in range(started)]
    return xlsx(
        {
            "Risico's": ([*RISK_HEADERS, *first], risks),
            "Plan van aanpak": ([*MEASURE_HEADERS, "Uitgevoerd op"], measures),
        }
    )


# --- plan: risks, measures and plan versions built directly (flushed) --------------------------


_serial = itertools.count(1)


def make_risk(world, title=None, **fields) -> Risk:
    risk = Risk(
        organisation_id=fields.pop("org", world.org).id,
        theme_key="werkdruk",
        title=title or f"Risico {next(_serial)}",
        description="Omschrijving",
        **fields,
    )
    db.session.add(risk)
    db.session.flush()
    return risk


def make_measure(
    world,
    level="organisatie",
    *,
    risk=None,
    responsible=None,
    employee=None,
    teams=None,
    status="gepland",
    **fields,
) -> Measure:
    """A measure built directly (the service is tested separately), committed by the caller."""
    risk = risk or make_risk(world)
    values = {
        "title": f"Maatregel {next(_serial)}",
        "description": "Beschrijving",
        "approach": "bronaanpak",
        "termijn": clock.today() + timedelta(days=30),
        **fields,
    }
    measure = Measure(
        organisation_id=risk.organisation_id,
        level=level,
        status=status,
        responsible_id=(responsible or world.users["preventiemedewerker"]).id,
        employee_id=employee.id if employee else None,
        **values,
    )
    measure.risks = [risk]
    measure.teams = list(teams or [])
    db.session.add(measure)
    db.session.flush()
    db.session.add(
        MeasureStatusChange(organisation_id=measure.organisation_id, measure_id=measure.id, to_status=status)
    )
    db.session.flush()
    return measure


def make_version(world, pending=True) -> PlanVersion:
    """A plan version put before the OR (with an empty snapshot)."""
    number = (
        max(
            (v.number for v in db.session.query(PlanVersion).filter_by(organisation_id=world.org.id)),
            default=0,
        )
        + 1
    )
    version = PlanVersion(
        organisation_id=world.org.id, number=number, snapshot={"measures": []}, fingerprint="x" * 64
    )
    db.session.add(version)
    db.session.flush()
    db.session.add(
        Approval(
            organisation_id=world.org.id,
            subject_type="plan_version",
            subject_id=version.id,
            submitted_on=clock.today(),
            decision=None if pending else "verleend",
            decided_on=None if pending else clock.today(),
        )
    )
    db.session.flush()
    return version


# --- RI&E through the services (committed) -----------------------------------------------------


def make_rie(world):
    rie = rie_service.create_rie(
        world.org,
        {
            "performed_on": clock.today() - timedelta(days=30),
            "performed_by_kind": "intern",
            "review_interval_months": 36,
        },
    )
    db.session.commit()
    return rie


def make_service_risk(world, **extra):
    data = {
        "title": "Matrixrisico",
        "description": "Wat, oorzaak, wanneer, wie.",
        "theme_key": "werkdruk",
        "scope": "organisatie",
        "source": "rie",
        "status": "open",
        **extra,
    }
    risk = risk_service.create_risk(world.org, data)
    db.session.commit()
    return risk


# --- plan workbooks: rows as the import reads them ---------------------------------------------


RISK_HEADERS = [
    "Risico-ref",
    "Thema",
    "Titel",
    "Beschrijving",
    "Voor wie",
    "Teams",
    "Status",
    "Methode",
    "Kans",
    "Frequentie",
    "Effect",
    "Datum beoordeling",
]


MEASURE_HEADERS = [
    "Maatregel-ref",
    "Risico-ref",
    "Titel",
    "Niveau",
    "Teams",
    "Medewerker",
    "Aanpak",
    "Verantwoordelijke",
    "Termijn",
    "Budget",
    "Status",
]


def risk_row(ref="R-1", title="Werkdruk door roosters", **values) -> dict:
    row = {
        "Risico-ref": ref,
        "Thema": "Werkdruk",
        "Titel": title,
        "Beschrijving": "Te weinig tijd voor de zorg door krappe roosters.",
        "Voor wie": "Hele organisatie",
        "Status": "Open",
        "Methode": "Kinney",
        "Kans": 3,
        "Frequentie": 4,
        "Effect": 5,
    }
    row.update(values)
    return row


def measure_row(risk_ref="R-1", title="Roosterafspraken per team", **values) -> dict:
    row = {
        "Risico-ref": risk_ref,
        "Titel": title,
        "Niveau": "Organisatie",
        "Aanpak": "Bronaanpak",
        "Verantwoordelijke": "preventiemedewerker@acme.example",
        "Termijn": "31-12-2099",
        "Budget": 1500,
        "Status": "Gepland",
    }
    row.update(values)
    return row


def xlsx(sheets: dict) -> bytes:
    """A workbook from {sheet title: (headers, [row dicts])}."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def plan_file(risks=None, measures=None) -> bytes:
    risks = [risk_row()] if risks is None else risks
    measures = [measure_row()] if measures is None else measures
    return xlsx({"Risico's": (RISK_HEADERS, risks), "Plan van aanpak": (MEASURE_HEADERS, measures)})


# --- records built directly, with only the fields a checklist rule reads ------------------------
# The self-inspection rule tests flip one rule at a time, so these add nothing the test did not ask
# for: no status history, no teams, no service validation. Dates count back from today.


def add_flushed(obj):
    """Add one record and flush it, so it has its id."""
    db.session.add(obj)
    db.session.flush()
    return obj


def _days_ago(days: int) -> date:
    return clock.today() - timedelta(days=days)


def make_bare_rie(world, **fields) -> Rie:
    """A current RI&E (version 1, performed 100 days ago) without themes or toetsing."""
    values = {"version": 1, "is_current": True, "performed_on": _days_ago(100)} | fields
    return add_flushed(Rie(organisation_id=world.org.id, **values))


def make_bare_risk(world, theme="werkdruk", **fields) -> Risk:
    """An organisation-wide risk in one theme, outside any RI&E unless rie_id is given."""
    values = {"title": f"Risico {theme}", "description": "Beschrijving", "scope": "organisatie"} | fields
    return add_flushed(Risk(organisation_id=world.org.id, theme_key=theme, **values))


def make_bare_measure(world, risks=(), **fields) -> Measure:
    """An organisation-level bronaanpak measure due in 30 days, without status history."""
    values = {
        "title": "Maatregel",
        "level": "organisatie",
        "approach": "bronaanpak",
        "responsible_id": world.users["preventiemedewerker"].id,
        "termijn": clock.today() + timedelta(days=30),
    } | fields
    measure = Measure(organisation_id=world.org.id, **values)
    measure.risks = list(risks)
    return add_flushed(measure)


def make_session(world, **fields) -> VoorlichtingSession:
    """A voorlichting session held 30 days ago, without attendance."""
    values = {"topic": "Werkdruk en wat we eraan doen", "session_date": _days_ago(30)} | fields
    return add_flushed(VoorlichtingSession(organisation_id=world.org.id, **values))


def attend(world, session, employees, status="aanwezig") -> None:
    """Record each employee's attendance of a session."""
    for employee in employees:
        add_flushed(
            Attendance(
                organisation_id=world.org.id, session_id=session.id, employee_id=employee.id, status=status
            )
        )


def make_instrument(world, kind, **fields) -> PolicyInstrument:
    """A policy instrument of a kind, vastgesteld 200 days ago."""
    values = {"name": kind.title(), "status": "vastgesteld", "adopted_on": _days_ago(200)} | fields
    return add_flushed(PolicyInstrument(organisation_id=world.org.id, kind=kind, **values))
