"""The pages the accessibility and phone-width tests visit, collected from the app's URL map.

Every GET route without arguments (org_slug filled in) is a starting page; from there the
pages are crawled through their own links, so each route with ids gets one representative
page from the demo organisation. A route nobody reaches must be listed in SKIPPED with a
reason, so a new page cannot silently stay out of the tests.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Files, not pages: the crawl neither fetches nor counts them.
FILE_SUFFIXES = (".xlsx", ".csv", ".ics", ".pdf", ".docx", ".zip")
NOT_PAGES = {
    "static": "static files",
    "documents.download": "downloads an attachment",
    "export.evidence_download": "downloads the evidence file",
    "system.healthz": "a health probe, not a page",
    "plan.teams_json": "the plan's team filter asks it for options (JSON)",
    "rapport.download": "downloads a handed-over report (PDF or Word)",
    "rapport.annex": "downloads a report's annex (the evidence workbook)",
}
# Pages that need something the demo data does not hold; each with the reason.
SKIPPED = {
    "auth.accept_invite": "needs a one-time invitation token from a mail",
    "auth.reset_password": "needs a one-time reset token from a mail",
    "pulse_public.answer": "needs a one-time pulse token; the test opens a round and visits it",
    "pulse_public.answer_form": "reached through a pulse token (see pulse_public.answer)",
    "system.home": "redirects to the user's home page",
    "rie.approval_decide": "the demo RI&E has no instemming waiting for a decision",
    "export.preview": "needs an uploaded workbook awaiting confirmation",
    "plan.catalogue_edit": "the demo organisation has no own catalogue entries",
    "notifications.open_notification": "redirects to what the notification is about",
    "mfa.code": "shown only while a login waits for its second factor; the demo users have none",
    "sso.start": "redirects to the organisation's identity provider",
    "sso.callback": "the identity provider's redirect back, with its state and code",
    "sso.link": "needs a single sign-on in progress (after the identity provider's answer)",
    "sso_admin.domains": "platform administration, none of the five roles",
    "admin.organisations_index": "platform administration, none of the five roles",
    "admin.organisation_new": "platform administration, none of the five roles",
    "admin.organisation_members": "platform administration, none of the five roles",
}
MAX_PAGES = 400


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _is_file(rule) -> bool:
    return rule.endpoint in NOT_PAGES or rule.rule.endswith(FILE_SUFFIXES)


def start_urls(app, org_slug: str) -> list[str]:
    """Every GET page of the URL map that needs no argument besides the organisation."""
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or _is_file(rule):
                continue
            if set(rule.arguments) - {"org_slug"}:
                continue
            values = {"org_slug": org_slug} if "org_slug" in rule.arguments else {}
            urls.append(url_for(rule.endpoint, **values))
    return urls


def _endpoint_of(adapter, href: str):
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def crawl(app, client, org_slug: str) -> dict[str, str]:
    """endpoint -> one URL answering 200 with HTML for this client, found by following links."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, str] = {}
    queue = list(start_urls(app, org_slug))
    visited: set[str] = set()
    tries: dict[str, int] = {}
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        endpoint = _endpoint_of(adapter, url)
        if endpoint is None or endpoint in found or endpoint in NOT_PAGES or url in visited:
            continue
        if urlsplit(url).path.endswith(FILE_SUFFIXES) or tries.get(endpoint, 0) >= 3:
            continue
        visited.add(url)
        tries[endpoint] = tries.get(endpoint, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        found[endpoint] = url
        queue.extend(links_in(response.get_data(as_text=True)))
    return found


def page_endpoints(app) -> set[str]:
    """Every GET endpoint that serves a page."""
    return {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and not _is_file(r)}
