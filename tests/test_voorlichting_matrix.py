"""The route matrix for issue 5's routes alone (the full matrix lives in test_route_matrix.py).

Running the area's own rows separately keeps a failure here readable while other areas are
still adding theirs.
"""

from tests.matrix import VISITORS
from tests.matrix.voorlichting import ROUTES
from tests.test_route_matrix import IGNORED_METHODS, _expected, _url


def test_issue5_routes_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(ROUTES) <= endpoints
    area = {
        e
        for e in endpoints
        if e.split(".")[0] in ("voorlichting", "evaluatie", "notifications", "herinneringen", "calendar")
    }
    assert area == set(ROUTES)


def test_issue5_route_matrix(app, world, client_as):
    failures = []
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint in ROUTES), key=lambda r: r.endpoint)
    for rule in rules:
        route = ROUTES[rule.endpoint]
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
