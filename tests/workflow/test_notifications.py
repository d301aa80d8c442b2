"""E-mails of the evaluation workflow: sent after commit only, never twice; reminders."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent, Notification
from tests.factories import AssignmentFactory
from tests.workflow.helpers import assign_and_accept, due, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.assignments import assignment_decline, evaluator_assign, evaluator_reassign
from workflow.evaluation.screening import portfolio_return
from workflow.models import Assignment

pytestmark = pytest.mark.django_db


def test_the_assignment_mail_leaves_only_after_commit(
    admissible, staff, evaluator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assignment = evaluator_assign(
            target=admissible, evaluator=evaluator, actor=staff, due_date=due()
        )
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [evaluator.email]
    assert "proposé" in message.subject
    assert f"/evaluation/affectations/{assignment.pk}/reponse/" in message.body
    assert admissible.enrolment.candidate.get_full_name() in message.body
    assert Notification.objects.get().sent_at is not None


def test_a_refused_action_sends_nothing(
    admissible, staff, evaluator, django_capture_on_commit_callbacks
):
    first = evaluator_assign(target=admissible, evaluator=evaluator, actor=staff, due_date=due())
    tutor = admissible.enrolment.tutor
    tutor.user_roles.create(role=Role.EVALUATEUR)
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(WorkflowError):
            evaluator_reassign(
                assignment=first, evaluator=refresh(tutor), actor=staff, due_date=due(), reason="x"
            )
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == before


def test_a_decline_mails_the_staff_once(
    admissible, staff, evaluator, django_capture_on_commit_callbacks
):
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assignment_decline(assignment=assignment, actor=evaluator, reason="Je la connais.")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(WorkflowError):
            assignment_decline(assignment=assignment, actor=evaluator, reason="Encore")
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "Je la connais." in mail.outbox[0].body


def test_the_candidate_is_told_why_the_portfolio_is_returned(
    submitted, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_return(portfolio=submitted, actor=staff, reason="Ajoutez l'agenda partagé.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submitted.enrolment.candidate.email]
    assert "Ajoutez l'agenda partagé." in mail.outbox[0].body


def test_staff_hear_that_a_second_evaluation_is_required(
    admissible, staff, evaluator, django_capture_on_commit_callbacks
):
    assignment = assign_and_accept(admissible, evaluator, staff)
    with django_capture_on_commit_callbacks(execute=True):
        score(assignment, 60)
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "seconde" in mail.outbox[0].subject


def test_reminders_go_once_before_the_due_date_and_alerts_once_after(
    django_capture_on_commit_callbacks, settings
):
    settings.PREUVES_REMINDER_DAYS_BEFORE = 3
    today = timezone.localdate()
    soon = AssignmentFactory(due_date=today + timedelta(days=3))
    later = AssignmentFactory(due_date=today + timedelta(days=4))
    late = AssignmentFactory(due_date=today - timedelta(days=1), state=Assignment.State.ACCEPTED)
    done = AssignmentFactory(due_date=today - timedelta(days=1), state=Assignment.State.COMPLETED)
    out = StringIO()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out)
    assert "1 reminder(s) sent, 1 overdue alert(s) sent." in out.getvalue()
    assert "0 reminder(s) sent, 0 overdue alert(s) sent." in out.getvalue()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        [soon.evaluator.email, late.assigned_by.email, late.evaluator.email]
    )
    assert refresh(soon).reminder_sent_at is not None
    assert refresh(later).reminder_sent_at is None
    assert refresh(late).overdue_alerted_at is not None
    assert refresh(done).overdue_alerted_at is None
    assert AuditEvent.objects.filter(action="assignment.overdue").count() == 1
