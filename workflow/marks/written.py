"""Where the mémoire's written mark (out of 125) comes from."""

from __future__ import annotations

from decimal import Decimal

from portfolio.models import Memoire
from workflow.models import MemoireWrittenMark

HUNDREDTH = Decimal("0.01")
# A mémoire waiting for its first scoring (again), its second one or its reconciliation.
UNSETTLED = (Memoire.State.ASSIGNED, Memoire.State.SECOND_EVALUATION, Memoire.State.RECONCILIATION)


def memoire_written_marks(memoires) -> dict:
    """Return the written mark (out of 125) of ``memoires`` (ids or a queryset of ids) that have
    one, in two queries.

    The mark is the mémoire's ``agreed_mark``, set when it is settled: the single evaluator's
    submitted scoring, the mean of two close ones, or the one the staff kept on reconciling two
    distant ones (``workflow.evaluation.scoring``); else the mark the staff entered for a
    mémoire marked outside the application (``MemoireWrittenMark``, which sets it too). A
    mémoire waiting for its second evaluation or its reconciliation, or whose scoring was
    reopened, has none. This is the one place that knows where the mark lives.
    """
    marks = {
        pk: _two_places_unless_finer(mark)
        for pk, mark in Memoire.objects.filter(
            pk__in=memoires, agreed_mark__isnull=False
        ).values_list("pk", "agreed_mark")
    }
    entered = (
        MemoireWrittenMark.objects.filter(memoire__in=memoires)
        .exclude(memoire__state__in=UNSETTLED)
        .values_list("memoire_id", "points")
    )
    for memoire_id, points in entered:
        marks.setdefault(memoire_id, points)
    return marks


def _two_places_unless_finer(mark: Decimal) -> Decimal:
    """Return ``mark`` (stored with 3 places for a mean such as 65.875) with the 2 places of a
    scoring's total when the third is 0: 70.000 reads 70.00, as the mark it came from."""
    hundredths = mark.quantize(HUNDREDTH)
    return hundredths if hundredths == mark else mark


def memoire_written_mark(memoire):
    """Return the mémoire's written mark (out of 125), or None while it has none."""
    return memoire_written_marks([memoire.pk]).get(memoire.pk)
