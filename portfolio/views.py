"""The candidate's screens and the file downloads. Views parse, call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, confirmed, staff_may
from accounts.confirm import Confirmation, confirmation_page
from accounts.models import Enrolment
from audit import clock
from portfolio import services
from portfolio.access import (
    evidence_readable_by,
    memoire_readable_by,
    portfolio_editable_by,
    portfolio_readable_by,
)
from portfolio.download_names import download_name
from portfolio.filetypes import CHECKS_VERSION
from portfolio.forms import (
    EvidenceUpdateForm,
    EvidenceUploadForm,
    ExtensionForm,
    MemoireSubmitForm,
    MemoireUploadForm,
    SubmitForm,
)
from portfolio.models import EvidenceItem, Memoire, Portfolio, ScanStatus
from portfolio.services import PortfolioError
from portfolio.timeline import candidate_journeys, returned_notices
from portfolio.viewer import PDF, viewer_kind

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
INLINE_FILE_POLICY = {"script-src": ["'none'"], "object-src": ["'self'"]}
# A file read in the page is fetched by PDF.js or an <img>/<audio>/<video>: opened on its own,
# it may show itself and nothing else.
READER_FILE_POLICY = {
    "default-src": ["'none'"],
    "img-src": ["'self'"],
    "media-src": ["'self'"],
    "script-src": ["'none'"],
    "style-src": ["'none'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def _portfolio_or_404(user, pk) -> Portfolio:
    portfolio = (
        Portfolio.objects.select_related("enrolment__cohort", "enrolment__candidate", "bloc")
        .filter(pk=pk)
        .first()
    )
    if portfolio is None or not portfolio_readable_by(user, portfolio):
        raise Http404
    return portfolio


def _own_portfolio_or_404(user, pk) -> Portfolio:
    portfolio = _portfolio_or_404(user, pk)
    if portfolio.enrolment.candidate_id != user.pk:
        raise Http404
    return portfolio


def _item_or_404(user, pk) -> EvidenceItem:
    item = (
        EvidenceItem.objects.select_related(
            "portfolio__enrolment__candidate", "portfolio__enrolment__cohort", "portfolio__bloc"
        )
        .filter(pk=pk)
        .first()
    )
    if item is None or not evidence_readable_by(user, item):
        raise Http404
    return item


def _memoire_or_404(user, pk) -> Memoire:
    memoire = (
        Memoire.objects.select_related("enrolment__cohort", "enrolment__candidate")
        .filter(pk=pk)
        .first()
    )
    if memoire is None or not memoire_readable_by(user, memoire):
        raise Http404
    return memoire


def _posted(request):
    """Return the POST data of a POST (even an empty one), else None: the form stays unbound."""
    return request.POST if request.method == "POST" else None


def _add_error(form, error: PortfolioError, prefix: str = "") -> None:
    field = "files" if error.field == "file" and "files" in form.fields else error.field
    field = field if field in form.fields else None
    form.add_error(field, ValidationError(f"{prefix}{error.message}", code=error.code))


def _portfolio_summary(portfolio: Portfolio, coverage=None) -> dict:
    deadline = services.portfolio_deadline(portfolio)
    return {
        "portfolio": portfolio,
        "coverage": services.portfolio_coverage(portfolio) if coverage is None else coverage,
        "window": services.portfolio_window(portfolio),
        "deadline": deadline,
        "days_left": (deadline - clock.today()).days,
    }


# --------------------------------------------------------------------------- candidate home


@login_required
def candidate_home(request):
    """The candidate's timeline: every bloc and the mémoire, the jury, the results."""
    return render(request, "portfolio/home.html", {"journeys": candidate_journeys(request.user)})


@login_required
@require_POST
def enrolment_start(request, pk):
    enrolment = get_object_or_404(Enrolment, pk=pk, candidate=request.user)
    services.portfolio_start(enrolment=enrolment, actor=request.user)
    messages.success(request, _("Vos dossiers sont ouverts."))
    return redirect("portfolio:home")


