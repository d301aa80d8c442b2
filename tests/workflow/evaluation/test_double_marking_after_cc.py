"""Double marking tested again when a CC mark changes after the first scoring.

Bloc 1 has 100 CC points (M1.1 40, M1.4 10, M1.6 20, M1.7 30) and 150 épreuve points: the bloc
is on 250 and the band is 87.5 to 137.5 (7/20 to 11/20, both inclusive). The same mark m/20 in
every CC module gives CC = 5 × m points, so a first mark of 30/150 (4/20 alone, out of the band)
with every module at 16.5 gives 30 + 82.5 = 112.5/250 = exactly 9/20.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, TrainingLink
from audit.models import AuditEvent, Notification
from portfolio.models import Portfolio
from tests.factories import EnrolmentFactory, PortfolioFactory, UserFactory
from tests.workflow.helpers import assign_and_accept, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.reevaluation import portfolios_retest_after_cc
from workflow.evaluation.scoring import portfolio_mark_ready_for_jury
from workflow.marks import cc, cc_grid, cc_import

pytestmark = pytest.mark.django_db
P = Portfolio.State
CC_MODULES = ("M1.1", "M1.4", "M1.6", "M1.7")


@pytest.fixture(autouse=True)
def no_sample(settings):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0


@pytest.fixture
def trainer(admissible):
    """A trainer of every CC module of bloc 1 for the portfolio's cohort."""
    user = UserFactory(roles=[Role.FORMATEUR])
    for module in admissible.bloc.modules.filter(code__in=CC_MODULES):
        TrainingLink.objects.create(trainer=user, module=module, cohort=admissible.enrolment.cohort)
    return user


def enter_cc(portfolio, trainer, mark, *, codes=CC_MODULES, enrolment=None):
    for module in portfolio.bloc.modules.filter(code__in=codes).order_by("code"):
        cc.cc_mark_enter(
            actor=trainer,
            enrolment=enrolment or portfolio.enrolment,
            module=module,
            mark=Decimal(str(mark)),
            out_of=20,
        )


def first_scored(portfolio, staff, evaluator, mark):
    score(assign_and_accept(portfolio, evaluator, staff), Decimal(str(mark)))
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.EVALUATED, Decimal(str(mark)))
    return portfolio


@pytest.mark.parametrize(
    ("first_mark", "cc_mark", "on_20", "recalled"),
    [
        (30, "16.5", "9", True),  # 30 + 82.5 = 112.5/250: 8/20 + 1
        (30, "11.5", "7", True),  # 30 + 57.5 = 87.5/250: 8/20 − 1, the band's lower edge
        (30, "11.4", None, False),  # 30 + 57 = 87/250 = 6.96/20: just below the band
        (90, "9.5", "11", True),  # 90 + 47.5 = 137.5/250: 10/20 + 1, the band's upper edge
        (90, "9.6", None, False),  # 90 + 48 = 138/250 = 11.04/20: just above the band
    ],
)
def test_cc_entered_after_the_first_scoring_asks_for_a_second_evaluation_in_the_band(
    admissible, staff, evaluator, trainer, first_mark, cc_mark, on_20, recalled
):
    portfolio = first_scored(admissible, staff, evaluator, first_mark)
    # Three modules of four: the bloc's CC is still unknown, the mark alone is out of the band.
    enter_cc(portfolio, trainer, cc_mark, codes=CC_MODULES[:3])
    assert refresh(portfolio).state == P.EVALUATED
    enter_cc(portfolio, trainer, cc_mark, codes=CC_MODULES[3:])
    portfolio = refresh(portfolio)
    events = AuditEvent.objects.filter(action="portfolio.second_evaluation_after_cc")
    if not recalled:
        assert (portfolio.state, portfolio.agreed_mark) == (P.EVALUATED, Decimal(first_mark))
        assert not events.exists()
        return
    assert (portfolio.state, portfolio.agreed_mark) == (P.SECOND_EVALUATION, None)
    assert portfolio.double_marking_reason.startswith(
        f"Note proche d'un seuil de décision : {on_20}/20 (CC compris)."
    )
    event = events.get()
    assert (event.actor, event.before["state"], event.after["state"]) == (
        trainer,
        P.EVALUATED,
        P.SECOND_EVALUATION,
    )
    assert Decimal(event.after["first_mark"]) == first_mark
    assert Decimal(event.after["cc"]) == 5 * Decimal(cc_mark)
    mail = Notification.objects.get(template="second_evaluation_required")
    assert mail.recipient == staff
    assert mail.context["reason"] == portfolio.double_marking_reason


