"""Tutor evaluation: the 50-point grid, its states and who may act on it."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent, Notification
from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import fast_passwords, staff, submit_tutor  # noqa: F401
from workflow.errors import WorkflowError
from workflow.marks import tutoring
from workflow.models import TutorEvaluation

pytestmark = pytest.mark.django_db


def _full_points(evaluation):
    return {c.pk: c.max_points for c in evaluation.grid_version.criteria.all()}


def test_staff_invite_the_tutor_with_the_tutor_grid_pinned_and_frozen():
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    assert evaluation.state == TutorEvaluation.State.INVITED
    assert evaluation.grid_version.grid.kind == "tutor"
    assert evaluation.grid_version.total_points == Decimal(50)
    assert evaluation.grid_version.is_frozen
    assert Notification.objects.filter(
        key=f"tutor_invitation:{evaluation.pk}", recipient=enrolment.tutor
    ).exists()


def test_only_staff_invite_a_tutor():
    enrolment = EnrolmentFactory()
    with pytest.raises(WorkflowError):
        tutoring.tutor_evaluation_invite(actor=enrolment.tutor, enrolment=enrolment)


def test_the_tutor_saves_then_submits_and_the_mark_is_kept_as_given():
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    tutoring.tutor_evaluation_save(
        actor=enrolment.tutor,
        evaluation=evaluation,
        points=_full_points(evaluation),
        comment="Bien",
    )
    evaluation.refresh_from_db()
    assert evaluation.state == TutorEvaluation.State.IN_PROGRESS
    evaluation = tutoring.tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)
    assert evaluation.state == TutorEvaluation.State.SUBMITTED
    assert evaluation.total == Decimal(50)
    assert tutoring.tutor_mark(enrolment) == Decimal(50)
    assert AuditEvent.objects.filter(action="tutor_evaluation.submit").count() == 1


def test_submitting_with_a_criterion_unmarked_is_refused():
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    points = _full_points(evaluation)
    points.pop(next(iter(points)))
    tutoring.tutor_evaluation_save(actor=enrolment.tutor, evaluation=evaluation, points=points)
    with pytest.raises(WorkflowError, match="non notés"):
        tutoring.tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)


def test_points_above_a_criterion_maximum_are_refused():
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    criterion = evaluation.grid_version.criteria.first()
    with pytest.raises(WorkflowError, match="comprise entre 0"):
        tutoring.tutor_evaluation_save(
            actor=enrolment.tutor,
            evaluation=evaluation,
            points={criterion.pk: criterion.max_points + 1},
        )


def test_another_tutor_may_not_fill_or_submit_someone_elses_candidate():
    enrolment = EnrolmentFactory()
    other_tutor = UserFactory(roles=["tuteur"])
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    with pytest.raises(WorkflowError, match="Seul le tuteur"):
        tutoring.tutor_evaluation_save(
            actor=other_tutor, evaluation=evaluation, points=_full_points(evaluation)
        )
    tutoring.tutor_evaluation_save(
        actor=enrolment.tutor, evaluation=evaluation, points=_full_points(evaluation)
    )
    with pytest.raises(WorkflowError, match="Seul le tuteur"):
        tutoring.tutor_evaluation_submit(actor=other_tutor, evaluation=evaluation)
    assert list(tutoring.tutor_evaluations_for(other_tutor)) == []
    assert list(tutoring.tutor_evaluations_for(enrolment.tutor)) == [evaluation]


def test_submitting_an_invited_evaluation_is_refused():
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    with pytest.raises(WorkflowError, match="ne peut pas être remise"):
        tutoring.tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)


def test_a_submitted_evaluation_is_no_longer_editable_by_the_tutor():
    enrolment = EnrolmentFactory()
    evaluation = submit_tutor(enrolment)
    with pytest.raises(WorkflowError, match="ne peut plus être modifiée"):
        tutoring.tutor_evaluation_save(
            actor=enrolment.tutor, evaluation=evaluation, points=_full_points(evaluation)
        )


def test_staff_reopen_a_submitted_evaluation_with_a_reason_only():
    enrolment = EnrolmentFactory()
    evaluation = submit_tutor(enrolment)
    with pytest.raises(WorkflowError, match="motif"):
        tutoring.tutor_evaluation_reopen(actor=staff(), evaluation=evaluation, reason=" ")
    with pytest.raises(WorkflowError, match="personnel"):
        tutoring.tutor_evaluation_reopen(actor=enrolment.tutor, evaluation=evaluation, reason="x")
    evaluation = tutoring.tutor_evaluation_reopen(
        actor=staff(), evaluation=evaluation, reason="Erreur de saisie signalée"
    )
    assert evaluation.state == TutorEvaluation.State.IN_PROGRESS
    assert tutoring.tutor_mark(enrolment) is None


def test_a_locked_evaluation_can_be_neither_reopened_nor_edited():
    enrolment = EnrolmentFactory()
    evaluation = submit_tutor(enrolment)
    tutoring.tutor_evaluations_lock(actor=staff(), enrolments=[enrolment], session="jury")
    evaluation.refresh_from_db()
    assert evaluation.state == TutorEvaluation.State.LOCKED
    assert tutoring.tutor_mark(enrolment) == Decimal(50)
    with pytest.raises(WorkflowError):
        tutoring.tutor_evaluation_reopen(actor=staff(), evaluation=evaluation, reason="x")
    with pytest.raises(WorkflowError):
        tutoring.tutor_evaluation_save(
            actor=enrolment.tutor, evaluation=evaluation, points=_full_points(evaluation)
        )
