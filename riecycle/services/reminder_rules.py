"""The reminder rules: which reminders are due on a day, for every organisation at once.

Each rule runs a few set-based queries over all live organisations (never one per
organisation), reads only the columns it needs, and checks recipients against the members
loaded once per pass (`Tenants`). That keeps a pass over thousands of organisations at a
handful of queries; loading ORM users per measure used to pull every membership of a user
(an adviser in 2,000 organisations) again and again. Delivery is in reminders.py.

One organisation's data cannot stop the others' reminders: a rule that raises is run again
for halves of the organisations (`_only_orgs` narrows every query) until the organisations it
fails for are found; those are reported (due_reminders' `failures`), the rest get theirs.
"""

from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import lazyload
from werkzeug.routing import BuildError

from riecycle.access import LEIDINGGEVENDE, Viewer
from riecycle.access.pseudonym import pseudonym_of
from riecycle.extensions import db
from riecycle.formatting import fmt_date
from riecycle.labels import label
from riecycle.models import (
    Approval,
    Attendance,
    Employee,
    Evaluation,
    Measure,
    Membership,
    Organisation,
    Rie,
    Team,
    User,
    VoorlichtingSession,
)
from riecycle.models.measure import OPEN_STATUSES, MeasureLevel
from riecycle.models.references import measure_reference
from riecycle.models.user import Role
from riecycle.models.voorlichting import AttendanceStatus, session_teams
from riecycle.services import voorlichting

EDITOR_ROLES = (Role.BEHEERDER, Role.PREVENTIEMEDEWERKER)
# What in_audience() and an invitation need of an employee.
AUDIENCE_COLUMNS = (
    Employee.id,
    Employee.organisation_id,
    Employee.name,
    Employee.email,
    Employee.team_id,
    Employee.start_date,
    Employee.end_date,
    Employee.deleted_at,
    Employee.is_leidinggevende,
)


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


@dataclass
class Due:
    """One reminder for one recipient; `render` builds (subject, lines, path) in their language."""

    rule: str
    org: Organisation
    object_type: str
    object_id: int
    due_date: date
    recipient: Any  # a User, or an employee row (id, name, email) for invitations
    render: Callable[[], tuple[str, list[str], str | None]]
    attach: Callable[[], list] | None = None

    @property
    def recipient_key(self) -> str:
        prefix = "u" if isinstance(self.recipient, User) else "e"
        return f"{prefix}{self.recipient.id}"

    @property
    def key(self) -> tuple:
        return (self.rule, self.object_type, self.object_id, self.due_date, self.recipient_key)


# Set while a rule runs for some organisations only (after it failed for all at once).
_only_orgs: ContextVar[tuple[int, ...] | None] = ContextVar("reminder_rules_only_orgs", default=None)


def _live_org_ids():
    """The ids of the organisations that are not deleted, as a subquery (of some, in isolation)."""
    stmt = select(Organisation.id).where(Organisation.deleted_at.is_(None))
    only = _only_orgs.get()
    return stmt if only is None else stmt.where(Organisation.id.in_(only))


