"""Round trip: the evidence workbook's Risico's and Plan van aanpak sheets import into an empty
organisation (same team names), and exporting that organisation again gives the same content."""

from datetime import date, datetime, time, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Employee, Measure, Team
from riecycle.services import accounts, organisations
from riecycle.services import plan as plan_service
from riecycle.services import risks as risk_service
from tests.test_excel import download, make_measure


def _past(days: int) -> tuple[date, datetime]:
    day = clock.today() - timedelta(days=days)
    return day, datetime.combine(day, time(12), clock.AMSTERDAM)


def _step(measure, user, status, days, reason=None):
    day, moment = _past(days)
    plan_service.change_status(measure, user, status, reason, on=day, at=moment)


def _rich_plan(world):
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
    risk_service.evaluate(world.org, werkdruk, user, 5, 10, 7, evaluated_on=_past(200)[0], method="kinney")
    risk_service.evaluate(world.org, werkdruk, user, 3, 5, 4, evaluated_on=_past(20)[0], method="kinney")
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
    risk_service.evaluate(world.org, agressie, user, 4, 4, None, evaluated_on=_past(3)[0], method="matrix")
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


def _rich_measures(world, werkdruk, agressie):
    user = world.users["preventiemedewerker"]
    zuid = world.teams["Zorgteam Zuid"]
    done = make_measure(
        world,
        werkdruk,
        title="Extra invalkracht",
        budget_eur="12.500,00",
        start_date=_past(100)[0],
        termijn=date(2099, 1, 1),
        pilot=True,
        change_type="organisatieverandering",
        created_at=_past(120)[1],
    )
    _step(done, user, "in_uitvoering", 90)
    _step(done, user, "uitgevoerd", 30)
    # Not geëvalueerd: the import reads no Evaluaties sheet, so it refuses that status
    # (tests/test_evaluation_status.py).
    team = make_measure(
        world,
        werkdruk,
        title="Werkdruk vast op de agenda",
        level="team",
        team_ids=[zuid.id],
        approach="veerkracht",
        budget_eur=None,
        quick_win=False,
        created_at=_past(60)[1],
    )
    _step(team, user, "in_uitvoering", 40)
    make_measure(
        world,
        agressie,
        title="=Balie met glas",
        risk_ids=[agressie.id, werkdruk.id],
        termijn=date(2099, 5, 1),
    )
    dropped = make_measure(world, agressie, title="Beveiliger", effort="-", created_at=_past(50)[1])
    _step(dropped, user, "vervallen", 10, reason="Te duur voor het effect.")
    employee = world.employees[0]
    make_measure(
        world,
        werkdruk,
        title="Aangepaste uren mantelzorg",
        level="individu",
        employee_id=employee.id,
        approach="werk_prive",
        description="Vertrouwelijk.",
    )


def _copy_organisation(world):
    copy = organisations.create_organisation("kopie", "Kopie Zorg")
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


def _sheet(data: bytes, title: str) -> list[list]:
    return [list(row) for row in load_workbook(BytesIO(data))[title].iter_rows(values_only=True)]


def test_export_import_export_gives_the_same_content(client_as, world):
    werkdruk, agressie = _rich_plan(world)
    _rich_measures(world, werkdruk, agressie)
    copy = _copy_organisation(world)
    db.session.commit()
    client = client_as("beheerder")
    first = download(client_as, "beheerder", "/o/acme/export/bewijsdossier")

    response = client.post(
        "/o/kopie/export/importeren",
        data={"kind": "plan", "file": (BytesIO(first), "dossier.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dit wordt aangemaakt: 3 risico's en 5 maatregelen." in preview
    confirm = response.headers["Location"] + "/bevestigen"
    assert client.post(confirm).status_code == 302

    second = download(client_as, "beheerder", "/o/kopie/export/bewijsdossier")
    for title in ("Risico's", "Plan van aanpak"):
        before, after = _sheet(first, title), _sheet(second, title)
        assert len(before) > 2
        version = before[0].index("Versie")  # each record's own edit counter, not content
        for old, new in zip(before, after, strict=True):
            assert old[:version] + old[version + 1 :] == new[:version] + new[version + 1 :], title
    db.session.expire_all()
    imported = db.session.scalar(
        select(Measure).where(Measure.organisation_id == copy.id, Measure.title == "Extra invalkracht")
    )
    assert imported.status == "uitgevoerd" and imported.completed_on == _past(30)[0]
