"""Expectations for the second factor: the code step, enrolment, the account's and the
organisation's settings, and resets by a beheerder or a platform administrator."""

from tests.matrix import org_route, plain_route
from tests.matrix.core import LOGGED_IN, MANAGE, _fresh_membership

ROUTES = {
    # Without a login waiting for its code: back to the login page; logged in: onwards.
    "mfa.code": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}),
    # The fixtures' users have no second factor yet: everyone may set one up.
    "mfa.enrol": plain_route({"anon": 302, **{v: {"GET": 200, "POST": 400} for v in LOGGED_IN}}),
    "mfa.disable": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}),
    "mfa.recovery_codes": plain_route({v: 302 for v in ("anon", *LOGGED_IN)}),
    "beheer.mfa_settings": org_route(MANAGE, post_ok=302, data=lambda w: {"mfa_policy": "uit"}),
    "beheer.user_mfa_reset": org_route(MANAGE, params=_fresh_membership, post_ok=302),
    "admin.user_mfa_reset": plain_route(
        {"anon": 302, **{v: 403 for v in LOGGED_IN}},
        params=lambda w: {"org_id": w.org.id, "user_id": w.users["auditor"].id},
    ),
}
