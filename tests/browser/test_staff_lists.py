"""The staff's lists in a real browser: selecting rows with the keyboard alone and assigning
evaluators to them through the plan to the report; the navigation's menu at 360 px by keyboard;
axe on every new page, on a desktop and on a phone."""

import re

import pytest
from django.urls import reverse

from portfolio.models import Portfolio
from tests.browser import steps
from tests.browser.support import tab_to
from tests.factories import (
    AssignmentFactory,
    EvaluatorFactory,
    JurySessionFactory,
    PortfolioFactory,
    StaffFactory,
    UserFactory,
)
from workflow.models import Assignment

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_world(db):
    files = [PortfolioFactory(state=Portfolio.State.ADMISSIBLE) for _ in range(3)]
    for i in range(2):
        EvaluatorFactory(first_name="Éva", last_name=f"Luatrice{i}")
    session = JurySessionFactory()
    return StaffFactory(first_name="Claire"), files, session


def test_selecting_rows_by_keyboard_and_assigning_them_through_the_plan(page, sign_in, staff_world):
    staff, files, _session = staff_world
    sign_in(page, staff)
    page.goto(reverse("workflow:staff-portfolios") + "?etat=admissible")
    steps.check_page(page)
    select_all = page.get_by_label("Tout sélectionner sur la page")
    tab_to(page, select_all)
    page.keyboard.press("Space")
    rows = page.locator("input[data-select-row]")
    assert rows.count() == 3 and all(rows.nth(i).is_checked() for i in range(3))
    page.get_by_text("3 lignes sélectionnées").wait_for()
    # Untick one by keyboard: the header shows a mixed state.
    tab_to(page, rows.nth(2))
    page.keyboard.press("Space")
    assert page.evaluate("(el) => el.indeterminate", select_all.element_handle())
    button = page.get_by_role("button", name="Affecter des évaluateurs à la sélection")
    tab_to(page, button)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Vérifier les affectations").wait_for()
    steps.check_page(page)
    assert not Assignment.objects.exists()
    assert page.locator("[data-proposal]").count() == 2
    confirm = page.get_by_role("button", name=re.compile("Confirmer les 2 affectations"))
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Affectations faites").wait_for()
    steps.check_page(page)
    assert Assignment.objects.count() == 2
    # The least loaded first: the two files went to two evaluators.
    assert len(set(Assignment.objects.values_list("evaluator", flat=True))) == 2


def test_the_menu_opens_and_closes_by_keyboard_at_360_px(phone_page, sign_in, staff_world):
    staff, _files, _session = staff_world
    page = phone_page
    sign_in(page, staff)
    page.goto(reverse("accounts:home"))
    steps.check_page(page, phone=True)
    menu = page.get_by_role("button", name="Menu")
    link = page.locator("#nav-principale").get_by_role("link", name="Portefeuilles")
    assert menu.get_attribute("aria-expanded") == "false" and not link.is_visible()
    tab_to(page, menu)
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true" and link.is_visible()
    steps.check_page(page, phone=True)
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not link.is_visible()
    assert steps.focus_is_on(page, menu)
    page.keyboard.press("Space")
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Portefeuilles de preuves").wait_for()
    page.get_by_role("button", name="Menu").click()
    current = page.locator('#nav-principale a[aria-current="page"]')
    assert current.inner_text() == "Portefeuilles"


NEW_PAGES = [
    ("accounts:home", None),
    ("jury:staff_candidates", None),
    ("jury:staff_sessions", None),
    ("jury:staff_session_ready", "session"),
    ("jury:staff_dashboard", None),
    ("workflow:staff-memoires", None),
    ("centres:index", None),
    ("centres:invitation_list", None),
]


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "360"])
def test_axe_on_the_new_pages_and_states(page, phone_page, sign_in, staff_world, phone):
    staff, files, session = staff_world
    page = phone_page if phone else page
    AssignmentFactory(portfolio=files[0], portfolio__state=Portfolio.State.ASSIGNED)
    sign_in(page, staff)
    for name, arg in NEW_PAGES:
        page.goto(reverse(name, args=[session.pk] if arg else []))
        steps.check_page(page, phone=phone)
    # The plan and report of each bulk action.
    page.goto(reverse("workflow:staff-portfolios") + "?etat=")
    page.get_by_label("Tout sélectionner sur la page").check()
    page.get_by_role("button", name="Affecter des évaluateurs à la sélection").click()
    page.get_by_role("heading", name="Vérifier les affectations").wait_for()
    steps.check_page(page, phone=phone)
    page.goto(reverse("workflow:staff-portfolios") + "?etat=")
    page.get_by_label("Tout sélectionner sur la page").check()
    page.get_by_role("button", name="Relancer les évaluateurs en retard de la sélection").click()
    page.get_by_role("heading", name="Vérifier les relances").wait_for()
    steps.check_page(page, phone=phone)
    # The evaluator's home with its counts.
    sign_in(page, UserFactory(roles=["evaluateur"]))
    page.goto(reverse("accounts:home"))
    steps.check_page(page, phone=phone)
