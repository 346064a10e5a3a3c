"""Expectations for voorlichting, evaluatie, notifications, the reminder log and the calendar feed."""

import itertools
from datetime import timedelta

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import Evaluation, Notification, User, VoorlichtingSession
from tests.matrix import EDITORS, EVERYONE, org_route, plain_route

ATTENDANCE_READERS = {"beheerder", "preventiemedewerker", "auditor"}
LOGGED_IN = ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor", "other")
_serial = itertools.count(1)


def _new_session(world, **fields):
    values = {
        "topic": f"Voorlichting werkdruk {next(_serial)}",
        "audience": "alle_medewerkers",
        "session_date": clock.today() - timedelta(days=3),
    } | fields
    session = VoorlichtingSession(organisation_id=world.org.id, **values)
    db.session.add(session)
    db.session.commit()
    return {"session_id": session.id}


def _fresh_yearly_session(world):
    return _new_session(world, recurrence="jaarlijks")


def _new_evaluation(world):
    evaluation = Evaluation(
        organisation_id=world.org.id,
        kind="thema",
        theme_key="werkdruk",
        planned_on=clock.today(),
        method="herhaalde_vragenlijst",
    )
    db.session.add(evaluation)
    db.session.commit()
    return {"evaluation_id": evaluation.id}


def _notification_for_beheerder(world):
    notification = Notification(
        user_id=world.users["beheerder"].id,
        organisation_id=world.org.id,
        rule="pva_review",
        title="Test",
        link=f"/o/{world.org.slug}/",
    )
    db.session.add(notification)
    db.session.commit()
    return {"notification_id": notification.id}


def _feed_token(world):
    return {"token": db.session.get(User, world.users["auditor"].id).calendar_token}


ONLY_BEHEERDER = {"anon": 302, "beheerder": 302, **{v: 404 for v in LOGGED_IN if v != "beheerder"}}

ROUTES = {
    "voorlichting.index": org_route(EVERYONE),
    "voorlichting.session_new": org_route(EDITORS),
    "voorlichting.session_detail": org_route(EVERYONE, params=_new_session),
    "voorlichting.session_edit": org_route(EDITORS, params=_new_session),
    "voorlichting.session_delete": org_route(EDITORS, params=_new_session, post_ok=302),
    "voorlichting.session_repeat": org_route(EDITORS, params=_fresh_yearly_session, post_ok=302),
    "voorlichting.material_upload": org_route(EDITORS, params=_new_session, post_ok=302),
    "voorlichting.session_ics": org_route(EVERYONE, params=_new_session),
    "voorlichting.register": org_route(ATTENDANCE_READERS, params=_new_session),
    "voorlichting.register_save": org_route(EDITORS, params=_new_session, post_ok=302),
    "evaluatie.index": org_route(EVERYONE),
    "evaluatie.new": org_route(EDITORS),
    "evaluatie.detail": org_route(EVERYONE, params=_new_evaluation),
    "evaluatie.edit": org_route(EDITORS, params=_new_evaluation),
    "evaluatie.record": org_route(EDITORS, params=_new_evaluation),
    "evaluatie.follow_up": org_route(EDITORS, params=_new_evaluation),
    "evaluatie.delete": org_route(EDITORS, params=_new_evaluation, post_ok=302),
    "herinneringen.index": org_route(ATTENDANCE_READERS),
    "notifications.index": plain_route({"anon": 302, **dict.fromkeys(LOGGED_IN, 200)}),
    "notifications.open_notification": plain_route(ONLY_BEHEERDER, params=_notification_for_beheerder),
    "notifications.mark_read": plain_route(ONLY_BEHEERDER, params=_notification_for_beheerder),
    "notifications.mark_all_read": plain_route({"anon": 302, **dict.fromkeys(LOGGED_IN, 302)}),
    # The secret address is the key: anyone holding it gets the feed, logged in or not.
    "calendar.feed": plain_route({"anon": 200, **dict.fromkeys(LOGGED_IN, 200)}, params=_feed_token),
    "calendar.regenerate": plain_route({"anon": 302, **dict.fromkeys(LOGGED_IN, 302)}),
}
