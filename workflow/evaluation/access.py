"""Who may read a file as its evaluator (a read grant registered with ``portfolio.access``);
who may act on an assignment or a scoring is in ``workflow.evaluation.policy``."""

from __future__ import annotations

from accounts.models import Role
from workflow.models import Assignment


def evaluator_may_read(user, *, portfolio=None, memoire=None) -> bool:
    """Return True while ``user`` holds an accepted assignment on that very version."""
    if not user.is_authenticated or not user.has_role(Role.EVALUATEUR):
        return False
    assignments = Assignment.objects.filter(
        evaluator=user,
        state__in=[Assignment.State.ACCEPTED, Assignment.State.COMPLETED],
    )
    if portfolio is not None:
        return assignments.filter(portfolio=portfolio).exists()
    if memoire is not None:
        return assignments.filter(memoire=memoire).exists()
    return False
