"""Scoring on the national grid, double marking, reconciliation and readiness for the jury.

The portfolio mark is the total of its grid (out of the bloc's exam points); the mémoire's
written mark is the total of the mémoire grid (out of 125). Both are double-marked the same
way (``double_marking`` says when) and keep their settled mark in ``agreed_mark``. Every
scoring points at the grid version it used, frozen from its first use.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import Memoire, Portfolio
from referentiel.models import Grid
from referentiel.services import grid_version_freeze
from workflow.describe import mail_context
from workflow.errors import WorkflowError
from workflow.evaluation import double_marking, policy
from workflow.evaluation.drafts import (  # noqa: F401 - the draft services are reached here too
    SCORING_CLOSED,
    scoring_field_save,
    scoring_save,
)
from workflow.models import Assignment, CriterionScore, Reconciliation, Scoring
from workflow.transitions import fire, lock, lock_target, save

TARGET_CHANGED = _("Ce dossier a changé d'état entre-temps : rechargez la page.")


def grid_version_for(target):
    """Return the grid version ``target`` is scored on: its pinned one, else the current one."""
    if isinstance(target, Portfolio):
        if target.grid_version_id:
            return target.grid_version
        grid = Grid.objects.filter(
            title=target.bloc.title, kind=Grid.Kind.PORTFOLIO, bloc=target.bloc, epreuve=None
        ).first()
    else:
        grid = Grid.objects.filter(
            title=target.enrolment.cohort.title, kind=Grid.Kind.MEMOIRE, bloc=None, epreuve=None
        ).first()
    version = grid.current_version() if grid else None
    if version is None:
        raise WorkflowError(
            _(
                "Aucune grille d'évaluation n'est définie pour ce dossier : "
                "contactez l'administrateur."
            )
        )
    return version


def evaluation_start(*, assignment: Assignment, actor, target=None) -> Scoring:
    """Open the evaluator's scoring on the pinned grid; the portfolio goes under evaluation.

    Called by ``assignment_accept`` in its transaction (with the locked ``target``).
    """
    if not policy.can_score(actor, assignment):
        raise WorkflowError(_("Acceptez d'abord cette affectation pour commencer l'évaluation."))
    with transaction.atomic():
        if target is None:
            target = lock_target(assignment.target)
        version = grid_version_for(target)
        if isinstance(target, Portfolio):
            fields = []
            if target.grid_version_id is None:
                target.grid_version = version
                fields.append("grid_version")
            if (
                assignment.rank == Assignment.Rank.FIRST
                and target.state == Portfolio.State.ASSIGNED
            ):
                before, after = fire(target, "start_evaluation", message=TARGET_CHANGED)
                save(target)
                audit_record(
                    actor=actor,
                    action="portfolio.start_evaluation",
                    obj=target,
                    candidate=target.enrolment.candidate,
                    before={"state": before},
                    after={"state": after},
                )
            elif fields:
                save(target, update_fields=fields)
        grid_version_freeze(version=version)
        scoring, created = Scoring.objects.get_or_create(
            assignment=assignment, defaults={"grid_version": version}
        )
        if created:
            CriterionScore.objects.bulk_create(
                CriterionScore(scoring=scoring, criterion=criterion)
                for criterion in version.criteria.all()
            )
    return scoring


def scoring_problems(scoring: Scoring) -> dict[str, list[str]]:
    """Return what still prevents submitting ``scoring``, by form field (empty when ready)."""
    errors = {}
    for row in scoring.scores.select_related("criterion").order_by("criterion__order", "pk"):
        if row.points is None:
            errors[f"points_{row.criterion_id}"] = [_("Notez ce critère avant de remettre.")]
        elif row.points * 2 < row.criterion.max_points and not row.comment:
            errors[f"comment_{row.criterion_id}"] = [
                _("Un commentaire est obligatoire sous la moitié des points du critère.")
            ]
    if not scoring.overall_comment:
        errors["overall_comment"] = [_("Rédigez l'appréciation générale avant de remettre.")]
    return errors


def scoring_submit(*, scoring: Scoring, actor) -> Scoring:
    """Submit ``scoring``: it freezes, the file moves on; double marking is decided here."""
    if not policy.is_own_assignment(actor, scoring.assignment):
        raise WorkflowError(_("Cette notation n'est pas la vôtre."))
    with transaction.atomic():
        target = lock_target(scoring.assignment.target)
        assignment = lock(Assignment, scoring.assignment_id)
        scoring = lock(Scoring, scoring.pk)
        if assignment.state != Assignment.State.ACCEPTED or scoring.state != Scoring.State.DRAFT:
            raise WorkflowError(SCORING_CLOSED)
        problems = scoring_problems(scoring)
        if problems:
            raise WorkflowError(
                _("La grille n'est pas complète : complétez les champs signalés puis remettez."),
                field_errors=problems,
            )
        scoring.total = sum((r.points for r in scoring.scores.all()), Decimal(0))
        fire(scoring, "submit", message=SCORING_CLOSED)
        scoring.submitted_at = clock.now()
        save(scoring)
        fire(assignment, "complete", message=SCORING_CLOSED)
        save(assignment)
        grid_version_freeze(version=scoring.grid_version)
        out_of = scoring.grid_version.grid.points
        audit_record(
            actor=actor,
            action="scoring.submit",
            obj=scoring,
            candidate=target.enrolment.candidate,
            before={"state": Scoring.State.DRAFT},
            after={
                "state": scoring.state,
                "total": str(scoring.total),
                "out_of": out_of,
                "rank": assignment.rank,
                "grid_version": scoring.grid_version_id,
            },
        )
        _after_scoring(target, assignment, scoring, actor)
    return scoring


def _after_scoring(target, assignment, scoring, actor):
    """Move ``target`` (a portfolio or a mémoire) on after a submitted scoring: a first one
    settles its mark or asks for a second evaluation; a second one is averaged with the first or
    sent to the staff. The two kinds share their states' codes for double marking."""
    is_portfolio = isinstance(target, Portfolio)
    first_state = Portfolio.State.UNDER_EVALUATION if is_portfolio else Memoire.State.ASSIGNED
    if (
        not is_portfolio
        and assignment.rank == Assignment.Rank.FIRST
        and target.state == Memoire.State.WRITTEN_MARKED
    ):
        # The staff entered a mark while the evaluator was marking: the evaluator's scoring
        # prevails, tested for double marking as any first one.
        fire(target, "reopen_written", message=TARGET_CHANGED)
    if assignment.rank == Assignment.Rank.FIRST and target.state == first_state:
        _first_scored(target, assignment, scoring, actor)
        return
    if (
        assignment.rank == Assignment.Rank.SECOND
        and target.state == Portfolio.State.SECOND_EVALUATION
    ):
        before, after = fire(target, "second_evaluation_done", message=TARGET_CHANGED)
        save(target)
        if is_portfolio:
            action = "portfolio.second_evaluation_done"
        else:
            action = "memoire.second_evaluation_done"
        audit_record(
            actor=actor,
            action=action,
            obj=target,
            candidate=target.enrolment.candidate,
            before={"state": before},
            after={"state": after, "second_mark": str(scoring.total)},
        )
    if target.state == Portfolio.State.RECONCILIATION:
        _reconcile_if_close(target, assignment)


