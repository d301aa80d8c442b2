"""Tutor, trainer, staff, jury and results screens in a real browser: axe, phone, keyboard."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import TrainingLink
from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import jury_timeline, session_with_candidate, staff  # noqa: F401
from workflow.marks import tutoring

pytestmark = pytest.mark.browser


def test_the_tutor_fills_and_submits_the_50_point_grid_with_the_keyboard_alone(page, sign_in):
    enrolment = EnrolmentFactory(candidate__first_name="Léa", candidate__last_name="Girard")
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    criteria = list(evaluation.grid_version.criteria.order_by("order", "pk"))
    sign_in(page, enrolment.tutor)
    page.goto(reverse("jury:tutor_home"))
    steps.check_page(page)
    for criterion in criteria:
        tab_to(page, page.locator(f"[name=c{criterion.pk}]"))
        page.keyboard.press("Control+A")
        page.keyboard.type(f"{criterion.max_points.normalize():f}".replace(".", ","))
    tab_to(page, page.get_by_role("button", name="Remettre l'évaluation…"))
    page.keyboard.press("Enter")  # the confirmation dialog, the focus on « Annuler »
    dialog = page.locator("#tutor-submit-dialog")
    dialog.wait_for()
    assert "50 sur 50" in dialog.inner_text()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Évaluation remise" in page.locator(".messages").inner_text()
    steps.check_page(page)
    screenshot(page, "tuteur-grille-remise")
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    assert evaluation.total == Decimal(50)


@pytest.mark.usefixtures("jury_timeline")
def test_every_jury_area_page_passes_axe_on_desktop_and_phone(page, phone_page, sign_in):
    session, members, centre, enrolment = session_with_candidate()
    soutenance = session.soutenances.get()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    tutor_evaluation = tutoring.tutor_evaluation_invite(actor=centre, enrolment=EnrolmentFactory())
    by_person = [
        (tutor_evaluation.enrolment.tutor, [reverse("jury:tutor_home")]),
        (
            trainer,
            [
                reverse("jury:trainer_home"),
                reverse("jury:trainer_marks", args=[enrolment.cohort.pk, module.pk]),
            ],
        ),
        (
            centre,
            [
                reverse("jury:staff_dashboard"),
                reverse("jury:staff_session", args=[session.pk]),
                reverse("jury:staff_candidate", args=[enrolment.pk]),
            ],
        ),
        (
            members["president"],
            [
                reverse("jury:jury_home"),
                reverse("jury:session", args=[session.pk]),
                reverse("jury:soutenance_mark", args=[session.pk, soutenance.pk]),
                reverse("jury:deliberation", args=[session.pk]),
                reverse("jury:deliberation_candidate", args=[session.pk, enrolment.pk]),
            ],
        ),
        (
            enrolment.candidate,
            [reverse("jury:candidate_cc"), reverse("jury:candidate_results")],
        ),
    ]
    problems = []
    for person, urls in by_person:
        sign_in(page, person)
        sign_in(phone_page, person)
        problems += steps.sweep(page, urls)
        problems += steps.sweep(phone_page, urls, phone=True)
    assert not problems, "\n".join(problems)
