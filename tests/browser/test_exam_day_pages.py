"""The exam day's pages in a real browser: the sittings list and a sitting's page, the
convocations sent through the confirmation dialog by keyboard, the candidate's documents; axe on
each, on a desktop and at 360 px."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrolment
from tests.browser import steps
from tests.browser.support import tab_to
from tests.factories import (
    AccommodationFactory,
    CohortFactory,
    EnrolmentFactory,
    EpreuveAttendanceFactory,
    EpreuveSittingFactory,
    StaffFactory,
)
from workflow.models import EpreuveConvocation

pytestmark = pytest.mark.browser


@pytest.fixture
def exam_world(db):
    cohort = CohortFactory()
    sitting = EpreuveSittingFactory(
        cohort=cohort, starts_at=timezone.now() + timedelta(days=40), room="Salle Bellecour"
    )
    past = EpreuveSittingFactory(
        cohort=cohort,
        epreuve=cohort.title.epreuves.order_by("-pk").first(),
        starts_at=timezone.now() - timedelta(days=3),
    )
    enrolments = [EnrolmentFactory(cohort=cohort, route=Enrolment.Route.EPREUVES) for _ in range(2)]
    AccommodationFactory(enrolment=enrolments[0], kind="extra_time")
    EpreuveAttendanceFactory(
        sitting=past,
        enrolment=enrolments[1],
        status="absent_justified",
        justification_kind="medical_certificate",
        justification_date=timezone.localdate(),
    )
    return StaffFactory(first_name="Claire"), sitting, past, enrolments


def test_the_staff_send_the_convocations_through_the_dialog(page, sign_in, exam_world):
    staff, sitting, past, enrolments = exam_world
    sign_in(page, staff)
    page.goto(reverse("jury:staff_sittings"))
    steps.check_page(page)
    page.goto(reverse("jury:staff_sitting", args=[past.pk]))
    steps.check_page(page)
    page.goto(reverse("jury:staff_sitting", args=[sitting.pk]))
    steps.check_page(page)
    button = page.get_by_role("button", name="Envoyer les convocations")
    tab_to(page, button)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    steps.check_page(page)
    dialog.get_by_role("button", name="Envoyer 2 convocation(s)").click()
    page.get_by_text("2 convocation(s) envoyée(s).").wait_for()
    steps.check_page(page)
    assert EpreuveConvocation.objects.filter(sitting=sitting).count() == 2


def test_the_pages_at_360_px(phone_page, sign_in, exam_world):
    staff, sitting, past, enrolments = exam_world
    EpreuveConvocation.objects.create(
        sitting=sitting,
        enrolment=enrolments[0],
        duration_minutes=240,
        sent_on=timezone.localdate(),
        sent_by=staff,
    )
    sign_in(phone_page, staff)
    problems = steps.sweep(
        phone_page,
        [
            reverse("jury:staff_sittings"),
            reverse("jury:staff_sitting", args=[sitting.pk]),
            reverse("jury:staff_sitting", args=[past.pk]),
        ],
        phone=True,
    )
    sign_in(phone_page, enrolments[0].candidate)
    problems += steps.sweep(phone_page, [reverse("documents:mine")], phone=True)
    assert not problems, "\n".join(problems)
    assert phone_page.locator(f'[data-epreuve-convocation="{sitting.pk}"]').count() == 1
