"""Expectations for single sign-on: the public flow, the beheerder's settings, the platform's approval."""

import itertools

from riecycle.extensions import db
from riecycle.services import sso
from tests.matrix import ROLES, org_route, plain_route

LOGGED_IN = (*ROLES, "other")
MANAGE = {"beheerder"}
_serial = itertools.count(1)


def _fresh_domain(world):
    """A domain of acme waiting for approval (a new one per call: removing it is a POST)."""
    row = sso.request_domain(world.org, f"domein{next(_serial)}.acme.example")
    db.session.commit()
    return {"domain_id": row.id}


ROUTES = {
    # Acme has no provider: its start page does not exist; a logged-in user goes home.
    "sso.start": plain_route(
        {"anon": 404, **{v: 302 for v in LOGGED_IN}}, params=lambda w: {"org_slug": w.org.slug}
    ),
    # Without a flow in the session: no login, a clear message.
    "sso.callback": plain_route({v: 400 for v in ("anon", *LOGGED_IN)}),
    "sso.link": plain_route({v: 400 for v in ("anon", *LOGGED_IN)}),
    "sso_beheer.settings": org_route(MANAGE),
    "sso_beheer.domain_add": org_route(
        MANAGE, post_ok=302, data=lambda w: {"domain": f"nieuw{next(_serial)}.example"}
    ),
    "sso_beheer.domain_remove": org_route(MANAGE, params=_fresh_domain, post_ok=302),
    "sso_admin.domains": plain_route({"anon": 302, **{v: 403 for v in LOGGED_IN}}),
    "sso_admin.domain_approve": plain_route(
        {"anon": 302, **{v: 403 for v in LOGGED_IN}}, params=_fresh_domain
    ),
    "sso_admin.domain_reject": plain_route(
        {"anon": 302, **{v: 403 for v in LOGGED_IN}}, params=_fresh_domain
    ),
}
