"""Who may take which evaluation action on which object, now (who may read a file as its
evaluator: ``workflow.evaluation.access``).

The services call these predicates before acting and ``available_actions`` lists the ones that
pass, so the buttons a page shows and the checks a service makes can never disagree.
Predicates read only; they never change anything.

The centre's actions need ``Duty.EVALUATION`` on the file's establishment (``may_evaluate``):
the responsable du processus d'évaluation there, or a national administrator. An auditor, a
responsable de certification, or another establishment's staff sees no button and is refused.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accounts.access import Duty, staff_may
from accounts.models import Role
from portfolio.models import Memoire, Portfolio
from workflow.evaluation.independence import LIVE_ASSIGNMENT_STATES
from workflow.models import Assignment, Scoring

P = Portfolio.State
M = Memoire.State
A = Assignment.State


def assignments_prefetch() -> Prefetch:
    """Return the prefetch of the assignments (with their scoring) that the predicates below
    read: a list page loads them for all its rows in one query."""
    return Prefetch("assignments", queryset=Assignment.objects.select_related("scoring"))


def _assignments(target) -> list[Assignment]:
    """Return ``target``'s assignments: the prefetched ones, else read now."""
    return list(target.assignments.all())


def _submitted(assignment) -> bool:
    try:
        return assignment.scoring.state == Scoring.State.SUBMITTED
    except Scoring.DoesNotExist:
        return False


def needs_evaluator(target, *, rank: int = 1) -> bool:
    """Return True when ``target`` is waiting for an evaluator of ``rank``."""
    if not target.is_active:
        return False
    has_live = any(
        a.rank == rank and a.state in LIVE_ASSIGNMENT_STATES for a in _assignments(target)
    )
    if isinstance(target, Portfolio):
        if rank == Assignment.Rank.FIRST:
            return target.state == P.ADMISSIBLE or (
                target.state in {P.ASSIGNED, P.UNDER_EVALUATION} and not has_live
            )
        return target.state == P.SECOND_EVALUATION and not has_live
    if rank != Assignment.Rank.FIRST:
        return target.state == M.SECOND_EVALUATION and not has_live
    return target.state == M.SUBMITTED or (target.state == M.ASSIGNED and not has_live)


def submitted_scorings(target):
    """Return the submitted scorings of ``target`` (a portfolio or a mémoire), by rank."""
    kind = "memoire" if isinstance(target, Memoire) else "portfolio"
    return (
        Scoring.objects.filter(
            **{f"assignment__{kind}": target},
            assignment__state=A.COMPLETED,
            state=Scoring.State.SUBMITTED,
        )
        .select_related("assignment", "assignment__evaluator", "grid_version__grid")
        .order_by("assignment__rank")
    )


def first_and_second_scorings(target) -> tuple[Scoring | None, Scoring | None]:
    by_rank = {s.assignment.rank: s for s in submitted_scorings(target)}
    return by_rank.get(Assignment.Rank.FIRST), by_rank.get(Assignment.Rank.SECOND)


def may_evaluate(user, target) -> bool:
    """Return True when ``user`` may take the centre's evaluation actions on ``target``.

    ``target`` is a portfolio, a mémoire, or an assignment (decided by the file it targets).
    """
    if isinstance(target, Assignment):
        target = target.target
    return staff_may(user, target, Duty.EVALUATION)


def can_screen(user, portfolio) -> bool:
    return portfolio.is_active and portfolio.state == P.SUBMITTED and may_evaluate(user, portfolio)


def can_assign(user, target, *, rank: int = 1) -> bool:
    return may_evaluate(user, target) and needs_evaluator(target, rank=rank)


def can_reconcile(user, target) -> bool:
    """``target``: a portfolio or a mémoire (their « conciliation » states share the code)."""
    if target.state != P.RECONCILIATION or not may_evaluate(user, target):
        return False
    # Both ranks have a submitted scoring (``first_and_second_scorings``, from the prefetch).
    ranks = {a.rank for a in _assignments(target) if a.state == A.COMPLETED and _submitted(a)}
    return {Assignment.Rank.FIRST, Assignment.Rank.SECOND} <= ranks


