"""Screenshots of the main pages at 1280 and 390 px (docs/screenshots/ with REGISTRY_UPDATE_SCREENSHOTS=1, referenced by docs/web.md), and axe-core
(vendored in tests/web/vendor) on each: no serious or critical violation of WCAG 2.1 A/AA or best practice."""

from __future__ import annotations

import pytest

from tests.web.conftest import SCREENSHOTS, WIDTHS

PAGES = {
    "home": "/",
    "matrix": "/matrix?topic=consumer-protection",
    "compare": "/compare?left=CN&right=EU&topic=consumer-protection",
    "compliance": "/compliance?markets=EU&markets=CN&markets=RU&profile=%7B%22seller%22%3A%7B%22sells_b2c%22%3Atrue%7D"
                  "%2C%22consumer_protection%22%3A%7B%22withdrawal_period_days%22%3A7%7D%7D",
    "meeting": None,  # the held meeting of the fixtures
    "version": "/documents/EU/consumer-protection/versions/1",
    "jurisdiction": "/jurisdictions/KZ",
    "search": "/search?q=withdrawal",
    "coverage": "/coverage",
    "meetings-stats": "/meetings/stats",
    "docs": "/docs/concepts",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot_and_axe(web, site, name):
    path = PAGES[name] or f"/meetings/{site['meetings']['held']}"
    web.visit(path)
    written = web.screenshot(name) if name in ("home", "matrix", "compare", "compliance", "meeting") else []
    for width, file in zip(WIDTHS, written):
        assert file == SCREENSHOTS / f"{name}-{width}.png" and file.stat().st_size > 5_000
    for width in WIDTHS:
        web.page.set_viewport_size({"width": width, "height": 900})
        # readable at 390 px: nothing but scrolling tables wider than the screen
        overflow = web.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px"
        violations = web.axe()
        assert violations == [], violations
    web.check()
