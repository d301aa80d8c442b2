"""Reads for the certification workflow and the evaluation screens."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from portfolio.models import Memoire, Portfolio
from referentiel.models import Title
from workflow import rules
from workflow.models import Assignment, AuditEvent, MemoireWrittenMark, Scoring
from workflow.transitions import today


def title_rules(title: Title) -> rules.TitleRules:
    """Return the certification rules of a title, every number taken from the référentiel."""
    blocs = tuple(
        rules.BlocRules(
            number=str(bloc.number),
            cc_max=Decimal(bloc.cc_points),
            exam_max=Decimal(bloc.exam_points),
            minimum_on_20=bloc.minimum_on_20,
            validation_on_20=bloc.validation_on_20,
        )
        for bloc in title.blocs.order_by("number")
    )
    practice = rules.PracticeRules(
        written_max=Decimal(title.practice_written_points),
        oral_max=Decimal(title.practice_oral_points),
        tutor_max=Decimal(title.practice_tutor_points),
        minimum_on_20=title.practice_minimum_on_20,
    )
    return rules.TitleRules(
        blocs=blocs,
        practice=practice,
        total_points=Decimal(title.total_points),
        pass_points=Decimal(title.pass_points),
    )


def title_rules_for_code(code: str) -> rules.TitleRules:
    """Return the certification rules of the title with this RNCP code."""
    return title_rules(Title.objects.get(code=code))


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
        "memoire__enrolment__candidate",
        "scoring",
    ).order_by("due_date", "pk")


def evaluator_queue_counts(evaluator) -> dict[str, int]:
    return {name: evaluator_queue(evaluator, filter_name=name).count() for name in QUEUE_FILTERS}


def staff_portfolios(*, state: str = ""):
    rows = Portfolio.objects.filter(is_active=True).select_related(
        "bloc", "enrolment__candidate", "enrolment__cohort"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("submitted_at", "pk")


def staff_memoires(*, state: str = ""):
    rows = Memoire.objects.filter(is_active=True).select_related(
        "enrolment__candidate", "enrolment__cohort"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("submitted_at", "pk")


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
    ).select_related("actor")


def memoire_written_mark(memoire):
    """Return the mémoire's written mark (out of 125), or None while it has none.

    The evaluator's submitted scoring counts; without one, the mark entered by the staff
    (``MemoireWrittenMark``, e.g. for a mémoire marked outside the application) is used. This is
    the one place that knows where the mark lives.
    """
    scoring = (
        Scoring.objects.filter(
            assignment__memoire=memoire,
            assignment__state=Assignment.State.COMPLETED,
            state=Scoring.State.SUBMITTED,
        )
        .order_by("-submitted_at")
        .first()
    )
    if scoring is not None:
        return scoring.total
    record = MemoireWrittenMark.objects.filter(memoire=memoire).first()
    return record.points if record else None
