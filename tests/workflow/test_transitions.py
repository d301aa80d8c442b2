"""Every transition the evaluation services own: allowed from its source states, by its role,
and refused from every other state or by anyone else."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from portfolio.models import Memoire, Portfolio
from tests.factories import (
    AssignmentFactory,
    EvaluatorFactory,
    EvidenceItemFactory,
    MemoireFactory,
    PortfolioFactory,
    StaffFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, due, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.assignments import (
    assignment_accept,
    assignment_decline,
    assignment_withdraw,
    declaration_text,
    evaluator_assign,
    evaluator_reassign,
)
from workflow.evaluation.scoring import portfolio_mark_ready_for_jury, scoring_reopen
from workflow.evaluation.screening import portfolio_declare_admissible, portfolio_return
from workflow.models import Assignment, Scoring

pytestmark = pytest.mark.django_db

P = Portfolio.State
ALL_PORTFOLIO_STATES = list(P.values)


def non_staff_users():
    return [
        UserFactory(roles=[Role.CANDIDAT]),
        EvaluatorFactory(),
        UserFactory(roles=[Role.TUTEUR]),
        UserFactory(roles=[Role.FORMATEUR]),
        UserFactory(roles=[Role.JURY]),
    ]


# --- Screening ---------------------------------------------------------------------------------


def test_staff_declares_a_submitted_portfolio_admissible_and_it_is_audited(submitted, staff):
    portfolio = portfolio_declare_admissible(portfolio=submitted, actor=staff)
    assert refresh(portfolio).state == P.ADMISSIBLE
    event = AuditEvent.objects.get(action="portfolio.declare_admissible")
    assert (event.actor, event.candidate) == (staff, submitted.enrolment.candidate)
    assert (event.before, event.after) == ({"state": "submitted"}, {"state": "admissible"})


def test_an_administrator_may_screen_too(submitted):
    admin = StaffFactory(roles=[Role.ADMINISTRATEUR])
    assert portfolio_declare_admissible(portfolio=submitted, actor=admin).state == P.ADMISSIBLE


@pytest.mark.parametrize("state", [s for s in ALL_PORTFOLIO_STATES if s != P.SUBMITTED])
def test_screening_is_refused_from_any_other_state(state, staff):
    portfolio = PortfolioFactory(state=state)
    with pytest.raises(WorkflowError):
        portfolio_declare_admissible(portfolio=portfolio, actor=staff)
    with pytest.raises(WorkflowError):
        portfolio_return(portfolio=portfolio, actor=staff, reason="Pièces manquantes")
    assert refresh(portfolio).state == state
    assert not AuditEvent.objects.exists()


def test_screening_is_refused_to_everyone_but_the_staff(submitted):
    for user in non_staff_users():
        with pytest.raises(WorkflowError, match="personnel du centre"):
            portfolio_declare_admissible(portfolio=submitted, actor=user)
        with pytest.raises(WorkflowError, match="personnel du centre"):
            portfolio_return(portfolio=submitted, actor=user, reason="x")
    assert refresh(submitted).state == P.SUBMITTED


def test_an_inactive_version_cannot_be_screened(staff):
    portfolio = PortfolioFactory(state=P.SUBMITTED, is_active=False)
    with pytest.raises(WorkflowError):
        portfolio_declare_admissible(portfolio=portfolio, actor=staff)


def test_returning_needs_a_reason_and_records_it(submitted, staff):
    with pytest.raises(WorkflowError) as refused:
        portfolio_return(portfolio=submitted, actor=staff, reason="   ")
    assert "reason" in refused.value.field_errors
    portfolio = portfolio_return(
        portfolio=submitted, actor=staff, reason="Ajoutez la procédure du C.1.1.1."
    )
    portfolio = refresh(portfolio)
    assert portfolio.state == P.RETURNED
    assert portfolio.return_reason == "Ajoutez la procédure du C.1.1.1."
    event = AuditEvent.objects.get(action="portfolio.return")
    assert event.reason == "Ajoutez la procédure du C.1.1.1."


def test_returning_gives_the_candidate_a_new_draft_version_with_the_same_items(submitted, staff):
    item = EvidenceItemFactory(portfolio=submitted)
    portfolio_return(portfolio=submitted, actor=staff, reason="Complétez le C.1.2.4.")
    old = refresh(submitted)
    new = Portfolio.objects.get(previous=old)
    assert (old.is_active, new.is_active) == (False, True)
    assert new.state == P.DRAFT and new.version == old.version + 1
    assert list(new.items.values_list("sha256", flat=True)) == [item.sha256]
    assert list(old.items.values_list("pk", flat=True)) == [item.pk]


# --- Assignment ----------------------------------------------------------------------------------


def test_staff_assigns_an_admissible_portfolio(admissible, staff, evaluator):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    assert assignment.state == Assignment.State.PROPOSED
    assert (assignment.assigned_by, assignment.rank) == (staff, 1)
    assert refresh(admissible).state == P.ASSIGNED
    assert AuditEvent.objects.filter(action="assignment.create", actor=staff).count() == 1


@pytest.mark.parametrize(
    "state",
    [
        s
        for s in ALL_PORTFOLIO_STATES
        if s not in {P.ADMISSIBLE, P.ASSIGNED, P.UNDER_EVALUATION, P.SECOND_EVALUATION}
    ],
)
def test_assignment_is_refused_when_the_portfolio_does_not_await_an_evaluator(
    state, staff, evaluator
):
    portfolio = PortfolioFactory(state=state)
    for rank in (1, 2):
        with pytest.raises(WorkflowError, match="n'attend pas d'évaluateur"):
            evaluator_assign(
                target=portfolio, evaluator=evaluator, actor=staff, due_date=due(), rank=rank
            )
    assert not Assignment.objects.exists()


def test_a_second_first_rank_assignment_is_refused_while_one_is_live(admissible, staff):
    evaluator_assign(target=admissible, evaluator=EvaluatorFactory(), actor=staff, due_date=due())
    with pytest.raises(WorkflowError, match="n'attend pas d'évaluateur"):
        evaluator_assign(
            target=admissible, evaluator=EvaluatorFactory(), actor=staff, due_date=due()
        )


def test_assignment_is_refused_to_non_staff_and_with_a_past_due_date(admissible, evaluator):
    for user in non_staff_users():
        with pytest.raises(WorkflowError, match="personnel du centre"):
            evaluator_assign(target=admissible, evaluator=evaluator, actor=user, due_date=due())
    with pytest.raises(WorkflowError) as refused:
        evaluator_assign(
            target=admissible,
            evaluator=evaluator,
            actor=StaffFactory(),
            due_date=timezone.localdate(),
        )
    assert "due_date" in refused.value.field_errors
    assert refresh(admissible).state == P.ADMISSIBLE


def test_the_evaluator_accepts_with_the_declaration_and_the_evaluation_starts(
    admissible, staff, evaluator
):
    assignment = assign_and_accept(admissible, evaluator, staff)
    assignment = refresh(assignment)
    assert assignment.state == Assignment.State.ACCEPTED
    assert evaluator.get_full_name() in assignment.declaration_text
    assert assignment.accepted_at is not None
    portfolio = refresh(admissible)
    assert portfolio.state == P.UNDER_EVALUATION
    scoring = assignment.scoring
    assert scoring.state == Scoring.State.DRAFT
    assert portfolio.grid_version == scoring.grid_version
    assert scoring.grid_version.is_frozen
    assert scoring.scores.count() == scoring.grid_version.criteria.count()
    assert AuditEvent.objects.filter(
        action="assignment.accept", reason__contains="déclare"
    ).exists()


def test_only_the_assigned_evaluator_may_accept_or_decline(admissible, staff, evaluator):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    for user in [EvaluatorFactory(), staff, admissible.enrolment.candidate]:
        with pytest.raises(WorkflowError, match="pas destinée"):
            assignment_accept(assignment=assignment, actor=user, declaration="Je déclare")
        with pytest.raises(WorkflowError, match="pas destinée"):
            assignment_decline(assignment=assignment, actor=user, reason="Non")
    assert refresh(assignment).state == Assignment.State.PROPOSED


def test_accepting_needs_the_declaration(admissible, staff, evaluator):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    with pytest.raises(WorkflowError):
        assignment_accept(assignment=assignment, actor=evaluator, declaration="")
    assert refresh(assignment).state == Assignment.State.PROPOSED


@pytest.mark.parametrize(
    "state",
    [
        Assignment.State.ACCEPTED,
        Assignment.State.DECLINED,
        Assignment.State.COMPLETED,
        Assignment.State.WITHDRAWN,
    ],
)
def test_accept_and_decline_are_refused_unless_proposed(state):
    assignment = AssignmentFactory(state=state)
    with pytest.raises(WorkflowError, match="déjà changé"):
        assignment_accept(
            assignment=assignment,
            actor=assignment.evaluator,
            declaration=declaration_text(assignment),
        )
    with pytest.raises(WorkflowError, match="déjà changé"):
        assignment_decline(assignment=assignment, actor=assignment.evaluator, reason="Indisponible")
    assert refresh(assignment).state == state


def test_declining_sends_the_portfolio_back_to_assignment(admissible, staff, evaluator):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    with pytest.raises(WorkflowError):
        assignment_decline(assignment=assignment, actor=evaluator, reason="")
    assignment_decline(assignment=assignment, actor=evaluator, reason="Je connais sa manager.")
    assignment = refresh(assignment)
    assert assignment.state == Assignment.State.DECLINED
    assert assignment.declined_reason == "Je connais sa manager."
    assert refresh(admissible).state == P.ADMISSIBLE


def test_a_conflict_declared_after_assignment_blocks_acceptance(admissible, staff, evaluator):
    from tests.factories import ConflictDeclarationFactory

    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    ConflictDeclarationFactory(evaluator=evaluator, candidate=admissible.enrolment.candidate)
    with pytest.raises(WorkflowError, match="conflit d'intérêts"):
        assignment_accept(
            assignment=assignment, actor=evaluator, declaration=declaration_text(assignment)
        )
    assert refresh(assignment).state == Assignment.State.PROPOSED


def test_staff_withdraw_a_proposed_assignment_and_the_portfolio_awaits_another(
    admissible, staff, evaluator
):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    with pytest.raises(WorkflowError, match="personnel du centre"):
        assignment_withdraw(assignment=assignment, actor=evaluator, reason="x")
    with pytest.raises(WorkflowError):
        assignment_withdraw(assignment=assignment, actor=staff, reason="")
    assignment_withdraw(assignment=assignment, actor=staff, reason="Indisponible")
    assert refresh(assignment).state == Assignment.State.WITHDRAWN
    assert refresh(admissible).state == P.ADMISSIBLE


@pytest.mark.parametrize(
    "state", [Assignment.State.DECLINED, Assignment.State.COMPLETED, Assignment.State.WITHDRAWN]
)
def test_withdrawal_is_refused_once_the_assignment_is_closed(state, staff):
    assignment = AssignmentFactory(state=state)
    with pytest.raises(WorkflowError):
        assignment_withdraw(assignment=assignment, actor=staff, reason="Retard")


def test_reassigning_an_accepted_overdue_evaluation_keeps_the_portfolio_under_evaluation(
    admissible, staff, evaluator, second_evaluator
):
    first = assign_and_accept(admissible, evaluator, staff)
    new = evaluator_reassign(
        assignment=first,
        evaluator=second_evaluator,
        actor=staff,
        due_date=due(),
        reason="Délai dépassé",
    )
    assert refresh(first).state == Assignment.State.WITHDRAWN
    assert (new.evaluator, new.state, new.rank) == (second_evaluator, "proposed", 1)
    assert refresh(admissible).state == P.UNDER_EVALUATION
    accepted = assignment_accept(
        assignment=new, actor=second_evaluator, declaration=declaration_text(new)
    )
    score(accepted, 120)
    assert refresh(admissible).state == P.EVALUATED
    assert refresh(admissible).agreed_mark == Decimal("120")


def test_a_refused_reassignment_changes_nothing(admissible, staff, evaluator):
    first = evaluator_assign(target=admissible, evaluator=evaluator, actor=staff, due_date=due())
    tutor = admissible.enrolment.tutor
    tutor.user_roles.create(role=Role.EVALUATEUR)
    with pytest.raises(WorkflowError, match="tuteur"):
        evaluator_reassign(
            assignment=first, evaluator=refresh(tutor), actor=staff, due_date=due(), reason="x"
        )
    assert refresh(first).state == Assignment.State.PROPOSED
    assert refresh(admissible).state == P.ASSIGNED
    assert not AuditEvent.objects.filter(action="assignment.withdraw").exists()


# --- Evaluation complete / reopen / ready for jury -----------------------------------------------


def test_submitting_completes_the_evaluation_and_sets_the_mark(admissible, staff, evaluator):
    assignment = assign_and_accept(admissible, evaluator, staff)
    scoring = score(assignment, 120)
    assert scoring.state == Scoring.State.SUBMITTED and scoring.total == Decimal("120")
    assert refresh(assignment).state == Assignment.State.COMPLETED
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.EVALUATED, Decimal("120"))


def test_staff_reopen_a_submitted_scoring_with_a_reason(admissible, staff, evaluator):
    assignment = assign_and_accept(admissible, evaluator, staff)
    scoring = score(assignment, 120)
    with pytest.raises(WorkflowError, match="personnel du centre"):
        scoring_reopen(scoring=scoring, actor=evaluator, reason="Erreur de saisie")
    with pytest.raises(WorkflowError):
        scoring_reopen(scoring=scoring, actor=staff, reason="")
    scoring = scoring_reopen(scoring=scoring, actor=staff, reason="Erreur de saisie signalée")
    assert refresh(scoring).state == Scoring.State.DRAFT
    assert refresh(assignment).state == Assignment.State.ACCEPTED
    portfolio = refresh(admissible)
    assert (portfolio.state, portfolio.agreed_mark) == (P.UNDER_EVALUATION, None)
    event = AuditEvent.objects.get(action="scoring.reopen")
    assert (event.actor, event.reason) == (staff, "Erreur de saisie signalée")
    score(refresh(assignment), 100)
    assert refresh(admissible).agreed_mark == Decimal("100")


def test_a_draft_scoring_cannot_be_reopened(admissible, staff, evaluator):
    assignment = assign_and_accept(admissible, evaluator, staff)
    with pytest.raises(WorkflowError):
        scoring_reopen(scoring=assignment.scoring, actor=staff, reason="x")


def test_staff_mark_an_evaluated_portfolio_ready_for_jury_and_then_it_cannot_reopen(
    admissible, staff, evaluator
):
    assignment = assign_and_accept(admissible, evaluator, staff)
    scoring = score(assignment, 120)
    with pytest.raises(WorkflowError, match="personnel du centre"):
        portfolio_mark_ready_for_jury(portfolio=admissible, actor=evaluator)
    portfolio_mark_ready_for_jury(portfolio=admissible, actor=staff)
    assert refresh(admissible).state == P.READY_FOR_JURY
    with pytest.raises(WorkflowError, match="ne peut plus être rouverte"):
        scoring_reopen(scoring=scoring, actor=staff, reason="Trop tard")


@pytest.mark.parametrize(
    "state",
    [s for s in ALL_PORTFOLIO_STATES if s not in {P.EVALUATED, P.RECONCILED}],
)
def test_ready_for_jury_is_refused_from_other_states(state, staff):
    portfolio = PortfolioFactory(state=state, agreed_mark=Decimal("100"))
    with pytest.raises(WorkflowError):
        portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)
    assert refresh(portfolio).state == state


def test_ready_for_jury_is_refused_without_an_agreed_mark(staff):
    portfolio = PortfolioFactory(state=P.EVALUATED, agreed_mark=None)
    with pytest.raises(WorkflowError, match="pas encore arrêtée"):
        portfolio_mark_ready_for_jury(portfolio=portfolio, actor=staff)


# --- Mémoire ------------------------------------------------------------------------------------


def test_memoire_is_assigned_accepted_and_written_mark_is_out_of_125(staff, evaluator):
    from workflow.marks.written import memoire_written_mark

    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    assignment = assign_and_accept(memoire, evaluator, staff)
    assert refresh(memoire).state == Memoire.State.ASSIGNED
    assert assignment.scoring.grid_version.grid.points == 125
    assert memoire_written_mark(memoire) is None
    score(assignment, Decimal("87.5"))
    assert refresh(memoire).state == Memoire.State.WRITTEN_MARKED
    assert memoire_written_mark(memoire) == Decimal("87.5")


def test_memoire_decline_returns_it_to_submitted(staff, evaluator):
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    assignment = evaluator_assign(target=memoire, evaluator=evaluator, actor=staff, due_date=due())
    assignment_decline(assignment=assignment, actor=evaluator, reason="Conflit de calendrier")
    assert refresh(memoire).state == Memoire.State.SUBMITTED


@pytest.mark.parametrize(
    "state",
    [s for s in Memoire.State.values if s not in {Memoire.State.SUBMITTED, Memoire.State.ASSIGNED}],
)
def test_memoire_assignment_is_refused_from_other_states(state, staff, evaluator):
    memoire = MemoireFactory(state=state)
    with pytest.raises(WorkflowError):
        evaluator_assign(target=memoire, evaluator=evaluator, actor=staff, due_date=due())


def test_an_assigned_memoire_with_a_live_assignment_refuses_another(staff, evaluator):
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    evaluator_assign(target=memoire, evaluator=evaluator, actor=staff, due_date=due())
    with pytest.raises(WorkflowError, match="n'attend pas d'évaluateur"):
        evaluator_assign(target=memoire, evaluator=EvaluatorFactory(), actor=staff, due_date=due())


def test_a_memoire_takes_a_second_evaluator_only_when_double_marking_asks(staff, evaluator):
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    with pytest.raises(WorkflowError, match="n'attend pas d'évaluateur"):
        evaluator_assign(target=memoire, evaluator=evaluator, actor=staff, due_date=due(), rank=2)


def test_memoire_scoring_reopens_while_written_marked_and_is_settled_again(staff, evaluator):
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    assignment = assign_and_accept(memoire, evaluator, staff)
    scoring = score(assignment, 80)
    assert refresh(memoire).agreed_mark == 80
    scoring_reopen(scoring=scoring, actor=staff, reason="Critère 2 mal reporté")
    assert refresh(scoring).state == Scoring.State.DRAFT
    # The mark is no longer settled: back to « affecté » until the scoring is submitted again.
    memoire = refresh(memoire)
    assert (memoire.state, memoire.agreed_mark) == (Memoire.State.ASSIGNED, None)
    score(assignment, 82)
    memoire = refresh(memoire)
    assert (memoire.state, memoire.agreed_mark) == (Memoire.State.WRITTEN_MARKED, 82)


def test_due_helper_is_in_the_future():
    assert due() > timezone.localdate() + timedelta(days=1)


def test_a_stale_copy_cannot_overwrite_a_concurrent_change(submitted):
    from workflow.transitions import fire, save

    mine, theirs = refresh(submitted), refresh(submitted)
    fire(theirs, "declare_admissible")
    save(theirs)
    fire(mine, "return_for_changes")
    with pytest.raises(WorkflowError, match="Quelqu'un d'autre"):
        save(mine)
    assert refresh(submitted).state == P.ADMISSIBLE
