"""Reads for the certification workflow and the evaluation screens.

The staff's reads take the requesting user and keep only the rows of the establishments they
may see (``accounts.access.staff_scope``).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from accounts.access import Duty, staff_scope
from audit.clock import today
from audit.models import AuditEvent
from portfolio.models import Memoire, Portfolio
from workflow.evaluation.independence import LIVE_ASSIGNMENT_STATES, OPEN_ASSIGNMENT_STATES
from workflow.models import Assignment

QUEUE_FILTERS = {
    "a_accepter": Q(state=Assignment.State.PROPOSED),
    "en_cours": Q(state=Assignment.State.ACCEPTED),
    "echeance_proche": Q(state__in=[Assignment.State.PROPOSED, Assignment.State.ACCEPTED]),
    "terminees": Q(state=Assignment.State.COMPLETED),
    "toutes": Q(),
}


def due_soon_limit():
    return today() + timedelta(days=settings.PREUVES_REMINDER_DAYS_BEFORE)


def evaluator_queue(evaluator, *, filter_name: str = "toutes", kind: str = ""):
    """Return ``evaluator``'s assignments for the queue, nearest due date first."""
    rows = Assignment.objects.filter(evaluator=evaluator).exclude(
        state__in=[Assignment.State.DECLINED, Assignment.State.WITHDRAWN]
    )
    rows = rows.filter(QUEUE_FILTERS.get(filter_name, Q()))
    if filter_name == "echeance_proche":
        rows = rows.filter(due_date__lte=due_soon_limit())
    if kind == "portefeuille":
        rows = rows.filter(portfolio__isnull=False)
    elif kind == "memoire":
        rows = rows.filter(memoire__isnull=False)
    return rows.select_related(
        "portfolio__bloc",
        "portfolio__enrolment__candidate",
        "portfolio__enrolment__cohort",
        "memoire__enrolment__candidate",
        "memoire__enrolment__cohort",
        "scoring",
    ).order_by("due_date", "pk")


def evaluator_queue_counts(evaluator) -> dict[str, int]:
    return {name: evaluator_queue(evaluator, filter_name=name).count() for name in QUEUE_FILTERS}


def staff_portfolios(user):
    """Return the current portfolios of the establishments ``user`` may see, oldest first."""
    rows = staff_scope(Portfolio.objects.filter(is_active=True), user).select_related(
        "bloc", "enrolment__candidate", "enrolment__cohort"
    )
    return rows.order_by("submitted_at", "pk")


def staff_memoires(user):
    """Return the current mémoires of the establishments ``user`` may see, oldest first."""
    rows = staff_scope(Memoire.objects.filter(is_active=True), user).select_related(
        "enrolment__candidate", "enrolment__cohort"
    )
    return rows.order_by("submitted_at", "pk")


def staff_assignments(user, duty: Duty = Duty.READ):
    """Return the assignments whose portfolio or mémoire belongs to an establishment where
    ``user`` has ``duty`` (an assignment has no establishment of its own: its file decides)."""
    return Assignment.objects.filter(
        Q(portfolio__in=staff_scope(Portfolio.objects.all(), user, duty))
        | Q(memoire__in=staff_scope(Memoire.objects.all(), user, duty))
    )


def target_assignments(target):
    field = "portfolio" if isinstance(target, Portfolio) else "memoire"
    return (
        Assignment.objects.filter(**{field: target})
        .select_related("evaluator", "assigned_by", "scoring")
        .order_by("rank", "assigned_at")
    )


def object_history(obj):
    from django.contrib.contenttypes.models import ContentType

    return AuditEvent.objects.filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor", "object_type")


def _assignments_of(model):
    field = "portfolio" if model is Portfolio else "memoire"
    return Assignment.objects.filter(**{field: OuterRef("pk")})


def needs_evaluator_q(model) -> Q:
    """Return the condition of the files of ``model`` waiting for an evaluator, as
    ``policy.needs_evaluator`` decides for one file (any rank), for a count or a filter."""
    live = _assignments_of(model).filter(state__in=LIVE_ASSIGNMENT_STATES)
    no_first = ~Exists(live.filter(rank=Assignment.Rank.FIRST))
    if model is Portfolio:
        P = Portfolio.State
        waiting = (
            Q(state=P.ADMISSIBLE)
            | (Q(state__in=[P.ASSIGNED, P.UNDER_EVALUATION]) & no_first)
            | (Q(state=P.SECOND_EVALUATION) & ~Exists(live.filter(rank=Assignment.Rank.SECOND)))
        )
    else:
        waiting = Q(state=Memoire.State.SUBMITTED) | (Q(state=Memoire.State.ASSIGNED) & no_first)
    return Q(is_active=True) & waiting


def overdue_q(model) -> Q:
    """Return the condition of the files of ``model`` with an open assignment past its due date
    (the dashboard's overdue assignments, by file)."""
    return Q(
        Exists(
            _assignments_of(model).filter(state__in=OPEN_ASSIGNMENT_STATES, due_date__lt=today())
        )
    )
