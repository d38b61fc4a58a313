"""Browser tests: Playwright driving Debian's Chromium (STACK.md §1.9), never a downloaded one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# to set up data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "jembatan" / "core" / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: run `make system-deps` (installs Debian's chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def shot(page):
    """`shot("name")` saves a full-page screenshot under test-artifacts/ (kept by CI)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def axe_check(page):
    """Run axe-core (vendored) on the current page for WCAG 2.x A/AA; fail on violations."""

    def _check() -> None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: ['wcag2a','wcag2aa','wcag21aa','wcag22aa']})"
        )
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert not violations, violations

    return _check
