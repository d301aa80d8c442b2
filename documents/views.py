import base64
import hashlib
from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import (
    Duty,
    staff_establishments,
    staff_may_any,
    staff_object_or_404,
    staff_scope,
)
from accounts.listing import paginate, query_without
from accounts.models import Cohort, Enrolment
from audit import clock
from audit.trail import audit_for_candidate
from documents import exports, selectors, services
from documents import jobs as documents_jobs
from documents.access import (
    document_may_download,
    may_download,
    may_issue,
    staff_may_issue,
    staff_may_use,
)
from documents.forms import CandidateImportConfirmForm, CandidateImportForm, DocumentVerifyForm
from documents.issuance import current_document
from documents.models import IssuedDocument
from documents.sittings import candidate_convocations
from jobs.models import Job
from jobs.selectors import latest_jobs
from workflow.centre.filters import HistoryFilter
from workflow.history import history_rows
from workflow.models import JurySession, SessionCandidate

IMPORT_SALT = "documents.candidate-import"
IMPORT_MAX_AGE = 60 * 60  # seconds between the dry run and the confirmation


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not staff_may_use(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def issuer_only(user, target) -> None:
    """Refuse (403) staff of ``target``'s establishment who may not issue its documents."""
    if not staff_may_issue(user, target):
        raise PermissionDenied


def _import_cohorts(user):
    """Return the cohorts ``user`` may import into; refuse (403) who may import into none."""
    if not staff_may_any(user, Duty.MANAGE):
        raise PermissionDenied
    return staff_scope(Cohort.objects, user, Duty.MANAGE)


def serve(request, document: IssuedDocument) -> FileResponse:
    """Send an issued file to someone the access function allows, and record the download."""
    if not document_may_download(request.user, document) or not document.file:
        raise Http404
    services.document_download_record(actor=request.user, document=document)
    content_type = (
        "application/zip" if document.kind == document.Kind.ARCHIVE else "application/pdf"
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=content_type,
    )


def issue_or_serve(request, kind, session, enrolment=None, *, issue, bloc_number=None):
    """Answer a document's own URL: a GET never issues, a POST issues exactly once.

    GET sends the document in force; when none was issued, it explains so, with the button that
    issues it for who may (a 404 for anyone else). POST issues it (the one already issued for
    the same facts, if any) and redirects to its download.
    """
    allowed = may_issue(request.user, kind=kind, session=session, enrolment=enrolment)
    back = (
        reverse("documents:session", args=[session.pk])
        if staff_may_use(request.user)
        else reverse("documents:mine")
    )
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied if staff_may_use(request.user) else Http404
        try:
            document = issue()
        except services.DocumentRefused as refused:
            if not staff_may_use(request.user):
                raise Http404 from refused
            messages.error(request, str(refused))
            return redirect(back)
        if not document.file:
            messages.error(
                request,
                _(
                    "Le fichier du document %(reference)s a été supprimé à l'issue de sa durée "
                    "de conservation."
                )
                % {"reference": document.reference},
            )
            return redirect(back)
        return redirect("documents:download", reference=document.reference)
    bloc = None
    if bloc_number is not None:
        bloc = session.title.blocs.filter(number=bloc_number).first()
        if bloc is None:
            raise Http404
    document = current_document(kind=kind, session=session, enrolment=enrolment, bloc=bloc)
    if document is not None:
        return serve(request, document)
    refusal = services.document_refusal(kind, session, enrolment, bloc_number or "")
    if not allowed or (refusal and not staff_may_use(request.user)):
        raise Http404
    context = {
        "kind": IssuedDocument.Kind(kind).label,
        "bloc": bloc,
        "session": session,
        "enrolment": enrolment,
        "refusal": refusal,
        "back": back,
    }
    return render(request, "documents/not_issued.html", context)


# --- Imports --------------------------------------------------------------------------------


@staff_required
def candidate_import(request):
    """Upload a candidate file and show the dry run: every error, or what the import will do."""
    cohorts = _import_cohorts(request.user)
    bound = request.method == "POST"
    form = (
        CandidateImportForm(request.POST, request.FILES, cohorts=cohorts)
        if bound
        else CandidateImportForm(cohorts=cohorts)
    )
    context = {"form": form}
    if bound and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = services.enrolments_import_check(
            cohort=cohort, filename=upload.name, content=content
        )
        context.update(report=report, cohort=cohort)
        if report.valid:
            # The file travels back signed (not stored): no temporary record can be orphaned.
            token = signing.dumps(
                {
                    "cohort": cohort.pk,
                    "user": request.user.pk,
                    "name": upload.name,
                    "content": base64.b64encode(content).decode(),
                    "sha256": report.sha256,
                },
                salt=IMPORT_SALT,
                compress=True,
            )
            context["confirm_form"] = CandidateImportConfirmForm(initial={"token": token})
    return render(request, "documents/import.html", context)


@staff_required
@require_POST
def candidate_import_confirm(request):
    cohorts = _import_cohorts(request.user)
    form = CandidateImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        payload = signing.loads(
            form.cleaned_data["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
        )
        if payload["user"] != request.user.pk:
            raise signing.BadSignature
        content = base64.b64decode(payload["content"])
        if hashlib.sha256(content).hexdigest() != payload["sha256"]:
            raise signing.BadSignature
    except signing.SignatureExpired:
        messages.error(
            request, _("La vérification date de plus d'une heure : déposez à nouveau le fichier.")
        )
        return redirect("documents:candidate_import")
    except (signing.BadSignature, KeyError, ValueError):
        messages.error(request, _("Confirmation invalide : déposez à nouveau le fichier."))
        return redirect("documents:candidate_import")
    cohort = get_object_or_404(cohorts, pk=payload["cohort"])
    try:
        report = services.enrolments_import(
            cohort=cohort, filename=payload["name"], content=content, actor=request.user
        )
    except services.ImportRefused as refused:
        raise Http404 from refused
    except services.ImportInvalid as invalid:
        # The database changed since the dry run: show the new errors, import nothing.
        return render(
            request,
            "documents/import.html",
            {
                "form": CandidateImportForm(cohorts=cohorts),
                "report": invalid.report,
                "cohort": cohort,
            },
        )
    messages.success(
        request,
        _(
            "Import terminé pour %(cohort)s : %(new)d inscription(s) créée(s), %(changed)d "
            "modifiée(s), %(same)d inchangée(s)."
        )
        % {
            "cohort": cohort,
            "new": len(report.new_enrolments),
            "changed": len(report.changed_enrolments),
            "same": len(report.unchanged_enrolments),
        },
    )
    return redirect("documents:candidate_import")


# --- Verification ---------------------------------------------------------------------------


@staff_required
def document_verify(request):
    """Say whether a copy (or a reference) matches a document the centre issued."""
    bound = request.method == "POST"
    form = DocumentVerifyForm(request.POST, request.FILES) if bound else DocumentVerifyForm()
    result = None
    if bound and form.is_valid():
        result = selectors.document_verification(
            reference=form.cleaned_data["reference"],
            upload=form.cleaned_data["file"],
            documents=staff_scope(IssuedDocument.objects, request.user),
        )
    return render(request, "documents/verify.html", {"form": form, "result": result})


# --- Session and candidate documents --------------------------------------------------------


@staff_required
def session_documents(request, session_pk):
    session = staff_object_or_404(
        JurySession.objects.select_related("establishment"), request.user, pk=session_pk
    )
    page = paginate(
        request,
        selectors.session_entries(session).order_by(
            "enrolment__candidate__last_name", "enrolment__candidate__first_name", "pk"
        ),
    )
    # The documents in force of the session itself and of this page's candidates.
    in_force = selectors.documents_in_force(
        session.issued_documents.filter(
            Q(enrolment__isnull=True) | Q(enrolment__in=[e.enrolment_id for e in page])
        )
    )
    issued = paginate(
        request,
        session.issued_documents.select_related(
            "enrolment__candidate", "bloc", "superseded_by"
        ).order_by("issued_at", "pk"),
        param="documents",
    )
    labels = documents_jobs.session_job_keys(session.pk)
    jobs = latest_jobs(labels)
    return render(
        request,
        "documents/session.html",
        {
            "session": session,
            "export_formats": documents_jobs.FORMAT_NAMES.items(),
            "jobs": [
                {"label": label, "job": jobs[key]} for key, label in labels.items() if key in jobs
            ],
            "may_issue": staff_may_issue(request.user, session),
            "rows": [
                {"links": links, "slots": selectors.result_slots(links, in_force, convocation=True)}
                for links in selectors.session_result_rows(session, page)
            ],
            "page": page,
            "query": query_without(request),
            "session_slots": selectors.session_slots(session, in_force),
            "decided": session.state in selectors.DECIDED_STATES,
            "issued": issued,
            "issued_query": query_without(request, "documents"),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def convocation_download(request, session_pk, enrolment_pk):
    """GET: the convocation in force. POST: issue it (the certification process, or the
    candidate convoked). Another candidate's convocation, or another centre's, is a 404."""
    entries = SessionCandidate.objects.select_related("session", "enrolment__candidate")
    if staff_may_use(request.user):
        entry = staff_object_or_404(
            entries, request.user, session_id=session_pk, enrolment_id=enrolment_pk
        )
    else:
        entry = get_object_or_404(
            entries,
            session_id=session_pk,
            enrolment_id=enrolment_pk,
            enrolment__candidate=request.user,
        )
    return issue_or_serve(
        request,
        IssuedDocument.Kind.CONVOCATION,
        entry.session,
        entry.enrolment,
        issue=lambda: services.convocation_issue(entry=entry, actor=request.user),
    )


@login_required
def document_download(request, reference):
    document = get_object_or_404(
        IssuedDocument.objects.select_related("enrolment", "session"), reference=reference
    )
    return serve(request, document)


@login_required
def my_documents(request):
    """The candidate's own documents: convocations, and results once published."""
    mine = IssuedDocument.objects.filter(enrolment__candidate=request.user)
    in_force = selectors.documents_in_force(mine)
    convocations = selectors.candidate_convocation_slots(request.user, in_force)
    results = [
        {"links": links, "slots": selectors.result_slots(links, in_force)}
        for enrolment in Enrolment.objects.filter(candidate=request.user).order_by(
            "-cohort__training_start", "cohort__name", "pk"
        )
        for links in selectors.candidate_result_links(enrolment, published_only=True)
    ]
    return render(
        request,
        "documents/mine.html",
        {
            "convocations": convocations,
            "results": results,
            "epreuve_convocations": candidate_convocations(request.user),
        },
    )


RESULT_KINDS = {
    "releve": IssuedDocument.Kind.RELEVE,
    "attestation": IssuedDocument.Kind.ATTESTATION,
    "certificat": IssuedDocument.Kind.CERTIFICAT_BLOC,
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def result_download(request, session_pk, enrolment_pk, kind, bloc=None):
    """A candidate's relevé, certificat de bloc or attestation: GET downloads the one in force,
    POST issues it."""
    if staff_may_use(request.user):
        # Another establishment's session or candidate is a 404.
        staff_object_or_404(JurySession.objects, request.user, pk=session_pk)
        staff_object_or_404(Enrolment.objects, request.user, pk=enrolment_pk)
    session = get_object_or_404(JurySession.objects.select_related("title"), pk=session_pk)
    enrolment = get_object_or_404(Enrolment.objects.select_related("candidate"), pk=enrolment_pk)
    if kind not in RESULT_KINDS or not may_download(
        request.user, kind=RESULT_KINDS[kind], session=session, enrolment=enrolment
    ):
        raise Http404
    issue = {
        "releve": services.releve_issue,
        "attestation": services.attestation_issue,
        "certificat": partial(services.certificat_issue, bloc_number=str(bloc)),
    }[kind]
    return issue_or_serve(
        request,
        RESULT_KINDS[kind],
        session,
        enrolment,
        bloc_number=bloc,
        issue=lambda: issue(session=session, enrolment=enrolment, actor=request.user),
    )


def job_started(request, session, *, kind: str, fmt: str = ""):
    """Start one of the session's jobs and return at once: to its result when it is already
    done (the immediate backend runs it in the request), else to the session page, where its
    progress shows."""
    issuer_only(request.user, session)
    back = reverse("documents:session", args=[session.pk])
    try:
        job = documents_jobs.session_job_start(
            kind=kind, session=session, actor=request.user, fmt=fmt
        )
    except services.DocumentRefused as refused:
        messages.error(request, str(refused))
        return redirect(back)
    if job.state == job.State.DONE and job.result.get("url"):
        return redirect(job.result["url"])
    if job.state == job.State.FAILED:
        messages.error(request, job.error)
        return redirect(back)
    messages.info(
        request,
        _("« %(job)s » se prépare en arrière-plan : sa progression s'affiche ci-dessous.")
        % {"job": documents_jobs.LABELS[kind]},
    )
    return redirect(f"{back}#job-{job.pk}")


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_document(request, session_pk, kind):
    """The session's procès-verbal or archive: GET downloads the one in force, POST starts the
    job that issues it."""
    session = staff_object_or_404(
        JurySession.objects.select_related("title", "establishment"), request.user, pk=session_pk
    )
    if request.method == "POST":
        return job_started(request, session, kind=documents_jobs.SESSION_DOCUMENT_JOBS[kind])
    return issue_or_serve(request, kind, session, issue=None)


@staff_required
@require_POST
def session_results_issue(request, session_pk):
    """Start the job that issues every candidate's result documents."""
    session = staff_object_or_404(
        JurySession.objects.select_related("title", "establishment"), request.user, pk=session_pk
    )
    return job_started(request, session, kind=documents_jobs.RESULTS)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_results_export(request, session_pk, fmt):
    """The DIPLOMATION export: POST starts the job that writes it to the storage (the page
    offers the file when done); GET still builds it in the request for a small session."""
    session = staff_object_or_404(
        JurySession.objects.select_related("title", "establishment"), request.user, pk=session_pk
    )
    issuer_only(request.user, session)
    if fmt not in exports.EXPORT_TYPES:
        raise Http404
    if request.method == "POST":
        return job_started(request, session, kind=documents_jobs.DIPLOMATION, fmt=fmt)
    if session.state not in selectors.DECIDED_STATES:
        messages.error(request, _("Les résultats s'exportent une fois la délibération close."))
        return redirect("documents:session", session_pk=session.pk)
    table = exports.session_results_table(session)
    return export_response(table, fmt=fmt, name=f"diplomation-jury-{session.date:%Y-%m-%d}")


@staff_required
def session_results_file(request, session_pk, job_pk):
    """The DIPLOMATION export a job wrote, for the session's issuers; 404 once replaced."""
    session = staff_object_or_404(JurySession.objects, request.user, pk=session_pk)
    issuer_only(request.user, session)
    job = get_object_or_404(
        staff_scope(Job.objects, request.user),
        pk=job_pk,
        kind=documents_jobs.DIPLOMATION,
        key__endswith=f":s{session.pk}",
        state=Job.State.DONE,
    )
    path, name = job.result.get("path"), job.result.get("name", "")
    if not path or not default_storage.exists(path):
        raise Http404
    content_type, _write = exports.EXPORT_TYPES[name.rsplit(".", 1)[-1]]
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )


@staff_required
def candidate_documents(request, enrolment_pk):
    """A candidate's documents for the staff: every decided session, every document issued."""
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("candidate", "cohort"), request.user, pk=enrolment_pk
    )
    issued = staff_scope(
        enrolment.issued_documents.select_related("session", "bloc", "superseded_by"),
        request.user,
    )
    in_force = selectors.documents_in_force(issued)
    return render(
        request,
        "documents/candidate.html",
        {
            "enrolment": enrolment,
            "may_issue": staff_may_issue(request.user, enrolment),
            "results": [
                {"links": links, "slots": selectors.result_slots(links, in_force)}
                for links in selectors.candidate_result_links(enrolment, published_only=False)
            ],
            "issued": paginate(request, issued.order_by("issued_at", "pk")),
        },
    )


# --- Exports --------------------------------------------------------------------------------


def export_response(table: exports.Table, *, fmt: str, name: str) -> HttpResponse:
    if fmt not in exports.EXPORT_TYPES:
        raise Http404
    content_type, write = exports.EXPORT_TYPES[fmt]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@staff_required
def index(request):
    """The staff's entry to documents: imports, exports, sessions, verification."""
    user = request.user
    return render(
        request,
        "documents/index.html",
        {
            "may_import": staff_may_any(user, Duty.MANAGE),
            "cohorts": paginate(
                request,
                staff_scope(Cohort.objects, user)
                .select_related("establishment")
                .order_by("-training_start", "name", "pk"),
                param="promotions",
            ),
            "cohorts_query": query_without(request, "promotions"),
            "sessions": paginate(
                request,
                staff_scope(JurySession.objects, user)
                .select_related("establishment")
                .order_by("-date", "pk"),
                param="sessions",
            ),
            "sessions_query": query_without(request, "sessions"),
        },
    )


@staff_required
def workload_export(request, fmt):
    table = exports.workload_table(
        today=clock.today(), establishments=staff_establishments(request.user)
    )
    return export_response(table, fmt=fmt, name=f"charge-evaluateurs-{clock.today():%Y-%m-%d}")


@staff_required
def candidate_history_export(request, enrolment_pk, fmt):
    """Export a candidate's history, with the filters of its page, in the page's words."""
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("candidate"), request.user, pk=enrolment_pk
    )
    events = HistoryFilter(request.GET, queryset=audit_for_candidate(enrolment.candidate)).qs
    table = exports.history_table(history_rows(events))
    return export_response(table, fmt=fmt, name=f"historique-candidat-{enrolment.pk}")


@staff_required
def cohort_progress_export(request, cohort_pk, fmt):
    cohort = staff_object_or_404(Cohort.objects.select_related("title"), request.user, pk=cohort_pk)
    table = exports.cohort_progress_table(cohort)
    return export_response(table, fmt=fmt, name=f"avancement-promotion-{cohort.pk}")
