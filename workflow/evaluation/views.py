"""Evaluation screens: the evaluator's queue, acceptance and grid; the centre's screening,
assignment and reconciliation. Each view parses a form, calls one service, redirects."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.clock import today
from portfolio.models import EvidenceItem, Memoire, Portfolio
from workflow.describe import target_label
from workflow.errors import WorkflowError
from workflow.evaluation import assignments, policy, screening, selectors
from workflow.evaluation import scoring as grading
from workflow.evaluation.double_marking import on_20
from workflow.evaluation.forms import (
    AcceptForm,
    AssignForm,
    DeclineForm,
    ReasonForm,
    ReassignForm,
    ReconcileForm,
    ReturnForm,
    ScoringForm,
)
from workflow.evaluation.independence import evaluator_options
from workflow.models import Assignment, Reconciliation, Scoring
from workflow.web import attempt, staff_only


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        staff_only(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def evaluator_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_role(Role.EVALUATEUR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _own_assignment(request, pk) -> Assignment:
    """Return the requesting evaluator's assignment ``pk``; anyone else's is a 404."""
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "portfolio__bloc",
            "portfolio__enrolment__candidate",
            "memoire__enrolment__candidate",
        ),
        pk=pk,
        evaluator=request.user,
    )
    return assignment


# --- Evaluator -------------------------------------------------------------------------------


@evaluator_required
def queue(request):
    filter_name = request.GET.get("filtre", "toutes")
    if filter_name not in selectors.QUEUE_FILTERS:
        filter_name = "toutes"
    kind = request.GET.get("type", "")
    current = today()
    limit = selectors.due_soon_limit()
    rows = [
        {
            "assignment": a,
            "label": target_label(a.target),
            "actions": policy.available_actions(request.user, a),
            "open": a.state in {Assignment.State.PROPOSED, Assignment.State.ACCEPTED},
            "days_left": (a.due_date - current).days,
            "due_soon": a.due_date <= limit,
        }
        for a in selectors.evaluator_queue(request.user, filter_name=filter_name, kind=kind)
    ]
    return render(
        request,
        "workflow/queue.html",
        {
            "rows": rows,
            "counts": selectors.evaluator_queue_counts(request.user),
            "filter_name": filter_name,
            "kind": kind,
        },
    )


@evaluator_required
def assignment_respond(request, pk):
    assignment = _own_assignment(request, pk)
    if assignment.state != Assignment.State.PROPOSED:
        if assignment.state in {Assignment.State.ACCEPTED, Assignment.State.COMPLETED}:
            return redirect("workflow:scoring", pk=assignment.pk)
        raise Http404
    declaration = assignments.declaration_text(assignment)
    accept_form = AcceptForm(prefix="accept")
    decline_form = DeclineForm(prefix="decline")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                accept_form = AcceptForm(request.POST, prefix="accept")
                if accept_form.is_valid():
                    assignments.assignment_accept(
                        assignment=assignment, actor=request.user, declaration=declaration
                    )
                    messages.success(
                        request, _("Affectation acceptée : vous pouvez évaluer le dossier.")
                    )
                    return redirect("workflow:scoring", pk=assignment.pk)
            elif action == "decline":
                decline_form = DeclineForm(request.POST, prefix="decline")
                if decline_form.is_valid():
                    assignments.assignment_decline(
                        assignment=assignment,
                        actor=request.user,
                        reason=decline_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("Vous avez décliné ce dossier. Le centre est prévenu.")
                    )
                    return redirect("workflow:queue")
        except WorkflowError as exc:
            (accept_form if action == "accept" else decline_form).add_workflow_error(exc)
    return render(
        request,
        "workflow/respond.html",
        {
            "assignment": assignment,
            "label": target_label(assignment.target),
            "declaration": declaration,
            "accept_form": accept_form,
            "decline_form": decline_form,
        },
    )


def _evidence_items(assignment):
    if assignment.portfolio_id is None:
        return EvidenceItem.objects.none()
    return (
        EvidenceItem.objects.filter(portfolio_id=assignment.portfolio_id)
        .prefetch_related("competencies")
        .order_by("uploaded_at", "pk")
    )


@evaluator_required
def scoring(request, pk):
    assignment = _own_assignment(request, pk)
    if assignment.state not in {Assignment.State.ACCEPTED, Assignment.State.COMPLETED}:
        raise Http404
    scoring_obj = get_object_or_404(Scoring, assignment=assignment)
    items = list(_evidence_items(assignment))
    editable = scoring_obj.state == Scoring.State.DRAFT and policy.can_score(
        request.user, assignment
    )
    form = ScoringForm(
        request.POST if request.method == "POST" and editable else None,
        scoring=scoring_obj,
        evidence_items=items,
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            grading.scoring_save(
                scoring=scoring_obj,
                actor=request.user,
                overall_comment=form.cleaned_data["overall_comment"],
                scores=form.scores(),
            )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            if request.POST.get("action") == "review":
                return redirect("workflow:scoring-submit", pk=assignment.pk)
            messages.success(request, _("Brouillon enregistré."))
            return redirect("workflow:scoring", pk=assignment.pk)
    out_of = scoring_obj.grid_version.grid.points
    return render(
        request,
        "workflow/scoring.html",
        {
            "assignment": assignment,
            "label": target_label(assignment.target),
            "scoring": scoring_obj,
            "form": form,
            "editable": editable,
            "items": items,
            "out_of": out_of,
        },
    )


def _problem_lines(scoring_obj, problems: dict) -> list[str]:
    """Name the criterion each problem is about, for the submission summary."""
    labels = {
        str(row.criterion_id): row.criterion.label
        for row in scoring_obj.scores.select_related("criterion")
    }
    lines = []
    for field, field_messages in problems.items():
        label = labels.get(field.partition("_")[2]) if field != "overall_comment" else None
        lines += [f"{label} : {m}" if label else m for m in field_messages]
    return lines


@evaluator_required
def scoring_submit(request, pk):
    assignment = _own_assignment(request, pk)
    scoring_obj = get_object_or_404(Scoring, assignment=assignment)
    if not policy.can_score(request.user, assignment):
        return redirect("workflow:scoring", pk=assignment.pk)
    problems = _problem_lines(scoring_obj, grading.scoring_problems(scoring_obj))
    error = ""
    if request.method == "POST":
        try:
            grading.scoring_submit(scoring=scoring_obj, actor=request.user)
        except WorkflowError as exc:
            error = exc.message
        else:
            messages.success(request, _("Évaluation remise. Merci."))
            return redirect("workflow:queue")
    out_of = scoring_obj.grid_version.grid.points
    return render(
        request,
        "workflow/scoring_submit.html",
        {
            "assignment": assignment,
            "label": target_label(assignment.target),
            "scoring": scoring_obj,
            "rows": scoring_obj.scores.select_related("criterion").prefetch_related("evidence"),
            "problems": problems,
            "error": error,
            "out_of": out_of,
            "on_20": on_20(scoring_obj.total, out_of),
        },
    )


# --- Centre staff ------------------------------------------------------------------------------


def _rows_with_actions(user, targets):
    return [(t, policy.available_actions(user, t)) for t in targets]


@staff_required
def staff_portfolios(request):
    state = request.GET.get("etat", Portfolio.State.SUBMITTED)
    if state and state not in Portfolio.State.values:
        state = Portfolio.State.SUBMITTED
    rows = selectors.staff_portfolios(state=state)
    return render(
        request,
        "workflow/staff_portfolios.html",
        {
            "rows": _rows_with_actions(request.user, rows),
            "state": state,
            "states": Portfolio.State.choices,
        },
    )


@staff_required
def staff_memoires(request):
    state = request.GET.get("etat", "")
    if state and state not in Memoire.State.values:
        state = ""
    rows = selectors.staff_memoires(state=state)
    return render(
        request,
        "workflow/staff_memoires.html",
        {
            "rows": _rows_with_actions(request.user, rows),
            "state": state,
            "states": Memoire.State.choices,
        },
    )


@staff_required
def staff_portfolio(request, pk):
    portfolio = get_object_or_404(
        Portfolio.objects.select_related("bloc", "enrolment__candidate", "enrolment__cohort"),
        pk=pk,
    )
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
            "history": selectors.object_history(portfolio),
            "return_form": ReturnForm(),
        },
    )


def _run(request, call, success, *, back):
    """Run a one-button service; show its message, or its error, and go ``back``."""
    attempt(request, call, success)
    return redirect(back)


@staff_required
@require_POST
def staff_declare_admissible(request, pk):
    portfolio = get_object_or_404(Portfolio, pk=pk)
    return _run(
        request,
        lambda: screening.portfolio_declare_admissible(portfolio=portfolio, actor=request.user),
        _("Portefeuille déclaré recevable. Vous pouvez l'affecter à un évaluateur."),
        back=reverse("workflow:staff-portfolio", args=[pk]),
    )


@staff_required
@require_POST
def staff_mark_ready(request, pk):
    portfolio = get_object_or_404(Portfolio, pk=pk)
    return _run(
        request,
        lambda: grading.portfolio_mark_ready_for_jury(portfolio=portfolio, actor=request.user),
        _("Portefeuille transmis au jury."),
        back=reverse("workflow:staff-portfolio", args=[pk]),
    )


@staff_required
def staff_return(request, pk):
    portfolio = get_object_or_404(Portfolio.objects.select_related("bloc"), pk=pk)
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
    portfolio = get_object_or_404(Portfolio.objects.select_related("bloc"), pk=pk)
    for rank in (Assignment.Rank.FIRST, Assignment.Rank.SECOND):
        if policy.needs_evaluator(portfolio, rank=rank):
            return _assign_page(request, portfolio, rank=rank)
    messages.error(request, _("Ce portefeuille n'attend pas d'évaluateur à ce stade."))
    return redirect("workflow:staff-portfolio", pk=pk)


@staff_required
def staff_assign_memoire(request, pk):
    memoire = get_object_or_404(Memoire, pk=pk)
    if not policy.needs_evaluator(memoire):
        messages.error(request, _("Ce mémoire n'attend pas d'évaluateur à ce stade."))
        return redirect("workflow:staff-memoires")
    return _assign_page(request, memoire, rank=Assignment.Rank.FIRST)


def _back_to_target(assignment):
    if assignment.portfolio_id:
        return redirect("workflow:staff-portfolio", pk=assignment.portfolio_id)
    return redirect("workflow:staff-memoires")


@staff_required
def staff_reassign(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
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
    assignment = get_object_or_404(Assignment.objects.select_related("evaluator"), pk=pk)
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
    assignment = get_object_or_404(Assignment.objects.select_related("evaluator"), pk=pk)
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
    portfolio = get_object_or_404(Portfolio.objects.select_related("bloc"), pk=pk)
    first, second = policy.first_and_second_scorings(portfolio)
    if not policy.can_reconcile(request.user, portfolio):
        messages.error(request, _("Ce portefeuille n'attend pas de conciliation."))
        return redirect("workflow:staff-portfolio", pk=pk)
    form = ReconcileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grading.portfolio_reconcile(
                portfolio=portfolio,
                actor=request.user,
                method=form.cleaned_data["method"],
                agreed_mark=form.cleaned_data.get("agreed_mark"),
                justification=form.cleaned_data["justification"],
            )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            messages.success(request, _("Note arrêtée et justification enregistrée."))
            return redirect("workflow:staff-portfolio", pk=pk)
    out_of = first.grid_version.grid.points
    first_scores = {s.criterion_id: s for s in first.scores.select_related("criterion")}
    second_scores = {s.criterion_id: s for s in second.scores.all()}
    comparison = [
        (row.criterion, row, second_scores.get(row.criterion_id)) for row in first_scores.values()
    ]
    return render(
        request,
        "workflow/staff_reconcile.html",
        {
            "portfolio": portfolio,
            "label": target_label(portfolio),
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
