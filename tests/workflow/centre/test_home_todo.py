"""Each role's home counts its work to do, and each count links to a list that shows exactly
that many rows; the counts are aggregates: as many queries for 3 files as for 30."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Memoire, Portfolio
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    JurySessionFactory,
    MemoireFactory,
    PortfolioFactory,
    StaffFactory,
)
from workflow.evaluation import policy
from workflow.models import Assignment

pytestmark = pytest.mark.django_db
P = Portfolio.State


def _files(n: int, evaluator=None, cohort=None) -> None:
    """Add ``n`` files of each kind the counts look at."""
    where = {"enrolment__cohort": cohort} if cohort else {}
    for _i in range(n):
        PortfolioFactory(state=P.SUBMITTED, **where)
        PortfolioFactory(state=P.ADMISSIBLE, **where)
        AssignmentFactory(
            portfolio__state=P.ASSIGNED,
            evaluator=evaluator or EvaluatorFactory(),
            due_date=timezone.localdate() - timedelta(days=2),
            **{f"portfolio__{k}": v for k, v in where.items()},
        )
        PortfolioFactory(state=P.SECOND_EVALUATION, **where)
        MemoireFactory(**where)
    JurySessionFactory(date=timezone.localdate() + timedelta(days=30))


def _items(response):
    return [
        (href.replace("&amp;", "&"), int(count))
        for href, count in re.findall(
            r'<a href="([^"]+)" data-todo-count="(\d+)"', response.content.decode()
        )
    ]


def _list_count(client, url) -> int:
    context = client.get(url).context
    if "listing" in context:
        return context["listing"].page.paginator.count
    return context["page"].paginator.count


def test_each_staff_count_is_the_count_of_the_list_it_links_to(client):
    evaluator = EvaluatorFactory()
    _files(2, evaluator)
    _files(1, cohort=CohortFactory(establishment=EstablishmentFactory(name="Ailleurs")))
    client.force_login(StaffFactory())
    items = _items(client.get(reverse("accounts:home")))
    assert len(items) == 6
    for url, count in items:
        assert _list_count(client, url) == count, url
    counts = dict((url.split("?")[1], count) for url, count in items)
    assert counts["etat=submitted"] == 2
    assert counts["etat=&a_faire=affecter"] == 4  # 2 admissible + 2 second evaluations
    assert counts["etat=&a_faire=en_retard"] == 2
    assert counts["a_faire=affecter"] == 2


def test_the_to_assign_filter_is_the_assignment_policy(client):
    _files(2)
    AssignmentFactory(portfolio__state=P.SECOND_EVALUATION, rank=Assignment.Rank.SECOND)
    client.force_login(StaffFactory())
    response = client.get(reverse("workflow:staff-portfolios"), {"etat": "", "a_faire": "affecter"})
    listed = {p.pk for p, _actions in response.context["rows"]}
    waiting = {
        p.pk
        for p in Portfolio.objects.prefetch_related(policy.assignments_prefetch())
        if policy.needs_evaluator(p, rank=1) or policy.needs_evaluator(p, rank=2)
    }
    assert listed == waiting
    memoires = client.get(reverse("workflow:staff-memoires"), {"a_faire": "affecter"})
    assert {m.pk for m, _a in memoires.context["rows"]} == {
        m.pk for m in Memoire.objects.all() if policy.needs_evaluator(m)
    }


def test_each_evaluator_count_is_the_count_of_the_queue_it_links_to(client):
    evaluator = EvaluatorFactory()
    _files(3, evaluator)
    AssignmentFactory(evaluator=evaluator, state=Assignment.State.ACCEPTED)
    client.force_login(evaluator)
    items = _items(client.get(reverse("accounts:home")))
    assert [count for _url, count in items] == [3, 1, 3]
    for url, count in items:
        assert _list_count(client, url) == count, url


@pytest.mark.parametrize("who", ["staff", "evaluator"])
def test_the_home_runs_as_many_queries_for_30_files_as_for_3(client, who):
    evaluator = EvaluatorFactory()
    user = evaluator if who == "evaluator" else StaffFactory()
    client.force_login(user)

    def queries() -> int:
        client.get(reverse("accounts:home"))  # warm the session
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("accounts:home"))
        return len(captured)

    _files(3, evaluator)
    small = queries()
    _files(27, evaluator)
    assert queries() == small


def test_the_dashboard_and_the_back_office_show_the_centre_counts(client):
    _files(1)
    client.force_login(StaffFactory())
    for name in ("jury:staff_dashboard", "centres:index"):
        assert len(_items(client.get(reverse(name)))) == 6


def test_the_jury_count_is_the_count_of_the_sessions_it_links_to(client):
    from tests.factories import JuryMemberFactory, JuryUserFactory

    member = JuryUserFactory()
    for days in (-40, 20, 60):
        session = JurySessionFactory(date=timezone.localdate() + timedelta(days=days))
        JuryMemberFactory(session=session, user=member)
    client.force_login(member)
    items = _items(client.get(reverse("accounts:home")))
    assert [count for _url, count in items] == [2]
    assert _list_count(client, items[0][0]) == 2


def test_a_filter_reached_from_a_count_shows_as_a_notice_with_a_way_back(client):
    _files(1)
    client.force_login(StaffFactory())
    page = client.get(
        reverse("workflow:staff-portfolios"), {"etat": "", "a_faire": "affecter"}
    ).content.decode()
    assert 'data-link-filter="a_faire"' in page and "À affecter" in page
    assert '<select name="a_faire"' not in page
    assert '<input type="hidden" name="a_faire" value="affecter">' in page
    plain = client.get(reverse("workflow:staff-portfolios")).content.decode()
    assert 'name="a_faire"' not in plain
