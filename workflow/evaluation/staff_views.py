"""The centre's evaluation screens: screening, assignment of evaluators, reconciliation.
Each view parses a form, calls one service, redirects.

They open to every member of the staff (``staff_required``) but show only the files of the
establishments they may read: another establishment's file is the same 404 as a missing one.
Acting on a file (every form and button here) needs ``Duty.EVALUATION`` on its establishment;
a reader without it (an auditor, a responsable de certification) sees the pages, no button, and
is refused (403).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, staff_may_any, staff_object_or_404
from accounts.listing import list_page
from portfolio.models import EvidenceItem, Memoire, Portfolio
from workflow.describe import target_label
from workflow.errors import WorkflowError
from workflow.evaluation import assignments, filters, policy, screening, selectors
from workflow.evaluation import scoring as grading
from workflow.evaluation.double_marking import on_20
from workflow.evaluation.forms import (
    AssignForm,
    ReasonForm,
    ReassignForm,
    ReconcileForm,
    ReturnForm,
)
from workflow.evaluation.independence import evaluator_options
from workflow.history import history_rows
from workflow.models import Assignment, Reconciliation, Scoring
from workflow.web import attempt, require_duty, staff_only


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        staff_only(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _rows_with_actions(user, targets):
    """Return (target, its actions) for a page of targets, their assignments read in one query."""
    targets = list(targets)
    prefetch_related_objects(targets, policy.assignments_prefetch())
    return [(t, policy.available_actions(user, t)) for t in targets]


def _list_context(request, listing, kind: str) -> dict:
    """Return a list page's rows with their actions, and its bulk actions for who may act."""
    rows = _rows_with_actions(request.user, listing.rows)
    bulk_actions = []
    if staff_may_any(request.user, Duty.EVALUATION):
        bulk_actions = [
            ("affecter", _("Affecter des évaluateurs à la sélection")),
            ("relancer", _("Relancer les évaluateurs en retard de la sélection")),
        ]
    return {
        "listing": listing,
        "rows": rows,
        "page_ids": [target.pk for target, _actions in rows],
        "bulk_actions": bulk_actions,
        "bulk_url": reverse(f"workflow:staff-bulk-{kind}"),
    }


def _portfolio(request, pk) -> Portfolio:
    """Return portfolio ``pk`` if the user may read its establishment's files; 404 otherwise."""
    return staff_object_or_404(
        Portfolio.objects.select_related("bloc", "enrolment__candidate", "enrolment__cohort"),
        request.user,
        pk=pk,
    )


def _memoire(request, pk) -> Memoire:
    return staff_object_or_404(
        Memoire.objects.select_related("enrolment__candidate", "enrolment__cohort"),
        request.user,
        pk=pk,
    )


def _assignment(request, pk) -> Assignment:
    """Return assignment ``pk`` if the user may read its file; 404 otherwise."""
    return get_object_or_404(
        selectors.staff_assignments(request.user).select_related(
            "evaluator",
            "portfolio__bloc",
            "portfolio__enrolment__cohort",
            "portfolio__enrolment__candidate",
            "memoire__enrolment__cohort",
            "memoire__enrolment__candidate",
        ),
        pk=pk,
    )


def _acting(request, target) -> None:
    """Refuse (403) a reader who may not take the evaluation actions on ``target``'s file."""
    if isinstance(target, Assignment):
        target = target.target
    require_duty(request.user, target, Duty.EVALUATION)


@staff_required
def staff_portfolios(request):
    listing = list_page(
        request,
        selectors.staff_portfolios(request.user),
        filters.PortfolioFilter,
        defaults={"etat": Portfolio.State.SUBMITTED},
    )
    return render(
        request,
        "workflow/staff_portfolios.html",
        _list_context(request, listing, "portfolios"),
    )


@staff_required
def staff_memoires(request):
    listing = list_page(request, selectors.staff_memoires(request.user), filters.MemoireFilter)
    return render(
        request,
        "workflow/staff_memoires.html",
        _list_context(request, listing, "memoires"),
    )


