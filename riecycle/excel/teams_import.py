"""Reading a teams file (the Teams and Medewerkers sheets): check every team and employee row."""

import re
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from riecycle.excel import move, schema
from riecycle.excel.cells import Lookup, day, line, norm, yes_no
from riecycle.excel.directory import Directory
from riecycle.excel.filecheck import read_workbook
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.problems import refuse as _refuse
from riecycle.excel.tables import RowReader, Table, find_sheet, read_table
from riecycle.models import Employee, Team
from riecycle.models.team import TeamKind

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class TeamsImport:
    teams: list = field(default_factory=list)  # {"row", "name", "kind", "parent", "manager_id", "exists"}
    employees: list = field(default_factory=list)  # {"row", "data", "team"}
    notes: list = field(default_factory=list)  # where reading stopped early (tables.Table.note)

    @property
    def empty(self) -> bool:
        return not any(not t["exists"] for t in self.teams) and not self.employees


def parse_teams(org, data: bytes, filename: str | None = None) -> TeamsImport:
    """Read and check a teams-plus-employees file; raise ImportRefused listing every problem."""
    wb = read_workbook(data, filename)
    try:
        return _parse_teams(org, wb)
    finally:
        wb.close()


def has_sheets(wb) -> bool:
    """Whether the workbook carries a Teams or Medewerkers sheet (the beheerder's evidence workbook)."""
    with force_locale("nl"):
        return any(
            find_sheet(wb, str(title)) is not None for title in (schema.TEAMS_SHEET, schema.EMPLOYEES_SHEET)
        )


def parse_moved(org, wb) -> TeamsImport:
    """The teams and staff of a workbook that moves into this (empty) organisation with its plan."""
    return _parse_teams(org, wb, with_plan=True)


def _parse_teams(org, wb, with_plan: bool = False) -> TeamsImport:
    with force_locale("nl"):
        teams_title, employees_title = str(schema.TEAMS_SHEET), str(schema.EMPLOYEES_SHEET)
    teams_ws, employees_ws = find_sheet(wb, teams_title), find_sheet(wb, employees_title)
    if teams_ws is None and employees_ws is None:
        _refuse(
            _(
                "De tabbladen '%(t)s' en '%(e)s' ontbreken. Gevonden tabbladen: %(found)s. Gebruik het sjabloon "
                "voor teams en medewerkers.",
                t=teams_title,
                e=employees_title,
                found=", ".join(ws.title for ws in wb.worksheets),
            )
        )
    problems: list[Problem] = []
    directory = Directory(org)
    moved = move.moving(org, wb, Team, Employee)
    if moved:
        move.collect_unknown(directory)
    result = TeamsImport()
    known = {k: v[0].name for k, v in directory.teams.items()}
    if teams_ws is not None:
        table = read_table(teams_ws, teams_title, schema.TEAM_FIELDS, problems)
        if table is not None:
            result.notes += [table.note] if table.note else []
            _teams(directory, table, known, problems, result)
    if employees_ws is not None:
        table = read_table(employees_ws, employees_title, schema.EMPLOYEE_FIELDS, problems)
        if table is not None:
            result.notes += [table.note] if table.note else []
            _employees(org, directory, table, known, problems, result)
    if moved and with_plan:
        result.notes += move.notes(directory)
    elif moved:
        result.notes += [move.what_stays(), move.next_step(), *move.notes(directory)]
    if not problems and result.empty and not with_plan:
        problems.append(Problem(None, None, None, _("Het bestand bevat geen nieuwe teams of medewerkers.")))
    if problems:
        raise ImportRefused(problems)
    return result


def _teams(directory: Directory, table: Table, known: dict, problems, result: TeamsImport) -> None:
    kind = Lookup("team_kind")
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        name = r.get("name", line, 200, required=_l("Vul de naam van het team in."))
        if name and norm(name) in seen:
            r.error(
                "name", _("Dubbele rij: team '%(t)s' staat ook in rij %(n)s.", t=name, n=seen[norm(name)])
            )
        parent = r.get("parent", line)
        if parent and norm(parent) not in known and norm(parent) not in seen:
            r.error(
                "parent",
                _(
                    "Bovenliggend team '%(t)s' bestaat niet. Het moet al in riecycle staan of hoger in "
                    "dit tabblad.",
                    t=parent,
                ),
            )
        if parent and name and norm(parent) == norm(name):
            r.error("parent", _("Een team kan niet onder zichzelf vallen."))
        manager = directory.user(r, "manager", None)
        kind_value = r.get("kind", kind, default=TeamKind.AFDELING)
        if name:
            seen[norm(name)] = number
        if r.failed:
            continue
        exists = norm(name) in known
        known.setdefault(norm(name), name)
        result.teams.append(
            {
                "row": number,
                "name": name,
                "kind": kind_value,
                "parent": parent,
                "manager_id": manager.id if manager else None,
                "exists": exists,
            }
        )


def _employees(org, directory: Directory, table: Table, known: dict, problems, result: TeamsImport) -> None:
    seen: dict[tuple, int] = {}
    for number, cells in table.rows:
        r = RowReader(table, number, cells, problems)
        name = r.get("name", line, 200, required=_l("Vul de naam van de medewerker in."))
        team = r.get("team", line, required=_l("Vul het team in."))
        if team and norm(team) not in known:
            r.error(
                "team",
                _(
                    "Team '%(t)s' bestaat niet in riecycle en staat niet op het tabblad Teams. Kies een "
                    "team uit de lijst.",
                    t=team,
                ),
            )
        email = r.get("email", line, 254)
        if email and not EMAIL_RE.match(email):
            r.error("email", _("'%(e)s' is geen geldig e-mailadres.", e=email))
        start, end = r.get("start_date", day), r.get("end_date", day)
        if start and end and end < start:
            r.error("end_date", _("De einddatum ligt vóór de startdatum."))
        key = (norm(name), norm(team))
        if name and key in seen:
            r.error(
                "name", _("Dubbele rij: %(n)s staat ook in rij %(r)s in hetzelfde team.", n=name, r=seen[key])
            )
        elif name and any(
            e.team_name is not None and norm(e.team_name) == norm(team)
            for e in directory.employees.get(norm(name), [])
        ):
            r.error("name", _("%(n)s staat al in riecycle in team %(t)s.", n=name, t=team))
        if name:
            seen.setdefault(key, number)
        if r.failed:
            continue
        result.employees.append(
            {
                "row": number,
                "team": known[norm(team)],
                "data": {
                    "name": name,
                    "email": email,
                    "function": r.get("function", line, 120),
                    "start_date": start,
                    "end_date": end,
                    "is_leidinggevende": r.get("is_leidinggevende", yes_no, default=False),
                },
            }
        )
