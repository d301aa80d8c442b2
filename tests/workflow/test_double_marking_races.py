"""A CC mark saved while a portfolio's single mark is being settled: whatever the order, the
portfolio never ends with one mark near a threshold (on PostgreSQL: SQLite has no row locks).

Bloc 1 on 250: a first mark of 30/150 with every CC module at 16.5/20 (82.5 CC points) makes
112.5/250 = 9/20, in the band; the last CC module is the one entered during the race.
"""

from decimal import Decimal

import pytest

from accounts.models import Role, TrainingLink
from portfolio.models import Portfolio
from tests.factories import EvaluatorFactory, PortfolioFactory, StaffFactory, UserFactory
from tests.races import needs_row_locks, run_together
from tests.workflow.helpers import assign_and_accept, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.scoring import portfolio_mark_ready_for_jury, scoring_submit
from workflow.marks.cc import cc_mark_enter

pytestmark = [
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]
P = Portfolio.State
ROUNDS = 4


@pytest.fixture(autouse=True)
def no_sample(settings):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0


def _setting():
    """Return a portfolio's draft first scoring of 30/150, a trainer, the last CC module, staff."""
    staff, evaluator = StaffFactory(), EvaluatorFactory()
    portfolio = PortfolioFactory(state=P.ADMISSIBLE)
    trainer = UserFactory(roles=[Role.FORMATEUR])
    modules = list(portfolio.bloc.modules.filter(cc_points__gt=0).order_by("code"))
    for module in modules:
        TrainingLink.objects.create(
            trainer=trainer, module=module, cohort=portfolio.enrolment.cohort
        )
    for module in modules[:-1]:
        cc_mark_enter(
            actor=trainer,
            enrolment=portfolio.enrolment,
            module=module,
            mark=Decimal("16.5"),
            out_of=20,
        )
    scoring = score(assign_and_accept(portfolio, evaluator, staff), Decimal(30), submit=False)
    return portfolio, scoring, trainer, modules[-1], staff


def _last_cc(portfolio, trainer, module):
    return lambda: cc_mark_enter(
        actor=trainer, enrolment=portfolio.enrolment, module=module, mark=Decimal("16.5"), out_of=20
    )


def _outcomes(results):
    unexpected = [r for r in results if isinstance(r, Exception) or r is None]
    assert not [r for r in unexpected if not isinstance(r, WorkflowError)], results


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_cc_mark_saved_while_the_portfolio_is_marked_ready(round_):
    portfolio, scoring, trainer, module, staff = _setting()
    scoring_submit(scoring=scoring, actor=scoring.assignment.evaluator)
    assert refresh(portfolio).state == P.EVALUATED  # the CC is not known yet: 30/150 alone
    results = run_together(
        [
            _last_cc(portfolio, trainer, module),
            lambda: portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff),
        ]
    )
    _outcomes(results)
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.SECOND_EVALUATION, None)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_cc_mark_saved_while_the_first_scoring_is_submitted(round_):
    portfolio, scoring, trainer, module, staff = _setting()
    results = run_together(
        [
            _last_cc(portfolio, trainer, module),
            lambda: scoring_submit(scoring=scoring, actor=scoring.assignment.evaluator),
        ]
    )
    _outcomes(results)
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.SECOND_EVALUATION, None)
