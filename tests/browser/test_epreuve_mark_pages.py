"""The épreuve marks' screens in a real browser: the staff's list (an examiner refused with the
reason, then one assigned), the examiner's list and grid (« 11,5 », a value above the maximum,
the confirmed submission that writes the bloc's sum, the marked paper uploaded). Each page and
state goes through axe-core, on a desktop and at 360 px with nothing overflowing."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Enrolment
from tests.browser import steps
from tests.factories import (
    STAFF_ROLES,
    EnrolmentFactory,
    EvaluatorFactory,
    TrainingLinkFactory,
    UserFactory,
)
from workflow.models import BlocExamMark, EpreuveMark

pytestmark = pytest.mark.browser


def test_the_staff_assign_an_independent_examiner(page, phone_page, sign_in, live_server):
    responsable = UserFactory(roles=STAFF_ROLES)
    enrolment = EnrolmentFactory(route=Enrolment.Route.EPREUVES)
    trainer = EvaluatorFactory(first_name="Fabrice", last_name="Formateur")
    TrainingLinkFactory(trainer=trainer, cohort=enrolment.cohort)
    EvaluatorFactory(first_name="Irène", last_name="Correctrice")
    epreuve = enrolment.cohort.title.epreuves.get(code="B3-E1")
    url = (
        f"{reverse('workflow:staff-epreuve-marks')}"
        f"?promotion={enrolment.cohort_id}&epreuve={epreuve.pk}"
    )
    for view, phone in ((page, False), (phone_page, True)):
        sign_in(view, responsable)
        view.goto(url)
        view.get_by_role("heading", name=re.compile("B3-E1")).wait_for()
        steps.check_page(view, phone=phone)

    page.get_by_label("Candidat").select_option(str(enrolment.pk))
    page.get_by_label("Correcteur").select_option(str(trainer.pk))
    page.get_by_role("button", name="Affecter").click()
    page.get_by_text(re.compile("A formé ce candidat")).first.wait_for()
    steps.check_page(page)
    assert not EpreuveMark.objects.exists()

    page.get_by_label("Candidat").select_option(str(enrolment.pk))
    page.get_by_label("Correcteur").select_option(label="Irène Correctrice")
    page.get_by_role("button", name="Affecter").click()
    page.get_by_text("Correcteur affecté.").wait_for()
    steps.check_page(page)
    assert EpreuveMark.objects.get().examiner.last_name == "Correctrice"


def test_the_examiner_marks_an_epreuve_and_submits_it(
    page, phone_page, sign_in, live_server, tmp_path
):
    from workflow.evaluation.epreuve_marks import epreuve_examiner_assign

    enrolment = EnrolmentFactory(route=Enrolment.Route.EPREUVES)
    examiner = EvaluatorFactory()
    mark = epreuve_examiner_assign(
        actor=UserFactory(roles=STAFF_ROLES),
        enrolment=enrolment,
        epreuve=enrolment.cohort.title.epreuves.get(code="B3-E1"),
        examiner=examiner,
    )
    criteria = list(mark.grid_version.criteria.order_by("order"))
    for view, phone in ((page, False), (phone_page, True)):
        sign_in(view, examiner)
        view.goto(reverse("workflow:examiner-marks"))
        view.get_by_role("link", name=re.compile("B3-E1")).click()
        view.get_by_role("heading", name=re.compile("Épreuve B3-E1")).wait_for()
        steps.check_page(view, phone=phone)

    # A value above the criterion's maximum: the summary says what to fix, the rest is kept.
    page.locator(f"#id_c{criteria[0].pk}").fill("11,5")
    page.locator(f"#id_c{criteria[1].pk}").fill("18")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator(".error-summary").wait_for()
    steps.check_page(page)
    assert mark.scores.get().points == Decimal("11.5")

    for criterion in criteria[1:]:
        page.locator(f"#id_c{criterion.pk}").fill("17,5")
    page.locator("#id_comment").fill("Copie complète.")
    page.get_by_role("button", name="Remettre la note").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    steps.check_page(page)
    dialog.get_by_role("button", name="Remettre la note").click()
    page.get_by_text("Note remise.").wait_for()
    steps.check_page(page)
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.SUBMITTED and mark.total == Decimal(99)
    assert BlocExamMark.objects.get().points == Decimal(99)

    # The scanned marked paper, uploaded beside the mark, then listed for download.
    scanned = steps.sample_pdf(tmp_path, "copie.pdf")
    page.locator(f"#id_paper-{mark.pk}-paper").set_input_files(scanned)
    page.get_by_role("button", name="Déposer la copie").click()
    page.get_by_text("Copie déposée.", exact=True).wait_for()
    steps.check_page(page)
    assert mark.papers.get().kind == "pdf"
