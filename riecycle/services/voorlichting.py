"""Voorlichting en onderricht: sessions, their audience, the attendance register and coverage.

Coverage is the share of current staff (started, not ended, not deleted) with an "aanwezig"
at a (not deleted) session in the last 12 months. Other areas read it: the self-inspection
uses coverage() and leidinggevenden_instructed().
"""

import calendar
from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Attendance, Employee, Measure, Membership, Risk, Team, VoorlichtingSession
from riecycle.models.voorlichting import (
    ATTENDANCE_STATUSES,
    AUDIENCES,
    RECURRENCES,
    AttendanceStatus,
    Audience,
    Recurrence,
)
from riecycle.services import ServiceError
from riecycle.services.records import apply_changes

DEFAULT_NEWCOMER_WEEKS = 8
COVERAGE_MONTHS = 12


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- staff and audience ------------------------------------------------------


def current_staff_filter(on: date):
    """Employees who have started by `on` and not left before it (and are not deleted)."""
    return and_(
        Employee.deleted_at.is_(None),
        or_(Employee.start_date.is_(None), Employee.start_date <= on),
        or_(Employee.end_date.is_(None), Employee.end_date >= on),
    )


def current_staff(org, on: date | None = None, team_id: int | None = None) -> list[Employee]:
    """The organisation's staff on a day, optionally of one team, by name."""
    stmt = select(Employee).where(
        Employee.organisation_id == org.id, current_staff_filter(on or clock.today())
    )
    if team_id is not None:
        stmt = stmt.where(Employee.team_id == team_id)
    return list(db.session.scalars(stmt.order_by(Employee.name)))


def newcomer_weeks(org) -> int:
    """How soon newcomers must be informed: the shortest newcomer session setting, else 8 weeks."""
    return newcomer_weeks_of([org.id])[org.id]


def newcomer_weeks_of(org_ids) -> dict[int, int]:
    """newcomer_weeks() for many organisations at once: organisation id -> weeks."""
    rows = db.session.execute(
        select(VoorlichtingSession.organisation_id, func.min(VoorlichtingSession.newcomer_weeks))
        .where(
            VoorlichtingSession.organisation_id.in_(list(org_ids)),
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.recurrence == Recurrence.NIEUWKOMERS,
        )
        .group_by(VoorlichtingSession.organisation_id)
    )
    found = dict(rows.tuples().all())
    return {org_id: found.get(org_id) or DEFAULT_NEWCOMER_WEEKS for org_id in org_ids}


def audience_employees(session: VoorlichtingSession) -> list[Employee]:
    """The employees a session is meant for, as staff on the session date."""
    on = session.session_date
    stmt = select(Employee).where(
        Employee.organisation_id == session.organisation_id, current_staff_filter(on)
    )
    if session.audience == Audience.TEAMS:
        stmt = stmt.where(Employee.team_id.in_([t.id for t in session.teams] or [-1]))
    elif session.audience == Audience.LEIDINGGEVENDEN:
        stmt = stmt.where(Employee.is_leidinggevende.is_(True))
    elif session.audience == Audience.NIEUWE_MEDEWERKERS:
        weeks = session.newcomer_weeks or DEFAULT_NEWCOMER_WEEKS
        stmt = stmt.where(
            Employee.start_date.is_not(None), Employee.start_date >= on - timedelta(weeks=weeks)
        )
    return list(db.session.scalars(stmt.order_by(Employee.name)))


def in_audience(session: VoorlichtingSession, team_ids, employee) -> bool:
    """audience_employees() for one employee (or row) in Python, to match many sessions at once."""
    on = session.session_date
    if employee.organisation_id != session.organisation_id or employee.deleted_at is not None:
        return False
    if (employee.start_date or on) > on or (employee.end_date or on) < on:
        return False  # not staff on the session date
    if session.audience == Audience.TEAMS:
        return employee.team_id in team_ids
    if session.audience == Audience.LEIDINGGEVENDEN:
        return bool(employee.is_leidinggevende)
    if session.audience == Audience.NIEUWE_MEDEWERKERS:
        weeks = session.newcomer_weeks or DEFAULT_NEWCOMER_WEEKS
        return employee.start_date is not None and employee.start_date >= on - timedelta(weeks=weeks)
    return True


