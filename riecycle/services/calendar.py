"""iCalendar (RFC 5545): a user's secret feed of termijnen, sessions and evaluations, and one
session as an .ics file.

UIDs are derived from the record ("riecycle-session-12@<host>"), so a calendar client updates
an event instead of adding a copy when the feed is fetched again. Termijnen and evaluations
are all-day events; a session with a start time is a timed event in Europe/Amsterdam (the
VTIMEZONE is included).
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import or_, select
from werkzeug.routing import BuildError

from riecycle import clock
from riecycle.access import viewer_for
from riecycle.extensions import db
from riecycle.models import Employee, Evaluation, Measure, User, VoorlichtingSession
from riecycle.models.base import utcnow
from riecycle.models.measure import OPEN_STATUSES
from riecycle.models.user import new_token

PRODID = "-//riecycle//PSA-beleid//NL"
FEED_PAST_DAYS = 180


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "riecycle"


def _uid(kind: str, object_id: int) -> str:
    return f"riecycle-{kind}-{object_id}@{_host()}"


def _calendar(name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _absolute(endpoint: str, **values) -> str | None:
    try:
        return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
    except BuildError:  # an area that is not built yet has no page to link to
        return None


def _event(
    kind: str, record, summary: str, start, end=None, description=None, location=None, link=None
) -> Event:
    event = Event()
    event.add("uid", _uid(kind, record.id))
    event.add("dtstamp", record.updated_at or utcnow())
    event.add("summary", summary)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if link:
        event.add("url", link)
    return event


def session_event(session: VoorlichtingSession) -> Event:
    """One session as a VEVENT: timed when it has a start time, else all-day."""
    if session.start_time:
        start = datetime.combine(session.session_date, session.start_time, clock.AMSTERDAM)
        end = (
            datetime.combine(session.session_date, session.end_time, clock.AMSTERDAM)
            if session.end_time
            else start + timedelta(hours=1)
        )
    else:
        start, end = session.session_date, session.session_date + timedelta(days=1)
    description = "\n".join(
        filter(
            None,
            [
                session.description,
                _("Door: %(p)s", p=session.presenter) if session.presenter else None,
                _("Online: %(l)s", l=session.online_link) if session.online_link else None,
            ],
        )
    )
    link = _absolute("voorlichting.session_detail", org_slug=session_org_slug(session), session_id=session.id)
    return _event(
        "session",
        session,
        _("Voorlichting: %(t)s", t=session.topic),
        start,
        end,
        description,
        session.location or session.online_link,
        link,
    )


def session_org_slug(session) -> str:
    from riecycle.models import Organisation

    return db.session.get_one(Organisation, session.organisation_id).slug


def session_ics(session: VoorlichtingSession) -> bytes:
    """A single session as an .ics file (download and invitation attachment)."""
    cal = _calendar()
    cal.add_component(session_event(session))
    cal.add_missing_timezones()
    return cal.to_ical()


def _measure_events(user: User, since) -> list[Event]:
    measures = db.session.scalars(
        select(Measure).where(
            Measure.responsible_id == user.id,
            Measure.deleted_at.is_(None),
            Measure.status.in_(OPEN_STATUSES),
            Measure.termijn >= since,
        )
    )
    events = []
    for m in measures:
        viewer = viewer_for(user, m.organisation_id)
        if viewer is None or not viewer.lists_measure(m):
            continue
        # Masked by the reader's role, from the measure's current state (docs/domain.md §9).
        readable = viewer.sees_measure(m)
        events.append(
            _event(
                "measure",
                m,
                _("Termijn: %(t)s", t=viewer.title_of(m)),
                m.termijn,
                m.termijn + timedelta(days=1),
                m.description if readable else None,
                link=_absolute("plan.detail", org_slug=_org_slug(m.organisation_id), measure_id=m.id),
            )
        )
    return events


def _org_slug(org_id: int) -> str:
    from riecycle.models import Organisation

    return db.session.get_one(Organisation, org_id).slug


def _session_events(user: User, since) -> list[Event]:
    org_ids = [m.organisation_id for m in user.memberships]
    if not org_ids:
        return []
    attending = select(Employee.organisation_id).where(
        Employee.deleted_at.is_(None),
        Employee.email.is_not(None),
        Employee.email.ilike(user.email),
    )
    sessions = db.session.scalars(
        select(VoorlichtingSession)
        .where(
            VoorlichtingSession.organisation_id.in_(org_ids),
            VoorlichtingSession.deleted_at.is_(None),
            VoorlichtingSession.session_date >= since,
            or_(
                VoorlichtingSession.organiser_id == user.id,
                VoorlichtingSession.organisation_id.in_(attending),
            ),
        )
        .order_by(VoorlichtingSession.session_date)
    )
    return [session_event(s) for s in sessions if _is_for(user, s)]


def _is_for(user: User, session: VoorlichtingSession) -> bool:
    if session.organiser_id == user.id:
        return True
    from riecycle.services.voorlichting import audience_employees

    email = user.email.lower()
    return any((e.email or "").lower() == email for e in audience_employees(session))


def _evaluation_events(user: User, since) -> list[Event]:
    evaluations = db.session.scalars(
        select(Evaluation).where(
            Evaluation.responsible_id == user.id,
            Evaluation.deleted_at.is_(None),
            Evaluation.done_on.is_(None),
            Evaluation.planned_on >= since,
        )
    )
    events = []
    for ev in evaluations:
        viewer = viewer_for(user, ev.organisation_id)
        if viewer is None:
            continue
        what = viewer.title_of(ev.measure) if ev.measure else (ev.theme_key or "")
        events.append(
            _event(
                "evaluation",
                ev,
                _("Evaluatie: %(w)s", w=what),
                ev.planned_on,
                ev.planned_on + timedelta(days=1),
                link=_absolute(
                    "evaluatie.detail", org_slug=_org_slug(ev.organisation_id), evaluation_id=ev.id
                ),
            )
        )
    return events


def user_feed(user: User) -> bytes:
    """The user's feed: their open termijnen, sessions (organised or invited to) and evaluations."""
    since = clock.today() - timedelta(days=FEED_PAST_DAYS)
    cal = _calendar(_("riecycle: %(n)s", n=user.name))
    for event in [
        *_measure_events(user, since),
        *_session_events(user, since),
        *_evaluation_events(user, since),
    ]:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def user_for_token(token: str) -> User | None:
    """The active user owning a calendar token, or None."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.active else None


def regenerate_token(user: User) -> str:
    """A new secret feed address; the old one stops working at once."""
    user.calendar_token = new_token()
    db.session.flush()
    return user.calendar_token