def _first_scored(target, assignment, scoring, actor):
    out_of = scoring.grid_version.grid.points
    before = target.state
    if isinstance(target, Portfolio):
        fire(target, "complete_evaluation", message=TARGET_CHANGED)
    reasons = double_marking.double_marking_reasons(target, scoring.total, out_of=out_of)
    if reasons:
        fire(target, "require_second_evaluation", message=TARGET_CHANGED)
        target.double_marking_reason = " ".join(reasons)[:200]
        target.agreed_mark = None
    else:
        if isinstance(target, Memoire):
            fire(target, "mark_written", message=TARGET_CHANGED)
        target.agreed_mark = scoring.total
    save(target)
    after = {
        "state": target.state,
        "first_mark": str(scoring.total),
        "agreed_mark": None if reasons else str(scoring.total),
    }
    if isinstance(target, Portfolio):
        action = "portfolio.evaluated"
        path = reverse("workflow:staff-portfolio", args=[target.pk])
    else:
        action = "memoire.mark_written"
        path = reverse("workflow:staff-assign-memoire", args=[target.pk])
        after |= {"written_mark": str(scoring.total), "out_of": out_of}
    event = audit_record(
        actor=actor,
        action=action,
        obj=target,
        candidate=target.enrolment.candidate,
        before={"state": before},
        after=after,
        reason=target.double_marking_reason if reasons else "",
    )
    if reasons:
        kind = "portfolio" if isinstance(target, Portfolio) else "memoire"
        notify(
            key=f"{kind}:{target.pk}:second-evaluation:{event.pk}",
            recipient=assignment.assigned_by,
            template="second_evaluation_required",
            context=mail_context(target, reason=target.double_marking_reason, path=path),
        )