class AudienceSizes:
    """len(audience_employees(session)) for many sessions, from one query over the staff.

    Each employee is staff on the days [start_date, end_date] (open-ended where empty); a
    sorted list of the starts and one of the ends per group (everyone, a team, the
    leidinggevenden) count the staff on any day with two bisections.
    """

    def __init__(self, org):
        intervals: dict = defaultdict(list)
        self.newcomers: list[tuple[date, date]] = []  # the spans of staff with a start date
        for team_id, lead, start, span in _staff_spans(org):
            for group in ("all", ("team", team_id), *(("lead",) if lead else ())):
                intervals[group].append(span)
            if start is not None:
                self.newcomers.append(span)
        self.newcomers.sort()
        self.groups = {g: (sorted(s for s, _e in v), sorted(e for _s, e in v)) for g, v in intervals.items()}

    def _staff(self, group, on: date) -> int:
        """Employees of the group with start <= on <= end."""
        starts, ends = self.groups.get(group, ((), ()))
        return bisect_right(starts, on) - bisect_left(ends, on)

    def _newcomers(self, since: date, on: date) -> int:
        first, last = bisect_left(self.newcomers, (since,)), bisect_right(self.newcomers, (on, date.max))
        return sum(1 for _start, end in self.newcomers[first:last] if end >= on)

    def size(self, session, team_ids) -> int:
        """The audience size of a session (ORM object or row) whose teams have these ids."""
        on = session.session_date
        if session.audience == Audience.TEAMS:
            return sum(self._staff(("team", t), on) for t in set(team_ids))
        if session.audience == Audience.LEIDINGGEVENDEN:
            return self._staff("lead", on)
        if session.audience == Audience.NIEUWE_MEDEWERKERS:
            weeks = session.newcomer_weeks or DEFAULT_NEWCOMER_WEEKS
            return self._newcomers(on - timedelta(weeks=weeks), on)
        return self._staff("all", on)


def _staff_spans(org):
    """(team id, is leidinggevende, start date, (first, last day on staff)) of each employee ever on staff."""
    stmt = select(Employee.team_id, Employee.is_leidinggevende, Employee.start_date, Employee.end_date).where(
        Employee.organisation_id == org.id, Employee.deleted_at.is_(None)
    )
    for team_id, lead, start, end in db.session.execute(stmt):
        span = (start or date.min, end or date.max)
        if span[0] <= span[1]:  # an end before the start: never on staff
            yield team_id, lead, start, span


def register_rows(session: VoorlichtingSession) -> list[tuple[Employee, Attendance | None]]:
    """The register: the audience plus anyone already recorded, each with their attendance."""
    recorded = {a.employee_id: a for a in attendances(session)}
    people = {e.id: e for e in audience_employees(session)}
    for attendance in recorded.values():
        if attendance.employee is not None and attendance.employee.deleted_at is None:
            people.setdefault(attendance.employee_id, attendance.employee)
    ordered = sorted(people.values(), key=lambda e: ((e.team.name if e.team else ""), e.name.lower()))
    return [(e, recorded.get(e.id)) for e in ordered]


def attendances(session: VoorlichtingSession) -> list[Attendance]:
    """The recorded attendance rows of one session (not deleted)."""
    return list(
        db.session.scalars(
            select(Attendance).where(Attendance.session_id == session.id, Attendance.deleted_at.is_(None))
        )
    )


