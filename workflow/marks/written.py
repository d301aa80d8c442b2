"""Where the mémoire's written mark (out of 125) comes from."""

from __future__ import annotations

from workflow.models import Assignment, MemoireWrittenMark, Scoring


def memoire_written_marks(memoires) -> dict:
    """Return the written mark (out of 125) of ``memoires`` (ids or a queryset of ids) that have
    one, in two queries.

    The evaluator's submitted scoring counts (the latest one); without one, the mark entered by
    the staff (``MemoireWrittenMark``, e.g. for a mémoire marked outside the application) is
    used. This is the one place that knows where the mark lives.
    """
    marks = {}
    scorings = (
        Scoring.objects.filter(
            assignment__memoire__in=memoires,
            assignment__state=Assignment.State.COMPLETED,
            state=Scoring.State.SUBMITTED,
        )
        .order_by("assignment__memoire_id", "-submitted_at")
        .values_list("assignment__memoire_id", "total")
    )
    for memoire_id, total in scorings:
        marks.setdefault(memoire_id, total)
    entered = MemoireWrittenMark.objects.filter(memoire__in=memoires).values_list(
        "memoire_id", "points"
    )
    for memoire_id, points in entered:
        marks.setdefault(memoire_id, points)
    return marks


def memoire_written_mark(memoire):
    """Return the mémoire's written mark (out of 125), or None while it has none."""
    return memoire_written_marks([memoire.pk]).get(memoire.pk)
