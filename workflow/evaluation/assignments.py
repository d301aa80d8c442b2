"""Evaluators on files: assignment, acceptance with a declaration, decline, withdrawal.

An evaluator sees nothing of a file before accepting it with a declaration of no conflict of
interest; declining sends the file back to the centre for another assignment.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import Memoire, Portfolio
from workflow.describe import mail_context
from workflow.errors import WorkflowError
from workflow.evaluation import policy
from workflow.evaluation.independence import assignment_problems, independence_problems
from workflow.evaluation.scoring import evaluation_start
from workflow.models import Assignment
from workflow.transitions import fire, lock, lock_target, save

ASSIGNMENT_CHANGED = _("Cette affectation a déjà changé d'état : rechargez la page.")


def declaration_text(assignment) -> str:
    """Return the no-conflict declaration the evaluator signs for this candidate."""
    return _(
        "Je soussigné(e) %(evaluator)s déclare n'avoir ni formé, ni accompagné, ni encadré "
        "%(candidate)s, n'avoir aucun lien professionnel, familial ou personnel avec cette "
        "personne ou son entreprise, et n'avoir aucun conflit d'intérêts qui m'empêcherait "
        "d'évaluer ce dossier en toute indépendance."
    ) % {
        "evaluator": assignment.evaluator.get_full_name(),
        "candidate": assignment.target.enrolment.candidate.get_full_name(),
    }


def _candidate(target):
    return target.enrolment.candidate


def _require_evaluation_duty(actor, target, message):
    """Refuse anyone without the evaluation duty on ``target``'s establishment."""
    if not policy.may_evaluate(actor, target):
        raise WorkflowError(message)


def _require_own(actor, assignment) -> None:
    if not policy.is_own_assignment(actor, assignment):
        raise WorkflowError(_("Cette affectation ne vous est pas destinée."))


def _lock_with_target(assignment) -> tuple:
    """Lock the assignment's portfolio or mémoire, then the assignment; return both."""
    target = lock_target(assignment.target)
    return target, lock(Assignment, assignment.pk)


def evaluator_assign(*, target, evaluator, actor, due_date, rank: int = 1) -> Assignment:
    """Propose ``target`` (a portfolio or a mémoire) to ``evaluator``; return the assignment.

    Refused, with every reason, when the evaluator is not independent of the candidate.
    """
    _require_evaluation_duty(
        actor, target, _("Seul le personnel du centre peut affecter un évaluateur.")
    )
    if due_date is None or due_date <= clock.today():
        raise WorkflowError(
            _("Choisissez une date de remise postérieure à aujourd'hui."),
            field_errors={"due_date": [_("La date de remise doit être dans le futur.")]},
        )
    with transaction.atomic():
        target = lock_target(target)
        if not policy.needs_evaluator(target, rank=rank):
            raise WorkflowError(
                _("Ce dossier n'attend pas d'évaluateur à ce stade : rechargez la page.")
            )
        problems = assignment_problems(evaluator, target, rank=rank)
        if problems:
            raise WorkflowError(
                _("Affectation refusée : %(name)s n'est pas indépendant(e) du candidat. %(why)s")
                % {"name": evaluator, "why": " ".join(problems)},
                reasons=problems,
                field_errors={"evaluator": problems},
            )
        before = target.state
        if rank == Assignment.Rank.FIRST and target.state in {
            Portfolio.State.ADMISSIBLE,
            Memoire.State.SUBMITTED,
        }:
            fire(target, "assign")
            save(target)
        assignment = Assignment.objects.create(
            portfolio=target if isinstance(target, Portfolio) else None,
            memoire=target if isinstance(target, Memoire) else None,
            evaluator=evaluator,
            rank=rank,
            assigned_by=actor,
            assigned_at=clock.now(),
            due_date=due_date,
        )
        audit_record(
            actor=actor,
            action="assignment.create",
            obj=assignment,
            candidate=_candidate(target),
            before={"target_state": before},
            after={
                "target_state": target.state,
                "evaluator": evaluator.pk,
                "rank": rank,
                "due_date": due_date.isoformat(),
            },
        )
        notify(
            key=f"assignment:{assignment.pk}:proposed",
            recipient=evaluator,
            template="assignment_proposed",
            context=mail_context(
                target,
                due_date=due_date.strftime("%d/%m/%Y"),
                path=reverse("workflow:assignment-respond", args=[assignment.pk]),
            ),
        )
    return assignment


