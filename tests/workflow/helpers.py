"""Helpers for the evaluation workflow tests: run the services up to a given state."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from workflow.evaluation.assignments import assignment_accept, declaration_text, evaluator_assign
from workflow.evaluation.scoring import scoring_save, scoring_submit


def due():
    return timezone.localdate() + timedelta(days=14)


def assign_and_accept(target, evaluator, staff, *, rank=1):
    assignment = evaluator_assign(
        target=target, evaluator=evaluator, actor=staff, due_date=due(), rank=rank
    )
    return assignment_accept(
        assignment=assignment, actor=evaluator, declaration=declaration_text(assignment)
    )


def points_for_total(criteria, total: Decimal) -> dict:
    """Spread ``total`` greedily over ``criteria``; every criterion gets a comment."""
    remaining = Decimal(total)
    scores = {}
    for criterion in criteria:
        points = min(criterion.max_points, remaining)
        remaining -= points
        scores[criterion.pk] = {"points": points, "comment": "Analyse du critère.", "evidence": []}
    assert remaining == 0, "total larger than the grid"
    return scores


def score(assignment, total, *, submit=True):
    """Fill ``assignment``'s grid to ``total`` points and (by default) submit it."""
    scoring = assignment.scoring
    scores = points_for_total(scoring.grid_version.criteria.all(), Decimal(total))
    scoring = scoring_save(
        scoring=scoring,
        actor=assignment.evaluator,
        overall_comment="Dossier solide dans l'ensemble.",
        scores=scores,
    )
    if submit:
        scoring = scoring_submit(scoring=scoring, actor=assignment.evaluator)
    return scoring


def refresh(obj):
    return type(obj).objects.get(pk=obj.pk)