@staff_required
def staff_portfolio(request, pk):
    portfolio = _portfolio(request, pk)
    rows = [
        (a, policy.available_actions(request.user, a))
        for a in selectors.target_assignments(portfolio)
    ]
    return render(
        request,
        "workflow/staff_portfolio.html",
        {
            "portfolio": portfolio,
            "label": target_label(portfolio),
            "actions": policy.available_actions(request.user, portfolio),
            "assignment_rows": rows,
            "items": EvidenceItem.objects.filter(portfolio=portfolio).order_by("uploaded_at"),
            "reconciliations": portfolio.reconciliations.select_related("decided_by"),
            "history": history_rows(selectors.object_history(portfolio)),
            "may_act": policy.may_evaluate(request.user, portfolio),
        },
    )


def _run(request, call, success, *, back):
    """Run a one-button service; show its message, or its error, and go ``back``."""
    attempt(request, call, success)
    return redirect(back)


@staff_required
@require_POST
def staff_declare_admissible(request, pk):
    portfolio = _portfolio(request, pk)
    _acting(request, portfolio)
    return _run(
        request,
        lambda: screening.portfolio_declare_admissible(portfolio=portfolio, actor=request.user),
        _("Portefeuille déclaré recevable. Vous pouvez l'affecter à un évaluateur."),
        back=reverse("workflow:staff-portfolio", args=[pk]),
    )


@staff_required
@require_POST
def staff_mark_ready(request, pk):
    portfolio = _portfolio(request, pk)
    _acting(request, portfolio)
    return _run(
        request,
        lambda: grading.portfolio_mark_ready_for_jury(portfolio=portfolio, actor=request.user),
        _("Portefeuille transmis au jury."),
        back=reverse("workflow:staff-portfolio", args=[pk]),
    )


