"""Double marking near a decision threshold and for a random sample; reconciliation both ways."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from audit.models import AuditEvent
from portfolio.models import Portfolio
from tests.workflow.helpers import assign_and_accept, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation import double_marking
from workflow.evaluation.double_marking import is_sampled, near_threshold, sample_draw, within_gap
from workflow.evaluation.policy import first_and_second_scorings
from workflow.evaluation.scoring import portfolio_reconcile, scoring_reopen
from workflow.models import Reconciliation

P = Portfolio.State
BLOC = SimpleNamespace(minimum_on_20=Decimal(8), validation_on_20=Decimal(10))


# --- Pure rules (no database) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "points,expected",
    [
        ("52.50", True),  # exactly 7/20 on 150
        ("52.49", False),
        ("82.50", True),  # exactly 11/20
        ("82.51", False),
        ("60", True),  # 8/20
        ("67.5", True),  # 9/20
        ("75", True),  # 10/20
        ("30", False),
        ("120", False),
    ],
)
def test_threshold_band_is_one_point_either_side_of_8_and_10_inclusive(points, expected):
    assert near_threshold(Decimal(points), 150, BLOC) is expected


def test_threshold_band_on_an_awkward_denominator_is_exact():
    # 7/20 of 105 is 36.75: no binary or rounded division may push it out of the band.
    assert near_threshold(Decimal("36.75"), 105, BLOC)
    assert not near_threshold(Decimal("36.74"), 105, BLOC)


@pytest.mark.parametrize(
    "first,second,expected",
    [("100", "115", True), ("100", "115.01", False), ("100", "85", True), ("0", "150", False)],
)
def test_gap_of_two_points_on_20_of_the_epreuve(first, second, expected, settings):
    settings.PREUVES_DOUBLE_MARKING_GAP_ON_20 = "2"
    assert within_gap(Decimal(first), Decimal(second), out_of=150) is expected


def test_the_sample_draw_is_reproducible_and_near_the_setting(settings):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 10
    assert sample_draw(42) == sample_draw(42)
    drawn = sum(is_sampled(pk) for pk in range(1, 3001))
    assert 240 <= drawn <= 360
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0
    assert not any(is_sampled(pk) for pk in range(1, 200))
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    assert all(is_sampled(pk) for pk in range(1, 200))


def test_the_draw_depends_on_the_secret_key(settings):
    draws = [sample_draw(pk) for pk in range(1, 50)]
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert [sample_draw(pk) for pk in range(1, 50)] != draws


# --- Through the services ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mark,second_needed",
    [("52.50", True), ("52.49", False), ("82.50", True), ("82.51", False)],
)
def test_first_mark_at_and_just_outside_the_band(mark, second_needed, admissible, staff, evaluator):
    score(assign_and_accept(admissible, evaluator, staff), Decimal(mark))
    portfolio = refresh(admissible)
    if second_needed:
        assert portfolio.state == P.SECOND_EVALUATION
        assert portfolio.agreed_mark is None
        assert "seuil" in portfolio.double_marking_reason
        assert "CC inconnu" in portfolio.double_marking_reason
    else:
        assert portfolio.state == P.EVALUATED
        assert portfolio.agreed_mark == Decimal(mark)
        assert portfolio.double_marking_reason == ""


@pytest.mark.django_db
@pytest.mark.parametrize("mark,second_needed", [("47.50", True), ("47.49", False)])
def test_the_band_counts_the_bloc_cc_when_known(mark, second_needed, admissible, staff, evaluator):
    # 40/100 CC + 47.50/150 = 87.5/250 = exactly 7/20; the portfolio alone would be 6.33/20.
    _enter_cc(admissible, staff, {"M1.1": 20, "M1.4": 0, "M1.6": 0, "M1.7": 0})
    assert double_marking.bloc_cc_points(admissible.enrolment, admissible.bloc) == Decimal(40)
    score(assign_and_accept(admissible, evaluator, staff), Decimal(mark))
    portfolio = refresh(admissible)
    assert (portfolio.state == P.SECOND_EVALUATION) is second_needed
    if second_needed:
        assert "CC compris" in portfolio.double_marking_reason


def _enter_cc(portfolio, actor, marks_on_20: dict[str, int]) -> None:
    from django.utils import timezone

    from workflow.models import CCMark

    for module in portfolio.bloc.modules.filter(code__in=marks_on_20):
        CCMark.objects.create(
            enrolment=portfolio.enrolment,
            module=module,
            mark=Decimal(marks_on_20[module.code]),
            out_of=20,
            entered_by=actor,
            entered_at=timezone.now(),
        )


@pytest.mark.django_db
def test_cc_is_unknown_while_a_cc_module_has_no_mark(admissible, staff):
    _enter_cc(admissible, staff, {"M1.1": 20, "M1.4": 10})
    assert double_marking.bloc_cc_points(admissible.enrolment, admissible.bloc) is None


@pytest.mark.django_db
def test_a_sampled_portfolio_far_from_thresholds_is_double_marked(
    admissible, staff, evaluator, settings
):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    score(assign_and_accept(admissible, evaluator, staff), 140)
    portfolio = refresh(admissible)
    assert portfolio.state == P.SECOND_EVALUATION
    assert portfolio.double_marking_reason == "Tirage aléatoire de contrôle."


def double_marked(admissible, staff, evaluator, second_evaluator, first_mark, second_mark):
    first = assign_and_accept(admissible, evaluator, staff)
    score(first, Decimal(first_mark))
    assert refresh(admissible).state == P.SECOND_EVALUATION
    second = assign_and_accept(refresh(admissible), second_evaluator, staff, rank=2)
    score(second, Decimal(second_mark))
    return first, second


@pytest.mark.django_db
def test_two_marks_within_the_gap_are_averaged_exactly(
    admissible, staff, evaluator, second_evaluator
):
    double_marked(admissible, staff, evaluator, second_evaluator, "60.25", "71.5")
    portfolio = refresh(admissible)
    assert portfolio.state == P.RECONCILED
    assert portfolio.agreed_mark == Decimal("65.875")
    record = Reconciliation.objects.get(portfolio=portfolio)
    assert (record.method, record.decided_by) == (Reconciliation.Method.MEAN, None)
    assert (record.first_mark, record.second_mark) == (Decimal("60.25"), Decimal("71.5"))
    event = AuditEvent.objects.get(action="portfolio.reconcile")
    assert event.after["agreed_mark"] == "65.875"


@pytest.mark.django_db
def test_a_gap_of_exactly_two_points_on_20_is_still_averaged(
    admissible, staff, evaluator, second_evaluator
):
    double_marked(admissible, staff, evaluator, second_evaluator, "60", "75")
    assert refresh(admissible).agreed_mark == Decimal("67.5")


@pytest.mark.django_db
def test_beyond_the_gap_the_staff_pick_one_mark_with_a_justification(
    admissible, staff, evaluator, second_evaluator
):
    double_marked(admissible, staff, evaluator, second_evaluator, "60", "75.25")
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILIATION, None)
    with pytest.raises(WorkflowError, match="personnel du centre"):
        portfolio_reconcile(portfolio=portfolio, actor=evaluator, method="first", justification="x")
    with pytest.raises(WorkflowError) as missing:
        portfolio_reconcile(portfolio=portfolio, actor=staff, method="second", justification="")
    assert "justification" in missing.value.field_errors
    portfolio_reconcile(
        portfolio=portfolio,
        actor=staff,
        method="second",
        justification="La seconde notation s'appuie sur toutes les preuves.",
    )
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILED, Decimal("75.25"))
    record = Reconciliation.objects.get(portfolio=portfolio)
    assert (record.method, record.decided_by) == ("second", staff)
    # Both scorings stay on record.
    first, second = first_and_second_scorings(portfolio)
    assert (first.total, second.total) == (Decimal("60"), Decimal("75.25"))


@pytest.mark.django_db
def test_beyond_the_gap_the_staff_may_set_an_agreed_mark(
    admissible, staff, evaluator, second_evaluator
):
    double_marked(admissible, staff, evaluator, second_evaluator, "60", "110")
    with pytest.raises(WorkflowError) as out_of_range:
        portfolio_reconcile(
            portfolio=admissible,
            actor=staff,
            method="agreed",
            agreed_mark=Decimal("151"),
            justification="Entretien avec les deux évaluateurs.",
        )
    assert "agreed_mark" in out_of_range.value.field_errors
    portfolio_reconcile(
        portfolio=admissible,
        actor=staff,
        method="agreed",
        agreed_mark=Decimal("70.125"),
        justification="Entretien avec les deux évaluateurs.",
    )
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILED, Decimal("70.125"))
    event = AuditEvent.objects.get(action="portfolio.reconcile")
    assert (event.actor, event.reason) == (staff, "Entretien avec les deux évaluateurs.")


@pytest.mark.django_db
def test_reconciliation_is_refused_when_not_awaited(admissible, staff, evaluator):
    score(assign_and_accept(admissible, evaluator, staff), 120)
    with pytest.raises(WorkflowError, match="n'attend pas de conciliation"):
        portfolio_reconcile(portfolio=admissible, actor=staff, method="first", justification="x")


@pytest.mark.django_db
def test_a_reopened_second_scoring_blocks_reconciliation_until_resubmitted(
    admissible, staff, evaluator, second_evaluator
):
    _first, second = double_marked(admissible, staff, evaluator, second_evaluator, "60", "110")
    scoring_reopen(scoring=second.scoring, actor=staff, reason="Critère 3 oublié")
    with pytest.raises(WorkflowError, match="n'attend pas de conciliation"):
        portfolio_reconcile(portfolio=admissible, actor=staff, method="first", justification="x")
    score(refresh(second), Decimal("65"))
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILED, Decimal("62.5"))
