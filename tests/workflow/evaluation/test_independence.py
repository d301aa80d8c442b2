"""Independence of evaluators, checked from recorded data, at assignment and in the suggestion."""

import pytest

from accounts.models import Role
from audit.models import AuditEvent
from portfolio.models import Portfolio
from tests.factories import (
    AccompanimentFactory,
    ConflictDeclarationFactory,
    EnrolmentFactory,
    EvaluatorFactory,
    PortfolioFactory,
    TrainingLinkFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, due, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.assignments import evaluator_assign
from workflow.evaluation.independence import (
    evaluator_options,
    evaluator_suggest,
    independence_problems,
)
from workflow.models import Assignment

pytestmark = pytest.mark.django_db


def refused(portfolio, evaluator, staff, *, rank=1) -> WorkflowError:
    with pytest.raises(WorkflowError) as caught:
        evaluator_assign(
            target=portfolio, evaluator=evaluator, actor=staff, due_date=due(), rank=rank
        )
    assert not Assignment.objects.filter(evaluator=evaluator, rank=rank).exists()
    return caught.value


def test_an_independent_evaluator_has_no_problem(admissible, evaluator):
    assert independence_problems(evaluator, admissible.enrolment) == []


def test_refused_when_the_evaluator_trained_the_candidates_cohort(admissible, evaluator, staff):
    link = TrainingLinkFactory(trainer=evaluator, cohort=admissible.enrolment.cohort)
    error = refused(admissible, evaluator, staff)
    assert f"A formé ce candidat (module {link.module.code}" in error.message
    assert error.field_errors["evaluator"] == error.reasons
    assert refresh(admissible).state == Portfolio.State.ADMISSIBLE
    assert not AuditEvent.objects.exists()


def test_refused_when_the_evaluator_trained_an_earlier_cohort_of_the_candidate(
    admissible, evaluator, staff
):
    earlier = EnrolmentFactory(candidate=admissible.enrolment.candidate)
    TrainingLinkFactory(trainer=evaluator, cohort=earlier.cohort)
    assert "A formé ce candidat" in refused(admissible, evaluator, staff).message


def test_training_another_cohort_is_no_problem(admissible, evaluator):
    TrainingLinkFactory(trainer=evaluator)
    assert independence_problems(evaluator, admissible.enrolment) == []


def test_refused_when_the_evaluator_accompanied_the_candidate(admissible, evaluator, staff):
    AccompanimentFactory(accompanist=evaluator, candidate=admissible.enrolment.candidate)
    assert "A accompagné ce candidat" in refused(admissible, evaluator, staff).message


def test_refused_when_the_evaluator_is_the_tutor(admissible, staff):
    tutor = admissible.enrolment.tutor
    tutor.employer = None
    tutor.save()
    tutor.user_roles.create(role=Role.EVALUATEUR)
    error = refused(admissible, refresh(tutor), staff)
    assert error.reasons == ["Est le tuteur de ce candidat en entreprise."]


def test_refused_when_the_evaluator_works_for_the_candidates_company(admissible, staff):
    colleague = EvaluatorFactory(employer=admissible.enrolment.company)
    error = refused(admissible, colleague, staff)
    assert error.reasons == [
        f"Travaille pour l'entreprise du candidat ({admissible.enrolment.company})."
    ]


def test_refused_when_the_evaluator_declared_a_conflict(admissible, evaluator, staff):
    ConflictDeclarationFactory(
        evaluator=evaluator, candidate=admissible.enrolment.candidate, reason="Voisin"
    )
    error = refused(admissible, evaluator, staff)
    assert error.reasons == ["A déclaré un conflit d'intérêts avec ce candidat : Voisin"]


def test_refused_without_the_evaluator_role(admissible, staff):
    trainer = UserFactory(roles=[Role.FORMATEUR])
    assert refused(admissible, trainer, staff).reasons == [
        "Cette personne n'a pas le rôle d'évaluateur."
    ]


def test_refused_for_the_candidate_themself(admissible, staff):
    candidate = admissible.enrolment.candidate
    candidate.user_roles.create(role=Role.EVALUATEUR)
    error = refused(admissible, refresh(candidate), staff)
    assert "propre dossier" in error.message


def test_refused_when_the_second_evaluator_is_the_first(admissible, staff, evaluator, settings):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    score(assign_and_accept(admissible, evaluator, staff), 120)
    assert refresh(admissible).state == Portfolio.State.SECOND_EVALUATION
    error = refused(admissible, evaluator, staff, rank=2)
    assert "première évaluation" in error.message


def test_all_reasons_are_given_together(admissible, staff):
    evaluator = EvaluatorFactory(employer=admissible.enrolment.company)
    AccompanimentFactory(accompanist=evaluator, candidate=admissible.enrolment.candidate)
    assert len(refused(admissible, evaluator, staff).reasons) == 2


def test_suggestion_lists_eligible_evaluators_least_loaded_first(admissible, staff):
    busy, idle, trainer = EvaluatorFactory(), EvaluatorFactory(), EvaluatorFactory()
    TrainingLinkFactory(trainer=trainer, cohort=admissible.enrolment.cohort)
    for _ in range(2):
        other = PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
        evaluator_assign(target=other, evaluator=busy, actor=staff, due_date=due())
    assert evaluator_suggest(admissible) == [idle, busy]
    options = {o.user: o for o in evaluator_options(admissible)}
    assert options[busy].open_assignments == 2
    assert not options[trainer].eligible and "A formé" in options[trainer].problems[0]
    assert list(options)[-1] == trainer


def test_suggestion_for_the_second_evaluation_excludes_the_first(
    admissible, staff, evaluator, second_evaluator, settings
):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    score(assign_and_accept(admissible, evaluator, staff), 120)
    assert evaluator_suggest(admissible, rank=2) == [second_evaluator]
