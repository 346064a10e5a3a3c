"""Expectations for the accessibility statement: public, for everyone."""

from tests.matrix import ROLES, plain_route

ROUTES = {
    "system.accessibility_statement": plain_route({v: 200 for v in ("anon", *ROLES, "other")}),
}
