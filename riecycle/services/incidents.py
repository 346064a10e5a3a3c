"""The incident log: anonymous meldingen, their follow-up, counts and trend per theme, and analyses."""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Employee, Incident, IncidentAnalysis, Measure, Membership, Team, Theme, User
from riecycle.models.incident import INCIDENT_PARTIES
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes
from riecycle.tenancy import get_in_org

INCIDENT_FIELDS = (
    "occurred_on",
    "theme_key",
    "team_id",
    "party",
    "description",
    "opvang_done",
    "opvang_on",
    "follow_up",
    "measure_id",
)
# "mevrouw Jansen", "dhr. De Vries", "juf Anna": a title followed by a capitalised word is a name.
TITLE_NAME = re.compile(
    r"\b(?:meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|de heer|juf|juffrouw|meester)\s+[A-Z][\w'-]+", re.IGNORECASE
)
TREND_QUARTERS = 5  # a full year back plus the current quarter


def _clean(text) -> str | None:
    return (text or "").strip() or None


def incident_themes() -> list[Theme]:
    """The themes a melding can have: every PSA theme except werkdruk."""
    return list(db.session.scalars(select(Theme).where(Theme.key != "werkdruk").order_by(Theme.position)))


def known_names(org) -> list[str]:
    """Full names of the organisation's employees and users: none may appear in a melding."""
    employees = db.session.scalars(select(Employee.name).where(Employee.organisation_id == org.id))
    users = db.session.scalars(
        select(User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
    )
    return sorted({n.strip() for n in [*employees, *users] if n and len(n.strip()) > 3})


def find_name(org, text: str | None) -> str | None:
    """The first personal name found in the text, if any."""
    if not text:
        return None
    for match in TITLE_NAME.finditer(text):
        if match.group(0).split()[-1][0].isupper():
            return match.group(0)
    lowered = text.lower()
    for name in known_names(org):
        if re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", lowered):
            return name
    return None


def _refuse_names(org, values: dict) -> None:
    for field in ("description", "follow_up"):
        found = find_name(org, values.get(field))
        if found:
            raise ServiceError(
                _(
                    "Noem geen namen in een melding ('%(n)s'). Schrijf bijvoorbeeld 'een ouder', 'een "
                    "collega' of 'de leerkracht'.",
                    n=found,
                ),
                field,
            )


def _values(org, data: dict) -> dict:
    values = {k: data.get(k) for k in INCIDENT_FIELDS}
    values["description"], values["follow_up"] = _clean(values["description"]), _clean(values["follow_up"])
    values["opvang_done"] = bool(values["opvang_done"])
    today = clock.today()
    if not isinstance(values["occurred_on"], date):
        raise ServiceError(_("Vul de datum van het incident in."), "occurred_on")
    if values["occurred_on"] > today:
        raise ServiceError(_("De datum kan niet in de toekomst liggen."), "occurred_on")
    if values["theme_key"] not in {t.key for t in incident_themes()}:
        raise ServiceError(_("Kies een thema."), "theme_key")
    if values["party"] not in INCIDENT_PARTIES:
        raise ServiceError(_("Kies door wie het incident werd veroorzaakt."), "party")
    if not values["description"]:
        raise ServiceError(_("Beschrijf kort wat er gebeurde, zonder namen."), "description")
    if values["opvang_on"] is not None:
        if values["opvang_on"] < values["occurred_on"] or values["opvang_on"] > today:
            raise ServiceError(
                _("De datum van opvang ligt vóór het incident of in de toekomst."), "opvang_on"
            )
        values["opvang_done"] = True
    _check_owned(org, Team, values["team_id"], "team_id", _("Kies een team van deze organisatie."))
    _check_owned(
        org, Measure, values["measure_id"], "measure_id", _("Kies een maatregel van deze organisatie.")
    )
    _refuse_names(org, values)
    return values


def _check_owned(org, model, object_id, field: str, message: str) -> None:
    if object_id is None:
        return
    obj = get_in_org(model, object_id, org)
    if obj is None:
        raise ServiceError(message, field)


def create_incident(org, data: dict) -> Incident:
    """Register a melding; refuses personal names in the text."""
    incident = Incident(organisation_id=org.id, **_values(org, data))
    db.session.add(incident)
    db.session.flush()
    return incident


def update_incident(org, incident: Incident, data: dict) -> bool:
    """Change a melding (for example: opvang given, measure linked)."""
    changed = apply_changes(incident, _values(org, data))
    db.session.flush()
    return changed


# --- counts and trend -----------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def last_quarters(today: date, n: int = TREND_QUARTERS) -> list[tuple[int, int]]:
    """The n quarters up to and including today's, oldest first."""
    year, q = quarter_of(today)
    out = []
    for _i in range(n):
        out.append((year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return list(reversed(out))


@dataclass
class Trend:
    quarters: list  # [(year, q)]
    rows: list  # [(theme, [count per quarter], total)]
    totals: list  # count per quarter
    max_count: int


def trend(org, today: date | None = None, n: int = TREND_QUARTERS, team_id: int | None = None) -> Trend:
    """Meldingen per theme per quarter over the last n quarters."""
    today = today or clock.today()
    quarters = last_quarters(today, n)
    start = date(quarters[0][0], 3 * quarters[0][1] - 2, 1)
    stmt = select(Incident.theme_key, Incident.occurred_on).where(
        Incident.organisation_id == org.id,
        Incident.deleted_at.is_(None),
        Incident.occurred_on >= start,
        Incident.occurred_on <= today,
    )
    if team_id is not None:
        stmt = stmt.where(Incident.team_id == team_id)
    counts = Counter((key, quarter_of(day)) for key, day in db.session.execute(stmt))
    rows = []
    for theme in incident_themes():
        per_q = [counts.get((theme.key, q), 0) for q in quarters]
        if sum(per_q):
            rows.append((theme, per_q, sum(per_q)))
    rows.sort(key=lambda row: -row[2])
    totals = [sum(r[1][i] for r in rows) for i in range(len(quarters))]
    return Trend(quarters, rows, totals, max([c for r in rows for c in r[1]], default=0))


# --- analyses -----------------------------------------------------------------------------


def create_analysis(org, data: dict) -> IncidentAnalysis:
    """Record a periodic analysis of the meldingen."""
    today = clock.today()
    analysed_on, start, end = data.get("analysed_on"), data.get("period_start"), data.get("period_end")
    if not (isinstance(analysed_on, date) and isinstance(start, date) and isinstance(end, date)):
        raise ServiceError(_("Vul de datum van de analyse en de periode in."), "analysed_on")
    if analysed_on > today:
        raise ServiceError(_("De datum kan niet in de toekomst liggen."), "analysed_on")
    if end < start:
        raise ServiceError(_("Het einde van de periode ligt vóór het begin."), "period_end")
    conclusions = _clean(data.get("conclusions"))
    if not conclusions:
        raise ServiceError(_("Schrijf op wat de meldingen laten zien en wat u ermee doet."), "conclusions")
    found = find_name(org, conclusions)
    if found:
        raise ServiceError(_("Noem geen namen in een analyse ('%(n)s').", n=found), "conclusions")
    analysis = IncidentAnalysis(
        organisation_id=org.id,
        analysed_on=analysed_on,
        period_start=start,
        period_end=end,
        conclusions=conclusions,
        discussed_with_or=bool(data.get("discussed_with_or")),
    )
    db.session.add(analysis)
    db.session.flush()
    return analysis


def analyses(org) -> list[IncidentAnalysis]:
    return list(
        db.session.scalars(
            select(IncidentAnalysis)
            .where(IncidentAnalysis.organisation_id == org.id, IncidentAnalysis.deleted_at.is_(None))
            .order_by(IncidentAnalysis.analysed_on.desc())
        )
    )
