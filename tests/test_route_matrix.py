"""Every route x every visitor gets the expected status (see tests/matrix/)."""

from tests.matrix import IGNORED_METHODS, VISITORS, all_routes, expected_status, route_url

def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    routes = all_routes()
    missing = sorted(endpoints - set(routes))
    stale = sorted(set(routes) - endpoints)
    assert not missing, f"routes without an expectation in tests/matrix/: {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def test_route_matrix(app, world, client_as):
    routes = all_routes()
    failures = []
    # Logging out ends the clients' sessions, so that route goes last.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.endpoint))
    for rule in rules:
        route = routes.get(rule.endpoint)
        if route is None:
            continue
        methods = sorted(m for m in rule.methods - IGNORED_METHODS if not route.methods or m in route.methods)
        for method in methods:
            for visitor in VISITORS:
                expected = expected_status(route, visitor, method)
                assert expected is not None, f"{rule.endpoint} {method}: no expectation for {visitor}"
                url = route_url(app, rule.endpoint, route, world, world.org.slug)
                data = route.data(world) if (route.data and method == "POST") else {}
                client = client_as(visitor)
                response = client.open(url, method=method, data=data)
                accepted = expected if isinstance(expected, tuple) else (expected,)
                if response.status_code not in accepted:
                    failures.append(
                        f"{method} {url} as {visitor}: {response.status_code}, expected {expected}"
                    )
            if route.cross:
                url = route_url(app, rule.endpoint, route, world, world.other_org.slug)
                response = client_as("other").open(url, method=method, data={})
                if response.status_code != 404:
                    failures.append(
                        f"{method} {url} (record of acme) as other: {response.status_code}, expected 404"
                    )
    assert not failures, "\n".join(failures)
