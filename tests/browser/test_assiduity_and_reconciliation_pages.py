"""The assiduity penalty's screen and the mémoire's reconciliation, in a real browser.

Each page and state goes through axe-core, on a desktop and at 360 px with nothing overflowing;
the penalty is waived without a reason (the error summary), then applied, with the keyboard;
the staff settle a mémoire's two written marks.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.models import Memoire
from tests.browser import steps
from tests.factories import (
    STAFF_ROLES,
    EnrolmentFactory,
    EvaluatorFactory,
    MemoireFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, score
from workflow.marks.attendance import absence_record
from workflow.models import AssiduityDecision

pytestmark = pytest.mark.browser


def test_the_staff_waive_then_apply_an_assiduity_penalty_by_keyboard(
    page, phone_page, sign_in, live_server
):
    responsable = UserFactory(roles=STAFF_ROLES, first_name="Claire")
    enrolment = EnrolmentFactory()
    for day, hours in ((1, "7"), (2, "7.7")):  # 14.7 h of 588 h: 2.5 %, the 5 % band
        absence_record(
            actor=responsable,
            enrolment=enrolment,
            date=date(2025, 10, day),
            hours=Decimal(hours),
            justified=False,
        )
    url = reverse("jury:staff_assiduity", args=[enrolment.cohort_id])
    for view, phone in ((page, False), (phone_page, True)):
        sign_in(view, responsable)
        view.goto(url)
        view.get_by_text("Pénalité proposée : 5 % de la note du tuteur.").wait_for()
        steps.check_page(view, phone=phone)

    # Waived without a reason: the summary at the top leads to the field.
    page.get_by_role("button", name=re.compile("Lever la pénalité")).focus()
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    summary.wait_for()
    steps.check_page(page)
    assert not AssiduityDecision.objects.exists()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == f"reason-{enrolment.pk}"

    # Applied, with the keyboard.
    page.get_by_role("button", name=re.compile("Appliquer la pénalité")).focus()
    page.keyboard.press("Enter")
    page.get_by_text("Pénalité appliquée avec l'accord de l'équipe pédagogique").wait_for()
    steps.check_page(page)
    assert AssiduityDecision.objects.get().kind == AssiduityDecision.Kind.AGREED


def test_the_staff_settle_a_memoires_two_written_marks(page, phone_page, sign_in, live_server):
    responsable = UserFactory(roles=STAFF_ROLES)
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    score(assign_and_accept(memoire, EvaluatorFactory(), responsable), Decimal("62.5"))
    memoire.refresh_from_db()
    score(assign_and_accept(memoire, EvaluatorFactory(), responsable, rank=2), Decimal(100))
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.RECONCILIATION
    url = reverse("workflow:staff-reconcile-memoire", args=[memoire.pk])
    for view, phone in ((page, False), (phone_page, True)):
        sign_in(view, responsable)
        view.goto(url)
        steps.check_page(view, phone=phone)

    # Nothing chosen: the form says what to fix, then a mark agreed between the two.
    page.get_by_role("button", name="Arrêter la note").click()
    page.get_by_text("Choisissez la note retenue.").wait_for()
    steps.check_page(page)
    page.get_by_label("Une note arrêtée par le centre").check()
    page.locator("#id_agreed_mark").fill("80,5")
    page.locator("#id_justification").fill("Relecture commune des deux grilles.")
    page.get_by_role("button", name="Arrêter la note").click()
    page.wait_for_url(re.compile(r"/evaluation/"))
    memoire.refresh_from_db()
    assert (memoire.state, memoire.agreed_mark) == (Memoire.State.WRITTEN_MARKED, Decimal("80.5"))
