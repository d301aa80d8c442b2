"""What the browser tests share: finding Chromium, axe-core checks, screenshots, keyboard moves.

Kept free of fixtures so that the suite's root conftest can import it to skip (or, in CI, fail)
the browser tests when no Chromium is installed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "tests" / "artifacts" / "screenshots"

# The one command that enables the browser tests on Debian or Ubuntu (also in the README).
ENABLE_COMMAND = "apt-get install chromium"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# axe-core rule sets for WCAG 2.1 A and AA, plus axe's best practices (landmarks, headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def chromium_executable() -> str | None:
    """Return the Chromium to drive: $PREUVES_CHROMIUM, else Debian's, else None."""
    configured = os.environ.get("PREUVES_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def running_in_ci() -> bool:
    """Return whether a CI run is asking for every test to run (CI=true, as CI services set)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_chromium_message() -> str:
    return (
        "Chromium est introuvable : les tests dans le navigateur n'ont PAS été exécutés. "
        f"Pour les activer : {ENABLE_COMMAND}"
    )


def axe_violations(page, *, exclude: list[str] | None = None) -> list[dict]:
    """Run the vendored axe-core on the page and return its WCAG 2.1 AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": AXE_TAGS}}
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    return Axe().run(page, context=context, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, exclude: list[str] | None = None) -> None:
    """Fail, listing each violation and the elements at fault, if axe finds any on the page."""
    violations = axe_violations(page, exclude=exclude)
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page under tests/artifacts/screenshots/ and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower()).strip('-')}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def has_horizontal_scroll(page) -> bool:
    """Return whether the page is wider than the viewport (content a phone user cannot see)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def tab_to(page, locator, *, limit: int = 60) -> None:
    """Press Tab until the element that the locator names has the focus; fail after `limit`."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {locator} within {limit} presses")


def focused_has_visible_outline(page) -> bool:
    """Return whether the focused element draws a focus indicator (outline or box shadow)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== 'none';
        }"""
    )
