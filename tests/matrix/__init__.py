"""The route matrix: for every route, the expected status per visitor.

Each module in this package defines ROUTES = {endpoint: Route(...)}; the test in
tests/test_route_matrix.py merges them and fails when a route in app.url_map has no
expectation, so no new route can skip its access check.

Visitors: 'anon' (not logged in), the five roles of organisation 'acme', and 'other'
(the beheerder of another organisation). Routes that take a record id are also tried by
'other' with that id under their own organisation's URL ('cross'): always 404.
"""

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

ROLES = ("beheerder", "preventiemedewerker", "leidinggevende", "or_lid", "auditor")
VISITORS = ("anon", *ROLES, "other")
# An allowed POST may redirect, re-render with errors, or refuse the data.
POST_OK = (200, 302, 400, 409, 422)
EVERYONE = set(ROLES)
EDITORS = {"beheerder", "preventiemedewerker"}


@dataclass
class Route:
    expect: dict  # visitor -> int status, or tuple of accepted statuses
    params: Callable | None = None  # (world) -> url values; a fresh record per call for POSTs
    data: Callable | None = None  # (world) -> form data for POST
    org: bool = True
    cross: bool = True  # try the record id from the other organisation's URL
    methods: tuple = ()  # restrict which methods are checked (default: all of the rule's)


def org_route(allowed, *, ok=200, post_ok=POST_OK, params=None, data=None, cross=None, methods=()):
    """An /o/<slug>/ route: anon -> login, other tenant -> 404, role outside allowed -> 403."""
    expect = {"anon": 302, "other": 404}
    for role in ROLES:
        expect[role] = {"GET": ok, "POST": post_ok} if role in allowed else 403
    return Route(
        expect=expect,
        params=params,
        data=data,
        cross=(params is not None) if cross is None else cross,
        methods=methods,
    )


def plain_route(expect: dict, *, params=None, data=None, methods=()):
    """A route outside /o/<slug>/ with explicit expectations per visitor."""
    return Route(expect=expect, params=params, data=data, org=False, cross=False, methods=methods)


def all_routes() -> dict:
    """Every module's ROUTES, merged; a duplicate endpoint is an error."""
    merged = {}
    for info in pkgutil.iter_modules(__path__):
        module = import_module(f"{__name__}.{info.name}")
        for endpoint, route in getattr(module, "ROUTES", {}).items():
            assert endpoint not in merged, f"{endpoint} has two expectations"
            merged[endpoint] = route
    return merged


IGNORED_METHODS = {"HEAD", "OPTIONS"}


def expected_status(route, visitor, method):
    """The expected status (int or tuple) of `visitor` calling `route` with `method`."""
    value = route.expect.get(visitor)
    if isinstance(value, dict):
        value = value.get(method)
    return value


def route_url(app, endpoint, route, world, slug):
    """The URL of `route` with fresh params from `world`, under organisation `slug`."""
    from flask import url_for

    values = dict(route.params(world)) if route.params else {}
    if route.org:
        values["org_slug"] = slug
    with app.test_request_context():
        return url_for(endpoint, **values)
