"""Security headers on every response, and templates that keep the CSP possible.

The Content-Security-Policy has no 'unsafe-inline', so an inline handler, <script> block or
style attribute would silently stop working in the browser: the template scan catches them.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from riecycle import clock, create_app
from riecycle.security import CONTENT_SECURITY_POLICY
from tests.factories import make_survey, run_round, same, team
from tests.matrix import all_routes, route_url

TEMPLATES = Path(__file__).resolve().parent.parent / "riecycle" / "templates"
CSP_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
)


def assert_security_headers(response, where: str, *, cached: bool = False) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    for part in CSP_PARTS:
        assert part in csp, f"{where}: CSP lacks {part!r}: {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    if not cached:
        assert headers.get("Cache-Control") == "no-store", f"{where}: {headers.get('Cache-Control')}"


def test_the_policy_is_the_documented_one():
    assert CONTENT_SECURITY_POLICY.split("; ") == list(CSP_PARTS)


def test_every_get_route_sends_the_headers(app, world, client_as):
    """Every route of the URL map, as a beheerder and as an anonymous visitor, whatever the status."""
    routes = all_routes()
    beheerder, anon = client_as("beheerder"), client_as("anon")
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        route = routes.get(rule.endpoint)
        if route is None or "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
            continue
        url = route_url(app, rule.endpoint, route, world, world.org.slug)
        for who, client in (("beheerder", beheerder), ("anon", anon)):
            response = client.get(url)
            assert_security_headers(response, f"GET {url} as {who} ({response.status_code})")
            checked += 1
    assert checked > 100


def test_posts_errors_and_downloads_send_the_headers(app, world, client_as):
    client = client_as("beheerder")
    assert_security_headers(client.get("/bestaat-niet"), "404")
    assert_security_headers(client.post("/o/acme/pulse/ronde-openen", data={}), "POST")
    download = client.get("/o/acme/export/")
    assert_security_headers(download, "export page")
    for url in ("/o/acme/pulse/export.csv", "/o/acme/export/plan.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response, url)


def test_static_files_keep_caching_but_get_nosniff(client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert_security_headers(response, "static", cached=True)
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    with production.app_context():
        response = production.test_client().get("/static/favicon.svg")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


# --- the templates keep the policy possible -------------------------------------------

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I | re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize(
    "pattern,what",
    [
        (INLINE_HANDLER, "inline event handler"),
        (STYLE_ATTRIBUTE, "style attribute"),
        (INLINE_SCRIPT, "inline <script>"),
        (STYLE_BLOCK, "<style> block"),
        (JS_URL, "javascript: URL"),
    ],
)
def test_no_template_has_inline_code_or_style(pattern, what):
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        # Jinja comments and expressions are not markup (the rendered-page test checks the output).
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}", "X", text, flags=re.S)
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(TEMPLATES)}:{line}")
    assert len(_templates()) > 50
    assert not found, f"{what} in: {found}"


def test_rendered_pages_have_no_inline_code_or_style(app, world, client_as):
    """The rendered HTML too (charts are built in Python): nothing the CSP would block."""
    survey = make_survey(world)
    run_round(survey, clock.today() - timedelta(days=40), {team(world).id: same(4, 3)})
    client = client_as("beheerder")
    for url in (
        "/o/acme/",
        "/o/acme/plan/",
        "/o/acme/plan/tijdlijn",
        "/o/acme/pulse/",
        "/o/acme/rie/",
        "/o/acme/beheer/gebruikers",
        "/meldingen/",
        "/o/acme/plan/prioriteren",
        "/o/acme/zelfinspectie/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for pattern in (INLINE_HANDLER, STYLE_ATTRIBUTE, INLINE_SCRIPT, STYLE_BLOCK):
            assert not pattern.search(html), (url, pattern.pattern, pattern.search(html).group(0)[:200])


def test_confirm_and_print_are_data_attributes(world, client_as):
    html = (
        client_as("beheerder")
        .get(f"/o/acme/beheer/teams/{world.teams['Zorgteam Noord'].id}")
        .get_data(as_text=True)
    )
    assert 'data-confirm="Team verwijderen?' in html
    assert "/static/js/app.js" in html
