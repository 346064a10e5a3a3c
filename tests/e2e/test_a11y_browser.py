"""WCAG 2.1 A and AA on every page, for every role, at desktop and phone width (axe-core), and no
page wider than a phone.

The pages come from the URL map (tests/e2e/pages.py): every GET page without arguments, plus one
page per route with ids, found by following links through the demo organisation as that role.
axe.min.js comes from the npm package (node_modules, installed by `make test`); it is injected
into pages whose Content-Security-Policy forbids it, so only this test's browser context
bypasses the CSP. Each page is loaded once and checked at 1280 px, then resized to 390 px and
checked again.
"""

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from riecycle import clock
from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import PulseSurvey
from riecycle.seeding.demo import DEMO_PASSWORD, load_demo
from riecycle.services import pulse
from tests.conftest import browser_login, login
from tests.e2e.pages import SKIPPED, crawl, page_endpoints

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROLES = ["beheerder", "preventiemedewerker", "or_lid", "leidinggevende", "auditor", "anoniem"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                              summary: (n.failureSummary || '').split('\\n').slice(0, 2).join(' ')}))
  }));
}"""

# The page's own width against the viewport, and the outermost elements that stick out without
# a box around them that scrolls or clips within the screen, so a failure says what to fix.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const contained = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const clips = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX);
      if (clips && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || contained(el)) continue;
    if (wide.some(w => w.el.contains(el))) continue;
    const parent = el.parentElement ? name(el.parentElement) + ' > ' : '';
    wide.push({el, text: parent + name(el) + ' (' + Math.round(box.left) + '-' + Math.round(box.right) + ' px)'});
  }
  return {scrollWidth, wide: wide.slice(0, 4).map(w => w.text)};
}"""


# On a phone the header (brand, organisation, bell, user menu and the steps of the cycle) stays
# two slim rows: the content starts within the first 120 px.
HEADER_HEIGHT = "() => (document.querySelector('header.topbar') || {getBoundingClientRect: () => ({height: 0})}).getBoundingClientRect().height"
MAX_PHONE_HEADER = 120

# After a resize the page's own resize handlers run before the next frames are drawn.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def demo_users() -> dict[str, str]:
    return {u["role"]: u["email"] for u in load_yaml("demo.yaml")["users"]}


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    return load_yaml("demo.yaml")["organisation"]["slug"]


def pages_for(app, slug: str, role: str) -> dict[str, str]:
    client = app.test_client()
    if role != "anoniem":
        login(client, demo_users()[role], DEMO_PASSWORD)
    return crawl(app, client, slug)


def pulse_link() -> str:
    """A fresh round of the demo's pulse survey; the link of one invitation (the answer form)."""
    survey = db.session.scalar(select(PulseSurvey))
    _round, issued = pulse.open_round(survey, clock.today())
    db.session.commit()
    return f"/puls/{issued[0].raw}"


def test_every_page_is_reached_by_some_role_or_skipped_with_a_reason(app, demo):
    reached = set()
    for role in ROLES:
        reached |= set(pages_for(app, demo, role))
    missing = page_endpoints(app) - reached - set(SKIPPED)
    assert not missing, (
        "No role reaches these pages by a link from the demo organisation, so the axe and "
        "phone-width test does not cover them. Make the demo data link to them, or list them in "
        f"SKIPPED (tests/e2e/pages.py) with the reason: {sorted(missing)}"
    )


def check_page(page, url: str, role: str) -> list[str]:
    """Load one page, run axe at desktop and at phone width, and measure its width on a phone."""
    problems = []
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{url} [{role}]: answered {response.status if response else 'nothing'}"]
    page.add_script_tag(path=str(AXE))
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.evaluate(SETTLED)
        for violation in page.evaluate(RUN_AXE, TAGS):
            for node in violation["nodes"]:
                problems.append(
                    f"{violation['id']} ({violation['impact']}) at {node['target']!r} on {url} "
                    f"[{role}, {viewport['width']} px]: {violation['help']}. {node['summary']}"
                )
    header = page.evaluate(HEADER_HEIGHT)
    if header > MAX_PHONE_HEADER:
        problems.append(
            f"header-height on {url} [{role}, 390 px]: the header is {header:.0f} px high, "
            f"more than {MAX_PHONE_HEADER} px of the phone's screen"
        )
    overflow = page.evaluate(OVERFLOW)
    if overflow:
        problems.append(
            f"page-width on {url} [{role}, 390 px]: the page is {overflow['scrollWidth']} px wide "
            f"and scrolls sideways; sticking out: {', '.join(overflow['wide']) or 'unknown'}"
        )
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_no_axe_violations_and_no_sideways_scroll(app, demo, browser, live_server, role):
    assert AXE.exists(), f"{AXE} is missing: run `make node-deps` (npm install)"
    pages = pages_for(app, demo, role)
    if role == "anoniem":
        pages["pulse_public.answer"] = pulse_link()
    assert len(pages) >= (3 if role == "anoniem" else 20), f"only reached {sorted(pages)} as {role}"
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="nl-NL", viewport=DESKTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        if role != "anoniem":
            browser_login(page, demo_users()[role], DEMO_PASSWORD)
        started = time.monotonic()
        problems = []
        for _endpoint, url in sorted(pages.items()):
            problems += check_page(page, url, role)
        seconds = time.monotonic() - started
    finally:
        context.close()
    assert not problems, (
        f"{len(problems)} problems on {len(pages)} pages as {role} ({seconds:.0f} s):\n" + "\n".join(problems)
    )