def attendance_counts(session: VoorlichtingSession) -> dict[str, int]:
    """Number of employees per attendance status for one session."""
    rows = db.session.execute(
        select(Attendance.status, func.count(Attendance.id))
        .where(Attendance.session_id == session.id, Attendance.deleted_at.is_(None))
        .group_by(Attendance.status)
    ).all()
    counts: dict[str, int] = dict.fromkeys(ATTENDANCE_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


# --- sessions ------------------------------------------------------------------


def _owned(model, org, ids) -> list:
    ids = [i for i in (ids or []) if i is not None]
    if not ids:
        return []
    rows = list(
        db.session.scalars(
            select(model).where(
                model.id.in_(ids), model.organisation_id == org.id, model.deleted_at.is_(None)
            )
        )
    )
    if len(rows) != len(set(ids)):
        raise ServiceError(_("Kies alleen bestaande onderdelen van deze organisatie."))
    return rows


def _check_link(link: str | None) -> str | None:
    link = (link or "").strip() or None
    if link is not None:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ServiceError(_("Geef een volledige link die begint met https://."), "online_link")
    return link


def _check_organiser(org, organiser_id) -> None:
    if organiser_id and not db.session.scalar(
        select(Membership.id).where(Membership.organisation_id == org.id, Membership.user_id == organiser_id)
    ):
        raise ServiceError(_("De organisator moet een gebruiker van deze organisatie zijn."), "organiser_id")


def _prepare(org, data: dict) -> tuple[dict, dict]:
    """Validate form data; return (columns, relations)."""
    data = dict(data)
    if not (data.get("topic") or "").strip():
        raise ServiceError(_("Geef het onderwerp op."), "topic")
    if data.get("audience") not in AUDIENCES:
        raise ServiceError(_("Kies een doelgroep."), "audience")
    if data.get("recurrence", "geen") not in RECURRENCES:
        raise ServiceError(_("Kies een herhaling."), "recurrence")
    if data.get("session_date") is None:
        raise ServiceError(_("Geef de datum op."), "session_date")
    start, end = data.get("start_time"), data.get("end_time")
    if start and end and end <= start:
        raise ServiceError(_("De eindtijd ligt niet na de begintijd."), "end_time")
    if end and not start:
        raise ServiceError(_("Geef ook een begintijd op."), "start_time")
    relations = {
        "teams": _owned(Team, org, data.pop("team_ids", None)),
        "risks": _owned(Risk, org, data.pop("risk_ids", None)),
        "measures": _owned(Measure, org, data.pop("measure_ids", None)),
    }
    if data["audience"] == Audience.TEAMS and not relations["teams"]:
        raise ServiceError(_("Kies bij de doelgroep 'team(s)' minstens één team."), "team_ids")
    if data["audience"] != Audience.TEAMS:
        relations["teams"] = []
    needs_weeks = (
        data.get("recurrence") == Recurrence.NIEUWKOMERS or data["audience"] == Audience.NIEUWE_MEDEWERKERS
    )
    if needs_weeks and not data.get("newcomer_weeks"):
        data["newcomer_weeks"] = DEFAULT_NEWCOMER_WEEKS
    _check_organiser(org, data.get("organiser_id"))
    data["online_link"] = _check_link(data.get("online_link"))
    data["topic"] = data["topic"].strip()
    for key in ("description", "location", "presenter"):
        if key in data:
            data[key] = (data[key] or "").strip() or None
    return data, relations


def create_session(org, data: dict, user=None) -> VoorlichtingSession:
    """Plan a voorlichting session."""
    columns, relations = _prepare(org, data)
    if columns.get("organiser_id") is None and user is not None:
        columns["organiser_id"] = user.id
    session = VoorlichtingSession(organisation_id=org.id, **columns)
    for key, rows in relations.items():
        setattr(session, key, rows)
    db.session.add(session)
    db.session.flush()
    return session


def update_session(org, session: VoorlichtingSession, data: dict) -> bool:
    """Change a session; returns whether anything changed."""
    columns, relations = _prepare(org, data)
    changed = apply_changes(session, columns)
    for key, rows in relations.items():
        if {r.id for r in getattr(session, key)} != {r.id for r in rows}:
            setattr(session, key, rows)
            changed = True
    db.session.flush()
    return changed


def schedule_next(org, session: VoorlichtingSession, user=None) -> VoorlichtingSession:
    """Plan next year's edition of a yearly session (same audience, links and times)."""
    if session.recurrence != Recurrence.JAARLIJKS:
        raise ServiceError(_("Alleen een jaarlijkse bijeenkomst kan voor volgend jaar worden ingepland."))
    next_date = add_months(session.session_date, 12)
    exists = db.session.scalar(
        select(VoorlichtingSession.id).where(
            VoorlichtingSession.organisation_id == org.id,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.topic == session.topic,
            VoorlichtingSession.session_date == next_date,
        )
    )
    if exists:
        raise ServiceError(_("De bijeenkomst van volgend jaar staat al gepland."))
    fields = (
        "topic",
        "description",
        "audience",
        "is_leidinggevenden_instructie",
        "start_time",
        "end_time",
        "location",
        "online_link",
        "presenter",
        "organiser_id",
        "recurrence",
        "newcomer_weeks",
    )
    copy = VoorlichtingSession(
        organisation_id=org.id, session_date=next_date, **{f: getattr(session, f) for f in fields}
    )
    copy.teams, copy.risks, copy.measures = list(session.teams), list(session.risks), list(session.measures)
    db.session.add(copy)
    db.session.flush()
    return copy


# --- attendance --------------------------------------------------------------


def record_attendance(org, session: VoorlichtingSession, marks: dict[int, str | None]) -> int:
    """Set attendance per employee id (None clears it); returns the number of changes."""
    if session.session_date > clock.today() and any(v == AttendanceStatus.AANWEZIG for v in marks.values()):
        raise ServiceError(_("Aanwezigheid kunt u pas vastleggen op of na de datum van de bijeenkomst."))
    existing = {
        a.employee_id: a
        for a in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }
    employees = {e.id: e for e in _owned(Employee, org, list(marks))}
    changes = 0
    for employee_id, status in marks.items():
        if status is not None and status not in ATTENDANCE_STATUSES:
            raise ServiceError(_("Kies aanwezig, afwezig of afgemeld."))
        changes += _set_one(org, session, employees[employee_id], existing.get(employee_id), status)
    db.session.flush()
    return changes


def _set_one(org, session, employee, attendance: Attendance | None, status: str | None) -> int:
    if attendance is None:
        if status is None:
            return 0
        db.session.add(
            Attendance(organisation_id=org.id, session_id=session.id, employee_id=employee.id, status=status)
        )
        return 1
    if status is None:
        if attendance.deleted_at is not None:
            return 0
        attendance.deleted_at = clock.now()
        return 1
    if attendance.deleted_at is None and attendance.status == status:
        return 0
    attendance.deleted_at, attendance.status = None, status
    return 1


# --- coverage ------------------------------------------------------------------


def _informed_ids(org, since: date, until: date, instructie_only: bool = False):
    stmt = (
        select(Attendance.employee_id)
        .join(VoorlichtingSession, VoorlichtingSession.id == Attendance.session_id)
        .where(
            Attendance.organisation_id == org.id,
            Attendance.deleted_at.is_(None),
            Attendance.status == AttendanceStatus.AANWEZIG,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.organisation_id == org.id,
            VoorlichtingSession.session_date > since,
            VoorlichtingSession.session_date <= until,
        )
    )
    if instructie_only:
        stmt = stmt.where(VoorlichtingSession.is_leidinggevenden_instructie.is_(True))
    return stmt


def presence_dates(org, since: date, until: date) -> dict[int, list[date]]:
    """Employee id -> dates of sessions in [since, until] they attended ('aanwezig')."""
    rows = db.session.execute(
        select(Attendance.employee_id, VoorlichtingSession.session_date)
        .join(VoorlichtingSession, VoorlichtingSession.id == Attendance.session_id)
        .where(
            Attendance.organisation_id == org.id,
            Attendance.deleted_at.is_(None),
            Attendance.status == AttendanceStatus.AANWEZIG,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= since,
            VoorlichtingSession.session_date <= until,
        )
    ).all()
    result: dict[int, list[date]] = {}
    for employee_id, day in rows:
        result.setdefault(employee_id, []).append(day)
    return result


def coverage(
    org, team_id: int | None = None, months: int = COVERAGE_MONTHS, on: date | None = None
) -> tuple[int, int]:
    """(informed, total): current staff with an 'aanwezig' in the `months` up to `on`."""
    on = on or clock.today()
    staff = select(Employee.id).where(Employee.organisation_id == org.id, current_staff_filter(on))
    if team_id is not None:
        staff = staff.where(Employee.team_id == team_id)
    total = db.session.scalar(select(func.count()).select_from(staff.subquery()))
    informed = db.session.scalar(
        select(func.count()).select_from(
            staff.where(Employee.id.in_(_informed_ids(org, add_months(on, -months), on))).subquery()
        )
    )
    return informed or 0, total or 0


def _team_coverage_stmt(org, months: int, on: date | None, *columns):
    """Per live team (by name) the columns asked for plus informed and total, as one grouped query."""
    on = on or clock.today()
    # IN over the uncorrelated subquery: the database builds the set of informed ids once.
    informed = Employee.id.in_(_informed_ids(org, add_months(on, -months), on))
    counts = (
        select(
            Employee.team_id,
            func.count(Employee.id).label("total"),
            func.count(case((informed, 1))).label("informed"),
        )
        .where(Employee.organisation_id == org.id, current_staff_filter(on))
        .group_by(Employee.team_id)
        .subquery()
    )
    return (
        select(*columns, func.coalesce(counts.c.informed, 0), func.coalesce(counts.c.total, 0))
        .outerjoin(counts, counts.c.team_id == Team.id)
        .where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        .order_by(Team.name, Team.id)
    )


def team_coverage(org, months: int = COVERAGE_MONTHS, on: date | None = None) -> list[tuple]:
    """Per team (by name): (team, informed, total)."""
    return [tuple(row) for row in db.session.execute(_team_coverage_stmt(org, months, on, Team))]


def team_coverage_counts(org, months: int = COVERAGE_MONTHS, on: date | None = None) -> list[tuple]:
    """Per team (by name): (team name, informed, total), without loading the teams."""
    return [tuple(row) for row in db.session.execute(_team_coverage_stmt(org, months, on, Team.name))]


def leidinggevenden_instructed(org, months: int = COVERAGE_MONTHS, on: date | None = None) -> tuple[int, int]:
    """(instructed, total): current leidinggevenden present at an instruction session in `months`."""
    on = on or clock.today()
    staff = select(Employee.id).where(
        Employee.organisation_id == org.id, current_staff_filter(on), Employee.is_leidinggevende.is_(True)
    )
    total = db.session.scalar(select(func.count()).select_from(staff.subquery()))
    instructed = db.session.scalar(
        select(func.count()).select_from(
            staff.where(Employee.id.in_(_informed_ids(org, add_months(on, -months), on, True))).subquery()
        )
    )
    return instructed or 0, total or 0


def pct(informed: int, total: int) -> float | None:
    """A share between 0 and 1, or None when there is nobody to count."""
    return informed / total if total else None


def newcomers_without_voorlichting(org, on: date | None = None) -> list[Employee]:
    """Current staff who started within the newcomer window and have no 'aanwezig' since starting."""
    on = on or clock.today()
    weeks = newcomer_weeks(org)
    attended = (
        select(Attendance.id)
        .join(VoorlichtingSession, VoorlichtingSession.id == Attendance.session_id)
        .where(
            Attendance.employee_id == Employee.id,
            Attendance.deleted_at.is_(None),
            Attendance.status == AttendanceStatus.AANWEZIG,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= Employee.start_date,
        )
    )
    stmt = select(Employee).where(
        Employee.organisation_id == org.id,
        current_staff_filter(on),
        Employee.start_date.is_not(None),
        Employee.start_date > on - timedelta(weeks=weeks),
        ~attended.exists(),
    )
    return list(db.session.scalars(stmt.order_by(Employee.start_date, Employee.name)))


def informed_staff_ids(
    org, months: int = COVERAGE_MONTHS, on: date | None = None, leidinggevenden: bool = False
) -> tuple[list[int], list[int]]:
    """(informed ids, not informed ids) of current staff (only leidinggevenden and instruction
    sessions when asked): the records behind coverage() and leidinggevenden_instructed()."""
    on = on or clock.today()
    where = [Employee.organisation_id == org.id, current_staff_filter(on)]
    if leidinggevenden:
        where.append(Employee.is_leidinggevende.is_(True))
    informed = Employee.id.in_(_informed_ids(org, add_months(on, -months), on, leidinggevenden))
    rows = list(db.session.execute(select(Employee.id, informed).where(*where).order_by(Employee.id)))
    return [i for i, ok in rows if ok], [i for i, ok in rows if not ok]
