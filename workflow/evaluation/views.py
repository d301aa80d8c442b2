"""The evaluator's screens: the queue, acceptance with a declaration, the grid and its
submission (the centre's screens are in ``workflow.evaluation.staff_views``). Each view parses a
form, calls one service, redirects."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.listing import paginate
from accounts.models import Role
from audit.clock import today
from portfolio.models import EvidenceItem
from portfolio.viewer import viewer_kind
from workflow.describe import target_label
from workflow.errors import WorkflowError
from workflow.evaluation import assignments, drafts, policy, selectors
from workflow.evaluation import scoring as grading
from workflow.evaluation.double_marking import on_20
from workflow.evaluation.forms import AcceptForm, DeclineForm, ScoringForm
from workflow.models import Assignment, Scoring
from workflow.web import autosave_field


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
    page = paginate(
        request, selectors.evaluator_queue(request.user, filter_name=filter_name, kind=kind)
    )
    rows = [
        {
            "assignment": a,
            "label": target_label(a.target),
            "actions": policy.available_actions(request.user, a),
            "open": a.state in {Assignment.State.PROPOSED, Assignment.State.ACCEPTED},
            "days_left": (a.due_date - current).days,
            "due_soon": a.due_date <= limit,
        }
        for a in page
    ]
    return render(
        request,
        "workflow/queue.html",
        {
            "rows": rows,
            "page": page,
            "query": urlencode({"filtre": filter_name, "type": kind}),
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
    status, saved_note = 200, ""
    if request.method == "POST" and editable:
        valid = form.is_valid()
        try:
            grading.scoring_save(
                scoring=scoring_obj,
                actor=request.user,
                overall_comment=form.overall_comment_to_save(),
                scores=form.scores(),
            )
        except WorkflowError as exc:
            form.add_workflow_error(exc)
        else:
            if valid and request.POST.get("action") == "review":
                return redirect("workflow:scoring-submit", pk=assignment.pk)
            if valid:
                messages.success(request, _("Brouillon enregistré."))
                return redirect("workflow:scoring", pk=assignment.pk)
            scoring_obj.refresh_from_db()
            saved_note = _(
                "Les autres valeurs sont enregistrées dans le brouillon ; "
                "seuls ces champs ne le sont pas."
            )
        status = 400
    if editable:
        form.mark_saved(drafts.field_values(scoring_obj))
    out_of = scoring_obj.grid_version.grid.points
    memoire = assignment.memoire if assignment.memoire_id else None
    return render(
        request,
        "workflow/scoring.html",
        {
            "assignment": assignment,
            "label": target_label(assignment.target),
            "scoring": scoring_obj,
            "form": form,
            "editable": editable,
            "items": [(item, viewer_kind(item)) for item in items],
            "memoire_kind": viewer_kind(memoire) if memoire and memoire.file else None,
            "out_of": out_of,
            "autosave_url": reverse("workflow:scoring-field", args=[assignment.pk]),
            "saved_note": saved_note,
        },
        status=status,
    )


@evaluator_required
@require_POST
def scoring_field(request, pk):
    """Save one field of the draft (the grid's autosave); answer JSON with its French error."""
    assignment = _own_assignment(request, pk)
    scoring_obj = get_object_or_404(Scoring, assignment=assignment)
    form = ScoringForm(scoring=scoring_obj, evidence_items=_evidence_items(assignment))

    def save(name, value, expected):
        saved = drafts.scoring_field_save(
            scoring=scoring_obj, actor=request.user, field=name, value=value, expected=expected
        )
        return drafts.field_value(saved, name), saved.total

    return autosave_field(request, form, save)


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
            "rows": scoring_obj.scores.select_related("criterion")
            .prefetch_related("evidence")
            .order_by("criterion__order", "pk"),
            "problems": problems,
            "error": error,
            "out_of": out_of,
            "on_20": on_20(scoring_obj.total, out_of),
        },
    )
