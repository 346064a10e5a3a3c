"""Walk the whole URL map with bad input and assert that nothing answers 5xx.

Every route is visited as each role, anonymously and as the other tenant's beheerder, with:
- overflow ids in every <int:...> path parameter (2^63, 2^64, -1, 10^30);
- the query names the views read, with overflow ints, a huge page number, extreme dates
  (0001-01-01, 9999-12-31) and repeated (list) values;
- POSTs (with a real CSRF token) that fill every field of the route's form with such values.

PostgreSQL fails differently from SQLite (bigint overflow raises, date arithmetic overflows), so
the overflow-id and extreme-date parts run on both databases (on PostgreSQL as anonymous, the
beheerder and a leidinggevende); the rest, and every visitor, runs on SQLite only.
One world, one logged-in client per visitor; static files are skipped.
"""

import re
from pathlib import Path

import pytest

from riecycle.extensions import db
from tests.factories import PASSWORD, ROLES, make_measure, make_risk
from tests.matrix import all_routes

VISITORS = ("anon", *ROLES, "other")
OVERFLOW_IDS = (2**63, 2**64, -1, 10**30)
INT_NAMES = (
    "page",
    "team",
    "user",
    "risico",
    "verantwoordelijke",
    "maatregel",
    "measure_id",
    "kans",
    "effect",
    "ronde",
    "onderzoek",
    "sessie",
    "medewerker",
    "versie",
    "van_versie",
    "naar",
    "id",
    "jaar",
)
# Every query name a view reads, found in the views' source, gets the bad values too.
VIEW_NAMES = tuple(
    sorted(
        {
            name
            for path in (Path(__file__).parent.parent / "riecycle" / "views").glob("*.py")
            for name in re.findall(
                r"(?:args\.get(?:list)?|arg_(?:id|int|date))\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")
            )
        }
    )
)
DATE_NAMES = ("van", "tot", "start", "eind", "datum", "vanaf", "op", "from", "to")
TEXT_NAMES = ("status", "thema", "niveau", "aanpak", "groep", "lijst", "q", "sort", "dir", "entity", "action")
EXTREME_DATES = ("0001-01-01", "9999-12-31")
# POSTs with valid ids and bad data would otherwise end the walk's own sessions or records.
DESTRUCTIVE = re.compile(r"logout|delete|verwijder|remove|wis|archive|switch|leave|erase|restore")
FIELD = re.compile(r'<(input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>', re.I)
TYPE = re.compile(r'\btype="([^"]+)"', re.I)


def _world_records(world):
    """A few records so that list pages and filters have something to work on."""
    risk = make_risk(world, title="Werkdruk")
    make_measure(world, risk=risk)
    db.session.commit()


def _rules(app):
    routes = all_routes()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static") or rule.endpoint == "auth.logout":
            continue
        yield rule, routes.get(rule.endpoint)


def _values(rule, route, world):
    """Valid url values for the rule (from the route matrix), with the org slug filled in."""
    values = {}
    if route is not None and route.params:
        values.update(route.params(world))
    if "org_slug" in rule.arguments:
        values["org_slug"] = world.org.slug
    for name in rule.arguments:
        values.setdefault(
            name, 1 if rule._converters[name].__class__.__name__.endswith("IntConverter") else "x"
        )
    return values


def _int_args(rule) -> list[str]:
    return [n for n, c in rule._converters.items() if "Int" in type(c).__name__]


def _build(app, rule, values) -> str | None:
    with app.test_request_context():
        from flask import url_for

        try:
            return url_for(rule.endpoint, **values)
        except Exception:  # noqa: BLE001 - a rule we cannot build is not under test here
            return None


