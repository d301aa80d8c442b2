"""Two people acting on the same file at the same moment: exactly one wins, the other is told.

Real concurrency needs row locks, which SQLite does not have: these tests run on PostgreSQL.
"""

import pytest

from audit.models import AuditEvent
from portfolio.models import Portfolio
from tests.factories import PortfolioFactory, StaffFactory
from tests.races import needs_row_locks, run_together
from workflow.errors import WorkflowError
from workflow.evaluation.screening import portfolio_declare_admissible, portfolio_return

pytestmark = [
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]


def race(*calls):
    """Run ``calls`` in threads released together; return their results or WorkflowErrors."""
    results = run_together(calls)
    unexpected = [r for r in results if isinstance(r, Exception | None.__class__)]
    unexpected = [r for r in unexpected if not isinstance(r, WorkflowError)]
    assert not unexpected, f"a racer did not finish cleanly: {unexpected!r}"
    return results


def test_two_staff_declaring_the_same_portfolio_admissible_one_wins():
    portfolio = PortfolioFactory(state=Portfolio.State.SUBMITTED)
    first, second = StaffFactory(), StaffFactory()
    results = race(
        lambda: portfolio_declare_admissible(portfolio=portfolio, actor=first),
        lambda: portfolio_declare_admissible(portfolio=portfolio, actor=second),
    )
    errors = [r for r in results if isinstance(r, WorkflowError)]
    winners = [r for r in results if isinstance(r, Portfolio)]
    assert len(winners) == 1 and len(errors) == 1
    assert "rechargez la page" in errors[0].message
    assert Portfolio.objects.get(pk=portfolio.pk).state == Portfolio.State.ADMISSIBLE
    assert AuditEvent.objects.filter(action="portfolio.declare_admissible").count() == 1


def test_admitting_and_returning_at_once_applies_exactly_one():
    portfolio = PortfolioFactory(state=Portfolio.State.SUBMITTED)
    first, second = StaffFactory(), StaffFactory()
    results = race(
        lambda: portfolio_declare_admissible(portfolio=portfolio, actor=first),
        lambda: portfolio_return(portfolio=portfolio, actor=second, reason="Incomplet"),
    )
    assert sum(isinstance(r, WorkflowError) for r in results) == 1
    state = Portfolio.objects.get(pk=portfolio.pk).state
    assert state in {Portfolio.State.ADMISSIBLE, Portfolio.State.RETURNED}
    # The return also opens the candidate's new version (its own audit line): count decisions.
    decisions = AuditEvent.objects.filter(
        action__in=["portfolio.declare_admissible", "portfolio.return"]
    )
    assert decisions.count() == 1
