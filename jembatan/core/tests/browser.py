"""Helpers shared by every browser test (Playwright driving Debian's Chromium)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
WCAG_RULES = "['wcag2a','wcag2aa','wcag21aa','wcag22aa']"


def axe_violations(page) -> list:
    """Run the vendored axe-core on the page (WCAG 2.x A/AA) and list the violations.

    Loaded from the app's own static files: the pages' CSP allows only 'self' scripts.
    """
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {WCAG_RULES}}})")
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def check_layouts(page, name: str) -> None:
    """No sideways page scroll at 1280 and 390 px; a screenshot of each under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in [(1280, 800), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1"), (name, width)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