def _reconcile_if_close(target, assignment):
    """Average two marks within the allowed gap; otherwise ask the staff to reconcile."""
    first, second = policy.first_and_second_scorings(target)
    if first is None or second is None:
        return
    out_of = first.grid_version.grid.points
    if double_marking.within_gap(first.total, second.total, out_of=out_of):
        mark = double_marking.mean(first.total, second.total)
        reason = _(
            "Écart de %(gap)s points sur %(out_of)s, dans la tolérance : moyenne des deux notes."
        ) % {"gap": abs(first.total - second.total), "out_of": out_of}
        _apply_reconciliation(
            target,
            actor=None,
            method=Reconciliation.Method.MEAN,
            mark=mark,
            first=first,
            second=second,
            justification=reason,
        )
        return
    if isinstance(target, Portfolio):
        action = "portfolio.reconciliation_required"
        kind, view = "portfolio", "staff-reconcile"
    else:
        action = "memoire.reconciliation_required"
        kind, view = "memoire", "staff-reconcile-memoire"
    event = audit_record(
        actor=None,
        action=action,
        obj=target,
        candidate=target.enrolment.candidate,
        after={"first_mark": str(first.total), "second_mark": str(second.total)},
        reason=_("Écart supérieur à la tolérance : conciliation par le centre requise."),
    )
    notify(
        key=f"{kind}:{target.pk}:reconciliation:{event.pk}",
        recipient=assignment.assigned_by,
        template="reconciliation_required",
        context=mail_context(target, path=reverse(f"workflow:{view}", args=[target.pk])),
    )


def _apply_reconciliation(target, *, actor, method, mark, first, second, justification):
    """Settle ``target``'s mark; a portfolio keeps a ``Reconciliation`` row, a mémoire its
    audit line (the marks, the method and the justification)."""
    before, after = fire(target, "reconcile", message=TARGET_CHANGED)
    target.agreed_mark = mark
    save(target)
    record = None
    if isinstance(target, Portfolio):
        action = "portfolio.reconcile"
        record = Reconciliation.objects.create(
            portfolio=target,
            first_mark=first.total,
            second_mark=second.total,
            method=method,
            agreed_mark=mark,
            justification=justification,
            decided_by=actor,
            decided_at=clock.now(),
        )
    else:
        action = "memoire.reconcile"
    audit_record(
        actor=actor,
        action=action,
        obj=target,
        candidate=target.enrolment.candidate,
        before={"state": before},
        after={
            "state": after,
            "method": method,
            "first_mark": str(first.total),
            "second_mark": str(second.total),
            "agreed_mark": str(mark),
        },
        reason=justification,
    )
    return record


def portfolio_reconcile(
    *, portfolio: Portfolio, actor, method: str, justification: str, agreed_mark=None
) -> Reconciliation:
    """Settle two distant marks (staff): keep one, or set an agreed mark, with a justification."""
    return target_reconcile(
        target=portfolio,
        actor=actor,
        method=method,
        justification=justification,
        agreed_mark=agreed_mark,
    )


def memoire_reconcile(
    *, memoire: Memoire, actor, method: str, justification: str, agreed_mark=None
) -> Memoire:
    """Settle the two distant written marks of ``memoire`` (staff), as ``portfolio_reconcile``."""
    target_reconcile(
        target=memoire,
        actor=actor,
        method=method,
        justification=justification,
        agreed_mark=agreed_mark,
    )
    return Memoire.objects.get(pk=memoire.pk)


