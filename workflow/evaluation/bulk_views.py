"""The centre's bulk actions on its lists of files, each in two steps (the list's selection →
a page of what will happen → done): assigning evaluators, reminding the overdue ones.

The plan page (a POST of the list's selection) writes nothing: it shows the evaluator suggested
for each file, which the staff may change, and every file refused with its reason. Its form
posts ``step=confirm``; each row then goes through ``assignments.evaluator_assign`` and the
page reports each row (``workflow.evaluation.bulk`` says why row by row).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Duty, confirmed, staff_may_any
from accounts.selection import selection_or_message
from portfolio.models import Memoire, Portfolio
from workflow.evaluation import bulk
from workflow.evaluation.forms import BulkDueDateForm
from workflow.evaluation.staff_views import staff_required

KINDS = {
    "portfolios": (Portfolio, "workflow:staff-portfolios"),
    "memoires": (Memoire, "workflow:staff-memoires"),
}


def _choices(post, ids) -> dict[int, int | None]:
    """Return file id → the evaluator id chosen for it on the plan page (None if unreadable)."""
    choices = {}
    for pk in ids:
        try:
            choices[pk] = int(post.get(f"evaluateur-{pk}", ""))
        except ValueError:
            choices[pk] = None
    return choices


def _selection(request, kind):
    """Return (model, back URL, selected ids), or (…, None) when the view should go back."""
    model, list_name = KINDS[kind]
    back = reverse(list_name)
    if request.method != "POST":
        return model, back, None
    if not staff_may_any(request.user, Duty.EVALUATION):
        raise PermissionDenied
    ids = selection_or_message(
        request, empty=_("Cochez au moins une ligne de la liste avant de choisir l'action.")
    )
    return model, back, ids


def _bulk_assign(request, kind):
    model, back, ids = _selection(request, kind)
    if ids is None:
        return redirect(back)
    confirming = request.POST.get("step") == "confirm"
    form = BulkDueDateForm(request.POST if confirming else None)
    context = {"kind": kind, "back": back, "form": form}
    if confirming and form.is_valid():
        report = bulk.assign_run(
            actor=request.user,
            model=model,
            choices=_choices(request.POST, ids),
            due_date=form.cleaned_data["due_date"],
        )
        return render(request, "workflow/staff_bulk_assign.html", {**context, "report": report})
    plan = bulk.assign_plan(request.user, model, ids)
    chosen = _choices(request.POST, ids) if confirming else {}
    rows = [(p, str(chosen.get(p.target.pk) or p.suggested.pk)) for p in plan.proposals]
    return render(
        request, "workflow/staff_bulk_assign.html", {**context, "plan": plan, "rows": rows}
    )


def _bulk_remind(request, kind):
    """Show the reminders the selection would send; send them once confirmed (e-mails)."""
    model, back, ids = _selection(request, kind)
    if ids is None:
        return redirect(back)
    context = {"kind": kind, "back": back}
    if confirmed(request):
        report = bulk.remind_run(actor=request.user, model=model, ids=ids)
        return render(request, "workflow/staff_bulk_remind.html", {**context, "report": report})
    planned, refusals = bulk.remind_plan(request.user, model, ids)
    return render(
        request,
        "workflow/staff_bulk_remind.html",
        {**context, "planned": planned, "refusals": refusals, "ids": ids},
    )


def _bulk(request, kind):
    """Run the bulk action the list's button (or the plan page) names: « affecter » (the
    default) or « relancer »."""
    if request.POST.get("bulk") == "relancer":
        return _bulk_remind(request, kind)
    return _bulk_assign(request, kind)


@staff_required
def staff_bulk_portfolios(request):
    return _bulk(request, "portfolios")


@staff_required
def staff_bulk_memoires(request):
    return _bulk(request, "memoires")
