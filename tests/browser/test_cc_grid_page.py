"""The CC grid in a real browser: keyboard only, « 11,5 » saved as 11.5, a pasted column of 25
marks, a conflicting edit shown, axe at 1280 and 360 px."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role, TrainingLink
from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory
from workflow.marks import cc
from workflow.models import CCMark

pytestmark = pytest.mark.browser

PASTE = """(args) => {
    const [id, text] = args;
    const input = document.getElementById(id);
    input.focus();
    const data = new DataTransfer();
    data.setData("text/plain", text);
    input.dispatchEvent(new ClipboardEvent("paste", {
        clipboardData: data, bubbles: true, cancelable: true
    }));
}"""


@pytest.fixture
def grid():
    cohort = CohortFactory(name="Promotion Lyon 2026")
    enrolments = [
        EnrolmentFactory(
            cohort=cohort, candidate__last_name=f"Candidat{i:02d}", candidate__first_name="Zoé"
        )
        for i in range(25)
    ]
    module = cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
    url = reverse("jury:cc_grid", args=[cohort.pk, module.pk]) + "?evaluation=2&sur=20"
    return {"enrolments": enrolments, "module": module, "trainer": trainer, "url": url}


def _id(enrolment, column) -> str:
    return f"c-{enrolment.pk}-{column}"


def _focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def _cell(page, enrolment, column):
    return page.locator(f"#{_id(enrolment, column)}")


def _state(page, enrolment, column):
    return _cell(page, enrolment, column).locator("xpath=..")


def test_the_trainer_fills_the_grid_with_the_keyboard_and_a_pasted_column(page, sign_in, grid):
    first, second, third = grid["enrolments"][:3]
    module = grid["module"]
    sign_in(page, grid["trainer"])
    page.goto(grid["url"])
    steps.check_page(page)

    # Keyboard only: Tab into the grid, type « 11,5 », Enter goes down, arrows move, Tab right.
    tab_to(page, _cell(page, first, 0))
    page.keyboard.type("11,5")
    page.keyboard.press("Enter")
    assert _focused_id(page) == _id(second, 0)
    expect(_state(page, first, 0)).to_have_attribute("data-state", "saved")
    assert CCMark.objects.get(enrolment=first, label="1").mark == Decimal("11.5")
    page.keyboard.press("ArrowUp")
    assert _focused_id(page) == _id(first, 0)
    page.keyboard.press("ArrowRight")
    assert _focused_id(page) == _id(first, 1)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert _focused_id(page) == _id(second, 1)
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    expect(_state(page, second, 1)).to_have_attribute("data-state", "error")
    expect(_state(page, second, 1)).to_contain_text("saisissez une note")
    expect(page.locator("#cc-grid-live")).to_contain_text("saisissez une note")
    assert _focused_id(page) == _id(third, 1)  # an invalid cell never blocks the others

    # A column of 25 marks copied from a spreadsheet, pasted from the first row.
    marks = [f"{10 + i % 10},5" if i % 2 else str(8 + i % 12) for i in range(25)]
    page.evaluate(PASTE, [_id(first, 1), "\r\n".join(marks) + "\r\n"])
    last = grid["enrolments"][-1]
    expect(_state(page, last, 1)).to_have_attribute("data-state", "saved", timeout=60_000)
    expect(page.locator("td[data-state=saved]")).to_have_count(26)
    stored = dict(
        CCMark.objects.filter(module=module, label="2").values_list(
            "enrolment__candidate__last_name", "mark"
        )
    )
    assert stored == {
        f"Candidat{i:02d}": Decimal(mark.replace(",", ".")) for i, mark in enumerate(marks)
    }
    screenshot(page, "formateur-grille-cc")


def test_a_conflicting_edit_is_shown_and_the_trainer_chooses(page, phone_page, sign_in, grid):
    first, second = grid["enrolments"][:2]
    module, trainer = grid["module"], grid["trainer"]
    sign_in(page, trainer)
    page.goto(grid["url"])
    # Someone else enters the mark after the page was read.
    colleague = UserFactory(
        roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=first.cohort.establishment
    )
    cc.cc_mark_enter(actor=colleague, enrolment=first, module=module, mark=Decimal(14), out_of=20)
    tab_to(page, _cell(page, first, 0))
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    state = _state(page, first, 0)
    expect(state).to_have_attribute("data-state", "conflict")
    expect(state).to_contain_text("« 14 »")
    steps.check_page(page)
    screenshot(page, "formateur-grille-cc-conflit")
    # Back to the cell (ArrowUp), then Tab reaches its two choices.
    page.keyboard.press("ArrowUp")
    tab_to(page, state.get_by_role("button", name="Remplacer par la mienne"), limit=3)
    page.keyboard.press("Enter")
    expect(state).to_have_attribute("data-state", "saved")
    assert CCMark.objects.get(enrolment=first).mark == Decimal(9)

    # Keep theirs: the cell shows their value and nothing is written.
    cc.cc_mark_enter(actor=colleague, enrolment=second, module=module, mark=Decimal(16), out_of=20)
    tab_to(page, _cell(page, second, 0))
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    state = _state(page, second, 0)
    expect(state).to_have_attribute("data-state", "conflict")
    page.keyboard.press("ArrowUp")
    tab_to(page, state.get_by_role("button", name="Garder la sienne"), limit=2)
    page.keyboard.press("Enter")
    expect(_cell(page, second, 0)).to_have_value("16")
    assert CCMark.objects.get(enrolment=second).mark == Decimal(16)

    sign_in(phone_page, trainer)
    phone_page.goto(grid["url"])
    steps.check_page(phone_page, phone=True)
    screenshot(phone_page, "formateur-grille-cc-telephone")


def test_the_import_shows_its_preview_then_writes_on_confirmation(page, phone_page, sign_in, grid):
    first, second = grid["enrolments"][:2]
    module, trainer = grid["module"], grid["trainer"]
    cc.cc_mark_enter(actor=trainer, enrolment=second, module=module, mark=Decimal(8), out_of=20)
    content = (
        "email;note;sur;absence\r\n"
        f"{first.candidate.email};12,5;20;\r\n"
        f"{second.candidate.email};;20;AJ\r\n"
    ).encode("cp1252")
    url = reverse("jury:cc_import", args=[first.cohort_id, module.pk])
    for browser_page, phone in ((page, False), (phone_page, True)):
        sign_in(browser_page, trainer)
        browser_page.goto(url)
        steps.check_page(browser_page, phone=phone)
        browser_page.get_by_label("Fichier CSV ou Excel (.xlsx)").set_input_files(
            {"name": "notes.csv", "mimeType": "text/csv", "buffer": content}
        )
        with browser_page.expect_navigation():
            browser_page.get_by_role("button", name="Voir l'aperçu").click()
        expect(browser_page.locator(".cc-change-new")).to_contain_text("12,5 / 20")
        expect(browser_page.locator(".cc-change-changed")).to_contain_text("8 / 20")
        steps.check_page(browser_page, phone=phone)
    screenshot(page, "formateur-import-cc-apercu")
    assert not CCMark.objects.filter(enrolment=first).exists()
    tab_to(page, page.get_by_role("button", name="Confirmer l'import"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Import réussi")
    assert CCMark.objects.get(enrolment=first).mark == Decimal("12.5")
    assert CCMark.objects.get(enrolment=second).absence == "justified"
