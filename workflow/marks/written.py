"""Where the mémoire's written mark (out of 125) comes from."""

from __future__ import annotations

from workflow.models import Assignment, MemoireWrittenMark, Scoring


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
