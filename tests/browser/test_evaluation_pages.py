"""The evaluator's and the centre's evaluation screens in a real browser: axe, phone, errors."""

import pytest
from django.urls import reverse

from portfolio.models import Memoire, Portfolio
from tests.browser import steps
from tests.browser.support import screenshot
from tests.factories import (
    EvaluatorFactory,
    EvidenceItemFactory,
    MemoireFactory,
    PortfolioFactory,
    StaffFactory,
    TrainingLinkFactory,
)
from tests.workflow.helpers import assign_and_accept, refresh, score
from workflow.evaluation.assignments import evaluator_assign

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def single_marking(settings):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0
    settings.PREUVES_DOUBLE_MARKING_GAP_ON_20 = "2"


def test_every_evaluation_page_passes_axe_on_desktop_and_phone(page, phone_page, sign_in):
    centre = StaffFactory()
    first, second = EvaluatorFactory(), EvaluatorFactory()
    submitted = PortfolioFactory(state=Portfolio.State.SUBMITTED)
    EvidenceItemFactory(portfolio=submitted, title="Procédure achats signée")
    # A trainer of the candidate who also evaluates: offered with the reason for the refusal.
    refusable = PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
    TrainingLinkFactory(
        trainer=EvaluatorFactory(roles=["evaluateur", "formateur"]),
        cohort=refusable.enrolment.cohort,
    )
    in_progress = PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
    to_reconcile = PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
    score(assign_and_accept(to_reconcile, first, centre), 60)
    score(assign_and_accept(refresh(to_reconcile), second, centre, rank=2), 110)
    accepted = assign_and_accept(in_progress, first, centre)
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    waiting = evaluator_assign(
        target=MemoireFactory(state=Memoire.State.SUBMITTED),
        evaluator=first,
        actor=centre,
        due_date=accepted.due_date,
    )
    staff_urls = [
        reverse("workflow:staff-portfolios"),
        reverse("workflow:staff-portfolio", args=[submitted.pk]),
        reverse("workflow:staff-return", args=[submitted.pk]),
        reverse("workflow:staff-assign-portfolio", args=[refusable.pk]),
        reverse("workflow:staff-portfolio", args=[to_reconcile.pk]),
        reverse("workflow:staff-reconcile", args=[to_reconcile.pk]),
        reverse("workflow:staff-memoires"),
        reverse("workflow:staff-assign-memoire", args=[memoire.pk]),
    ]
    evaluator_urls = [
        reverse("workflow:queue"),
        reverse("workflow:assignment-respond", args=[waiting.pk]),
        reverse("workflow:scoring", args=[accepted.pk]),
        reverse("workflow:scoring-submit", args=[accepted.pk]),
    ]
    problems = []
    for person, urls in ((centre, staff_urls), (first, evaluator_urls)):
        sign_in(page, person)
        sign_in(phone_page, person)
        problems += steps.sweep(page, urls)
        problems += steps.sweep(phone_page, urls, phone=True)
    assert not problems, "\n".join(problems)

    # Pages in their error states: a refused evaluator, an incomplete grid.
    sign_in(page, centre)
    page.goto(reverse("workflow:staff-assign-portfolio", args=[refusable.pk]))
    steps.check_page(page)
    assert page.locator("[data-eligible=non] .reasons li").count() >= 1
    screenshot(page, "centre-affectation-refus")
    sign_in(page, first)
    page.goto(reverse("workflow:scoring", args=[accepted.pk]))
    page.get_by_role("button", name="Vérifier et remettre…").click()
    page.wait_for_load_state()
    steps.check_page(page)
    screenshot(page, "evaluateur-grille-incomplete")