@dataclass
class Tenants:
    """Every live organisation and its active members (role, user), loaded once per pass."""

    orgs: dict[int, Organisation]
    members: dict[int, dict[int | None, tuple[str, User]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Tenants":
        """Two queries: the organisations, and every active membership with its user."""
        stmt = select(Organisation).where(Organisation.deleted_at.is_(None)).order_by(Organisation.id)
        only = _only_orgs.get()
        if only is not None:
            stmt = stmt.where(Organisation.id.in_(only))
        tenants = cls({org.id: org for org in db.session.scalars(stmt)})
        tenants.members = {org_id: {} for org_id in tenants.orgs}
        rows = db.session.execute(
            select(Membership.organisation_id, Membership.role, User)
            .join(User, User.id == Membership.user_id)
            .where(User.active.is_(True), Membership.organisation_id.in_(_live_org_ids()))
            .options(lazyload(User.memberships))
            .order_by(User.id)
        )
        for org_id, role, user in rows:
            tenants.members[org_id][user.id] = (role, user)
        return tenants

    def only(self, org_ids) -> "Tenants":
        """The same tenants restricted to some organisations."""
        return Tenants({i: self.orgs[i] for i in org_ids}, {i: self.members.get(i, {}) for i in org_ids})

    def reachable(self, org_id: int, user_id: int | None) -> User | None:
        """The user when active and a member of the organisation, else None."""
        member = self.members.get(org_id, {}).get(user_id)
        return member[1] if member else None

    @cached_property
    def _teams(self) -> dict[int, list]:
        """Per organisation: (team id, parent id, manager id) of the live teams, in one query."""
        found: dict[int, list] = {}
        for org_id, *team in db.session.execute(
            select(Team.organisation_id, Team.id, Team.parent_id, Team.manager_id).where(
                Team.organisation_id.in_(_live_org_ids()), Team.deleted_at.is_(None)
            )
        ):
            found.setdefault(org_id, []).append(team)
        return found

    def viewer(self, org_id: int, user_id: int | None) -> Viewer | None:
        """The recipient as the policy layer sees them (role and led teams), without a query each."""
        member = self.members.get(org_id, {}).get(user_id)
        if member is None:
            return None
        teams: frozenset = frozenset()
        if member[0] == LEIDINGGEVENDE:
            rows = self._teams.get(org_id, [])
            children: dict = {}
            for team_id, parent_id, _manager in rows:
                children.setdefault(parent_id, []).append(team_id)
            led, stack = set(), [tid for tid, _p, manager in rows if manager == user_id]
            while stack and len(led) <= len(rows):
                team_id = stack.pop()
                if team_id not in led:
                    led.add(team_id)
                    stack.extend(children.get(team_id, []))
            teams = frozenset(led)
        return Viewer(member[0], user_id, org_id, teams)

    def with_roles(self, org_id: int, roles: tuple[str, ...]) -> list[User]:
        """Active members with one of `roles`, by user id."""
        return [user for role, user in self.members.get(org_id, {}).values() if role in roles]


# --- helpers -------------------------------------------------------------------


def _path(org, candidates: tuple[str, ...], **values) -> str | None:
    """The first endpoint of `candidates` that exists, as a path; areas may not be built yet."""
    for endpoint in candidates:
        try:
            return url_for(endpoint, org_slug=org.slug, **values)
        except BuildError:
            continue
    return None


def _measure_path(org, measure) -> str | None:
    return _path(org, ("plan.detail",), measure_id=measure.id) or _path(org, ("plan.index",))


def _measure_name(t: Tenants, org_id: int, user_id: int | None, row, title: str) -> str:
    """The measure's reference (M-0012) and title, or its pseudonym when the recipient
    may not read it (docs/domain.md §9)."""
    reference = measure_reference(row.measure_number)
    name = _masked_measure_name(t, org_id, user_id, row, title)
    return f"{reference} {name}" if reference else name


def _masked_measure_name(t: Tenants, org_id: int, user_id: int | None, row, title: str) -> str:
    viewer = t.viewer(org_id, user_id)
    if viewer is not None and viewer.sees(row.measure_level, row.employee_team_id):
        return title
    if row.measure_level != MeasureLevel.INDIVIDU:
        return title
    return pseudonym_of(row.measure_ref, row.employee_team_name)


def _measure_privacy(measure_id_column):
    """Columns a rule needs to decide masking: the measure's level and its employee's team."""
    return (
        measure_id_column.label("measure_ref"),
        Measure.number.label("measure_number"),
        Measure.level.label("measure_level"),
        Employee.team_id.label("employee_team_id"),
        Team.name.label("employee_team_name"),
    )


def _with_employee_team(stmt):
    return stmt.outerjoin(Employee, Employee.id == Measure.employee_id).outerjoin(
        Team, Team.id == Employee.team_id
    )


def _unique(users) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            result.append(user)
    return result


def _rows(stmt) -> list:
    """All rows of a select."""
    return list(db.session.execute(stmt).all())


# --- rules ---------------------------------------------------------------------
# Each rule yields the reminders due on `today` (within the lookback window), for all
# organisations in `t`.


def _open_measures(*window) -> list:
    """Open, not deleted measures of live organisations with a termijn in `window`."""
    return _rows(
        _with_employee_team(
            select(
                Measure.id,
                Measure.organisation_id,
                Measure.title,
                Measure.termijn,
                Measure.responsible_id,
                *_measure_privacy(Measure.id),
            )
        )
        .where(
            Measure.organisation_id.in_(_live_org_ids()),
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            *window,
        )
        .order_by(Measure.organisation_id, Measure.id)
    )


def rule_measure_termijn(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """A measure's termijn is 14 days away, then 1 day away (only the nearer one after downtime)."""
    for measure in _open_measures(Measure.termijn >= today, Measure.termijn <= today + timedelta(days=14)):
        org, user = (
            t.orgs[measure.organisation_id],
            t.reachable(measure.organisation_id, measure.responsible_id),
        )
        days = 14 if measure.termijn > today + timedelta(days=1) else 1
        if user is None:
            continue

        def render(m=measure, d=days, org=org, uid=user.id):
            title = _measure_name(t, org.id, uid, m, m.title)
            subject = (
                _("Termijn over 14 dagen: %(t)s", t=title) if d == 14 else _("Termijn morgen: %(t)s", t=title)
            )
            lines = [
                _("De termijn van de maatregel '%(t)s' is %(d)s.", t=title, d=fmt_date(m.termijn, "long")),
                _("Werk de status of de voortgang bij in het Plan van Aanpak."),
            ]
            return subject, lines, _measure_path(org, m)

        due = measure.termijn - timedelta(days=days)
        yield Due(f"measure_termijn_{days}d", org, "measure", measure.id, due, user, render)


def rule_measure_overdue(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """An open measure past its termijn: the day after, then weekly, at most REMINDER_OVERDUE_LIMIT times."""
    limit = _setting("REMINDER_OVERDUE_LIMIT", 6)
    window = (Measure.termijn < today, Measure.termijn >= today - timedelta(days=7 * limit + 1))
    for measure in _open_measures(*window):
        org, user = (
            t.orgs[measure.organisation_id],
            t.reachable(measure.organisation_id, measure.responsible_id),
        )
        week = (today - measure.termijn - timedelta(days=1)).days // 7
        if week >= limit or user is None:
            continue

        def render(m=measure, n=week + 1, org=org, uid=user.id):
            title = _measure_name(t, org.id, uid, m, m.title)
            subject = _("Termijn verstreken: %(t)s", t=title)
            lines = [
                _(
                    "De termijn van de maatregel '%(t)s' was %(d)s en de maatregel is nog niet uitgevoerd.",
                    t=title,
                    d=fmt_date(m.termijn, "long"),
                ),
                _(
                    "Dit is herinnering %(n)s van %(l)s. Zet de maatregel op uitgevoerd of stel de termijn "
                    "bij met een reden.",
                    n=n,
                    l=limit,
                ),
            ]
            return subject, lines, _measure_path(org, m)

        due = measure.termijn + timedelta(days=1 + 7 * week)
        yield Due("measure_overdue", org, "measure", measure.id, due, user, render)


def _session_lines(s: VoorlichtingSession) -> list[str]:
    when = fmt_date(s.session_date, "full")
    if s.start_time:
        when += (
            " " + s.start_time.strftime("%H:%M") + (f"–{s.end_time.strftime('%H:%M')}" if s.end_time else "")
        )
    lines = [_("Wanneer: %(w)s", w=when)]
    if s.location:
        lines.append(_("Waar: %(l)s", l=s.location))
    if s.online_link:
        lines.append(_("Online: %(l)s", l=s.online_link))
    if s.presenter:
        lines.append(_("Door: %(p)s", p=s.presenter))
    return lines


def _session_team_ids(session_ids: list[int]) -> dict[int, list[int]]:
    """Session id -> the ids of its teams (for audience 'teams')."""
    result: dict[int, list[int]] = {}
    if session_ids:
        stmt = select(session_teams.c.session_id, session_teams.c.team_id).where(
            session_teams.c.session_id.in_(session_ids)
        )
        for session_id, team_id in _rows(stmt):
            result.setdefault(session_id, []).append(team_id)
    return result


def _audiences(sessions: Sequence) -> dict[int, list]:
    """Session id -> its audience as employee rows, by name: one query for all sessions."""
    teams = _session_team_ids([s.id for s in sessions])
    staff: dict[int, list] = {}
    if sessions:
        rows = _rows(
            select(*AUDIENCE_COLUMNS)
            .where(Employee.organisation_id.in_(sorted({s.organisation_id for s in sessions})))
            .where(Employee.deleted_at.is_(None))
            .order_by(Employee.name)
        )
        for row in rows:
            staff.setdefault(row.organisation_id, []).append(row)
    return {
        s.id: [
            e for e in staff.get(s.organisation_id, ()) if voorlichting.in_audience(s, teams.get(s.id, ()), e)
        ]
        for s in sessions
    }


def rule_session(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """A session 7 days away: a reminder to the organiser and an invitation (.ics) to the audience."""
    sessions = db.session.scalars(
        select(VoorlichtingSession)
        .where(
            VoorlichtingSession.organisation_id.in_(_live_org_ids()),
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= today,
            VoorlichtingSession.session_date <= today + timedelta(days=7),
        )
        .options(lazyload("*"))
        .order_by(VoorlichtingSession.organisation_id, VoorlichtingSession.id)
    ).all()
    # Once attendance is recorded (aanwezig or afwezig) the session has taken place: no reminder,
    # no invitation. Someone already marked (also afgemeld) is not invited either.
    held, marked = _recorded_attendance([s.id for s in sessions])
    sessions = [s for s in sessions if s.id not in held]
    audiences = _audiences(sessions)
    for session in sessions:
        audience = [e for e in audiences[session.id] if e.id not in marked.get(session.id, ())]
        yield from _session_dues(t, session, audience, today)


def _recorded_attendance(session_ids: list[int]) -> tuple[set[int], dict[int, set[int]]]:
    """(sessions that took place, session id -> employees with a mark): one query."""
    held: set[int] = set()
    marked: dict[int, set[int]] = {}
    if session_ids:
        stmt = select(Attendance.session_id, Attendance.employee_id, Attendance.status).where(
            Attendance.session_id.in_(session_ids), Attendance.deleted_at.is_(None)
        )
        for session_id, employee_id, status in _rows(stmt):
            marked.setdefault(session_id, set()).add(employee_id)
            if status in ("aanwezig", "afwezig"):
                held.add(session_id)
    return held, marked


def _days_left_texts(topic: str, days: int) -> tuple[str, str]:
    """(subject, first line) of the organiser's reminder, following the real number of days left."""
    if days <= 0:
        return _("Voorlichting vandaag: %(t)s", t=topic), _("Vandaag is de voorlichting '%(t)s'.", t=topic)
    if days == 1:
        return _("Voorlichting morgen: %(t)s", t=topic), _("Morgen is de voorlichting '%(t)s'.", t=topic)
    if days == 7:
        return (
            _("Voorlichting over 7 dagen: %(t)s", t=topic),
            _("Over een week is de voorlichting '%(t)s'.", t=topic),
        )
    return (
        _("Voorlichting over %(n)s dagen: %(t)s", n=days, t=topic),
        _("Over %(n)s dagen is de voorlichting '%(t)s'.", n=days, t=topic),
    )


def _session_dues(t: Tenants, session, audience: list, today: date) -> Iterator[Due]:
    """The organiser's reminder and the invitations of one session.

    The texts follow the days really left when they are sent (a catch-up pass may send late). A
    session planned less than a week ahead gets no "a week before" reminder: the organiser has
    just planned it; its audience is still invited.
    """
    org, due = t.orgs[session.organisation_id], session.session_date - timedelta(days=7)
    path = _path(org, ("voorlichting.session_detail",), session_id=session.id)
    organiser = t.reachable(org.id, session.organiser_id)
    planned_late = session.created_at is not None and session.created_at.date() > due
    if organiser is not None and not planned_late:

        def render(s=session, p=path, days=(session.session_date - today).days):
            subject, first = _days_left_texts(s.topic, days)
            lines = [
                first,
                *_session_lines(s),
                _("De deelnemers krijgen vandaag een uitnodiging. Leg na afloop de aanwezigheid vast."),
            ]
            return subject, lines, p

        yield Due("session_7d", org, "session", session.id, due, organiser, render)
    attach = cache(lambda s=session: [("uitnodiging.ics", "text/calendar", _session_ics(s))])
    for employee in audience:
        if not employee.email:
            continue

        def invite(s=session, e=employee):
            lines = [
                _("Beste %(n)s,", n=e.name),
                "",
                _("U bent uitgenodigd voor de voorlichting '%(t)s' van %(o)s.", t=s.topic, o=org.name),
                *_session_lines(s),
                "",
                _("De bijlage zet de bijeenkomst in uw agenda."),
                *([s.description] if s.description else []),
            ]
            return _("Uitnodiging: %(t)s", t=s.topic), lines, None

        yield Due("session_invitation", org, "session", session.id, due, employee, invite, attach)


def _session_ics(session) -> bytes:
    """The invitation's .ics attachment."""
    from riecycle.services import calendar

    return calendar.session_ics(session)


def rule_evaluation_due(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """A planned evaluation has reached its date and is not done."""
    evaluations = _rows(
        select(
            Evaluation.id,
            Evaluation.organisation_id,
            Evaluation.planned_on,
            Evaluation.theme_key,
            Evaluation.responsible_id,
            Evaluation.measure_id,
            Measure.title.label("measure_title"),
            Measure.responsible_id.label("measure_responsible_id"),
            *_measure_privacy(Evaluation.measure_id),
        )
        .outerjoin(Measure, Measure.id == Evaluation.measure_id)
        .outerjoin(Employee, Employee.id == Measure.employee_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(
            Evaluation.organisation_id.in_(_live_org_ids()),
            Evaluation.deleted_at.is_(None),
            Evaluation.done_on.is_(None),
            Evaluation.planned_on <= today,
            Evaluation.planned_on > today - timedelta(days=lookback),
        )
        .order_by(Evaluation.organisation_id, Evaluation.id)
    )
    for evaluation in evaluations:
        yield from _evaluation_dues(t, evaluation)


def _evaluation_dues(t: Tenants, evaluation) -> Iterator[Due]:
    """The owner (the evaluation's, else the measure's responsible) or else the preventiemedewerkers."""
    org = t.orgs[evaluation.organisation_id]
    owner_id = evaluation.responsible_id
    if owner_id is None:
        owner_id = evaluation.measure_responsible_id
    owner = t.reachable(org.id, owner_id)
    for user in [owner] if owner is not None else t.with_roles(org.id, (Role.PREVENTIEMEDEWERKER,)):

        def render(ev=evaluation, uid=user.id):
            what = (
                _measure_name(t, org.id, uid, ev, ev.measure_title)
                if ev.measure_id is not None
                else (ev.theme_key or "")
            )
            lines = [
                _(
                    "De evaluatie van '%(w)s' staat gepland op %(d)s.",
                    w=what,
                    d=fmt_date(ev.planned_on, "long"),
                ),
                _("Evalueer het effect op het knelpunt en hoe de uitvoering ging, en leg de uitkomst vast."),
            ]
            return (
                _("Evaluatie gepland: %(w)s", w=what),
                lines,
                _path(org, ("evaluatie.detail",), evaluation_id=ev.id),
            )

        yield Due("evaluation_due", org, "evaluation", evaluation.id, evaluation.planned_on, user, render)


def rule_rie_review(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """The current RI&E's review date (performed_on + review interval) is within 90 days."""
    ries = _rows(
        select(Rie.id, Rie.organisation_id, Rie.version, Rie.performed_on, Rie.review_interval_months)
        .where(Rie.organisation_id.in_(_live_org_ids()), Rie.deleted_at.is_(None), Rie.is_current.is_(True))
        .order_by(Rie.organisation_id, Rie.id)
    )
    seen: set[int] = set()
    for rie in ries:
        if rie.organisation_id in seen:
            continue  # one current RI&E per organisation
        seen.add(rie.organisation_id)
        review = voorlichting.add_months(rie.performed_on, rie.review_interval_months or 36)
        due = review - timedelta(days=90)
        if due <= today and review >= today - timedelta(days=lookback):
            yield from _rie_dues(t, rie, review, due)


def _rie_dues(t: Tenants, rie, review: date, due: date) -> Iterator[Due]:
    """The review reminder for every beheerder and preventiemedewerker."""
    org = t.orgs[rie.organisation_id]
    for user in t.with_roles(org.id, EDITOR_ROLES):

        def render(r=rie, when=review):
            lines = [
                _(
                    "De RI&E (versie %(v)s) moet uiterlijk %(d)s worden herzien.",
                    v=r.version,
                    d=fmt_date(when, "long"),
                ),
                _("Plan de herziening, en betrek de OR/PVT en de toetsing."),
            ]
            return _("RI&E herzien vóór %(d)s", d=fmt_date(when, "long")), lines, _path(org, ("rie.index",))

        yield Due("rie_review", org, "rie", rie.id, due, user, render)


def rule_pva_review(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """The yearly discussion of the PvA progress, on the 1st of the organisation's review month."""
    for org in t.orgs.values():
        month = org.pva_review_month if 1 <= (org.pva_review_month or 0) <= 12 else 2
        due = date(today.year, month, 1)
        if due > today:
            due = date(today.year - 1, month, 1)
        if (today - due).days <= lookback:
            yield from _pva_dues(t, org, due)


def _pva_dues(t: Tenants, org, due: date) -> Iterator[Due]:
    """The yearly review reminder for every beheerder and preventiemedewerker."""
    for user in t.with_roles(org.id, EDITOR_ROLES):

        def render(d=due, org=org):
            lines = [
                _("Het is tijd voor de jaarlijkse bespreking van de voortgang van het Plan van Aanpak."),
                _("Bespreek welke maatregelen zijn uitgevoerd, wat het effect was en wat u bijstelt."),
            ]
            return (
                _("Jaarlijkse voortgangsbespreking Plan van Aanpak (%(y)s)", y=d.year),
                lines,
                _path(org, ("plan.index",)),
            )

        yield Due("pva_review", org, "organisation", org.id, due, user, render)


APPROVAL_COLUMNS = (
    Approval.id,
    Approval.organisation_id,
    Approval.subject_type,
    Approval.subject_id,
    Approval.submitted_on,
    Approval.submitted_by_id,
    Approval.decision,
    Approval.decided_on,
)


def rule_or_pending(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """The OR/PVT and its decisions: every OR member is told when something is put before them
    (the same notice the submission sends at once, see approval_notices), everyone is reminded
    when a decision has been pending for more than 30 days, and the submitter is told the
    decision. The ledger key keeps each of these to one message per recipient."""
    pending = Approval.decision.is_(None)
    recent = today - timedelta(days=lookback)
    approvals = _rows(
        select(*APPROVAL_COLUMNS)
        .where(
            Approval.organisation_id.in_(_live_org_ids()),
            Approval.deleted_at.is_(None),
            or_(
                and_(
                    pending,
                    Approval.submitted_on < today - timedelta(days=30),
                    Approval.submitted_on >= today - timedelta(days=31 + lookback),
                ),
                and_(pending, Approval.submitted_on >= recent, Approval.submitted_on <= today),
                and_(~pending, Approval.decided_on >= recent, Approval.decided_on <= today),
            ),
        )
        .order_by(Approval.organisation_id, Approval.id)
    )
    for approval in approvals:
        if approval.decision is None and approval.submitted_on < today - timedelta(days=30):
            yield from _approval_dues(t, approval)
        if approval.decision is None and approval.submitted_on >= recent:
            yield from _submission_dues(t, approval)
        if approval.decision is not None:
            yield from _decision_dues(t, approval)


def tenants_of(org_id: int) -> Tenants:
    """The members of one organisation only (a notice sent from a request, not a whole pass)."""
    token = _only_orgs.set((org_id,))
    try:
        return Tenants.load()
    finally:
        _only_orgs.reset(token)


def approval_notices(t: Tenants, approval) -> list[Due]:
    """The notice an approval needs now: to the OR members when it is pending, to the submitter
    once it is decided (the submission and the decision send it at once; a later pass finds the
    same ledger key and sends nothing again)."""
    if approval.decision is None:
        return list(_submission_dues(t, approval))
    return list(_decision_dues(t, approval))


def _what(approval) -> str:
    return _("de RI&E") if approval.subject_type == "rie" else _("het Plan van Aanpak")


def _approval_path(org, approval, decide: bool = True) -> str | None:
    """Where the OR reads the subject and records its decision (decide), or where anyone reads it."""
    if approval.subject_type == "rie" and decide:
        return _path(org, ("rie.approval_decide",), approval_id=approval.id)
    if approval.subject_type == "rie":
        return _path(org, ("rie.rie_show",), rie_id=approval.subject_id) or _path(org, ("rie.index",))
    return _path(org, ("plan.version",), version_id=approval.subject_id) or _path(org, ("plan.versions",))


def _submission_dues(t: Tenants, approval) -> Iterator[Due]:
    """Every OR member: a subject was put before the OR/PVT for instemming."""
    org = t.orgs[approval.organisation_id]
    path = _approval_path(org, approval)
    for user in _unique(t.with_roles(org.id, (Role.OR_LID,))):

        def render(a=approval, p=path):
            lines = [
                _(
                    "Op %(d)s is %(w)s aan de OR/PVT voorgelegd ter instemming.",
                    d=fmt_date(a.submitted_on, "long"),
                    w=_what(a),
                ),
                _("Lees het stuk, plaats uw opmerkingen en leg het besluit van de OR/PVT met datum vast."),
            ]
            return _("Ter instemming voorgelegd: %(w)s", w=_what(a)), lines, p

        yield Due("or_submitted", org, "approval", approval.id, approval.submitted_on, user, render)


def _decision_dues(t: Tenants, approval) -> Iterator[Due]:
    """The submitter (when still a member): the OR/PVT decided."""
    org = t.orgs[approval.organisation_id]
    submitter = t.reachable(org.id, approval.submitted_by_id)
    if submitter is None or approval.decided_on is None:
        return
    path = _approval_path(org, approval, decide=False)

    def render(a=approval, p=path):
        decision = label(a.decision, "decision")
        lines = [
            _(
                "De OR/PVT heeft op %(d)s besloten over %(w)s: %(b)s.",
                d=fmt_date(a.decided_on, "long"),
                w=_what(a),
                b=decision,
            ),
        ]
        return _("Besluit OR/PVT over %(w)s: %(b)s", w=_what(a), b=decision), lines, p

    yield Due("or_decided", org, "approval", approval.id, approval.decided_on, submitter, render)


def _approval_dues(t: Tenants, approval) -> Iterator[Due]:
    """The submitter (when still a member) and every OR member."""
    org = t.orgs[approval.organisation_id]
    submitter = t.reachable(org.id, approval.submitted_by_id)
    subject_path = _path(org, ("rie.index",) if approval.subject_type == "rie" else ("plan.index",))
    for user in _unique([submitter, *t.with_roles(org.id, (Role.OR_LID,))]):

        def render(a=approval, p=subject_path):
            what = _("de RI&E") if a.subject_type == "rie" else _("het Plan van Aanpak")
            lines = [
                _(
                    "Op %(d)s is %(w)s voorgelegd aan de OR/PVT. Er is nog geen besluit.",
                    d=fmt_date(a.submitted_on, "long"),
                    w=what,
                ),
                _("Leg het besluit (instemming, weigering of advies) met datum vast."),
            ]
            return _("Besluit OR/PVT staat al meer dan 30 dagen open"), lines, p

        due = approval.submitted_on + timedelta(days=31)
        yield Due("or_pending", org, "approval", approval.id, due, user, render)


def _newcomer_filter(today: date, weeks: dict[int, int], lookback: int) -> tuple:
    """Current staff who started in the widest newcomer window of any organisation."""
    return (
        Employee.organisation_id.in_(_live_org_ids()),
        voorlichting.current_staff_filter(today),
        Employee.start_date.is_not(None),
        Employee.start_date > today - timedelta(weeks=max(weeks.values()), days=lookback),
        Employee.start_date <= today - timedelta(weeks=min(weeks.values())),
    )


def _presence(candidates: tuple, since: date, today: date) -> dict[int, list[date]]:
    """Employee id -> dates of sessions in [since, today] they attended, for the candidates only."""
    rows = _rows(
        select(Attendance.employee_id, VoorlichtingSession.session_date)
        .join(VoorlichtingSession, VoorlichtingSession.id == Attendance.session_id)
        .join(Employee, Employee.id == Attendance.employee_id)
        .where(
            *candidates,
            Attendance.organisation_id == Employee.organisation_id,
            Attendance.deleted_at.is_(None),
            Attendance.status == AttendanceStatus.AANWEZIG,
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= since,
            VoorlichtingSession.session_date <= today,
        )
    )
    result: dict[int, list[date]] = {}
    for employee_id, day in rows:
        result.setdefault(employee_id, []).append(day)
    return result


def rule_newcomer(t: Tenants, today: date, lookback: int) -> Iterator[Due]:
    """A new employee has had no voorlichting within N weeks of starting."""
    if not t.orgs:
        return
    weeks = voorlichting.newcomer_weeks_of(t.orgs)
    candidates = _newcomer_filter(today, weeks, lookback)
    employees = _rows(
        select(Employee.id, Employee.organisation_id, Employee.name, Employee.start_date, Team.manager_id)
        .outerjoin(Team, Team.id == Employee.team_id)
        .where(*candidates)
        .order_by(Employee.organisation_id, Employee.id)
    )
    since = today - timedelta(weeks=max(weeks.values()), days=lookback)
    present = _presence(candidates, since, today)
    for employee in employees:
        w = weeks[employee.organisation_id]
        in_window = (
            today - timedelta(weeks=w, days=lookback) < employee.start_date <= today - timedelta(weeks=w)
        )
        if in_window and not any(day >= employee.start_date for day in present.get(employee.id, ())):
            yield from _newcomer_dues(t, employee, w)


def _newcomer_dues(t: Tenants, employee, weeks: int) -> Iterator[Due]:
    """The team's manager (when a member) and the preventiemedewerkers, else the beheerders."""
    org = t.orgs[employee.organisation_id]
    editors = t.with_roles(org.id, (Role.PREVENTIEMEDEWERKER,)) or t.with_roles(org.id, (Role.BEHEERDER,))
    for user in _unique([t.reachable(org.id, employee.manager_id), *editors]):

        def render(e=employee, w=weeks):
            lines = [
                _(
                    "%(n)s is op %(d)s begonnen en heeft na %(w)s weken nog geen voorlichting over "
                    "werkstress en PSA gehad.",
                    n=e.name,
                    d=fmt_date(e.start_date, "long"),
                    w=w,
                ),
                _("Nodig de nieuwe medewerker uit voor een nieuwkomersbijeenkomst of een gesprek."),
            ]
            return (
                _("Nieuwe medewerker zonder voorlichting: %(n)s", n=e.name),
                lines,
                _path(org, ("voorlichting.index",)),
            )

        due = employee.start_date + timedelta(weeks=weeks)
        yield Due("newcomer_no_voorlichting", org, "employee", employee.id, due, user, render)


RULES = {
    "measure_termijn": rule_measure_termijn,
    "measure_overdue": rule_measure_overdue,
    "session": rule_session,
    "evaluation_due": rule_evaluation_due,
    "rie_review": rule_rie_review,
    "pva_review": rule_pva_review,
    "or_pending": rule_or_pending,
    "newcomer": rule_newcomer,
}


@dataclass
class RuleFailure:
    """A rule (a key of RULES) that failed for one organisation."""

    rule: str
    org: Organisation
    error: BaseException


def due_reminders(
    t: Tenants, today: date, lookback: int | None = None, failures: list[RuleFailure] | None = None
) -> list[Due]:
    """Every reminder due on `today` (whether or not already sent), by organisation, rules in order.

    Each rule runs in isolation: when it fails (bad data of one organisation, say an RI&E
    performed in the year 1), it runs again for halves of the organisations down to the ones it
    fails for, so every other organisation still gets its reminders. What failed is appended to
    `failures` (and logged)."""
    lookback = lookback if lookback is not None else _setting("REMINDER_LOOKBACK_DAYS", 14)
    failures = failures if failures is not None else []
    dues = [
        due for name, rule in RULES.items() for due in _run_isolated(name, rule, t, today, lookback, failures)
    ]
    return sorted(dues, key=lambda due: due.org.id)  # stable: per organisation, like one pass per org


def _run_isolated(name: str, rule, t: Tenants, today: date, lookback: int, failures: list) -> list[Due]:
    """The rule for all organisations at once; after an error, for halves of them, down to the
    single organisations it fails for (a few extra runs per bad organisation, not one per
    organisation)."""
    try:
        return list(rule(t, today, lookback))
    except Exception as error:
        current_app.logger.warning(
            "herinneringsregel %s faalt; opnieuw per deel van de organisaties", name, exc_info=True
        )
        _recover(error)
    return _halves(name, rule, t, tuple(t.orgs), today, lookback, failures)


def _bisect(
    name: str, rule, t: Tenants, org_ids: tuple, today: date, lookback: int, failures: list
) -> list[Due]:
    """The rule for the organisations org_ids; on an error, for each half of them in turn."""
    if not org_ids:
        return []
    token = _only_orgs.set(org_ids)
    try:
        return list(rule(t.only(org_ids), today, lookback))
    except Exception as error:
        _recover(error)
        if len(org_ids) == 1:
            current_app.logger.exception("herinneringsregel %s faalt voor organisatie %s", name, org_ids[0])
            failures.append(RuleFailure(name, t.orgs[org_ids[0]], error))
            return []
    finally:
        _only_orgs.reset(token)
    return _halves(name, rule, t, org_ids, today, lookback, failures)


def _halves(
    name: str, rule, t: Tenants, org_ids: tuple, today: date, lookback: int, failures: list
) -> list[Due]:
    """The rule for each half of org_ids (it failed for all of them together)."""
    half = len(org_ids) // 2
    return _bisect(name, rule, t, org_ids[:half], today, lookback, failures) + _bisect(
        name, rule, t, org_ids[half:], today, lookback, failures
    )


def _recover(error: BaseException) -> None:
    """After a database error the transaction is unusable (PostgreSQL): start a fresh one.

    Nothing is lost: the pass commits before it plans (retry_stale), and plans before it claims."""
    if isinstance(error, SQLAlchemyError):
        db.session.rollback()