# --------------------------------------------------------------------------- evidence page


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
def portfolio_detail(request, pk):
    portfolio = _portfolio_or_404(request.user, pk)
    editable = portfolio_editable_by(request.user, portfolio)
    form = None
    if editable:
        form = EvidenceUploadForm(_posted(request), request.FILES or None, bloc=portfolio.bloc)
    if request.method == "POST":
        if not editable:
            raise Http404
        if form.is_valid():
            created, failed = _upload_all(request, portfolio, form)
            _warn_held(request, created)
            if _wants_json(request):
                if failed:
                    return _json_errors(form)
                return JsonResponse({"ok": True, "items": [item.pk for item in created]})
            if created:
                messages.success(
                    request,
                    _("%(count)d fichier(s) ajouté(s) au portefeuille.") % {"count": len(created)},
                )
            if not failed:
                return redirect("portfolio:detail", pk=portfolio.pk)
        elif _wants_json(request):
            return _json_errors(form)
    items = list(portfolio.items.prefetch_related("competencies").order_by("uploaded_at", "pk"))
    return render(
        request,
        "portfolio/detail.html",
        {
            **_portfolio_summary(portfolio),
            "items": [
                {"item": item, "remove": evidence_remove_confirmation(item) if editable else None}
                for item in items
            ],
            "form": form,
            "editable": editable,
            "may_extend": _may_extend(request.user, portfolio),
            "returned": returned_notices([portfolio]).get(portfolio.pk),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _may_extend(user, portfolio) -> bool:
    """Return True when ``user`` may extend this draft's window (evaluation duty)."""
    return (
        portfolio.is_active
        and portfolio.state == Portfolio.State.DRAFT
        and staff_may(user, portfolio, Duty.EVALUATION)
    )


def _json_errors(form):
    return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)


def _warn_held(request, created) -> None:
    """Tell the candidate which files the antivirus could not check (fail closed: held)."""
    held = [item for item in created if item.scan_status == ScanStatus.PENDING]
    if held:
        messages.warning(
            request,
            _(
                "L'antivirus n'a pas pu analyser %(count)d fichier(s) : ils sont conservés en "
                "attente d'analyse et seront analysés automatiquement dès que possible. Le "
                "portefeuille ne pourra être déposé qu'ensuite ; inutile de les renvoyer."
            )
            % {"count": len(held)},
        )


def _upload_all(request, portfolio, form):
    created, failed = [], []
    files = form.cleaned_data["files"]
    for uploaded in files:
        # One title a file: the one typed for a single file; for several (sent together when
        # JavaScript is off) each file's own name, after the title typed if any.
        title = form.cleaned_data["title"]
        if len(files) > 1:
            stem = services.file_title(uploaded.name)
            title = f"{title} — {stem}" if title else stem
        try:
            created.append(
                services.evidence_upload(
                    portfolio=portfolio,
                    actor=request.user,
                    uploaded_file=uploaded,
                    title=title,
                    description=form.cleaned_data["description"],
                    work_date=form.cleaned_data["work_date"],
                    competencies=form.cleaned_data["competencies"],
                )
            )
        except PortfolioError as error:
            failed.append(uploaded)
            prefix = f"« {uploaded.name} » : " if error.field == "file" else ""
            _add_error(form, error, prefix=prefix)
    return created, failed


@login_required
def evidence_edit(request, pk):
    item = _item_or_404(request.user, pk)
    portfolio = item.portfolio
    if not portfolio_editable_by(request.user, portfolio):
        raise Http404
    initial = {
        "title": item.title,
        "description": item.description,
        "work_date": item.work_date,
        "competencies": list(item.competencies.all()),
    }
    form = EvidenceUpdateForm(_posted(request), initial=initial, bloc=portfolio.bloc)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(item=item, actor=request.user, **form.cleaned_data)
        except PortfolioError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("La preuve est modifiée."))
            return redirect("portfolio:detail", pk=portfolio.pk)
    return render(
        request,
        "portfolio/evidence_edit.html",
        {"item": item, "portfolio": portfolio, "form": form},
        status=400 if form.errors else 200,
    )


def evidence_remove_confirmation(item) -> Confirmation:
    """Removing a piece of evidence from the draft: its file and its competencies go."""
    competencies = ", ".join(c.code for c in item.competencies.all())
    summary = [
        _("« %(title)s » (%(file)s) est retirée de ce portefeuille, avec son fichier.")
        % {"title": item.title, "file": item.original_name},
    ]
    if competencies:
        summary.append(
            _("Elle ne couvre plus les compétences %(codes)s.") % {"codes": competencies}
        )
    summary.append(
        _("Le retrait est définitif : pour la remettre, il faudra envoyer le fichier à nouveau.")
    )
    return Confirmation(
        key=f"remove-{item.pk}",
        title=_("Retirer « %(title)s » ?") % {"title": item.title},
        summary=summary,
        confirm_label=_("Retirer la preuve"),
        danger=True,
    )


