"""The candidate's screens in a real browser: every page type through axe, phone width, keyboard."""

import pytest
from django.urls import reverse

from portfolio.models import Portfolio
from portfolio.services import portfolio_start
from tests.browser import steps
from tests.browser.support import screenshot
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def clock(monkeypatch):
    from audit import clock

    monkeypatch.setattr(clock, "now", lambda: steps.IN_WINDOW)


@pytest.fixture
def enrolment(clock, local_storage):
    enrolment = EnrolmentFactory(
        candidate__first_name="Inès", candidate__last_name="Moreau", cohort__name="Promotion 2026"
    )
    enrolment.cohort.memoire_deadline = steps.IN_WINDOW.date().replace(month=11, day=30)
    enrolment.cohort.save()
    return enrolment


def test_the_whole_bloc_is_proved_and_submitted_with_the_keyboard_alone(
    page, sign_in, enrolment, tmp_path
):
    portfolio = next(p for p in portfolio_start(enrolment=enrolment) if p.bloc.number == 1)
    codes = list(portfolio.bloc.competencies.order_by("order").values_list("code", flat=True))
    sign_in(page, enrolment.candidate)
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    steps.check_page(page)
    half = len(codes) // 2
    steps.upload_evidence_with_keyboard(
        page,
        files=[steps.sample_pdf(tmp_path, "agenda.pdf"), steps.sample_pdf(tmp_path, "achats.pdf")],
        title="Organisation du service",
        codes=codes[:half],
    )
    steps.upload_evidence_with_keyboard(
        page,
        files=[steps.sample_pdf(tmp_path, "reunions.pdf")],
        title="Réunions et déplacements",
        codes=codes[half:],
    )
    steps.check_page(page)
    screenshot(page, "candidat-portefeuille")
    page.goto(reverse("portfolio:coverage", args=[portfolio.pk]))
    assert f"{len(codes)} compétence(s) prouvée(s) sur {len(codes)}" in page.content()
    steps.check_page(page)
    steps.submit_portfolio_with_keyboard(page, portfolio)
    steps.check_page(page)
    portfolio.refresh_from_db()
    assert portfolio.state == "submitted"
    assert portfolio.items.count() == 3


def test_every_candidate_page_passes_axe_on_desktop_and_phone(
    page, phone_page, sign_in, enrolment, tmp_path
):
    sign_in(page, enrolment.candidate)
    page.goto(reverse("portfolio:home"))
    steps.check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir mes dossiers").click()
    portfolio = Portfolio.objects.get(enrolment=enrolment, bloc__number=2)
    memoire = enrolment.memoires.get()
    # Errors on the page: a refused file and no competency ticked.
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    bad = tmp_path / "facture.pdf"
    bad.write_text("<html><body>pas un PDF</body></html>")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Ajouter au portefeuille").click()
    page.wait_for_selector(".upload-error")
    steps.check_page(page)
    screenshot(page, "candidat-fichier-refuse")
    page.goto(reverse("portfolio:submit", args=[portfolio.pk]))
    page.get_by_role("button", name="Déposer définitivement").click()
    assert page.locator(".errorlist, .form-errors").count() >= 1
    steps.check_page(page)
    sign_in(phone_page, enrolment.candidate)
    for url in [
        reverse("portfolio:home"),
        reverse("portfolio:detail", args=[portfolio.pk]),
        reverse("portfolio:coverage", args=[portfolio.pk]),
        reverse("portfolio:submit", args=[portfolio.pk]),
        reverse("portfolio:memoire", args=[memoire.pk]),
    ]:
        page.goto(url)
        steps.check_page(page)
        phone_page.goto(url)
        steps.check_page(phone_page, phone=True)
    screenshot(page, "candidat-memoire")
    page.goto(reverse("portfolio:home"))
    screenshot(page, "candidat-accueil")
    phone_page.goto(reverse("portfolio:home"))
    screenshot(phone_page, "candidat-accueil-mobile")
