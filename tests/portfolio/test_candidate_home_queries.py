"""The candidate's home reads a fixed number of queries, whatever the blocs, evidence, returns,
sessions and results."""

import pytest
from django.urls import reverse

from portfolio.models import Portfolio
from tests.factories import (
    DraftPortfolioFactory,
    EnrolmentFactory,
    EvidenceItemFactory,
    JurySessionFactory,
    MemoireFactory,
    NotificationFactory,
    StaffFactory,
)
from tests.portfolio.journey import jury_decision
from workflow.evaluation.screening import portfolio_return
from workflow.models import JuryDecision, JurySession, SessionCandidate

pytestmark = pytest.mark.django_db

# The session, the user, the enrolments with their jury entries and decisions (3), the
# portfolios, the evidence tied to competencies, the blocs' competencies, the mémoires with their
# soutenances (2), the returns' audit events and the unread notifications.
HOME_QUERIES = 12


def _candidate_with_everything(items_per_bloc: int):
    enrolment = EnrolmentFactory()
    staff = StaffFactory()
    for bloc in enrolment.cohort.title.blocs.all():
        portfolio = DraftPortfolioFactory(enrolment=enrolment, bloc=bloc)
        for n in range(items_per_bloc):
            item = EvidenceItemFactory(portfolio=portfolio, title=f"Preuve {bloc.number}.{n}")
            item.competencies.set(bloc.competencies.all()[:2])
        if bloc.number <= items_per_bloc:  # more returned blocs with more data
            Portfolio.objects.filter(pk=portfolio.pk).update(state=Portfolio.State.SUBMITTED)
            portfolio.refresh_from_db()
            portfolio_return(portfolio=portfolio, actor=staff, reason="À compléter")
    MemoireFactory(enrolment=enrolment)
    for n in range(items_per_bloc):
        session = JurySessionFactory(state=JurySession.State.COMPOSED, place=f"Salle {n}")
        SessionCandidate.objects.create(session=session, enrolment=enrolment)
        published = JurySessionFactory(state=JurySession.State.PUBLISHED, place=f"Amphi {n}")
        jury_decision(published, enrolment, JuryDecision.Outcome.PARTIAL, recorded_by=staff)
        NotificationFactory(recipient=enrolment.candidate)
    return enrolment.candidate


@pytest.mark.parametrize("items_per_bloc", [1, 4])
def test_the_candidate_home_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, items_per_bloc
):
    candidate = _candidate_with_everything(items_per_bloc)
    client.force_login(candidate)
    with django_assert_num_queries(HOME_QUERIES):
        page = client.get(reverse("portfolio:home")).content.decode()
    for portfolio in candidate.enrolments.get().portfolios.filter(is_active=True):
        assert reverse("portfolio:detail", args=[portfolio.pk]) in page
    assert page.count("2 compétence(s) prouvée(s)") == 4  # two competencies of each bloc
    assert page.count("renvoyée pour compléments") == items_per_bloc
    assert page.count("Décision : ") == items_per_bloc