@login_required
@require_POST
def evidence_remove(request, pk):
    item = _item_or_404(request.user, pk)
    portfolio = item.portfolio
    if not portfolio_editable_by(request.user, portfolio):
        raise Http404
    if not confirmed(request):
        return confirmation_page(
            request,
            evidence_remove_confirmation(item),
            back=reverse("portfolio:detail", args=[portfolio.pk]),
        )
    try:
        services.evidence_remove(item=item, actor=request.user)
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("La preuve « %(title)s » est retirée.") % {"title": item.title})
    return redirect("portfolio:detail", pk=portfolio.pk)


@login_required
def portfolio_coverage(request, pk):
    portfolio = _portfolio_or_404(request.user, pk)
    return render(request, "portfolio/coverage.html", _portfolio_summary(portfolio))


# --------------------------------------------------------------------------- submission


@login_required
def portfolio_submit(request, pk):
    portfolio = _own_portfolio_or_404(request.user, pk)
    form = SubmitForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.portfolio_submit(
                portfolio=portfolio,
                actor=request.user,
                declaration_accepted=form.cleaned_data["declaration"],
            )
        except PortfolioError as error:
            if error.code == "already_submitted":
                messages.info(request, error.message)
                return redirect("portfolio:detail", pk=portfolio.pk)
            _add_error(form, error)
        else:
            messages.success(
                request,
                _("Votre portefeuille du bloc %(bloc)s est déposé. Le centre est prévenu.")
                % {"bloc": portfolio.bloc.number},
            )
            return redirect("portfolio:detail", pk=portfolio.pk)
    items = list(portfolio.items.all())
    return render(
        request,
        "portfolio/submit.html",
        {
            **_portfolio_summary(portfolio),
            "form": form,
            "pending": [item for item in items if not item.is_submittable],
            "items": items,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def portfolio_new_version(request, pk):
    portfolio = _own_portfolio_or_404(request.user, pk)
    try:
        new = services.portfolio_new_version(portfolio=portfolio, actor=request.user)
    except PortfolioError as error:
        messages.error(request, error.message)
        return redirect("portfolio:detail", pk=portfolio.pk)
    messages.success(
        request,
        _("La version %(version)d est ouverte avec vos preuves : complétez-la puis déposez-la.")
        % {"version": new.version},
    )
    return redirect("portfolio:detail", pk=new.pk)


@login_required
def portfolio_extension(request, pk):
    portfolio = _portfolio_or_404(request.user, pk)
    if not staff_may(request.user, portfolio, Duty.EVALUATION):
        # The staff who read the file (an auditor, a responsable de certification) are refused;
        # to anyone else (the candidate) the page does not exist.
        if staff_may(request.user, portfolio):
            raise PermissionDenied
        raise Http404
    form = ExtensionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.portfolio_extension_grant(
                portfolio=portfolio, actor=request.user, **form.cleaned_data
            )
        except PortfolioError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Le délai de dépôt est prolongé."))
            return redirect("portfolio:detail", pk=portfolio.pk)
    return render(
        request,
        "portfolio/extension.html",
        {**_portfolio_summary(portfolio), "form": form},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- mémoire


@login_required
def memoire_detail(request, pk):
    memoire = _memoire_or_404(request.user, pk)
    editable = memoire.enrolment.candidate_id == request.user.pk and memoire.is_editable
    action = request.POST.get("action") if request.method == "POST" else None
    upload_form = MemoireUploadForm(
        request.POST if action == "upload" else None,
        request.FILES if action == "upload" else None,
        initial={"subject": memoire.subject},
    )
    submit_form = MemoireSubmitForm(request.POST if action == "submit" else None)
    if action and not editable:
        raise Http404
    if action == "upload" and upload_form.is_valid():
        try:
            services.memoire_upload(
                memoire=memoire,
                actor=request.user,
                uploaded_file=upload_form.cleaned_data["file"],
                subject=upload_form.cleaned_data["subject"],
            )
        except PortfolioError as error:
            _add_error(upload_form, error)
        else:
            messages.success(request, _("Le fichier de votre mémoire est enregistré."))
            return redirect("portfolio:memoire", pk=memoire.pk)
    if action == "submit" and submit_form.is_valid():
        try:
            services.memoire_submit(
                memoire=memoire,
                actor=request.user,
                declaration_accepted=submit_form.cleaned_data["declaration"],
            )
        except PortfolioError as error:
            if error.code == "already_submitted":
                messages.info(request, error.message)
                return redirect("portfolio:memoire", pk=memoire.pk)
            _add_error(submit_form, error)
        else:
            messages.success(request, _("Votre mémoire est déposé. Le centre est prévenu."))
            return redirect("portfolio:memoire", pk=memoire.pk)
    has_errors = bool(upload_form.errors or submit_form.errors)
    return render(
        request,
        "portfolio/memoire.html",
        {
            "memoire": memoire,
            "editable": editable,
            "deadline": memoire.enrolment.cohort.memoire_deadline,
            "deadline_open": services.memoire_deadline_open(memoire),
            "upload_form": upload_form,
            "submit_form": submit_form,
        },
        status=400 if has_errors else 200,
    )


# --------------------------------------------------------------------------- downloads


def _serve(name: str, content_type: str, filename: str, *, inline: bool, stream: bool = False):
    """Stream a local file, or redirect to a short-lived signed URL; always with a disposition.

    ``stream`` streams from any storage, S3 included: the in-page PDF reader fetches the bytes
    from this site, and a redirect to the bucket would need its origin in ``connect-src`` and
    CORS rules on the bucket.
    """
    if not name:
        raise Http404
    disposition = content_disposition_header(not inline, download_name(filename))
    storage = storages["default"]
    if stream or isinstance(storage, FileSystemStorage):
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(handle, content_type=content_type)
    else:
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
        )
        response = HttpResponseRedirect(url)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    if inline:
        # Only the in-page preview may be framed, and only by this site.
        response["X-Frame-Options"] = "SAMEORIGIN"
        # The file's own policy: no script at all, but browsers draw a PDF through a plugin
        # frame that the pages' ``object-src 'none'`` would block (Chromium shows "blocked").
        response._csp_replace = INLINE_FILE_POLICY
    return response


def _wants_inline(request, stored) -> bool:
    """Preview inline only what is safe to render: images (re-encoded on upload) and PDFs that
    passed the current checks (no JavaScript, actions, attachments or trailing data)."""
    if request.GET.get("apercu") != "1" or stored.content_type not in INLINE_TYPES:
        return False
    return stored.content_type != "application/pdf" or stored.checks_version >= CHECKS_VERSION


def _infected(request, stored):
    """Answer 403 with the French page for a file the antivirus found infected after upload."""
    return render(request, "portfolio/file_infected.html", {"stored": stored}, status=403)


@login_required
def evidence_download(request, pk):
    item = _item_or_404(request.user, pk)
    if item.scan_status == ScanStatus.INFECTED:
        return _infected(request, item)
    inline = _wants_inline(request, item)
    services.download_record(actor=request.user, stored=item, inline=inline)
    return _serve(item.file.name, item.content_type, item.original_name, inline=inline)


@login_required
def evidence_thumbnail(request, pk):
    item = _item_or_404(request.user, pk)
    if not item.thumbnail or item.scan_status == ScanStatus.INFECTED:
        raise Http404
    services.download_record(actor=request.user, stored=item, inline=True)
    return _serve(
        item.thumbnail.name,
        item.thumbnail_type or "image/jpeg",
        f"vignette-{item.pk}.{'png' if item.thumbnail_type == 'image/png' else 'jpg'}",
        inline=True,
    )


def _read_inline(request, stored, name: str):
    """Serve ``stored`` to be read in the page (``portfolio.viewer``): audited like a download,
    inline, under a policy that lets the response run nothing and frame nothing."""
    if stored.scan_status == ScanStatus.INFECTED:
        return _infected(request, stored)
    kind = viewer_kind(stored)
    if kind is None:
        raise Http404
    services.download_record(actor=request.user, stored=stored, inline=True)
    response = _serve(
        name, stored.content_type, stored.original_name, inline=True, stream=kind == PDF
    )
    response["X-Frame-Options"] = "DENY"
    response._csp_replace = READER_FILE_POLICY
    return response


@login_required
def evidence_read(request, pk):
    item = _item_or_404(request.user, pk)
    return _read_inline(request, item, item.file.name)


def _memoire_file_or_404(user, pk) -> Memoire:
    memoire = _memoire_or_404(user, pk)
    if not memoire.file:
        raise Http404
    return memoire


@login_required
def memoire_read(request, pk):
    memoire = _memoire_file_or_404(request.user, pk)
    return _read_inline(request, memoire, memoire.file.name)


@login_required
def memoire_download(request, pk):
    memoire = _memoire_file_or_404(request.user, pk)
    if memoire.scan_status == ScanStatus.INFECTED:
        return _infected(request, memoire)
    inline = _wants_inline(request, memoire)
    services.download_record(actor=request.user, stored=memoire, inline=inline)
    return _serve(
        memoire.file.name,
        memoire.content_type,
        memoire.original_name,
        inline=inline,
    )
