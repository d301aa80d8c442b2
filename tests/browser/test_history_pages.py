"""A candidate's history in a real browser: filtered by kind and dates with the keyboard alone,
axe on desktop and phone, and not one raw code in the page's text."""

import re

import pytest
from django.urls import reverse

from audit.labels import ACTIONS
from tests.browser import steps
from tests.browser.support import tab_to
from tests.workflow.jury.helpers import jury_timeline, session_with_candidate  # noqa: F401

pytestmark = pytest.mark.browser

RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+_[a-z_]+\b|\b[a-z]+_[a-z_]+\b")


def assert_no_raw_code(page) -> None:
    text = page.locator("main").inner_text()
    assert not [code for code in ACTIONS if code in text], text
    assert not RAW_CODE.findall(text), RAW_CODE.findall(text)
    assert not re.search(r"→\s*$|^\s*→", text, re.M), text


@pytest.mark.usefixtures("jury_timeline")
def test_the_staff_filter_the_history_by_kind_and_dates_with_the_keyboard(
    page, phone_page, sign_in
):
    # Tutor's grid and soutenance planned on 01/02/2027; soutenance marked on 15/03/2027.
    _session, _members, centre, enrolment = session_with_candidate()
    url = reverse("jury:candidate_history", args=[enrolment.pk])
    sign_in(page, centre)
    page.goto(url)
    page.get_by_role("heading", name=re.compile("Historique de")).wait_for()
    assert page.get_by_role("rowheader", name="Soutenance programmée", exact=True).count() == 1
    assert_no_raw_code(page)
    steps.check_page(page)

    # Keyboard only: the kind by typing its first letters, the first day typed in the date box.
    kind = page.get_by_label("Type d'action", exact=True)
    tab_to(page, kind)
    page.keyboard.type("Jury")
    assert kind.input_value() == "jury"
    start = page.get_by_label("Du", exact=True)
    tab_to(page, start)
    # Debian's headless Chromium lays a date box out as mm/dd/yyyy, whatever the page's locale.
    page.keyboard.type("03152027")
    assert start.input_value() == "2027-03-15"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"type=jury"))

    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    assert page.get_by_role("rowheader", name="Soutenance notée", exact=True).count() == 1
    assert page.get_by_role("rowheader", name="Soutenance programmée", exact=True).count() == 0
    assert page.get_by_role("rowheader", name="Tuteur invité à évaluer", exact=True).count() == 0
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Jury"}
    assert_no_raw_code(page)
    steps.check_page(page)
    export = page.get_by_role("link", name="Exporter cet historique (CSV)")
    assert "type=jury" in export.get_attribute("href")

    # The same filtered page on a phone.
    sign_in(phone_page, centre)
    phone_page.goto(page.url)
    assert_no_raw_code(phone_page)
    steps.check_page(phone_page, phone=True)
