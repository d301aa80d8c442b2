"""Scoring on the national grid, double marking, reconciliation and readiness for the jury.

The portfolio mark is the total of its grid (out of the bloc's exam points); the mémoire's
written mark is the total of the mémoire grid (out of 125). Every scoring points at the grid
version it used, frozen from its first use.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import EvidenceItem, Memoire, Portfolio
from referentiel.models import Grid
from referentiel.services import grid_version_freeze
from workflow.describe import mail_context
from workflow.errors import WorkflowError
from workflow.evaluation import double_marking, policy
from workflow.grids import criterion_points
from workflow.models import Assignment, CriterionScore, Reconciliation, Scoring
from workflow.transitions import fire, lock, lock_target, save

SCORING_CLOSED = _(
    "Cette notation n'est plus modifiable (remise, ou affectation retirée) : rechargez la page."
)
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


def _evidence_ids(target) -> set[int]:
    if isinstance(target, Portfolio):
        return set(EvidenceItem.objects.filter(portfolio=target).values_list("pk", flat=True))
    return set()


def scoring_save(*, scoring: Scoring, actor, overall_comment: str, scores: dict) -> Scoring:
    """Save the evaluator's draft; ``scores`` maps a criterion id to points, comment, evidence.

    Each value is a dict with ``points`` (Decimal, text or None), ``comment`` and ``evidence``
    (evidence item ids). Points must lie within the criterion's bounds; blanks are allowed in a
    draft.
    """
    if not policy.is_own_assignment(actor, scoring.assignment):
        raise WorkflowError(_("Cette notation n'est pas la vôtre."))
    with transaction.atomic():
        assignment = lock(Assignment, scoring.assignment_id)
        scoring = lock(Scoring, scoring.pk)
        if assignment.state != Assignment.State.ACCEPTED or scoring.state != Scoring.State.DRAFT:
            raise WorkflowError(SCORING_CLOSED)
        allowed_evidence = _evidence_ids(assignment.target)
        errors = {}
        rows = list(scoring.scores.select_related("criterion").order_by("criterion__order", "pk"))
        for row in rows:
            data = scores.get(row.criterion_id, scores.get(str(row.criterion_id), {}))
            try:
                row.points = criterion_points(data.get("points"), row.criterion)
            except ValueError as exc:
                errors[f"points_{row.criterion_id}"] = [str(exc)]
            row.comment = (data.get("comment") or "").strip()
            evidence = {int(pk) for pk in data.get("evidence", [])}
            if evidence - allowed_evidence:
                errors[f"evidence_{row.criterion_id}"] = [
                    _("Choisissez des preuves de ce portefeuille uniquement.")
                ]
            row.evidence_ids = evidence & allowed_evidence
        if errors:
            raise WorkflowError(
                _("Certaines notes ne sont pas valides : corrigez les champs signalés."),
                field_errors=errors,
            )
        for row in rows:
            row.save(update_fields=["points", "comment"])
            row.evidence.set(row.evidence_ids)
        scoring.overall_comment = (overall_comment or "").strip()
        scoring.total = sum((r.points for r in rows if r.points is not None), Decimal(0))
        save(scoring)
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
        if isinstance(target, Portfolio):
            _portfolio_after_scoring(target, assignment, scoring, actor)
        elif target.state == Memoire.State.ASSIGNED:
            before, after = fire(target, "mark_written", message=TARGET_CHANGED)
            save(target)
            audit_record(
                actor=actor,
                action="memoire.mark_written",
                obj=target,
                candidate=target.enrolment.candidate,
                before={"state": before},
                after={"state": after, "written_mark": str(scoring.total), "out_of": out_of},
            )
    return scoring


def _portfolio_after_scoring(portfolio, assignment, scoring, actor):
    State = Portfolio.State
    out_of = scoring.grid_version.grid.points
    if assignment.rank == Assignment.Rank.FIRST and portfolio.state == State.UNDER_EVALUATION:
        before, _after = fire(portfolio, "complete_evaluation", message=TARGET_CHANGED)
        reasons = double_marking.double_marking_reasons(portfolio, scoring.total, out_of=out_of)
        if reasons:
            fire(portfolio, "require_second_evaluation", message=TARGET_CHANGED)
            portfolio.double_marking_reason = " ".join(reasons)[:200]
            portfolio.agreed_mark = None
        else:
            portfolio.agreed_mark = scoring.total
        save(portfolio)
        event = audit_record(
            actor=actor,
            action="portfolio.evaluated",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before={"state": before},
            after={
                "state": portfolio.state,
                "first_mark": str(scoring.total),
                "agreed_mark": None if reasons else str(scoring.total),
            },
            reason=portfolio.double_marking_reason,
        )
        if reasons:
            notify(
                key=f"portfolio:{portfolio.pk}:second-evaluation:{event.pk}",
                recipient=assignment.assigned_by,
                template="second_evaluation_required",
                context=mail_context(
                    portfolio,
                    reason=portfolio.double_marking_reason,
                    path=reverse("workflow:staff-portfolio", args=[portfolio.pk]),
                ),
            )
        return
    if assignment.rank == Assignment.Rank.SECOND and portfolio.state == State.SECOND_EVALUATION:
        before, after = fire(portfolio, "second_evaluation_done", message=TARGET_CHANGED)
        save(portfolio)
        audit_record(
            actor=actor,
            action="portfolio.second_evaluation_done",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before={"state": before},
            after={"state": after, "second_mark": str(scoring.total)},
        )
    if portfolio.state == State.RECONCILIATION:
        _reconcile_if_close(portfolio, assignment)


def _reconcile_if_close(portfolio, assignment):
    """Average two marks within the allowed gap; otherwise ask the staff to reconcile."""
    first, second = policy.first_and_second_scorings(portfolio)
    if first is None or second is None:
        return
    out_of = first.grid_version.grid.points
    if double_marking.within_gap(first.total, second.total, out_of=out_of):
        mark = double_marking.mean(first.total, second.total)
        reason = _(
            "Écart de %(gap)s points sur %(out_of)s, dans la tolérance : moyenne des deux notes."
        ) % {"gap": abs(first.total - second.total), "out_of": out_of}
        _apply_reconciliation(
            portfolio,
            actor=None,
            method=Reconciliation.Method.MEAN,
            mark=mark,
            first=first,
            second=second,
            justification=reason,
        )
        return
    event = audit_record(
        actor=None,
        action="portfolio.reconciliation_required",
        obj=portfolio,
        candidate=portfolio.enrolment.candidate,
        after={"first_mark": str(first.total), "second_mark": str(second.total)},
        reason=_("Écart supérieur à la tolérance : conciliation par le centre requise."),
    )
    notify(
        key=f"portfolio:{portfolio.pk}:reconciliation:{event.pk}",
        recipient=assignment.assigned_by,
        template="reconciliation_required",
        context=mail_context(
            portfolio, path=reverse("workflow:staff-reconcile", args=[portfolio.pk])
        ),
    )


def _apply_reconciliation(portfolio, *, actor, method, mark, first, second, justification):
    before, after = fire(portfolio, "reconcile", message=TARGET_CHANGED)
    portfolio.agreed_mark = mark
    save(portfolio)
    record = Reconciliation.objects.create(
        portfolio=portfolio,
        first_mark=first.total,
        second_mark=second.total,
        method=method,
        agreed_mark=mark,
        justification=justification,
        decided_by=actor,
        decided_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="portfolio.reconcile",
        obj=portfolio,
        candidate=portfolio.enrolment.candidate,
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
    if not policy.may_evaluate(actor, portfolio):
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
        portfolio = lock(Portfolio, portfolio.pk)
        if not policy.can_reconcile(actor, portfolio):
            raise WorkflowError(
                _("Ce portefeuille n'attend pas de conciliation (ou une notation a été rouverte).")
            )
        first, second = policy.first_and_second_scorings(portfolio)
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
            portfolio,
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
        if isinstance(target, Portfolio) and target.state == Portfolio.State.EVALUATED:
            fire(target, "reopen_evaluation", message=TARGET_CHANGED)
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
