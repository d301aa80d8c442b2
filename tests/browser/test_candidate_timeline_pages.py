"""The candidate's timeline, notification centre, agenda and per-file titles in a real browser:
axe at 1280 and 360 px, the keyboard alone for what one operates."""

import re

import pytest
from django.urls import reverse

from audit.models import Notification
from portfolio.models import EvidenceItem, Portfolio
from portfolio.services import portfolio_start
from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.factories import JurySessionFactory, NotificationFactory, StaffFactory
from tests.portfolio.journey import jury_decision
from workflow.evaluation.screening import portfolio_return
from workflow.models import JuryDecision, JurySession, SessionCandidate

pytestmark = pytest.mark.browser


def unread_name(count: int) -> re.Pattern:
    """Return the notification link's accessible name (Chromium may space the hidden part)."""
    return re.compile(rf"^Notifications \({count}\s*non lues\s*\)$")


@pytest.fixture
def clock(monkeypatch):
    from audit import clock

    monkeypatch.setattr(clock, "now", lambda: steps.IN_WINDOW)


@pytest.fixture
def journey(clock, local_storage):
    """Return an enrolment part way: drafts, a returned bloc, a convocation, published results."""
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(
        candidate__first_name="Inès", candidate__last_name="Moreau", cohort__name="Promotion 2026"
    )
    portfolios = {p.bloc.number: p for p in portfolio_start(enrolment=enrolment)}
    Portfolio.objects.filter(pk=portfolios[2].pk).update(state=Portfolio.State.SUBMITTED)
    portfolios[2].refresh_from_db()
    staff = StaffFactory(first_name="Claire", last_name="Martin")
    portfolio_return(
        portfolio=portfolios[2], actor=staff, reason="Ajoutez le compte rendu ; signé, daté."
    )
    Portfolio.objects.filter(pk=portfolios[3].pk).update(state=Portfolio.State.ASSIGNED)
    session = JurySessionFactory(state=JurySession.State.COMPOSED)
    SessionCandidate.objects.create(session=session, enrolment=enrolment)
    published = JurySessionFactory(state=JurySession.State.PUBLISHED, place="Amphi A")
    jury_decision(published, enrolment, JuryDecision.Outcome.PARTIAL, recorded_by=staff)
    return enrolment


def test_the_timeline_and_its_pages_pass_axe_on_desktop_and_phone(
    page, phone_page, sign_in, journey
):
    candidate = journey.candidate
    returned = Portfolio.objects.get(enrolment=journey, bloc__number=2, is_active=True)
    sign_in(page, candidate)
    sign_in(phone_page, candidate)
    page.goto(reverse("portfolio:home"))
    text = page.locator("main").inner_text()
    assert "Déposez vos preuves du bloc 1 au plus tard le 30 décembre 2026." in text
    assert "La version 1 vous a été renvoyée pour compléments" in text
    assert "En attente de l'évaluation." in text
    assert "Jury du 15 mars 2027" in text
    assert "Décision : Certification partielle (blocs)." in text
    for url in [
        reverse("portfolio:home"),
        reverse("portfolio:detail", args=[returned.pk]),
        reverse("documents:mine"),
        reverse("documents:agenda"),
        reverse("accounts:notifications"),
    ]:
        page.goto(url)
        steps.check_page(page)
        phone_page.goto(url)
        steps.check_page(phone_page, phone=True)
    page.goto(reverse("portfolio:home"))
    screenshot(page, "candidat-parcours")
    phone_page.goto(reverse("portfolio:home"))
    screenshot(phone_page, "candidat-parcours-mobile")
    # The agenda's address, created then shown (axe on that state too).
    page.goto(reverse("documents:agenda"))
    with page.expect_navigation():
        page.get_by_role("button", name="Créer mon adresse d'agenda").click()
    assert ".ics" in page.get_by_label("Adresse à copier", exact=False).input_value()
    steps.check_page(page)


def test_the_notification_centre_by_keyboard(page, phone_page, sign_in, journey):
    candidate = journey.candidate
    for n in range(3):
        NotificationFactory(
            key=f"b:{n}",
            recipient=candidate,
            template="portfolio_returned",
            context={"target": f"portefeuille {n}", "reason": "x", "path": "/portefeuilles/"},
        )
    before = Notification.objects.filter(recipient=candidate, read_at__isnull=True).count()
    sign_in(page, candidate)
    page.goto(reverse("portfolio:home"))
    link = page.get_by_role("link", name=unread_name(before))
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    steps.check_page(page)
    screenshot(page, "notifications")
    tab_to(page, page.get_by_role("button", name="Marquer comme lue").first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("link", name=unread_name(before - 1)).count() == 1
    tab_to(page, page.get_by_role("button", name="Tout marquer comme lu"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("link", name="Notifications", exact=True).count() == 1
    assert "Aucune notification non lue." in page.locator("main").inner_text()
    steps.check_page(page)
    sign_in(phone_page, candidate)
    phone_page.goto(reverse("accounts:notifications"))
    steps.check_page(phone_page, phone=True)


def test_a_batch_upload_gives_two_titles_typed_with_the_keyboard(page, sign_in, journey, tmp_path):
    portfolio = Portfolio.objects.get(enrolment=journey, bloc__number=1)
    code = portfolio.bloc.competencies.order_by("order").first().code
    sign_in(page, journey.candidate)
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    steps.upload_evidence_with_keyboard(
        page,
        files=[steps.sample_pdf(tmp_path, "agenda.pdf"), steps.sample_pdf(tmp_path, "achats.pdf")],
        titles=["Agenda partagé du service", "Procédure d'achat"],
        codes=[code],
    )
    assert dict(EvidenceItem.objects.values_list("original_name", "title")) == {
        "agenda.pdf": "Agenda partagé du service",
        "achats.pdf": "Procédure d'achat",
    }
    steps.check_page(page)
