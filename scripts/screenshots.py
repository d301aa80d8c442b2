"""Retake the README's screenshots (docs/screenshots/*.png) on the mid-season demo centre.

Run: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...]
(or ``make screenshots``).

It builds a throw-away demo centre (migrate, load_referentiel, demo) in a temporary SQLite
database and media folder, serves it with ``runserver`` on a free port, signs in as the demo's
people with Playwright driving Debian's Chromium (``PREUVES_CHROMIUM`` picks another build),
and saves each screen at desktop (1280 px) or phone (360 px) width. Every step waits for the
element that proves the page is the right one, and any missing page, HTTP error or missing
element stops the script with a message naming the screenshot: a half-retaken set is never
left silently. Nothing outside the temporary folder and ``--out`` is written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.net import free_port  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@dataclass
class Shot:
    """One screenshot: who, which page (a function of the demo's objects), what proves it."""

    name: str
    who: str
    url: object  # callable returning the path, evaluated once the demo is built
    wait_for: str
    viewport: dict
    full_page: bool = True


def demo_paths() -> dict[str, str]:
    """Return the paths of the demo objects the screenshots show (read from the database)."""
    import django

    django.setup()
    from django.urls import reverse

    from demo.build import DOMAIN
    from portfolio.models import Portfolio
    from workflow.models import Assignment, CCMark, JurySession

    candidate = f"candidat@{DOMAIN}"
    portfolio = Portfolio.objects.get(
        enrolment__candidate__email=candidate, bloc__number=1, is_active=True
    )
    # Bloc 2 came back with the reason: its version 2 is open, its evidence carried over.
    returned = Portfolio.objects.get(
        enrolment__candidate__email=candidate, bloc__number=2, is_active=True
    )
    # A portfolio declared admissible and not assigned yet: the assignment page, where the
    # trainer who is also an evaluator is refused with the reason.
    waiting = Portfolio.objects.filter(state=Portfolio.State.ADMISSIBLE).order_by("pk").first()
    draft = Assignment.objects.get(
        evaluator__email=f"evaluateur@{DOMAIN}", portfolio=portfolio, state="accepted"
    )
    sitting = JurySession.objects.get(state=JurySession.State.DELIBERATING)
    published = JurySession.objects.filter(state=JurySession.State.PUBLISHED).latest("date")
    # The CC grid of the module with the most marks entered in the current cohort.
    mark = (
        CCMark.objects.filter(module__code="M3.1")
        .select_related("enrolment")
        .order_by("-enrolment__cohort_id")
        .first()
    )
    return {
        "cc_grid": reverse("jury:cc_grid", args=[mark.enrolment.cohort_id, mark.module_id]),
        "scoring": reverse("workflow:scoring", args=[draft.pk]),
        "history": reverse("jury:candidate_history", args=[returned.enrolment_id]),
        "staff_home": reverse("accounts:home"),
        "deliberation_table": reverse("jury:deliberation", args=[sitting.pk]),
        "portfolio": reverse("portfolio:detail", args=[returned.pk]),
        "candidate_home": reverse("portfolio:home"),
        "assign": reverse("workflow:staff-assign-portfolio", args=[waiting.pk]),
        "summary": reverse("workflow:scoring-submit", args=[draft.pk]),
        # The candidate whose decision the jury changed, with its motive.
        "deliberation": reverse("jury:deliberation", args=[sitting.pk]) + "?show=overridden",
        "charts": reverse("jury:staff_session", args=[published.pk]),
    }


def shots(domain: str) -> list[Shot]:
    return [
        Shot(
            "candidat-portefeuille",
            f"candidat@{domain}",
            "portfolio",
            "li.evidence",
            DESKTOP,
        ),
        Shot("candidat-accueil-mobile", f"candidat@{domain}", "candidate_home", "main h1", PHONE),
        Shot(
            "centre-affectation-refus",
            f"responsable@{domain}",
            "assign",
            "[data-eligible=non] .reasons li",
            DESKTOP,
        ),
        Shot("evaluateur-recapitulatif", f"evaluateur@{domain}", "summary", "main table", DESKTOP),
        Shot(
            "jury-deliberation",
            f"jury.president@{domain}",
            "deliberation",
            "main table",
            DESKTOP,
        ),
        Shot("graphiques-bureau", f"responsable@{domain}", "charts", "svg[role=img]", DESKTOP),
        Shot("candidat-accueil", f"candidat@{domain}", "candidate_home", "main h1", DESKTOP),
        Shot("centre-accueil", f"responsable@{domain}", "staff_home", "main h1", DESKTOP),
        Shot("formateur-grille-cc", f"formateur.compta@{domain}", "cc_grid", "main table", DESKTOP),
        Shot("evaluateur-grille", f"evaluateur@{domain}", "scoring", "main form", DESKTOP),
        Shot(
            "jury-deliberation-tableau",
            f"jury.president@{domain}",
            "deliberation_table",
            "main table",
            DESKTOP,
        ),
        Shot("centre-historique", f"responsable@{domain}", "history", "main table", DESKTOP),
    ]


def manage(*args: str, env: dict) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def wait_until_serving(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server stopped:\n{server.stdout.read() if server.stdout else ''}")
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"The server did not answer on {url} within {timeout} s.")


def sign_in(page, base: str, email: str, password: str) -> None:
    """Sign in through the real login form."""
    page.context.clear_cookies()
    page.goto(base + "/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/accueil/" not in page.url:
        sys.exit(f"Signing in as {email} failed (still on {page.url}).")


def take(browser, base: str, shot: Shot, path: str, out: Path, password: str) -> Path:
    # A phone's screen has two device pixels per CSS pixel.
    scale = 2 if shot.viewport is PHONE else 1
    context = browser.new_context(viewport=shot.viewport, device_scale_factor=scale, locale="fr-FR")
    try:
        page = context.new_page()
        sign_in(page, base, shot.who, password)
        response = page.goto(base + path)
        if response is None or response.status != 200:
            status = response.status if response else "no answer"
            sys.exit(f"{shot.name}: {path} answered {status}.")
        try:
            page.wait_for_selector(shot.wait_for, state="visible", timeout=20_000)
        except Exception:  # noqa: BLE001 - Playwright's timeout: say which page lacked what
            sys.exit(f"{shot.name}: {path} shows no {shot.wait_for!r} (as {shot.who}).")
        page.wait_for_load_state("networkidle")
        target = out / f"{shot.name}.png"
        page.screenshot(path=str(target), full_page=shot.full_page)
        return target
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="retake only these screenshots (names)")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    from tests.browser.support import CHROMIUM_ARGS, chromium_executable

    executable = chromium_executable()
    if executable is None:
        sys.exit("Chromium is missing: apt-get install chromium (or set PREUVES_CHROMIUM).")

    with tempfile.TemporaryDirectory(prefix="preuves-screens-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
        env.update(
            DATABASE_URL=f"sqlite:///{folder}/screens.sqlite3",
            DJANGO_MEDIA_ROOT=f"{folder}/media",
            PREUVES_SITE_URL=base,
            PYTHONUNBUFFERED="1",
        )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        started = time.monotonic()
        for command in (["migrate", "--no-input"], ["load_referentiel"], ["demo"]):
            manage(*command, env=env)
        print(f"Demo centre built in {time.monotonic() - started:.0f} s.")
        paths = demo_paths()

        from demo.build import DEMO_PASSWORD, DOMAIN

        wanted = shots(DOMAIN)
        if args.only:
            unknown = set(args.only) - {s.name for s in wanted}
            if unknown:
                sys.exit(f"Unknown screenshots: {', '.join(sorted(unknown))}")
            wanted = [s for s in wanted if s.name in args.only]
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until_serving(base + "/", server)
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    for shot in wanted:
                        target = take(browser, base, shot, paths[shot.url], out, DEMO_PASSWORD)
                        print(target)
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
