"""Placement surveys in a real browser, on a 360-pixel phone: the candidate confirms their data
and consent, answers a survey from its personal link without signing in, withdraws consent
through the confirmation dialog; the staff read the rates and answers. axe on every page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from surveys.models import FollowUp, SurveyWave
from surveys.sending import surveys_send
from surveys.tokens import token_of
from tests.browser import steps
from tests.factories import STAFF_ROLES, SurveyWaveFactory, UserFactory
from tests.surveys.helpers import JURY_DAY, certified, on_day

pytestmark = pytest.mark.browser

SIX = JURY_DAY.replace(month=9)


def test_a_certified_candidate_confirms_answers_and_withdraws(phone_page, sign_in):
    page = phone_page
    decision = certified(first_name="Anaïs", last_name="Légaré")
    candidate = decision.enrolment.candidate
    with on_day(JURY_DAY):
        surveys_send()
        sign_in(page, candidate)
        page.goto(reverse("surveys:mine"))
        steps.check_page(page, phone=True)
        page.get_by_label("Téléphone").fill("06 01 02 03 04")
        page.get_by_label("J'accepte de recevoir les enquêtes").check()
        page.get_by_role("button", name="Enregistrer").click()
        page.get_by_text("Vos coordonnées et votre choix sont enregistrés.").wait_for()
        steps.check_page(page, phone=True)
    assert FollowUp.objects.get(enrolment=decision.enrolment).consent == "given"

    with on_day(SIX):
        surveys_send()
        wave = SurveyWave.objects.get(follow_up__enrolment=decision.enrolment, months=6)
        page.context.clear_cookies()  # the link works without signing in
        page.goto(reverse("surveys:answer", args=[token_of(wave.nonce)]))
        steps.check_page(page, phone=True)
        page.get_by_role("button", name="Envoyer ma réponse").click()
        page.get_by_text("Rien n'a été enregistré").wait_for()
        steps.check_page(page, phone=True)
        page.get_by_label("En emploi").check()
        page.get_by_label("Intitulé de votre poste").fill("Office manager")
        page.get_by_label("Employeur").fill("Imprimerie Lumière")
        page.get_by_label("Emploi visé par le titre").check()
        page.get_by_role("button", name="Envoyer ma réponse").click()
        page.get_by_role("heading", name="Merci pour votre réponse").wait_for()
        steps.check_page(page, phone=True)

        page.goto(reverse("surveys:answer", args=[token_of(wave.nonce)]))
        page.get_by_role("button", name="Retirer mon accord").click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for()
        steps.check_page(page, phone=True)
        dialog.get_by_role("button", name="Retirer mon accord").click()
        page.get_by_role("heading", name="Votre accord est retiré").wait_for()
        steps.check_page(page, phone=True)
        page.goto(reverse("surveys:answer", args=[token_of(wave.nonce)]))
        page.get_by_role("heading", name="Cette enquête est close").wait_for()
        steps.check_page(page, phone=True)
    wave.refresh_from_db()
    assert wave.status == "employed" and wave.employer == ""


def test_the_staff_read_rates_and_answers(page, phone_page, sign_in):
    responsable = UserFactory(roles=STAFF_ROLES)
    for status in ("employed", "job_seeker"):
        SurveyWaveFactory(answered_at=timezone.now(), status=status, job_title="Assistant")
    sign_in(page, responsable)
    page.goto(reverse("accounts:home"))
    page.get_by_role("link", name="Enquêtes", exact=True).first.click()
    page.get_by_role("heading", name="Par promotion").wait_for()
    steps.check_page(page)
    sign_in(phone_page, responsable)
    phone_page.goto(reverse("surveys:staff"))
    steps.check_page(phone_page, phone=True)
    candidate = UserFactory(roles=[Role.CANDIDAT])
    sign_in(page, candidate)
    page.goto(reverse("surveys:mine"))
    steps.check_page(page)
