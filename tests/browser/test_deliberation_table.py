"""The deliberation as a table in a real browser: a row's detail reached with the keyboard, an
override refused without a motive (every choice kept, the error linked from the summary) then
recorded with one, the table as cards at 360 px with the result first, axe throughout."""

import pytest
from django.urls import reverse

from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.workflow.jury.helpers import jury_timeline, session_with_candidate  # noqa: F401
from workflow.models import JuryDecision

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("jury_timeline")]


def test_the_president_overrides_a_decision_with_the_keyboard_and_a_motive(
    page, phone_page, sign_in
):
    session, members, _staff, enrolment = session_with_candidate()
    name = str(enrolment.candidate)
    url = reverse("jury:deliberation", args=[session.pk])
    sign_in(page, members["president"])
    page.goto(url)
    steps.check_page(page)
    table = page.locator("table.deliberation-table")
    row = table.locator("tbody tr").first
    assert "Certification totale (titre)" in row.locator(".cell-result").inner_text()
    assert "Sans décision du jury" in row.inner_text()
    assert "12/20" in row.inner_text() and "validé" in row.inner_text()
    screenshot(page, "deliberation-tableau")

    link = row.get_by_role("link", name=f"{name} — détail et décision")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    steps.check_page(page)
    assert "Certification totale : le titre est obtenu" in page.locator("main").inner_text()

    # Certification partielle, blocs 1 and 2, no motive: refused, every choice kept.
    prefix = f"d{enrolment.pk}"
    outcome = page.locator(f"#id_{prefix}-outcome")
    tab_to(page, outcome)
    outcome.select_option("partial")
    for number in ("3", "4"):
        box = page.get_by_role("checkbox", name=f"Bloc {number}")
        tab_to(page, box)
        page.keyboard.press("Space")
        assert not box.is_checked()
    tab_to(page, page.get_by_role("button", name="Enregistrer la décision"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    steps.check_page(page)
    summary = page.locator(".error-summary")
    assert "indiquez le motif" in summary.inner_text()
    assert page.locator(f"#id_{prefix}-outcome").input_value() == "partial"
    checked = [
        page.get_by_role("checkbox", name=f"Bloc {n}").is_checked() for n in ("1", "2", "3", "4")
    ]
    assert checked == [True, True, False, False]
    motive = page.locator(f"#id_{prefix}-motive")
    assert motive.get_attribute("aria-describedby") == f"id_{prefix}-motive_error"
    assert "indiquez le motif" in page.locator(f"#id_{prefix}-motive_error").inner_text()
    assert not JuryDecision.objects.filter(session=session).exists()
    screenshot(page, "deliberation-motif-manquant")

    # The summary's link leads to the motive; typed there, the override is recorded.
    error_link = summary.locator(f'a[href="#id_{prefix}-motive"]')
    tab_to(page, error_link)
    page.keyboard.press("Enter")  # to the motive (the fragment moves the focus there)
    if not steps.focus_is_on(page, motive):
        tab_to(page, motive)
    page.keyboard.type("Soutenance fragile sur le bloc 3")
    tab_to(page, page.get_by_role("button", name="Enregistrer la décision"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0].endswith(url)
    decision = JuryDecision.objects.get(session=session, enrolment=enrolment)
    assert decision.outcome == "partial" and decision.validated_blocs == ["1", "2"]
    assert decision.override_motive == "Soutenance fragile sur le bloc 3"
    row = page.locator("table.deliberation-table tbody tr").first
    assert "décision différente du calcul" in row.inner_text()
    assert "Jury : Certification partielle (blocs)" in row.inner_text()

    # At 360 px the rows are cards: name, then the result, all in view without scrolling aside.
    sign_in(phone_page, members["president"])
    phone_page.goto(url)
    steps.check_page(phone_page, phone=True)
    card = phone_page.locator("table.deliberation-table tbody tr").first
    result = card.locator(".cell-result").bounding_box()
    name_box = card.locator("th").bounding_box()
    assert result["x"] >= 0 and result["x"] + result["width"] <= 360
    assert name_box["y"] < result["y"]
    others = [card.locator("td").nth(i).bounding_box()["y"] for i in range(1, 3)]
    assert all(result["y"] < y for y in others)
    screenshot(phone_page, "deliberation-cartes-telephone")
    phone_page.goto(reverse("jury:deliberation_candidate", args=[session.pk, enrolment.pk]))
    steps.check_page(phone_page, phone=True)