def assignment_accept(*, assignment: Assignment, actor, declaration: str) -> Assignment:
    """Accept ``assignment`` with the signed no-conflict declaration; start the evaluation."""
    _require_own(actor, assignment)
    declaration = (declaration or "").strip()
    if not declaration:
        raise WorkflowError(
            _("Cochez la déclaration d'absence de conflit d'intérêts pour accepter."),
            field_errors={"declare": [_("La déclaration est obligatoire pour accepter.")]},
        )
    with transaction.atomic():
        target, assignment = _lock_with_target(assignment)
        # A conflict may have been recorded since the assignment was made.
        problems = independence_problems(actor, target.enrolment)
        if problems:
            raise WorkflowError(
                _(
                    "Vous ne pouvez pas accepter ce dossier : %(why)s Déclinez-le en indiquant ce "
                    "motif."
                )
                % {"why": " ".join(problems)},
                reasons=problems,
            )
        before, after = fire(assignment, "accept", message=ASSIGNMENT_CHANGED)
        assignment.accepted_at = clock.now()
        assignment.declaration_text = declaration
        save(assignment)
        audit_record(
            actor=actor,
            action="assignment.accept",
            obj=assignment,
            candidate=_candidate(target),
            before={"state": before},
            after={"state": after},
            reason=declaration,
        )
        notify(
            key=f"assignment:{assignment.pk}:accepted",
            recipient=assignment.assigned_by,
            template="assignment_accepted",
            context=mail_context(target, evaluator=actor),
        )
        evaluation_start(assignment=assignment, actor=actor, target=target)
    return assignment


def assignment_decline(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """Decline ``assignment`` with ``reason``; the file goes back to the centre for another."""
    _require_own(actor, assignment)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez pourquoi vous déclinez ce dossier."),
            field_errors={"reason": [_("Le motif est obligatoire pour décliner.")]},
        )
    with transaction.atomic():
        target, assignment, event = _end_and_release(
            assignment, actor, "decline", reason, declined_reason=reason
        )
        notify(
            key=f"assignment:{assignment.pk}:declined:{event.pk}",
            recipient=assignment.assigned_by,
            template="assignment_declined",
            context=mail_context(target, evaluator=actor, reason=reason),
        )
    return assignment


def _end_and_release(assignment, actor, transition: str, reason: str, **fields):
    """End ``assignment`` by ``transition`` (decline, withdraw), free its file, audit it.

    Call inside ``transaction.atomic``; return the file, the assignment and the audit line.
    """
    target, assignment = _lock_with_target(assignment)
    before, after = fire(assignment, transition, message=ASSIGNMENT_CHANGED)
    for name, value in fields.items():
        setattr(assignment, name, value)
    save(assignment)
    target_before = _release_target(target, assignment)
    event = audit_record(
        actor=actor,
        action=f"assignment.{transition}",
        obj=assignment,
        candidate=_candidate(target),
        before={"state": before, "target_state": target_before},
        after={"state": after, "target_state": target.state},
        reason=reason,
    )
    return target, assignment, event


def _release_target(target, assignment) -> str:
    """Send a first-rank file that no one has started back to the assignment queue."""
    before = target.state
    if assignment.rank == Assignment.Rank.FIRST and target.state in {
        Portfolio.State.ASSIGNED,
        Memoire.State.ASSIGNED,
    }:
        fire(target, "unassign")
        save(target)
    return before


def assignment_withdraw(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """Withdraw ``assignment`` (staff, with ``reason``); its draft scoring stays on record."""
    _require_evaluation_duty(
        actor, assignment, _("Seul le personnel du centre peut retirer une affectation.")
    )
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez pourquoi l'affectation est retirée."),
            field_errors={"reason": [_("Le motif est obligatoire.")]},
        )
    with transaction.atomic():
        target, assignment, event = _end_and_release(assignment, actor, "withdraw", reason)
        notify(
            key=f"assignment:{assignment.pk}:withdrawn:{event.pk}",
            recipient=assignment.evaluator,
            template="assignment_withdrawn",
            context=mail_context(target, reason=reason),
        )
    return assignment


def evaluator_reassign(
    *, assignment: Assignment, evaluator, actor, due_date, reason: str
) -> Assignment:
    """Withdraw ``assignment`` and propose its file to ``evaluator``, at once; return the new one.

    Nothing changes if the new evaluator is refused.
    """
    with transaction.atomic():
        assignment_withdraw(assignment=assignment, actor=actor, reason=reason)
        return evaluator_assign(
            target=assignment.target,
            evaluator=evaluator,
            actor=actor,
            due_date=due_date,
            rank=assignment.rank,
        )