@staff_required
def staff_return(request, pk):
    portfolio = _portfolio(request, pk)
    _acting(request, portfolio)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening.portfolio_return(
                portfolio=portfolio, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            messages.success(request, _("Portefeuille renvoyé au candidat avec votre motif."))
            return redirect("workflow:staff-portfolios")
    return render(
        request,
        "workflow/staff_return.html",
        {"portfolio": portfolio, "label": target_label(portfolio), "form": form},
    )


def _assign_page(request, target, *, rank, form_class=AssignForm, assignment=None):
    form = form_class(request.POST or None)
    options = evaluator_options(target, rank=rank)
    if request.method == "POST" and form.is_valid():
        try:
            if assignment is None:
                assignments.evaluator_assign(
                    target=target,
                    evaluator=form.cleaned_data["evaluator"],
                    actor=request.user,
                    due_date=form.cleaned_data["due_date"],
                    rank=rank,
                )
            else:
                assignments.evaluator_reassign(
                    assignment=assignment,
                    evaluator=form.cleaned_data["evaluator"],
                    actor=request.user,
                    due_date=form.cleaned_data["due_date"],
                    reason=form.cleaned_data["reason"],
                )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            messages.success(request, _("Dossier proposé à l'évaluateur, qui en est prévenu."))
            if isinstance(target, Portfolio):
                return redirect("workflow:staff-portfolio", pk=target.pk)
            return redirect("workflow:staff-memoires")
    selected = form["evaluator"].value()
    if selected in (None, "") and not form.is_bound:
        eligible = [o for o in options if o.eligible]
        selected = eligible[0].user.pk if eligible else None
    return render(
        request,
        "workflow/staff_assign.html",
        {
            "target": target,
            "label": target_label(target),
            "rank": rank,
            "options": options,
            "form": form,
            "selected": str(selected) if selected is not None else "",
            "assignment": assignment,
        },
    )


@staff_required
def staff_assign_portfolio(request, pk):
    portfolio = _portfolio(request, pk)
    _acting(request, portfolio)
    for rank in (Assignment.Rank.FIRST, Assignment.Rank.SECOND):
        if policy.needs_evaluator(portfolio, rank=rank):
            return _assign_page(request, portfolio, rank=rank)
    messages.error(request, _("Ce portefeuille n'attend pas d'évaluateur à ce stade."))
    return redirect("workflow:staff-portfolio", pk=pk)


@staff_required
def staff_assign_memoire(request, pk):
    memoire = _memoire(request, pk)
    _acting(request, memoire)
    for rank in (Assignment.Rank.FIRST, Assignment.Rank.SECOND):
        if policy.needs_evaluator(memoire, rank=rank):
            return _assign_page(request, memoire, rank=rank)
    messages.error(request, _("Ce mémoire n'attend pas d'évaluateur à ce stade."))
    return redirect("workflow:staff-memoires")


def _back_to_target(assignment):
    if assignment.portfolio_id:
        return redirect("workflow:staff-portfolio", pk=assignment.portfolio_id)
    return redirect("workflow:staff-memoires")


@staff_required
def staff_reassign(request, pk):
    assignment = _assignment(request, pk)
    _acting(request, assignment)
    if not policy.can_withdraw(request.user, assignment):
        messages.error(request, _("Cette affectation n'est plus en cours : rechargez la page."))
        return _back_to_target(assignment)
    return _assign_page(
        request,
        assignment.target,
        rank=assignment.rank,
        form_class=ReassignForm,
        assignment=assignment,
    )


def _reason_page(request, assignment, *, service, title, intro, success):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(form.cleaned_data["reason"])
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            messages.success(request, success)
            return _back_to_target(assignment)
    return render(
        request,
        "workflow/staff_reason.html",
        {
            "assignment": assignment,
            "label": target_label(assignment.target),
            "form": form,
            "title": title,
            "intro": intro,
        },
    )


@staff_required
def staff_withdraw(request, pk):
    assignment = _assignment(request, pk)
    _acting(request, assignment)
    return _reason_page(
        request,
        assignment,
        service=lambda reason: assignments.assignment_withdraw(
            assignment=assignment, actor=request.user, reason=reason
        ),
        title=_("Retirer l'affectation"),
        intro=_("L'évaluateur n'aura plus accès au dossier ; son brouillon reste archivé."),
        success=_("Affectation retirée."),
    )


@staff_required
def staff_reopen(request, pk):
    assignment = _assignment(request, pk)
    _acting(request, assignment)
    scoring_obj = get_object_or_404(Scoring, assignment=assignment)
    return _reason_page(
        request,
        assignment,
        service=lambda reason: grading.scoring_reopen(
            scoring=scoring_obj, actor=request.user, reason=reason
        ),
        title=_("Rouvrir la notation"),
        intro=_("L'évaluateur pourra modifier sa notation puis la remettre de nouveau."),
        success=_("Notation rouverte ; l'évaluateur est prévenu."),
    )


@staff_required
def staff_reconcile(request, pk):
    return _reconcile_page(request, _portfolio(request, pk))


@staff_required
def staff_reconcile_memoire(request, pk):
    return _reconcile_page(request, _memoire(request, pk))


def _reconcile_page(request, target):
    """The staff's reconciliation of two distant marks of a portfolio or a mémoire."""
    _acting(request, target)
    if isinstance(target, Portfolio):
        back = redirect("workflow:staff-portfolio", pk=target.pk)
    else:
        back = redirect("workflow:staff-memoires")
    first, second = policy.first_and_second_scorings(target)
    if not policy.can_reconcile(request.user, target):
        messages.error(request, _("Ce dossier n'attend pas de conciliation."))
        return back
    out_of = first.grid_version.grid.points
    form = ReconcileForm(request.POST or None, out_of=out_of)
    if request.method == "POST" and form.is_valid():
        try:
            grading.target_reconcile(
                target=target,
                actor=request.user,
                method=form.cleaned_data["method"],
                agreed_mark=form.cleaned_data.get("agreed_mark"),
                justification=form.cleaned_data["justification"],
            )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            messages.success(request, _("Note arrêtée et justification enregistrée."))
            return back
    first_scores = {s.criterion_id: s for s in first.scores.select_related("criterion")}
    second_scores = {s.criterion_id: s for s in second.scores.all()}
    comparison = [
        (row.criterion, row, second_scores.get(row.criterion_id)) for row in first_scores.values()
    ]
    return render(
        request,
        "workflow/staff_reconcile.html",
        {
            "target": target,
            "back_url": back.url,
            "label": target_label(target),
            "first": first,
            "second": second,
            "out_of": out_of,
            "first_on_20": on_20(first.total, out_of),
            "second_on_20": on_20(second.total, out_of),
            "comparison": comparison,
            "form": form,
            "methods": Reconciliation.Method,
        },
    )
