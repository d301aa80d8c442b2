"""Assign evaluators to many files at once: a plan to review, then each row through the service.

The plan gives each selected portfolio or mémoire that waits for an evaluator the eligible
evaluator least loaded at that moment, counting the files already suggested in the same plan, so
that a selection is spread over the pool instead of going to one person; a file already assigned,
in another state, without any independent evaluator, or outside the user's establishments is
refused with the reason.

Running it calls ``assignments.evaluator_assign`` once per row, each in its own transaction, and
reports each row: each assignment is an independent proposal to one evaluator (its own e-mail
and audit line, undone one by one by a withdrawal), so a row refused on the way (a conflict
declared since the plan, the file taken by a colleague) must not undo the proposals already
made to the others, which have been announced to their evaluators after each commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.access import Duty, staff_scope
from accounts.models import User
from accounts.selection import Refusal, in_scope
from audit.clock import today
from portfolio.models import Portfolio
from workflow.describe import target_label
from workflow.errors import WorkflowError
from workflow.evaluation import assignments, policy, reminders
from workflow.evaluation.independence import (
    LIVE_ASSIGNMENT_STATES,
    OPEN_ASSIGNMENT_STATES,
    evaluator_options,
)
from workflow.models import Assignment

RANKS = (Assignment.Rank.FIRST, Assignment.Rank.SECOND)


@dataclass
class Proposal:
    """One file of the plan: the rank it waits for, the eligible evaluators, the suggestion."""

    target: object
    rank: int
    eligible: list  # EvaluatorOption, eligible ones, least loaded first
    suggested: User

    @property
    def label(self) -> str:
        return _label(self.target)


@dataclass
class Plan:
    proposals: list[Proposal] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class Report:
    done: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def targets_in_scope(user, model, ids):
    """Return the selected files that ``user`` may act on, and the refusals of the others."""
    queryset = staff_scope(model.objects.filter(is_active=True), user, Duty.EVALUATION)
    related = ["enrolment__candidate", "enrolment__cohort"]
    if model is Portfolio:
        related.append("bloc")
    queryset = queryset.select_related(*related).prefetch_related(policy.assignments_prefetch())
    return in_scope(queryset, ids)


def rank_needed(target) -> int | None:
    """Return the rank of evaluator ``target`` waits for, or None."""
    ranks = RANKS if isinstance(target, Portfolio) else (Assignment.Rank.FIRST,)
    return next((rank for rank in ranks if policy.needs_evaluator(target, rank=rank)), None)


def _label(target) -> str:
    return f"{target.enrolment.candidate.get_full_name()} — {target_label(target)}"


def _not_waiting(target) -> str:
    live = [a for a in target.assignments.all() if a.state in LIVE_ASSIGNMENT_STATES]
    if live:
        return _("Déjà affecté : ce dossier a un évaluateur (état « %(state)s »).") % {
            "state": target.get_state_display()
        }
    return _("N'attend pas d'évaluateur dans l'état « %(state)s ».") % {
        "state": target.get_state_display()
    }


def assign_plan(user, model, ids) -> Plan:
    """Return the plan for the selected files of ``model`` (Portfolio or Memoire)."""
    rows, refusals = targets_in_scope(user, model, ids)
    plan = Plan(refusals=refusals)
    suggested_here: Counter[int] = Counter()
    for target in rows:
        rank = rank_needed(target)
        if rank is None:
            plan.refusals.append(Refusal(_label(target), _not_waiting(target)))
            continue
        eligible = [o for o in evaluator_options(target, rank=rank) if o.eligible]
        if not eligible:
            plan.refusals.append(
                Refusal(
                    _label(target),
                    _("Aucun évaluateur indépendant de ce candidat n'est disponible."),
                )
            )
            continue
        best = min(
            eligible,
            key=lambda o: (
                o.declined_before,
                o.open_assignments + suggested_here[o.user.pk],
                o.user.last_name,
                o.user.first_name,
                o.user.pk,
            ),
        )
        suggested_here[best.user.pk] += 1
        plan.proposals.append(Proposal(target, rank, eligible, best.user))
    return plan


def assign_run(*, actor, model, choices: dict[int, int], due_date) -> Report:
    """Propose each selected file to the evaluator chosen for it (``choices``: file id →
    evaluator id), one transaction per row; return what was done and what was refused."""
    rows, refusals = targets_in_scope(actor, model, list(choices))
    report = Report(refusals=refusals)
    evaluators = User.objects.in_bulk(set(choices.values()))
    for target in rows:
        evaluator = evaluators.get(choices[target.pk])
        rank = rank_needed(target)
        if evaluator is None:
            report.refusals.append(Refusal(_label(target), _("Choisissez un évaluateur.")))
            continue
        if rank is None:
            report.refusals.append(Refusal(_label(target), _not_waiting(target)))
            continue
        try:
            assignments.evaluator_assign(
                target=target, evaluator=evaluator, actor=actor, due_date=due_date, rank=rank
            )
        except WorkflowError as error:
            report.refusals.append(Refusal(_label(target), error.message))
        else:
            report.done.append(
                _("%(file)s : proposé à %(name)s.")
                % {"file": _label(target), "name": evaluator.get_full_name()}
            )
    return report


def _overdue(target) -> list[Assignment]:
    date = today()
    return [
        a
        for a in target.assignments.all()
        if a.state in OPEN_ASSIGNMENT_STATES and a.due_date < date
    ]


def remind_plan(user, model, ids) -> tuple[list[tuple[object, Assignment]], list[Refusal]]:
    """Return (file, overdue assignment) for each reminder the selection would send, and the
    files refused (nothing overdue, outside the user's establishments)."""
    rows, refusals = targets_in_scope(user, model, ids)
    reminders_due = []
    for target in rows:
        overdue = _overdue(target)
        if not overdue:
            refusals.append(Refusal(_label(target), _("Aucune évaluation en retard.")))
        reminders_due += [(target, assignment) for assignment in overdue]
    return reminders_due, refusals


def remind_run(*, actor, model, ids) -> Report:
    """Remind the evaluator of each overdue assignment of the selection, one by one."""
    planned, refusals = remind_plan(actor, model, ids)
    report = Report(refusals=refusals)
    evaluators = User.objects.in_bulk({a.evaluator_id for _t, a in planned})
    for target, assignment in planned:
        assignment.evaluator = evaluators[assignment.evaluator_id]
        try:
            reminders.assignment_overdue_remind(assignment=assignment, actor=actor)
        except WorkflowError as error:
            report.refusals.append(Refusal(_label(target), error.message))
        else:
            report.done.append(
                _("%(file)s : %(name)s relancé(e).")
                % {"file": _label(target), "name": assignment.evaluator.get_full_name()}
            )
    return report
