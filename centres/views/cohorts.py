"""Cohorts, their enrolments (with each candidate's own end of training) and training links."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, staff_establishments, staff_object_or_404
from accounts.listing import list_page
from accounts.models import Cohort, Enrolment, TrainingLink
from centres import selectors, services
from centres.filters import CandidateFilter, CohortFilter
from centres.forms import CohortForm, EnrolmentEndForm, TrainingLinkForm
from centres.views.base import centre_staff, form_error, may_manage, require_manage


@centre_staff
def index(request):
    """The back office's entry: what a centre sets up before a cohort starts."""
    return render(request, "centres/index.html", {"may_manage": may_manage(request.user)})


@centre_staff
def cohort_list(request):
    listing = list_page(request, selectors.cohorts(request.user), CohortFilter)
    return render(
        request,
        "centres/cohort_list.html",
        {
            "page": listing.page,
            "query": listing.query,
            "filters": listing.filters,
            "may_manage": may_manage(request.user),
        },
    )


def _cohort_fields(data) -> dict:
    return {
        "name": data["name"],
        "training_start": data["training_start"],
        "training_end": data["training_end"],
        "training_hours": data["training_hours"],
        "memoire_deadline": data["memoire_deadline"],
    }


@centre_staff
def cohort_create(request):
    require_manage(request.user)
    form = CohortForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = services.cohort_create(
                actor=request.user,
                establishment=data["establishment"],
                title=data["title"],
                **_cohort_fields(data),
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Promotion « %(name)s » créée. Importez ses candidats et ses formateurs.")
                % {"name": cohort.name},
            )
            return redirect("centres:cohort_detail", cohort.pk)
    return render(request, "centres/cohort_form.html", {"form": form, "cohort": None})


@centre_staff
def cohort_edit(request, pk):
    cohort = staff_object_or_404(
        Cohort.objects.select_related("title"), request.user, Duty.MANAGE, pk=pk
    )
    initial = {
        "name": cohort.name,
        "training_start": cohort.training_start,
        "training_end": cohort.training_end,
        "training_hours": cohort.training_hours,
        "memoire_deadline": cohort.memoire_deadline,
    }
    form = CohortForm(request.POST or None, user=request.user, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(
                actor=request.user, cohort=cohort, **_cohort_fields(form.cleaned_data)
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Promotion enregistrée."))
            return redirect("centres:cohort_detail", cohort.pk)
    return render(request, "centres/cohort_form.html", {"form": form, "cohort": cohort})


def _enrolments(request, cohort) -> dict:
    """Return the cohort detail's page of enrolments, found by their candidate."""
    listing = list_page(request, selectors.cohort_enrolments(cohort), CandidateFilter)
    return {"page": listing.page, "query": listing.query, "filters": listing.filters}


@centre_staff
def cohort_detail(request, pk):
    cohort = staff_object_or_404(
        Cohort.objects.select_related("title", "establishment", "sponsor"), request.user, pk=pk
    )
    manage = may_manage(request.user) and cohort.establishment_id in (
        staff_establishments(request.user, Duty.MANAGE)
    )
    return render(
        request,
        "centres/cohort_detail.html",
        {
            "cohort": cohort,
            **_enrolments(request, cohort),
            "grid": selectors.cohort_link_grid(cohort),
            "link_form": TrainingLinkForm(cohort=cohort) if manage else None,
            "may_manage": manage,
        },
    )


@centre_staff
def enrolment_edit(request, cohort_pk, pk):
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("cohort", "candidate"),
        request.user,
        Duty.MANAGE,
        pk=pk,
        cohort_id=cohort_pk,
    )
    form = EnrolmentEndForm(request.POST or None, initial={"training_end": enrolment.training_end})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_training_end_set(
                actor=request.user,
                enrolment=enrolment,
                training_end=form.cleaned_data["training_end"],
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Fin de formation de %(name)s enregistrée.")
                % {"name": enrolment.candidate.get_full_name()},
            )
            return redirect("centres:cohort_detail", cohort_pk)
    return render(request, "centres/enrolment_form.html", {"form": form, "enrolment": enrolment})


@centre_staff
@require_POST
def training_link_add(request, pk):
    cohort = staff_object_or_404(
        Cohort.objects.select_related("title", "establishment"),
        request.user,
        Duty.MANAGE,
        pk=pk,
    )
    form = TrainingLinkForm(request.POST, cohort=cohort)
    if form.is_valid():
        try:
            link = services.training_link_add(
                actor=request.user, cohort=cohort, **form.cleaned_data
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("%(trainer)s enregistré(e) pour le module %(module)s.")
                % {"trainer": link.trainer, "module": link.module.code},
            )
            return redirect(f"{_detail_url(cohort)}#interventions")
    return render(
        request,
        "centres/cohort_detail.html",
        {
            "cohort": cohort,
            **_enrolments(request, cohort),
            "grid": selectors.cohort_link_grid(cohort),
            "link_form": form,
            "may_manage": True,
        },
        status=400,
    )


@centre_staff
@require_POST
def training_link_remove(request, pk):
    link = staff_object_or_404(
        TrainingLink.objects.select_related("cohort", "module", "trainer"),
        request.user,
        Duty.MANAGE,
        pk=pk,
    )
    services.training_link_remove(actor=request.user, link=link)
    messages.success(
        request,
        _("%(trainer)s retiré(e) du module %(module)s.")
        % {"trainer": link.trainer, "module": link.module.code},
    )
    return redirect(f"{_detail_url(link.cohort)}#interventions")


def _detail_url(cohort) -> str:
    return reverse("centres:cohort_detail", args=[cohort.pk])
