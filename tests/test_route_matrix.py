"""Every route x every visitor gets the expected status (see tests/matrix/)."""

from sqlalchemy import select

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
    assert not failures, "\n".join(failures)


def _every_row(db) -> dict:
    """Every row of every table, to compare before and after."""
    db.session.rollback()
    return {t.name: sorted(map(repr, db.session.execute(select(t)).all())) for t in db.metadata.sorted_tables}


def test_other_organisation_cannot_reach_or_change_records(app, db, world, client_as):
    """Each route that takes a record id, called by the beheerder of another organisation under
    their own URL with an id of acme's, with the form data an allowed user would send: 404 for
    every method, and no row in the database changed."""
    routes = all_routes()
    calls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        route = routes.get(rule.endpoint)
        if route is None or not route.cross:
            continue
        methods = sorted(m for m in rule.methods - IGNORED_METHODS if not route.methods or m in route.methods)
        for method in methods:
            url = route_url(app, rule.endpoint, route, world, world.other_org.slug)
            data = route.data(world) if (route.data and method == "POST") else {}
            calls.append((method, url, data))
    db.session.commit()
    assert any(method == "POST" for method, _url, _data in calls)
    other = client_as("other")
    # Their own start page first: it may record their last-used organisation (their own row).
    assert other.get(f"/o/{world.other_org.slug}/").status_code == 200
    before = _every_row(db)
    failures = []
    for method, url, data in calls:
        response = other.open(url, method=method, data=data)
        if response.status_code != 404:
            failures.append(f"{method} {url} (record of acme) as other: {response.status_code}, expected 404")
    assert not failures, "\n".join(failures)
    after = _every_row(db)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"requests of the other organisation changed {changed}"
