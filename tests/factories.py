"""Test data builders: an organisation with one user per role, and a second tenant."""

from dataclasses import dataclass, field
from datetime import date

from riecycle.extensions import db
from riecycle.models import Employee, Team
from riecycle.seeding.taxonomy import load_taxonomy
from riecycle.services import accounts, organisations

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
