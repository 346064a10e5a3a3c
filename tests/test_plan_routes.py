"""The route matrix for the Plan van Aanpak alone (independent of other areas' progress)."""

from tests.matrix import VISITORS
from tests.matrix.plan import ROUTES
from tests.test_route_matrix import IGNORED_METHODS, _expected, _url


def test_every_plan_route_has_an_expectation(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("plan.")}
    assert endpoints == set(ROUTES)


def test_plan_route_matrix(app, world, client_as):
    failures = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        route = ROUTES.get(rule.endpoint)
        if route is None:
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            for visitor in VISITORS:
                expected = _expected(route, visitor, method)
                url = _url(app, rule.endpoint, route, world, world.org.slug)
                data = route.data(world) if (route.data and method == "POST") else {}
                response = client_as(visitor).open(url, method=method, data=data)
                accepted = expected if isinstance(expected, tuple) else (expected,)
                if response.status_code not in accepted:
                    failures.append(
                        f"{method} {url} as {visitor}: {response.status_code}, expected {expected}"
                    )
            if route.cross:
                url = _url(app, rule.endpoint, route, world, world.other_org.slug)
                response = client_as("other").open(url, method=method, data={})
                if response.status_code != 404:
                    failures.append(f"{method} {url} (record of acme) as other: {response.status_code}")
    assert not failures, "\n".join(failures)
