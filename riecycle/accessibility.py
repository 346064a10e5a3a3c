"""What the accessibility statement (/toegankelijkheid) says about the last test.

Update it when the browser suite's accessibility test (tests/e2e/test_a11y_browser.py) was run
again with a new axe-core: tests/test_accessibility_page.py checks that the version here is the
one pinned in package.json.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AccessibilityTest:
    tested_on: date
    standard: str
    axe_version: str
    widths: tuple[int, ...]


LAST_TEST = AccessibilityTest(
    tested_on=date(2026, 12, 3),
    standard="WCAG 2.1 AA",
    axe_version="4.14.1",
    widths=(1280, 390),
)
