"""What people do in the browser, one function per step, shared by the page tests and the journey.

Steps marked "keyboard only" use nothing but Tab, Shift+Tab, Space, Enter and typing: no click.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.support import assert_no_axe_violations, has_horizontal_scroll, tab_to

# The application's clock (audit.clock.now) is set to this day by the browser tests: inside
# the portfolio window of a cohort whose training ended on 30/06/2026 (30/09 to 30/12/2026).
IN_WINDOW = dt.datetime(2026, 10, 15, 10, 0, tzinfo=dt.UTC)


def check_page(page, *, phone: bool = False) -> None:
    """Assert what every page must satisfy: axe finds nothing, and nothing overflows sideways."""
    assert page.title().endswith("— Preuves"), page.url
    assert_no_axe_violations(page)
    if phone:
        assert not has_horizontal_scroll(page), f"horizontal scroll on {page.url}"


def sample_pdf(folder: Path, name: str) -> Path:
    """Write a small valid PDF, unique by its title (identical files are refused); return it."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": name})
    buffer = io.BytesIO()
    writer.write(buffer)
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


def focus_is_on(page, locator) -> bool:
    return page.evaluate("(el) => document.activeElement === el", locator.element_handle())


def keyboard_check(page, checkbox) -> None:
    """Tab to a checkbox and tick it with Space (keyboard only)."""
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    assert checkbox.is_checked()


def open_file_chooser_with_keyboard(page, file_input):
    """Open the file picker from the focused input with Space (then Enter, Space, Enter).

    Both keys open a file input; on a loaded machine Chromium now and then drops an
    activation (seen twice in a row in CI), which is not what these tests are about.
    """
    for key in ("Space", "Enter", "Space", "Enter"):
        if not focus_is_on(page, file_input):
            file_input.focus()
        assert focus_is_on(page, file_input)
        try:
            with page.expect_file_chooser(timeout=15_000) as chooser:
                page.keyboard.press(key)
            return chooser.value
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("The file picker did not open from the keyboard.")


def upload_evidence_with_keyboard(
    page, *, files: list[Path], title: str = "", codes: list[str], titles: list[str] | None = None
):
    """On a portfolio page, add files tagged with competencies, with the keyboard alone: each
    file gets its own title (``titles``, else ``title`` for every one of them)."""
    before = page.locator("li.evidence").count()
    file_input = page.locator("input[type=file][name=files]")
    tab_to(page, file_input)
    chooser = open_file_chooser_with_keyboard(page, file_input)
    chooser.set_files([str(path) for path in files])
    # The script shows one title field per file, filled with the file's name: replace each.
    for index, _path in enumerate(files):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"file-title-{index}"
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(titles[index] if titles else title)
    for code in codes:
        keyboard_check(
            page, page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(code)}\b"))
        )
    tab_to(page, page.get_by_role("button", name="Ajouter au portefeuille"))
    # The page's script sends each file with a progress bar, then reloads the page.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("li.evidence").count() == before + len(files)


def submit_portfolio_with_keyboard(page, portfolio) -> None:
    """Open the submission page, accept the declaration and submit, with the keyboard alone."""
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    link = page.get_by_role("link", name="Déposer le portefeuille")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    keyboard_check(page, page.get_by_role("checkbox"))
    tab_to(page, page.get_by_role("button", name="Déposer définitivement"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "est déposé" in page.locator(".message-success").inner_text()


def sweep(page, urls, *, phone: bool = False) -> list[str]:
    """Visit each URL and return every problem found (axe, HTTP status, sideways scroll)."""
    from tests.browser.support import axe_violations, format_violations

    problems = []
    for url in urls:
        response = page.goto(url)
        if response is None or response.status >= 400:
            problems.append(f"{url}: HTTP {response.status if response else '?'}")
            continue
        if not page.title().endswith("— Preuves"):
            problems.append(f"{url}: title {page.title()!r}")
        violations = axe_violations(page)
        if violations:
            problems.append(f"{url}:\n{format_violations(violations)}")
        if phone and has_horizontal_scroll(page):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{url}: {width}px wide on a 360px screen")
    return problems
