"""The candidate's home reads a fixed number of queries, whatever the blocs and evidence."""

import pytest
from django.urls import reverse

from tests.factories import (
    DraftPortfolioFactory,
    EnrolmentFactory,
    EvidenceItemFactory,
    MemoireFactory,
)

pytestmark = pytest.mark.django_db

# The session, the user, the enrolments, the portfolios, the evidence tied to competencies, the
# blocs' competencies and the mémoires (issue #14 asks for 8 at most).
HOME_QUERIES = 7


def _candidate_with_everything(items_per_bloc: int):
    enrolment = EnrolmentFactory()
    for bloc in enrolment.cohort.title.blocs.all():
        portfolio = DraftPortfolioFactory(enrolment=enrolment, bloc=bloc)
        for n in range(items_per_bloc):
            item = EvidenceItemFactory(portfolio=portfolio, title=f"Preuve {bloc.number}.{n}")
            item.competencies.set(bloc.competencies.all()[:2])
    MemoireFactory(enrolment=enrolment)
    return enrolment.candidate


@pytest.mark.parametrize("items_per_bloc", [1, 6])
def test_the_candidate_home_runs_seven_queries_with_every_bloc_and_a_memoire(
    client, django_assert_num_queries, items_per_bloc
):
    candidate = _candidate_with_everything(items_per_bloc)
    client.force_login(candidate)
    with django_assert_num_queries(HOME_QUERIES):
        page = client.get(reverse("portfolio:home")).content.decode()
    for portfolio in candidate.enrolments.get().portfolios.all():
        assert reverse("portfolio:detail", args=[portfolio.pk]) in page
    assert page.count("2 compétence(s) prouvée(s)") == 4  # two competencies of each bloc