def target_reconcile(*, target, actor, method: str, justification: str, agreed_mark=None):
    """Settle the two distant marks of a portfolio or a mémoire; return the portfolio's
    ``Reconciliation`` (None for a mémoire)."""
    if not policy.may_evaluate(actor, target):
        raise WorkflowError(_("Seul le personnel du centre peut concilier les notes."))
    justification = (justification or "").strip()
    errors = {}
    if not justification:
        errors["justification"] = [_("La justification écrite est obligatoire.")]
    if method not in {
        Reconciliation.Method.FIRST,
        Reconciliation.Method.SECOND,
        Reconciliation.Method.AGREED,
    }:
        errors["method"] = [_("Choisissez la note retenue.")]
    if errors:
        raise WorkflowError(_("Complétez la conciliation."), field_errors=errors)
    with transaction.atomic():
        target = lock_target(target)
        if not policy.can_reconcile(actor, target):
            raise WorkflowError(
                _("Ce dossier n'attend pas de conciliation (ou une notation a été rouverte).")
            )
        first, second = policy.first_and_second_scorings(target)
        out_of = first.grid_version.grid.points
        if method == Reconciliation.Method.FIRST:
            mark = first.total
        elif method == Reconciliation.Method.SECOND:
            mark = second.total
        else:
            try:
                mark = Decimal(str(agreed_mark).replace(",", "."))
            except InvalidOperation:
                mark = None
            if (
                mark is None
                or not mark.is_finite()
                or not 0 <= mark <= out_of
                or mark.as_tuple().exponent < -3
            ):
                raise WorkflowError(
                    _("Saisissez la note arrêtée."),
                    field_errors={
                        "agreed_mark": [
                            _("Une note entre 0 et %(out_of)s, trois décimales au plus.")
                            % {"out_of": out_of}
                        ]
                    },
                )
        return _apply_reconciliation(
            target,
            actor=actor,
            method=method,
            mark=mark,
            first=first,
            second=second,
            justification=justification,
        )


def scoring_reopen(*, scoring: Scoring, actor, reason: str) -> Scoring:
    """Reopen a submitted scoring (staff, with ``reason``) while the file's mark is not settled."""
    if not policy.may_evaluate(actor, scoring.assignment):
        raise WorkflowError(_("Seul le personnel du centre peut rouvrir une notation."))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez pourquoi la notation est rouverte."),
            field_errors={"reason": [_("Le motif est obligatoire.")]},
        )
    with transaction.atomic():
        target = lock_target(scoring.assignment.target)
        assignment = lock(Assignment, scoring.assignment_id)
        scoring = lock(Scoring, scoring.pk)
        if not policy.can_reopen(actor, assignment) or scoring.state != Scoring.State.SUBMITTED:
            raise WorkflowError(
                _(
                    "Cette notation ne peut plus être rouverte : la note du dossier est arrêtée "
                    "ou une autre évaluation est en cours."
                )
            )
        fire(scoring, "reopen", message=SCORING_CLOSED)
        scoring.submitted_at = None
        save(scoring)
        fire(assignment, "reopen", message=SCORING_CLOSED)
        save(assignment)
        target_before = target.state
        if target.state in {Portfolio.State.EVALUATED, Memoire.State.WRITTEN_MARKED}:
            # A mark settled by one evaluator is no longer settled: the file waits for the
            # scoring again, and its resubmission is tested for double marking anew.
            transition = "reopen_evaluation" if isinstance(target, Portfolio) else "reopen_written"
            fire(target, transition, message=TARGET_CHANGED)
            target.agreed_mark = None
            target.double_marking_reason = ""
            save(target)
        event = audit_record(
            actor=actor,
            action="scoring.reopen",
            obj=scoring,
            candidate=target.enrolment.candidate,
            before={"state": Scoring.State.SUBMITTED, "target_state": target_before},
            after={"state": scoring.state, "target_state": target.state},
            reason=reason,
        )
        notify(
            key=f"scoring:{scoring.pk}:reopened:{event.pk}",
            recipient=assignment.evaluator,
            template="scoring_reopened",
            context=mail_context(
                target,
                reason=reason,
                path=reverse("workflow:scoring", args=[assignment.pk]),
            ),
        )
    return scoring


def portfolio_mark_ready_for_jury(*, portfolio: Portfolio, actor) -> Portfolio:
    """Declare a portfolio with a settled mark ready for the jury (staff); return it."""
    if not policy.may_evaluate(actor, portfolio):
        raise WorkflowError(_("Seul le personnel du centre peut transmettre au jury."))
    with transaction.atomic():
        portfolio = lock(Portfolio, portfolio.pk)
        if not policy.can_mark_ready(actor, portfolio):
            raise WorkflowError(
                _(
                    "La note de ce portefeuille n'est pas encore arrêtée : "
                    "il ne peut pas aller au jury."
                )
            )
        before, after = fire(portfolio, "mark_ready_for_jury", message=TARGET_CHANGED)
        save(portfolio)
        audit_record(
            actor=actor,
            action="portfolio.mark_ready_for_jury",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before={"state": before},
            after={"state": after, "agreed_mark": str(portfolio.agreed_mark)},
        )
    return portfolio
