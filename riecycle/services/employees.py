"""Employees of an organisation, including the all-or-nothing CSV import."""

import csv
import io
import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.inputs import date_range_message, plausible_date
from riecycle.models import Employee, Team
from riecycle.services import ServiceError, fields
from riecycle.services.records import apply_changes
from riecycle.tenancy import get_in_org

CSV_COLUMNS = ("naam", "team", "e-mail", "functie", "startdatum")
CSV_MAX_ROWS = 5000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_team(org, team_id):
    if team_id is None:
        return
    team = get_in_org(Team, team_id, org)
    if team is None:
        raise ServiceError(_("Kies een bestaand team."), "team_id")


def create_employee(org, data: dict) -> Employee:
    """Add one employee."""
    _check_team(org, data.get("team_id"))
    employee = Employee(organisation_id=org.id, **data)
    db.session.add(employee)
    db.session.flush()
    return employee


def update_employee(org, employee: Employee, data: dict) -> bool:
    """Change an employee's fields."""
    _check_team(org, data.get("team_id"))
    changed = apply_changes(employee, data)
    db.session.flush()
    return changed


class CsvImportError(ServiceError):
    """The CSV file has errors; .errors lists (row, column, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(_("Het bestand bevat fouten; er is niets geïmporteerd."))
        self.errors = errors


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvImportError([(0, "", _("Het bestand is geen leesbare tekst (CSV)."))])


def _parse_date(value: str):
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_employee_csv(org, raw: bytes) -> list[dict]:
    """Validate a CSV of employees; return the rows or raise CsvImportError with every error."""
    text = _decode(raw)
    if not text.strip():
        raise CsvImportError([(0, "", _("Het bestand is leeg."))])
    header = text.splitlines()[0]
    delimiter = max(";,\t", key=header.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("naam", "team") if c not in headers]
    if missing:
        raise CsvImportError([(1, c, _("Kolom '%(c)s' ontbreekt in de kopregel.", c=c)) for c in missing])
    teams = {
        t.name.strip().lower(): t.id
        for t in db.session.scalars(
            select(Team).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        )
    }
    rows, errors, seen = [], [], set()
    try:
        for number, raw_row in enumerate(reader, start=2):
            if number - 1 > CSV_MAX_ROWS:
                errors.append((number, "", _("Meer dan %(n)s rijen; splits het bestand.", n=CSV_MAX_ROWS)))
                break
            # Cells beyond the header (key None, a list) are ignored.
            row = {k.strip().lower(): (v or "").strip() for k, v in raw_row.items() if isinstance(k, str)}
            rows.append(_validate_row(number, row, teams, seen, errors))
    except csv.Error:
        # A field over the csv module's limit (128 KB), or a broken quote: refuse the whole file.
        raise CsvImportError(
            [
                (
                    reader.line_num,
                    "",
                    _(
                        "Rij %(n)s kan niet worden gelezen: een veld is te lang of een aanhalingsteken "
                        "is niet afgesloten. Er is niets geïmporteerd.",
                        n=reader.line_num,
                    ),
                )
            ]
        ) from None
    if not rows and not errors:
        errors.append((0, "", _("Het bestand bevat geen medewerkers.")))
    if errors:
        raise CsvImportError(errors)
    return rows


def _validate_row(number, row, teams, seen, errors) -> dict:
    name, team_name = row.get("naam", ""), row.get("team", "")
    email, start = row.get("e-mail", ""), row.get("startdatum", "")
    if not name:
        errors.append((number, "naam", _("Naam is verplicht.")))
    if len(name) > 200:
        errors.append((number, "naam", _("Naam is langer dan 200 tekens.")))
    team_id = teams.get(team_name.lower())
    if team_id is None:
        errors.append((number, "team", _("Onbekend team '%(t)s'.", t=team_name)))
    if email and not EMAIL_RE.match(email):
        errors.append((number, "e-mail", _("'%(e)s' is geen geldig e-mailadres.", e=email)))
    start_date = _parse_date(start) if start else None
    if start_date is not None and not plausible_date(start_date):
        errors.append((number, "startdatum", date_range_message()))
        start_date = None
    elif start and start_date is None:
        errors.append((number, "startdatum", _("'%(d)s' is geen datum (gebruik JJJJ-MM-DD).", d=start)))
    for column, value in (("naam", name), ("functie", row.get("functie") or "")):
        if fields.bad_character(value) is not None:
            errors.append(
                (
                    number,
                    column,
                    _("Deze tekst moet op één regel staan, zonder regeleinden, tabs of stuurtekens."),
                )
            )
    key = (name.lower(), team_name.lower())
    if name and key in seen:
        errors.append((number, "naam", _("Dubbele rij: %(n)s staat al eerder in dit team.", n=name)))
    seen.add(key)
    return {
        "name": name,
        "team_id": team_id,
        "email": email or None,
        "function": row.get("functie") or None,
        "start_date": start_date,
    }


def import_employees(org, rows: list[dict]) -> int:
    """Create all validated rows; the caller commits once (all or nothing)."""
    for data in rows:
        db.session.add(Employee(organisation_id=org.id, **data))
    db.session.flush()
    return len(rows)