def test_a_portfolio_ready_for_the_jury_goes_back_and_needs_the_usual_second_mark(
    admissible, staff, evaluator, second_evaluator, trainer
):
    portfolio = first_scored(admissible, staff, evaluator, 30)
    portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)
    enter_cc(portfolio, trainer, "16.5")
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.SECOND_EVALUATION, None)
    with pytest.raises(WorkflowError, match="pas encore arrêtée"):
        portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)
    # The second evaluator marks 36: 6 points apart on 150 (0.8/20), averaged to 33.
    score(assign_and_accept(portfolio, second_evaluator, staff, rank=2), Decimal(36))
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILED, Decimal(33))
    portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)
    assert refresh(portfolio).state == P.READY_FOR_JURY


def test_a_correction_out_of_the_band_keeps_the_second_evaluation_asked_for(
    admissible, staff, evaluator, trainer
):
    portfolio = first_scored(admissible, staff, evaluator, 30)
    enter_cc(portfolio, trainer, "16.5")
    assert refresh(portfolio).state == P.SECOND_EVALUATION
    enter_cc(portfolio, trainer, "20")  # 30 + 100 = 130/250 = 10.4/20: still in the band
    enter_cc(portfolio, trainer, "2")  # 30 + 10 = 40/250 = 3.2/20: far from both thresholds
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.SECOND_EVALUATION, None)
    assert AuditEvent.objects.filter(action="portfolio.second_evaluation_after_cc").count() == 1


def test_a_correction_that_stays_out_of_the_band_changes_nothing(
    admissible, staff, evaluator, trainer
):
    enter_cc(admissible, trainer, "2")  # 10 CC points known at the first scoring
    portfolio = first_scored(admissible, staff, evaluator, 30)  # 40/250 = 3.2/20
    enter_cc(portfolio, trainer, "4")  # 30 + 20 = 50/250 = 4/20
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.EVALUATED, Decimal(30))
    assert not AuditEvent.objects.filter(action="portfolio.second_evaluation_after_cc").exists()


def test_removing_a_cc_mark_judges_the_portfolio_mark_alone_again(
    admissible, staff, evaluator, trainer
):
    # At the first scoring: 60 + 100 = 160/250 = 12.8/20, out of the band.
    enter_cc(admissible, trainer, "20")
    portfolio = first_scored(admissible, staff, evaluator, 60)
    module = portfolio.bloc.modules.get(code="M1.7")
    cc.cc_mark_remove(actor=trainer, enrolment=portfolio.enrolment, module=module, label="1")
    # The CC is unknown again: 60/150 alone is exactly 8/20.
    portfolio = refresh(portfolio)
    assert portfolio.state == P.SECOND_EVALUATION
    assert "8/20 (note du portefeuille seule, CC inconnu)" in portfolio.double_marking_reason


def test_a_double_marked_portfolio_is_left_alone(
    admissible, staff, evaluator, second_evaluator, trainer
):
    enter_cc(admissible, trainer, "16.5")  # 30 + 82.5: the first scoring asks for a second
    score(assign_and_accept(admissible, evaluator, staff), Decimal(30))
    score(assign_and_accept(refresh(admissible), second_evaluator, staff, rank=2), Decimal(36))
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.RECONCILED, Decimal(33))
    portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)
    enter_cc(portfolio, trainer, "16")  # 33 + 80 = 113/250 = 9.04/20: in the band again
    portfolio = refresh(portfolio)
    assert (portfolio.state, portfolio.agreed_mark) == (P.READY_FOR_JURY, Decimal(33))


def test_the_sample_is_not_drawn_again(admissible, staff, evaluator, trainer, settings):
    portfolio = first_scored(admissible, staff, evaluator, 30)
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100  # every portfolio would be drawn now
    enter_cc(portfolio, trainer, "2")  # 40/250 = 3.2/20, far from the thresholds
    assert refresh(portfolio).state == P.EVALUATED


def test_a_decided_or_unscored_portfolio_is_left_alone(admissible, staff, evaluator, trainer):
    assign_and_accept(admissible, evaluator, staff)  # under evaluation: no mark yet
    enter_cc(admissible, trainer, "16.5")
    assert refresh(admissible).state == P.UNDER_EVALUATION
    decided = PortfolioFactory(state=P.DECIDED, agreed_mark=Decimal(30))
    TrainingLink.objects.create(
        trainer=trainer,
        module=decided.bloc.modules.get(code="M1.1"),
        cohort=decided.enrolment.cohort,
    )
    enter_cc(decided, trainer, "10", codes=("M1.1",))
    assert refresh(decided).state == P.DECIDED


# --- The grid and the import --------------------------------------------------------------------


