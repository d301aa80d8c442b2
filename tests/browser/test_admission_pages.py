"""Admission, positionnement and the confidential subjects in a real browser, on a phone too.

A centre's responsable records a job seeker enrolled for two blocs and an exemption; the
certifier uploads a national subject; the responsable of the evaluation process finds it on the
day of the épreuve. Every page goes through axe-core at desktop size and at 360 px.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrolment, Role
from tests.browser import steps
from tests.factories import (
    STAFF_ROLES,
    EnrolmentFactory,
    EstablishmentFactory,
    ExemptionFactory,
    UserFactory,
)
from workflow.models import ExamSubject

pytestmark = pytest.mark.browser


def test_a_responsable_records_admission_and_an_exemption(page, phone_page, sign_in):
    establishment = EstablishmentFactory()
    enrolment = EnrolmentFactory(cohort__establishment=establishment)
    responsable = UserFactory(roles=STAFF_ROLES, roles__establishment=establishment)
    sign_in(page, responsable)
    url = reverse("centres:enrolment_admission", args=[enrolment.cohort_id, enrolment.pk])
    page.goto(url)
    steps.check_page(page)

    # An apprentice may not take the portfolio route: the message says what to do.
    page.get_by_label("Apprenti ou contrat de professionnalisation").check()
    page.get_by_role("button", name="Enregistrer l'admission").click()
    page.get_by_text("choisissez la voie des épreuves ou corrigez le statut").first.wait_for()
    steps.check_page(page)

    page.get_by_label("Demandeur d'emploi").check()
    page.locator("#id_admission-blocs_0").check()
    page.locator("#id_admission-blocs_1").check()
    page.get_by_role("button", name="Enregistrer l'admission").click()
    page.get_by_text("Admission enregistrée.").wait_for()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.DEMANDEUR_EMPLOI
    assert sorted(b.number for b in enrolment.blocs.all()) == [1, 2]
    steps.check_page(page)

    page.get_by_label("Épreuve professionnelle").check()
    page.get_by_label("Motif ou équivalence").fill("Licence professionnelle (2020)")
    page.get_by_role("button", name="Enregistrer la dispense").click()
    page.get_by_text("Dispense enregistrée.").wait_for()
    steps.check_page(page)

    page.goto(reverse("jury:staff_candidate", args=[enrolment.pk]))
    page.get_by_text("Licence professionnelle (2020)").wait_for()
    steps.check_page(page)

    ExemptionFactory(enrolment=enrolment, reason="Titre professionnel SAMS")
    sign_in(phone_page, responsable)
    for target in (reverse("jury:staff_candidate", args=[enrolment.pk]), url):
        phone_page.goto(target)
        steps.check_page(phone_page, phone=True)

    # An exemption recorded by mistake is withdrawn with a reason.
    reason = phone_page.get_by_label("Motif du retrait de la dispense « Titre professionnel SAMS »")
    reason.fill("Doublon")
    phone_page.locator("form", has=reason).get_by_role("button", name="Retirer").click()
    phone_page.get_by_text("Dispense retirée.").wait_for()
    assert enrolment.exemptions.count() == 1
    steps.check_page(phone_page, phone=True)


def test_the_certifier_uploads_a_subject_the_responsable_reads_it(
    page, phone_page, sign_in, local_storage, tmp_path
):
    certifier = UserFactory(roles=[Role.ADMINISTRATEUR])
    sign_in(page, certifier)
    page.goto(reverse("workflow:subjects-manage"))
    steps.check_page(page)
    epreuve = page.locator("#id_epreuve option", has_text="B2-E2").first.get_attribute("value")
    page.locator("#id_epreuve").select_option(epreuve)
    page.get_by_label("Grille de correction ou corrigé").check()
    day = timezone.localdate()  # the épreuve is today: released to the responsables
    page.get_by_label("Début de l'épreuve").fill(f"{day:%Y-%m-%d}T09:00")
    page.get_by_label("Fichier").set_input_files(str(steps.sample_pdf(tmp_path, "grille.pdf")))
    page.get_by_role("button", name="Déposer", exact=True).click()
    page.get_by_text("Document déposé.").wait_for()
    assert ExamSubject.objects.get().part == "grid"
    steps.check_page(page)
    sign_in(phone_page, certifier)
    phone_page.goto(reverse("workflow:subjects-manage"))
    steps.check_page(phone_page, phone=True)

    reader = UserFactory(
        roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=EstablishmentFactory()
    )
    sign_in(page, reader)
    page.goto(reverse("workflow:subjects-available"))
    page.get_by_role("link", name="Télécharger grille.pdf").wait_for()
    steps.check_page(page)
    sign_in(phone_page, reader)
    phone_page.goto(reverse("workflow:subjects-available"))
    steps.check_page(phone_page, phone=True)