class Walker:
    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients, self.tokens = {}, {}
        self.failures: list[str] = []
        self.count = 0

    def client(self, visitor):
        if visitor not in self.clients:
            client = self.app.test_client()
            if visitor != "anon":
                html = client.get("/login").get_data(as_text=True)
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
                response = client.post(
                    "/login",
                    data={
                        "email": self.world.users[visitor].email,
                        "password": PASSWORD,
                        "csrf_token": token,
                    },
                )
                assert response.status_code == 302, f"login as {visitor} failed"
            self.clients[visitor] = client
        return self.clients[visitor]

    def token(self, visitor) -> str:
        if visitor not in self.tokens:
            html = (
                self.client(visitor)
                .get("/login" if visitor == "anon" else "/account/")
                .get_data(as_text=True)
            )
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
            self.tokens[visitor] = match.group(1) if match else ""
        return self.tokens[visitor]

    def open(self, visitor, url, method="GET", data=None):
        self.count += 1
        client = self.client(visitor)
        if method == "POST":
            data = {**(data or {}), "csrf_token": self.token(visitor)}
        response = client.open(url, method=method, data=data)
        if response.status_code >= 500:
            self.failures.append(f"{method} {url} as {visitor}: {response.status_code} data={data}")
        return response


def _query(**groups) -> list[tuple[str, str]]:
    pairs = []
    for names, value in groups.values():
        pairs += [(n, str(v)) for n in names for v in (value if isinstance(value, tuple) else (value,))]
    return pairs


def _form_fields(html: str) -> dict:
    """name -> input type of the fields of the page's forms."""
    fields = {}
    for match in FIELD.finditer(html):
        tag, name = match.group(1).lower(), match.group(2)
        if name == "csrf_token":
            continue
        kind = TYPE.search(match.group(0))
        fields[name] = tag if tag != "input" else (kind.group(1).lower() if kind else "text")
    return fields


def _bad_form(fields: dict, *, value_int, value_date, lists: bool) -> list[tuple[str, str]]:
    """Bad values per field type; other fields get a plain value (or a repeated one)."""
    data = []
    for name, kind in fields.items():
        if kind == "date":
            value = value_date
        elif kind in ("number", "select", "checkbox", "radio", "hidden") or name.endswith(("_id", "_ids")):
            value = str(value_int)
        elif kind == "file":
            continue
        else:
            value = "x"
        data.append((name, value))
        if lists:
            data.append((name, "2"))
    return data


def _walk(app, world, *, full: bool) -> Walker:
    walker = Walker(app, world)
    # On PostgreSQL (overflow ids and extreme dates only) three visitors cover the three kinds of
    # access (none, everything, one team's) within the time budget; SQLite walks as everyone.
    visitors = VISITORS if full else ("anon", "beheerder", "leidinggevende")
    get_queries = [
        _query(ints=(INT_NAMES, 2**64), views=(VIEW_NAMES, 2**64), texts=(TEXT_NAMES, "x")),
        _query(dates=(DATE_NAMES, EXTREME_DATES[0])),
        _query(ints=(INT_NAMES, 10**30), dates=(DATE_NAMES, EXTREME_DATES[1])),
        _query(views=(VIEW_NAMES, EXTREME_DATES[0])) + [("baseline", f"o:{2**64}"), ("followup", str(2**64))],
    ]
    if full:
        get_queries.append(
            _query(
                ints=(INT_NAMES, ("-1", "2")),
                page=(("page",), 10**30),
                dates=(DATE_NAMES, ("2024-01-01", "2025-01-01")),
                texts=(TEXT_NAMES, ("a", "b")),
            )
        )
    posts = []
    for rule, route in _rules(app):
        values = _values(rule, route, world)
        methods = sorted(rule.methods & {"GET", "POST"})
        # Overflow ids in the path: every visitor once, the beheerder with every value.
        for name in _int_args(rule):
            for visitor in visitors:
                for bad in OVERFLOW_IDS if visitor == "beheerder" else OVERFLOW_IDS[1:2]:
                    url = _build(app, rule, {**values, name: bad})
                    for method in (methods if visitor == "beheerder" else methods[:1]) if url else ():
                        walker.open(visitor, url, method)
        url = _build(app, rule, values)
        if url is None:
            continue
        if "GET" in rule.methods:
            # The query only matters where the page itself is shown to the visitor. The first
            # visitor who sees it gets every bad query; the others one each, in turn.
            shown = [v for v in visitors if walker.open(v, url).status_code == 200]
            for i, visitor in enumerate(shown):
                for query in get_queries if i == 0 else [get_queries[i % len(get_queries)]]:
                    walker.open(visitor, url + "?" + "&".join(f"{k}={v}" for k, v in query))
        if "POST" in rule.methods and not DESTRUCTIVE.search(rule.endpoint):
            posts.append((rule, route, url))
    # POSTs last: a successful one may change what later pages show.
    variants = [
        dict(value_int=2**64, value_date=EXTREME_DATES[0], lists=False),
        dict(value_int=2**63, value_date=EXTREME_DATES[1], lists=False),
    ]
    if full:
        variants.append(dict(value_int=10**30, value_date="2024-02-30", lists=True))
    for rule, route, url in posts:
        seen = 0
        for visitor in visitors:
            fields, shown = {}, "GET" not in rule.methods
            if "GET" in rule.methods:
                response = walker.client(visitor).get(url)
                shown = response.status_code == 200
                if shown:
                    fields = _form_fields(response.get_data(as_text=True))
            if route is not None and route.data:
                fields.update({k: fields.get(k, "text") for k in route.data(world)})
            fields.update({n: "number" for n in ("team_id", "employee_id", "measure_id", "risk_id")})
            fields.update({n: "date" for n in ("van", "tot")})
            # The first visitor who may open the form sends every variant, the others one each
            # in turn; a visitor who may not open it is refused before the data is read.
            if shown:
                seen += 1
            chosen = variants if seen == 1 and shown else [variants[seen % len(variants)]]
            for variant in chosen:
                walker.open(visitor, url, "POST", _multi(_bad_form(fields, **variant)))
    return walker


