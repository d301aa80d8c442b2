"""Due dates of assignments: a reminder before, an alert to the centre after. Never twice.

Each assignment row carries ``reminder_sent_at`` and ``overdue_alerted_at``; a row is claimed by
a conditional UPDATE (only while the column is empty), so two runs at once, or a run repeated
the same day, send nothing twice. The notification keys add a second guard.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import clock
from audit.clock import today
from audit.notifications import notify
from audit.trail import audit_record
from workflow.describe import mail_context
from workflow.errors import WorkflowError
from workflow.evaluation.independence import OPEN_ASSIGNMENT_STATES
from workflow.evaluation.policy import may_evaluate
from workflow.models import Assignment


@dataclass
class ReminderReport:
    reminders: int = 0
    overdue_alerts: int = 0


def _claim(assignment, column: str) -> bool:
    """Set ``column`` to now on ``assignment`` unless already set; return True if we set it."""
    claimed = Assignment.objects.filter(pk=assignment.pk, **{f"{column}__isnull": True}).update(
        **{column: clock.now()}
    )
    return claimed == 1


def assignment_reminders_send(*, days_before: int | None = None) -> ReminderReport:
    """Remind evaluators of due dates near, alert the centre of those passed; return counts."""
    if days_before is None:
        days_before = settings.PREUVES_REMINDER_DAYS_BEFORE
    report = ReminderReport()
    date = today()
    open_rows = Assignment.objects.filter(state__in=OPEN_ASSIGNMENT_STATES).select_related(
        "evaluator", "assigned_by", "portfolio__enrolment__candidate", "memoire__enrolment"
    )
    for assignment in open_rows.filter(
        reminder_sent_at__isnull=True,
        due_date__gte=date,
        due_date__lte=date + timedelta(days=days_before),
    ):
        with transaction.atomic():
            if not _claim(assignment, "reminder_sent_at"):
                continue
            target = assignment.target
            notify(
                key=f"assignment:{assignment.pk}:due-soon",
                recipient=assignment.evaluator,
                template="assignment_due_soon",
                context=mail_context(
                    target,
                    due_date=assignment.due_date.strftime("%d/%m/%Y"),
                    path=reverse("workflow:queue"),
                ),
            )
            audit_record(
                actor=None,
                action="assignment.reminder",
                obj=assignment,
                candidate=target.enrolment.candidate,
                after={"due_date": assignment.due_date.isoformat()},
            )
            report.reminders += 1
    for assignment in open_rows.filter(overdue_alerted_at__isnull=True, due_date__lt=date):
        with transaction.atomic():
            if not _claim(assignment, "overdue_alerted_at"):
                continue
            target = assignment.target
            context = mail_context(
                target,
                evaluator=assignment.evaluator,
                due_date=assignment.due_date.strftime("%d/%m/%Y"),
                path=reverse("workflow:staff-portfolio", args=[target.pk])
                if assignment.portfolio_id
                else reverse("workflow:staff-memoires"),
            )
            notify(
                key=f"assignment:{assignment.pk}:overdue:staff",
                recipient=assignment.assigned_by,
                template="assignment_overdue_staff",
                context=context,
            )
            notify(
                key=f"assignment:{assignment.pk}:overdue:evaluator",
                recipient=assignment.evaluator,
                template="assignment_overdue_evaluator",
                context={**context, "path": reverse("workflow:queue")},
            )
            audit_record(
                actor=None,
                action="assignment.overdue",
                obj=assignment,
                candidate=target.enrolment.candidate,
                after={"due_date": assignment.due_date.isoformat()},
            )
            report.overdue_alerts += 1
    return report


def assignment_overdue_remind(*, assignment: Assignment, actor) -> None:
    """Remind the evaluator of ``assignment``, past its due date, now (the centre's reminder
    from a list); at most once a day for each assignment. Audited."""
    if not may_evaluate(actor, assignment):
        raise WorkflowError(_("Seul le personnel du centre peut relancer un évaluateur."))
    date = today()
    if assignment.state not in OPEN_ASSIGNMENT_STATES or assignment.due_date >= date:
        raise WorkflowError(_("Cette évaluation n'est pas en retard : rechargez la page."))
    target = assignment.target
    with transaction.atomic():
        sent = notify(
            key=f"assignment:{assignment.pk}:reminded:{date.isoformat()}",
            recipient=assignment.evaluator,
            template="assignment_overdue_evaluator",
            context=mail_context(
                target,
                evaluator=assignment.evaluator,
                due_date=assignment.due_date.strftime("%d/%m/%Y"),
                path=reverse("workflow:queue"),
            ),
        )
        if not sent:
            raise WorkflowError(_("Évaluateur déjà relancé aujourd'hui pour ce dossier."))
        audit_record(
            actor=actor,
            action="assignment.remind",
            obj=assignment,
            candidate=target.enrolment.candidate,
            after={"due_date": assignment.due_date.isoformat()},
        )
