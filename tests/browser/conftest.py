"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against the live server.

Every test here uses pytest-django's ``live_server``, hence a transactional database that is
emptied after each test: the référentiel loaded by the data migration is reloaded for each one.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.support import (
    CHROMIUM_ARGS,
    ENABLE_COMMAND,
    chromium_executable,
    missing_chromium_message,
    running_in_ci,
)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Give the browser tests an SQLite test database in a file, not in memory.

    With an in-memory database, Django's live server shares the test's one connection with
    every request thread: the grids' autosave sends several requests at once, and their
    savepoints interleave on that connection (« no such savepoint », then a 503). In a file,
    each request thread opens its own connection, as in production.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("browser-database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(scope="session")
def chromium():
    """Launch headless Chromium once per session; Playwright gives it a fresh temporary profile."""
    executable = chromium_executable()
    if executable is None:
        if running_in_ci():
            pytest.fail(
                "CI=true : les tests dans le navigateur sont obligatoires en intégration continue, "
                f"mais Chromium est introuvable. Installez-le : {ENABLE_COMMAND}",
                pytrace=False,
            )
        pytest.skip(missing_chromium_message())
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in the test thread for the whole session, and
    # Django then refuses the (synchronous) ORM calls of tests and fixtures made in that thread.
    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    patch.undo()


@pytest.fixture(autouse=True)
def referentiel(referentiel_reloaded):
    """Every browser test runs with the RNCP 36390 référentiel (see ``referentiel_reloaded``)."""


# Generous: a loaded two-core CI machine can take seconds to render a page the first time.
ACTION_TIMEOUT_MS = 30_000


@pytest.fixture
def csp_violations():
    """Collect the Content-Security-Policy violations Chromium reports; none may remain."""
    violations: list[str] = []
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def watch_csp(context, violations: list[str]) -> None:
    def seen(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", seen)


@pytest.fixture
def browser_context(chromium, live_server, csp_violations):
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", viewport=DESKTOP, timezone_id="Europe/Paris"
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    watch_csp(context, csp_violations)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    """Return a desktop-sized page on the live server, signed in as nobody."""
    return browser_context.new_page()


@pytest.fixture
def phone_page(chromium, live_server, csp_violations):
    """Return a page 360 CSS pixels wide, the narrowest phone the UI must serve."""
    context = chromium.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    watch_csp(context, csp_violations)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in(live_server):
    """Return a function that signs a user in a page's browser context, skipping the form."""

    def _sign_in(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return _sign_in