def can_mark_ready(user, portfolio) -> bool:
    if not may_evaluate(user, portfolio):
        return False
    return (portfolio.state == P.EVALUATED and portfolio.agreed_mark is not None) or (
        portfolio.state == P.RECONCILED
    )


def is_own_assignment(user, assignment) -> bool:
    return (
        user.is_authenticated
        and user.has_role(Role.EVALUATEUR)
        and assignment.evaluator_id == user.pk
    )


def can_respond(user, assignment) -> bool:
    return is_own_assignment(user, assignment) and assignment.state == A.PROPOSED


def can_score(user, assignment) -> bool:
    return is_own_assignment(user, assignment) and assignment.state == A.ACCEPTED


def can_withdraw(user, assignment) -> bool:
    return assignment.state in {A.PROPOSED, A.ACCEPTED} and may_evaluate(user, assignment)


def reopen_allowed_by_target(assignment) -> bool:
    """Return True when the file is still at a stage where a submitted scoring may reopen."""
    target = assignment.target
    if isinstance(target, Portfolio):
        if target.state == P.EVALUATED:
            return assignment.rank == Assignment.Rank.FIRST
        return target.state == P.RECONCILIATION
    if target.state == M.WRITTEN_MARKED:
        # A mark settled by one evaluator (a double-marked one is settled for good).
        return assignment.rank == Assignment.Rank.FIRST and not any(
            a.rank == Assignment.Rank.SECOND for a in _assignments(target)
        )
    return target.state == M.RECONCILIATION


def can_reopen(user, assignment) -> bool:
    return (
        assignment.state == A.COMPLETED
        and may_evaluate(user, assignment)
        and reopen_allowed_by_target(assignment)
    )


@dataclass(frozen=True)
class Action:
    name: str
    label: str


LABELS = {
    "declare_admissible": _("Déclarer recevable"),
    "return": _("Renvoyer pour compléments"),
    "assign": _("Affecter un évaluateur"),
    "assign_second": _("Affecter le second évaluateur"),
    "reconcile": _("Concilier les deux notes"),
    "mark_ready": _("Déclarer prêt pour le jury"),
    "respond": _("Accepter ou décliner"),
    "score": _("Noter sur la grille"),
    "withdraw": _("Retirer l'affectation"),
    "reassign": _("Réaffecter"),
    "reopen": _("Rouvrir la notation"),
}


def _actions(names) -> list[Action]:
    return [Action(name, str(LABELS[name])) for name in names]


def available_actions(user, obj) -> list[Action]:
    """Return the workflow actions ``user`` may take on ``obj`` now, in display order."""
    names = []
    if isinstance(obj, Portfolio):
        if can_screen(user, obj):
            names += ["declare_admissible", "return"]
        if can_assign(user, obj, rank=Assignment.Rank.FIRST):
            names.append("assign")
        if can_assign(user, obj, rank=Assignment.Rank.SECOND):
            names.append("assign_second")
        if can_reconcile(user, obj):
            names.append("reconcile")
        if can_mark_ready(user, obj):
            names.append("mark_ready")
    elif isinstance(obj, Memoire):
        if can_assign(user, obj):
            names.append("assign")
        if can_assign(user, obj, rank=Assignment.Rank.SECOND):
            names.append("assign_second")
        if can_reconcile(user, obj):
            names.append("reconcile")
    elif isinstance(obj, Assignment):
        if can_respond(user, obj):
            names.append("respond")
        if can_score(user, obj):
            names.append("score")
        if can_withdraw(user, obj):
            names += ["reassign", "withdraw"]
        if can_reopen(user, obj):
            names.append("reopen")
    return _actions(names)
