"""The certifier's screen of national subjects, the responsables' screen, the download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.listing import paginate
from portfolio.stored_downloads import stored_file_download
from workflow.errors import WorkflowError
from workflow.evaluation import subjects
from workflow.evaluation.forms import ReplaceForm, SubjectForm
from workflow.models import ExamSubject


def _refused(form, error: WorkflowError) -> None:
    if error.field_errors.get("file"):
        form.add_error("file", error.field_errors["file"][0])
    else:
        form.add_error(None, error.message)


def _certifier(request) -> None:
    if not subjects.may_manage_subjects(request.user):
        raise PermissionDenied


@login_required
def subjects_manage(request):
    """The certifier's screen: every version of every subject, and the upload form."""
    _certifier(request)
    form = SubjectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            subjects.subject_upload(
                actor=request.user,
                epreuve=form.cleaned_data["epreuve"],
                part=form.cleaned_data["part"],
                starts_at=form.cleaned_data["starts_at"],
                uploaded_file=form.cleaned_data["file"],
            )
        except WorkflowError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Document déposé."))
            return redirect("workflow:subjects-manage")
    rows = ExamSubject.objects.select_related("epreuve", "uploaded_by").order_by(
        "-starts_at", "epreuve_id", "part", "-version"
    )
    return render(
        request,
        "workflow/subjects_manage.html",
        {"form": form, "page": paginate(request, rows), "replace_form": ReplaceForm()},
    )


@login_required
@require_POST
def subject_replace(request, pk):
    _certifier(request)
    current = get_object_or_404(ExamSubject, pk=pk, is_current=True)
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            subjects.subject_upload(
                actor=request.user,
                epreuve=current.epreuve,
                part=current.part,
                starts_at=current.starts_at,
                uploaded_file=form.cleaned_data["file"],
            )
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Nouvelle version déposée."))
    else:
        messages.error(request, _("Choisissez le fichier de la nouvelle version."))
    return redirect("workflow:subjects-manage")


@login_required
def subjects_available(request):
    """The responsable du processus d'évaluation's screen: the subjects released to them."""
    if not subjects.may_read_subjects(request.user):
        raise PermissionDenied
    rows = subjects.subjects_released(request.user).order_by("-starts_at", "epreuve_id", "part")
    return render(request, "workflow/subjects_available.html", {"page": paginate(request, rows)})


@login_required
def subject_download(request, pk):
    subject = get_object_or_404(ExamSubject.objects.select_related("epreuve"), pk=pk)
    if not subjects.subject_may_read(request.user, subject):
        subjects.subject_refusal_record(actor=request.user, subject=subject)
        # Nothing tells someone refused whether the subject exists.
        raise PermissionDenied
    return stored_file_download(
        request,
        subject,
        lambda: subjects.subject_download_record(actor=request.user, subject=subject),
    )