def test_a_grid_cell_saved_after_the_first_scoring_asks_for_a_second_evaluation(
    client, admissible, staff, evaluator, trainer
):
    portfolio = first_scored(admissible, staff, evaluator, 30)
    enter_cc(portfolio, trainer, "16.5", codes=CC_MODULES[1:])
    module = portfolio.bloc.modules.get(code="M1.1")
    client.force_login(trainer)
    url = reverse("jury:cc_grid_cell", args=[portfolio.enrolment.cohort_id, module.pk])
    data = {"enrolment": portfolio.enrolment_id, "label": "1", "sur": 20, "version": 0}
    answer = client.post(url, {**data, "value": "16,5"})
    assert answer.status_code == 200, answer.content
    assert refresh(portfolio).state == P.SECOND_EVALUATION
    # The grid's own service, a cell emptied: the CC is unknown, 30/150 alone is out of the band.
    cc_grid.cc_cell_save(
        actor=trainer,
        enrolment=portfolio.enrolment,
        module=module,
        column=cc_grid.GridColumn("1", 20),
        text="",
        version=1,
    )
    assert refresh(portfolio).state == P.SECOND_EVALUATION


def test_the_grid_page_re_tests_once_after_all_its_cells(
    client, admissible, staff, evaluator, trainer
):
    cohort = admissible.enrolment.cohort
    near = first_scored(admissible, staff, evaluator, 30)
    other = first_scored(
        PortfolioFactory(enrolment=EnrolmentFactory(cohort=cohort), state=P.ADMISSIBLE),
        staff,
        evaluator,
        Decimal(30),
    )
    for portfolio in (near, other):
        enter_cc(portfolio, trainer, "16.5", codes=CC_MODULES[1:])
    module = near.bloc.modules.get(code="M1.1")
    client.force_login(trainer)
    data = {"col-0": "1", "sur-0": "20", "col-1": "2", "sur-1": "20"}
    for portfolio in (near, other):
        pk = portfolio.enrolment_id
        data |= {f"c-{pk}-0": "16", f"v-{pk}-0": "0", f"c-{pk}-1": "17", f"v-{pk}-1": "0"}
    data[f"c-{other.enrolment_id}-1"] = "vingt"  # refused: « other » has only 16 in M1.1
    answer = client.post(reverse("jury:cc_grid", args=[cohort.pk, module.pk]), data)
    assert answer.status_code == 200 and "saisissez une note" in answer.content.decode()
    # near: M1.1 at (16 + 17) / 2 = 16.5, 9/20; other: M1.1 at 16, 30 + 81.5 = 111.5/250.
    assert (refresh(near).state, refresh(other).state) == (P.SECOND_EVALUATION,) * 2
    actions = list(
        AuditEvent.objects.filter(
            action__in=["cc_mark.enter", "portfolio.second_evaluation_after_cc"]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    # Both re-tests run once, after the three cells written: not after each cell.
    assert actions[-5:] == ["cc_mark.enter"] * 3 + ["portfolio.second_evaluation_after_cc"] * 2


def test_an_import_re_tests_every_candidate_it_touches_once(admissible, staff, evaluator, trainer):
    cohort = admissible.enrolment.cohort
    near = first_scored(admissible, staff, evaluator, 30)
    far = first_scored(
        PortfolioFactory(enrolment=EnrolmentFactory(cohort=cohort), state=P.ADMISSIBLE),
        staff,
        evaluator,
        Decimal(140),
    )
    for portfolio in (near, far):
        enter_cc(portfolio, trainer, "16.5", codes=CC_MODULES[1:])
    module = near.bloc.modules.get(code="M1.1")
    content = (
        "email;note;sur;absence\n"
        f"{near.enrolment.candidate.email};16,5;20;\n"
        f"{far.enrolment.candidate.email};16,5;20;\n"
    ).encode()
    preview = cc_import.cc_import_preview(
        actor=trainer, module=module, cohort=cohort, content=content, filename="notes.csv"
    )
    assert preview.ok
    audits = AuditEvent.objects.filter(action="portfolio.second_evaluation_after_cc")
    cc_import.cc_import_apply(actor=trainer, module=module, cohort=cohort, entries=preview.entries)
    # near: 30 + 82.5 = 9/20; far: 140 + 82.5 = 222.5/250 = 17.8/20.
    assert (refresh(near).state, refresh(far).state) == (P.SECOND_EVALUATION, P.EVALUATED)
    assert list(audits.values_list("object_id", flat=True)) == [str(near.pk)]


def test_the_re_test_reads_as_many_rows_for_one_candidate_as_for_three(
    admissible, staff, evaluator, trainer
):
    cohort = admissible.enrolment.cohort
    portfolios = [first_scored(admissible, staff, evaluator, 140)] + [
        first_scored(
            PortfolioFactory(enrolment=EnrolmentFactory(cohort=cohort), state=P.ADMISSIBLE),
            staff,
            evaluator,
            140,
        )
        for _ in range(2)
    ]
    for portfolio in portfolios:
        enter_cc(portfolio, trainer, "15")  # 140 + 75 = 215/250 = 17.2/20: none goes back

    def queries(enrolment_ids):
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            assert (
                portfolios_retest_after_cc(
                    actor=trainer, enrolment_ids=enrolment_ids, bloc=admissible.bloc
                )
                == []
            )
        return len(captured)

    one = queries({portfolios[0].enrolment_id})
    assert one == queries({p.enrolment_id for p in portfolios}) == 6
