"""The second-chances screen in a real browser: axe-core on a desktop and at 360 px, a retake
after a justified absence refused past its 6 months (the reason beside the date), then
registered; a sanction for falsification then states the ban on the screen."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.browser import steps
from tests.factories import BlocExamMarkFactory, StaffFactory
from tests.workflow.jury.second_chance_world import at, decided, epreuves_enrolment
from workflow.models import FalsificationSanction, JustifiedAbsenceRetake

pytestmark = pytest.mark.browser


def test_the_staff_register_a_justified_absence_retake_and_a_sanction(
    page, phone_page, sign_in, live_server, monkeypatch
):
    at(monkeypatch, date(2027, 6, 25))
    responsable = StaffFactory()
    enrolment = epreuves_enrolment()
    decided(enrolment)
    BlocExamMarkFactory(
        enrolment=enrolment,
        bloc=enrolment.cohort.title.blocs.get(number=2),
        points=None,
        presented=False,
    )
    url = reverse("jury:staff_second_chances", args=[enrolment.pk])
    for view, phone in ((page, False), (phone_page, True)):
        sign_in(view, responsable)
        view.goto(url)
        view.get_by_text("Ce que le règlement permet encore").wait_for()
        steps.check_page(view, phone=phone)

    form = page.locator("form", has=page.locator('button[value="absence"]'))
    form.get_by_label("Bloc").select_option(label="Bloc 2")
    form.get_by_label("Justificatif de l'absence").select_option(label="Certificat médical")
    form.get_by_label("Date du justificatif").fill("2027-06-10")
    form.get_by_label("Date de la demande écrite du candidat").fill("2027-06-20")
    form.get_by_label("Date du rattrapage").fill("2027-12-21")
    form.get_by_role("button", name="Enregistrer le rattrapage").click()
    page.get_by_text(re.compile("au plus tard le 20/12/2027")).first.wait_for()
    steps.check_page(page)
    assert not JustifiedAbsenceRetake.objects.exists()

    form = page.locator("form", has=page.locator('button[value="absence"]'))
    form.get_by_label("Date du rattrapage").fill("2027-12-20")
    form.get_by_role("button", name="Enregistrer le rattrapage").click()
    page.get_by_text(re.compile("rattrapage le 20/12/2027")).wait_for()
    steps.check_page(page)
    assert JustifiedAbsenceRetake.objects.get().retake_date == date(2027, 12, 20)

    form = page.locator("form", has=page.locator('button[value="falsification"]'))
    form.get_by_label("Date de la sanction").fill("2027-06-24")
    form.get_by_label("Résultats falsifiés").fill("Relevé de notes modifié")
    form.get_by_role("button", name="Enregistrer la sanction").click()
    dialog = page.locator("#falsification-dialog")
    dialog.wait_for()
    steps.check_page(page)
    dialog.get_by_role("button", name="Enregistrer la sanction").click()
    page.get_by_text(re.compile("jusqu'au 24/06/2037")).wait_for()
    steps.check_page(page)
    assert FalsificationSanction.objects.get().sanctioned_on == date(2027, 6, 24)
