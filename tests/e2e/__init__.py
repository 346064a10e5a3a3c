"""Browser tests (Playwright). Web-first assertions wait as long as actions do (the page
fixture's 15 s), so a machine busy with other work does not fail an expect() that would pass a
moment later."""

from playwright.sync_api import expect

expect.set_options(timeout=15_000)
