"""The confirmation dialog of irreversible actions (static/js/confirm.js) in a real browser:
keyboard only, its accessible name and description, a cancelled confirmation changes nothing,
axe with the dialog open on desktop and phone."""

import pytest
from django.urls import reverse

from portfolio.models import EvidenceItem
from portfolio.services import portfolio_start
from tests.browser import steps
from tests.browser.support import assert_no_axe_violations, screenshot, tab_to
from tests.factories import EnrolmentFactory, EvidenceItemFactory
from tests.workflow.jury.helpers import jury_timeline, session_with_candidate  # noqa: F401
from workflow.models import JuryDecision, JurySession

pytestmark = pytest.mark.browser


def _focused(page, locator) -> bool:
    return steps.focus_is_on(page, locator)


def _dialog_is_modal(dialog) -> bool:
    return dialog.evaluate("(d) => d.open && d.matches(':modal')")


@pytest.mark.usefixtures("jury_timeline")
def test_closing_is_confirmed_with_the_keyboard_alone_and_escape_changes_nothing(
    page, phone_page, sign_in
):
    session, members, _staff, _enrolment = session_with_candidate()
    url = reverse("jury:deliberation", args=[session.pk])
    sign_in(page, members["president"])
    page.goto(url)
    opener = page.get_by_role("button", name="Clore la délibération", exact=True)
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Clore la délibération ?")
    dialog.wait_for()
    assert _dialog_is_modal(dialog)
    described = dialog.get_attribute("aria-describedby")
    summary = page.locator(f"#{described}").inner_text()
    assert "reçoivent la décision calculée" in summary and "figés" in summary
    cancel = dialog.get_by_role("button", name="Annuler")
    assert _focused(page, cancel)
    assert_no_axe_violations(page)
    screenshot(page, "confirmation-cloture")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert _focused(page, opener)
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING

    # « Annuler » with Enter: closed, focus back, nothing done.
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.keyboard.press("Enter")
    assert not dialog.is_visible() and _focused(page, opener)
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING

    # Confirmed with Enter on « Clore la délibération » in the dialog: done.
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.keyboard.press("Tab")
    confirm = dialog.get_by_role("button", name="Clore la délibération")
    assert _focused(page, confirm)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Délibération close" in page.locator(".messages").inner_text()
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    assert JuryDecision.objects.filter(session=session).count() == 1

    # Publishing, on a phone: the dialog passes axe at 360 px too.
    sign_in(phone_page, members["president"])
    phone_page.goto(url)
    phone_page.get_by_role("button", name="Publier les résultats").click()
    publish = phone_page.get_by_role("dialog", name="Publier les résultats ?")
    publish.wait_for()
    assert "1 e-mail(s) partent" in publish.inner_text()
    assert_no_axe_violations(phone_page)
    steps.check_page(phone_page, phone=True)
    screenshot(phone_page, "confirmation-publication-telephone")
    publish.get_by_role("button", name="Annuler").click()
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED


def test_removing_evidence_is_confirmed_and_cancelling_keeps_it(
    page, sign_in, local_storage, monkeypatch
):
    from audit import clock

    monkeypatch.setattr(clock, "now", lambda: steps.IN_WINDOW)
    enrolment = EnrolmentFactory(candidate__first_name="Inès", candidate__last_name="Moreau")
    portfolio = next(p for p in portfolio_start(enrolment=enrolment) if p.bloc.number == 1)
    item = EvidenceItemFactory(portfolio=portfolio, title="Planning de l'équipe")
    sign_in(page, enrolment.candidate)
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    opener = page.get_by_role("button", name="Retirer « Planning de l'équipe »")
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Retirer « Planning de l'équipe » ?")
    dialog.wait_for()
    assert "avec son fichier" in dialog.inner_text()
    assert_no_axe_violations(page)
    page.keyboard.press("Enter")  # on « Annuler »
    assert not dialog.is_visible() and _focused(page, opener)
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    page.keyboard.press("Enter")
    dialog.wait_for()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Retirer la preuve").click()
    assert "est retirée" in page.locator(".messages").inner_text()
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()


@pytest.mark.usefixtures("jury_timeline")
def test_a_post_without_the_dialog_gets_the_same_summary_and_changes_nothing(
    page, phone_page, sign_in
):
    session, members, _staff, _enrolment = session_with_candidate()
    sign_in(page, members["president"])
    page.goto(reverse("jury:deliberation", args=[session.pk]))
    # form.submit() skips the submit event, as a browser without JavaScript would.
    with page.expect_navigation():
        page.evaluate("document.getElementById('close-form').submit()")
    assert page.get_by_role("heading", name="Clore la délibération ?").is_visible()
    assert "Rien n'a encore été fait" in page.locator("main").inner_text()
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING
    steps.check_page(page)
    sign_in(phone_page, members["president"])
    phone_page.goto(reverse("jury:deliberation", args=[session.pk]))
    with phone_page.expect_navigation():
        phone_page.evaluate("document.getElementById('close-form').submit()")
    steps.check_page(phone_page, phone=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Clore la délibération").click()
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
