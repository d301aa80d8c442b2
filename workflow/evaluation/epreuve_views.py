"""Screens of the épreuve marks: the examiner's list and grid, the staff's list per épreuve.

The examiner sees only the marks assigned to them (another one is a 404). The staff's list shows
one cohort's candidates on the épreuves route for one épreuve, within their establishments
(another establishment's cohort is not offered, and posting one is a 404); assigning an examiner
and reopening a mark need the evaluation duty (403 otherwise). Every list reads the same number
of queries whatever its size.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Duty, confirmed, staff_may, staff_scope
from accounts.confirm import Confirmation, confirmation_page
from accounts.listing import paginate, query_without
from accounts.models import Cohort, Enrolment, Role
from portfolio.stored_downloads import stored_file_download
from referentiel.models import Epreuve
from workflow.errors import WorkflowError
from workflow.evaluation import epreuve_marks, epreuve_papers
from workflow.evaluation.forms import (
    EpreuveAssignForm,
    EpreuveListForm,
    EpreuvePaperForm,
    ReasonForm,
)
from workflow.marks.forms import EpreuveGridForm
from workflow.models import EpreuveMark, EpreuvePaper
from workflow.web import posted_id, staff_only


def _own_marks(user):
    if not user.has_role(Role.EVALUATEUR):
        raise PermissionDenied
    return EpreuveMark.objects.filter(examiner=user).select_related(
        "epreuve", "enrolment__candidate", "enrolment__cohort"
    )


@login_required
def examiner_marks(request):
    page = paginate(
        request,
        _own_marks(request.user).order_by("state", "-assigned_at", "pk"),
    )
    return render(request, "workflow/examiner_marks.html", {"page": page, "rows": page})


def submit_confirmation(mark: EpreuveMark) -> Confirmation:
    """Submitting an épreuve mark: it cannot be changed afterwards but by the centre."""
    return Confirmation(
        key="epreuve-submit",
        title=_("Remettre la note de %(name)s ?") % {"name": mark.enrolment.candidate},
        summary=[
            _(
                "La note de l'épreuve %(code)s est remise au centre : vous ne pourrez plus la "
                "modifier ; seul le centre peut la rouvrir, avec un motif."
            )
            % {"code": mark.epreuve.code},
            _(
                "Quand toutes les épreuves du bloc sont notées, leur somme devient la note "
                "d'épreuves du bloc."
            ),
        ],
        confirm_label=_("Remettre la note"),
    )


@login_required
def examiner_mark(request, pk):
    mark = get_object_or_404(_own_marks(request.user).select_related("grid_version__grid"), pk=pk)
    criteria = mark.grid_version.criteria.all()
    editable = mark.state == EpreuveMark.State.DRAFT
    action = request.POST.get("action") if request.method == "POST" else None
    saved = {s.criterion_id: s.points for s in mark.scores.all()}
    form = EpreuveGridForm(
        request.POST if action in {"save", "submit"} and editable else None,
        criteria=criteria,
        initial_points=saved,
        initial={"comment": mark.comment},
        require_all=action == "submit",
    )
    status = 200
    paper_form = EpreuvePaperForm(prefix=f"paper-{mark.pk}")
    if action == "paper":
        paper_form, uploaded = _paper_posted(request, mark)
        if uploaded:
            return redirect("workflow:examiner-mark", pk=mark.pk)
        status, action = 400, None
    if action is not None:
        if not editable:
            messages.error(request, epreuve_marks.MARK_CLOSED)
            return redirect("workflow:examiner-mark", pk=mark.pk)
        if action == "submit" and form.is_valid() and not confirmed(request):
            return confirmation_page(
                request,
                submit_confirmation(mark),
                back=reverse("workflow:examiner-mark", args=[mark.pk]),
            )
        valid = form.is_valid()
        try:
            epreuve_marks.epreuve_mark_save(
                actor=request.user,
                mark=mark,
                points=form.points(),
                comment=form.cleaned_data.get("comment") if "comment" in request.POST else None,
            )
            if valid and action == "submit":
                epreuve_marks.epreuve_mark_submit(actor=request.user, mark=mark)
        except WorkflowError as error:
            form.add_error(None, error.message)
        else:
            if valid:
                messages.success(
                    request,
                    _("Note remise.") if action == "submit" else _("Brouillon enregistré."),
                )
                return redirect("workflow:examiner-mark", pk=mark.pk)
        status = 400
    mark.refresh_from_db()
    return render(
        request,
        "workflow/examiner_mark.html",
        {
            "mark": mark,
            "form": form,
            "editable": editable,
            "scores": list(mark.scores.select_related("criterion").order_by("criterion__order")),
            "saved_total": epreuve_marks.epreuve_mark_saved_total(mark),
            "confirmation": submit_confirmation(mark),
            "paper_form": paper_form,
            "papers": mark.papers.order_by("uploaded_at", "pk"),
        },
        status=status,
    )


def _paper_posted(request, mark) -> tuple[EpreuvePaperForm, bool]:
    """Upload the posted paper of ``mark``; return the form and whether it was stored."""
    form = EpreuvePaperForm(request.POST, request.FILES, prefix=f"paper-{mark.pk}")
    if form.is_valid():
        try:
            epreuve_papers.epreuve_paper_upload(
                actor=request.user, mark=mark, uploaded_file=form.cleaned_data["paper"]
            )
        except WorkflowError as error:
            form.add_error("paper", error.message)
        else:
            messages.success(request, _("Copie déposée."))
            return form, True
    return form, False


@login_required
def epreuve_paper_download(request, pk):
    """Download a marked paper: the establishment's staff, the examiner, the candidate's jury;
    anyone else gets the same 404 as a missing paper."""
    paper = get_object_or_404(
        EpreuvePaper.objects.select_related(
            "mark__enrolment__cohort", "mark__enrolment__candidate"
        ),
        pk=pk,
    )
    if not epreuve_papers.paper_may_download(request.user, paper):
        raise Http404
    return stored_file_download(
        request,
        paper,
        lambda: epreuve_papers.epreuve_paper_download_record(actor=request.user, paper=paper),
    )


def _staff_choices(user):
    cohorts = staff_scope(Cohort.objects, user).order_by("-training_start", "name", "pk")
    epreuves = Epreuve.objects.filter(bloc__isnull=False).order_by("title_id", "order", "pk")
    return cohorts, epreuves


def _epreuve_enrolments(cohort):
    return (
        Enrolment.objects.filter(cohort=cohort, route=Enrolment.Route.EPREUVES)
        .select_related("candidate")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


@login_required
def staff_epreuve_marks(request):
    """One cohort's candidates on the épreuves route and their mark at one épreuve."""
    staff_only(request.user)
    cohorts, epreuves = _staff_choices(request.user)
    choice = EpreuveListForm(request.GET or None, cohorts=cohorts, epreuves=epreuves)
    cohort = epreuve = None
    if choice.is_bound and not choice.is_valid():
        raise Http404  # another establishment's cohort, as a missing one
    if choice.is_bound:
        cohort, epreuve = choice.cleaned_data["promotion"], choice.cleaned_data["epreuve"]
    cohort = cohort or cohorts.first()
    epreuve = epreuve or epreuves.first()
    if cohort is None or epreuve is None:
        return render(request, "workflow/staff_epreuve_marks.html", {"choice": choice})
    may_manage = staff_may(request.user, cohort, Duty.EVALUATION)
    enrolments = _epreuve_enrolments(cohort)
    assign_form = EpreuveAssignForm(prefix="assign", enrolments=enrolments)
    reopen_errors: dict[int, str] = {}
    paper_errors: dict[int, str] = {}
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        here = f"{request.path}?{request.GET.urlencode()}"
        if request.POST.get("action") == "assign":
            assign_form = EpreuveAssignForm(request.POST, prefix="assign", enrolments=enrolments)
            if assign_form.is_valid():
                data = assign_form.cleaned_data
                try:
                    epreuve_marks.epreuve_examiner_assign(
                        actor=request.user,
                        enrolment=data["enrolment"],
                        epreuve=epreuve,
                        examiner=data["examiner"],
                    )
                except WorkflowError as error:
                    assign_form.add_workflow_error(error)
                else:
                    messages.success(request, _("Correcteur affecté."))
                    return redirect(here)
        elif request.POST.get("action") == "paper":
            mark = _posted_mark(request, cohort, epreuve)
            form, uploaded = _paper_posted(request, mark)
            if uploaded:
                return redirect(here)
            paper_errors[mark.pk] = " ".join(
                message for messages_ in form.errors.values() for message in messages_
            )
        elif request.POST.get("action") == "reopen":
            mark = _posted_mark(request, cohort, epreuve)
            form = ReasonForm(request.POST)
            try:
                epreuve_marks.epreuve_mark_reopen(
                    actor=request.user,
                    mark=mark,
                    reason=form.data.get("reason", ""),
                )
            except WorkflowError as error:
                reopen_errors[mark.pk] = " ".join(error.field_errors.get("reason", [error.message]))
            else:
                messages.success(request, _("Note rouverte : le correcteur peut la corriger."))
                return redirect(here)
        else:
            raise Http404
    page = paginate(
        request,
        enrolments.prefetch_related(
            Prefetch(
                "epreuve_marks",
                queryset=EpreuveMark.objects.filter(epreuve=epreuve, attempt=1)
                .select_related("examiner")
                .prefetch_related("papers"),
                to_attr="marks_here",
            )
        ),
    )
    rows = [
        {
            "enrolment": e,
            "mark": e.marks_here[0] if e.marks_here else None,
            "error": reopen_errors.get(e.marks_here[0].pk, "") if e.marks_here else "",
            "paper_error": paper_errors.get(e.marks_here[0].pk, "") if e.marks_here else "",
        }
        for e in page
    ]
    return render(
        request,
        "workflow/staff_epreuve_marks.html",
        {
            "choice": choice,
            "cohort": cohort,
            "epreuve": epreuve,
            "page": page,
            "rows": rows,
            "query": query_without(request),
            "may_manage": may_manage,
            "assign_form": assign_form,
        },
        status=400 if assign_form.errors or reopen_errors or paper_errors else 200,
    )


def _posted_mark(request, cohort, epreuve) -> EpreuveMark:
    mark = (
        EpreuveMark.objects.filter(
            pk=posted_id(request.POST.get("mark")), epreuve=epreuve, enrolment__cohort=cohort
        )
        .select_related("enrolment__candidate", "epreuve")
        .first()
    )
    if mark is None:
        raise Http404
    return mark