def _multi(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def test_no_bad_input_answers_5xx(app, world, backend):
    """The full walk on SQLite; on PostgreSQL the overflow ids and extreme dates only."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["PROPAGATE_TEST_ERRORS"] = False
    _world_records(world)
    walker = _walk(app, world, full=backend == "sqlite")
    assert walker.count > 1000, f"the walk visited too few urls ({walker.count})"
    print(f"bad-input walk: {walker.count} requests")
    assert not walker.failures, f"{len(walker.failures)} requests answered 5xx:\n" + "\n".join(
        walker.failures[:60]
    )


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31"])
def test_extreme_audit_dates_are_a_clear_400(client_as, world, bad):
    response = client_as("beheerder").get(f"/o/acme/audit/?van={bad}&tot={bad}")
    assert response.status_code == 400
    assert "Vul een datum tussen 01-01-1900 en 31-12-2199 in." in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999999", str(2**63), "-3"])
def test_huge_page_numbers_show_a_page(client_as, world, page):
    for url in ("/o/acme/plan/", "/o/acme/audit/", "/o/acme/beheer/medewerkers"):
        assert client_as("beheerder").get(f"{url}?page={page}").status_code == 200, url


def test_overflow_path_ids_are_404(client_as, world):
    for bad in (2**31, 2**63, 2**64, 10**30):
        assert client_as("beheerder").get(f"/o/acme/plan/{bad}").status_code == 404


@pytest.mark.parametrize("bad", ["0001-01-01", "9999-12-31"])
def test_extreme_export_period_is_refused_clearly(client_as, world, bad):
    response = client_as("beheerder").get(f"/o/acme/export/bewijsdossier?van={bad}&tot={bad}")
    assert response.status_code == 400
    assert "Vul een datum tussen 01-01-1900 en 31-12-2199 in." in response.get_data(as_text=True)


def test_overflowing_form_numbers_are_field_errors(client_as, world, app):
    from riecycle.models import Team

    app.config["WTF_CSRF_ENABLED"] = False
    team = world.teams["Zorgteam Noord"]
    response = client_as("beheerder").post(
        "/o/acme/beheer/teams/nieuw",
        data={"name": "Nieuw team", "kind": "afdeling", "parent_id": str(2**64), "manager_id": str(10**30)},
    )
    # The form shows field errors (this view answers 200 on them), and nothing is saved.
    assert response.status_code < 500
    assert response.get_data(as_text=True).count("Ongeldige keuze: kon niet omgezet worden.") == 2
    assert db.session.scalar(db.select(Team).where(Team.name == "Nieuw team")) is None
    assert team.name == "Zorgteam Noord"
