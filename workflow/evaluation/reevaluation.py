"""A portfolio marked once is tested again for double marking when its bloc's CC changes.

Double marking is decided when the first evaluator submits, from the bloc's CC known then. A CC
mark entered, corrected or removed afterwards changes the bloc's mark: every path that writes CC
marks (one entry, a grid cell, an import) calls ``cc_changing`` then ``cc_changed`` inside its
transaction, and ``portfolios_retest_after_cc`` (registered by ``WorkflowConfig``) re-tests the
candidates' portfolios of the bloc whose mark one evaluator settled: « évalué », or « prêt pour
le jury » while the jury has not decided (its decision reads the bloc with its CC, which the
double marking must have seen). Only the threshold band is tested again: the sample was drawn
once, at the first scoring. If the bloc is now near a threshold, the portfolio goes back to
« seconde évaluation », its agreed mark cleared, and the staff who assigned the first evaluator
are told, as at a first scoring; the second mark is then averaged or reconciled as usual.

A portfolio already double-marked, decided by the jury, or still being marked is left alone
(its first scoring reads the CC when it is submitted). A correction that takes the bloc out of
the band withdraws nothing: a second evaluation already asked for goes on (a second look never
lowers the quality of a mark, and withdrawing it would hide a decision the staff were told of).

Locks: the candidates' active portfolios of the bloc are locked whatever their state, before the
CC marks and before the audit trail's lock (``portfolios_lock_for_cc``, first in the change's
transaction), so that a first scoring or a « prêt pour le jury » running at the same time waits
for the CC change, then reads it (``scoring_submit`` reads the CC after locking its portfolio).
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import Portfolio
from workflow.describe import mail_context
from workflow.evaluation.double_marking import threshold_reason
from workflow.marks.cc import cc_rule_marks_by_enrolment, cc_summary
from workflow.models import Assignment, Reconciliation, Scoring
from workflow.transitions import fire, save

P = Portfolio.State
SETTLED_BY_ONE = (P.EVALUATED, P.READY_FOR_JURY)


def portfolios_lock_for_cc(*, enrolment_ids, bloc) -> list[Portfolio]:
    """Lock the active portfolios of ``enrolment_ids`` in ``bloc``, whatever their state, before
    their CC changes (a scoring or a « prêt pour le jury » on one of them waits, then reads the
    new CC); return them."""
    return list(
        Portfolio.objects.select_for_update(of=("self",))
        .filter(enrolment_id__in=enrolment_ids, bloc=bloc, is_active=True)
        .select_related("enrolment__candidate")
        .order_by("pk")
    )


def portfolios_retest_after_cc(*, actor, enrolment_ids, bloc) -> list[Portfolio]:
    """Re-test the portfolios of ``enrolment_ids`` in ``bloc`` after a CC change; return those
    sent back to a second evaluation. Call inside the transaction of the change, after
    ``portfolios_lock_for_cc``.

    A few queries for the whole change (an import of a cohort included), one more per portfolio
    sent back; none beyond the lock when no portfolio of the bloc is settled yet.
    """
    portfolios = portfolios_lock_for_cc(enrolment_ids=enrolment_ids, bloc=bloc)
    settled = {p.pk: p for p in portfolios if p.state in SETTLED_BY_ONE and p.agreed_mark}
    if not settled:
        return []
    double_marked = set(
        Reconciliation.objects.filter(portfolio__in=settled).values_list("portfolio_id", flat=True)
    ) | set(
        Assignment.objects.filter(portfolio__in=settled, rank=Assignment.Rank.SECOND).values_list(
            "portfolio_id", flat=True
        )
    )
    firsts = {
        s.assignment.portfolio_id: s
        for s in Scoring.objects.filter(
            assignment__portfolio__in=[pk for pk in settled if pk not in double_marked],
            assignment__rank=Assignment.Rank.FIRST,
            assignment__state=Assignment.State.COMPLETED,
            state=Scoring.State.SUBMITTED,
        ).select_related("assignment__assigned_by", "grid_version__grid")
    }
    if not firsts:
        return []
    rule_marks = cc_rule_marks_by_enrolment([settled[pk].enrolment_id for pk in firsts])
    structure = [(bloc, list(bloc.modules.filter(cc_points__gt=0)))]
    recalled = []
    for pk, scoring in sorted(firsts.items()):
        portfolio = settled[pk]
        cc = cc_summary(rule_marks.get(portfolio.enrolment_id, {}), structure).bloc_points[bloc.pk]
        near = threshold_reason(bloc, cc, scoring.total, out_of=scoring.grid_version.grid.points)
        if near:
            _recall(portfolio, scoring, cc, near, actor)
            recalled.append(portfolio)
    return recalled


def _recall(portfolio, scoring, cc: Decimal | None, near: str, actor) -> None:
    before, after = fire(portfolio, "recall_for_second_evaluation")
    agreed = portfolio.agreed_mark
    portfolio.agreed_mark = None
    portfolio.double_marking_reason = f"{near} {_('CC saisi après la première notation.')}"[:200]
    save(portfolio)
    event = audit_record(
        actor=actor,
        action="portfolio.second_evaluation_after_cc",
        obj=portfolio,
        candidate=portfolio.enrolment.candidate,
        before={"state": before, "agreed_mark": str(agreed)},
        after={
            "state": after,
            "first_mark": str(scoring.total),
            "cc": None if cc is None else str(cc),
        },
        reason=portfolio.double_marking_reason,
    )
    notify(
        key=f"portfolio:{portfolio.pk}:second-evaluation:{event.pk}",
        recipient=scoring.assignment.assigned_by,
        template="second_evaluation_required",
        context=mail_context(
            portfolio,
            reason=portfolio.double_marking_reason,
            path=reverse("workflow:staff-portfolio", args=[portfolio.pk]),
        ),
    )
