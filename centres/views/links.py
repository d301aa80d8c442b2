"""VAE accompaniments and declared conflicts of interest about the establishment's candidates.

Both are a list of records with a form to add one and a button to remove each; one pair of
helpers serves both.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, staff_establishments
from accounts.listing import list_page
from centres import selectors, services
from centres.filters import CandidateFilter
from centres.forms import AccompanimentForm, ConflictForm
from centres.views.base import centre_staff, form_error, may_manage, require_manage


def _record_list(request, *, form_class, record, rows, template, done, back):
    """Show ``rows`` paginated; on POST, add one record through ``record`` with the form."""
    scope = staff_establishments(request.user, Duty.MANAGE)
    form = None
    if request.method == "POST":
        require_manage(request.user)
        form = form_class(request.POST, scope=scope)
        if form.is_valid():
            try:
                record(actor=request.user, **form.cleaned_data)
            except services.BackOfficeError as error:
                form_error(form, error)
            else:
                messages.success(request, done)
                return redirect(back)
    elif may_manage(request.user):
        form = form_class(scope=scope)
    listing = list_page(request, rows, CandidateFilter)
    return render(
        request,
        template,
        {
            "page": listing.page,
            "query": listing.query,
            "filters": listing.filters,
            "form": form,
            "may_manage": may_manage(request.user),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _record_remove(request, *, rows, pk, remove, done, back):
    """Remove the record ``pk`` among the rows the user may manage (404 otherwise)."""
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    remove(actor=request.user, record=found)
    messages.success(request, done)
    return redirect(back)


@centre_staff
def accompaniment_list(request):
    return _record_list(
        request,
        form_class=AccompanimentForm,
        record=services.accompaniment_record,
        rows=selectors.accompaniments(request.user),
        template="centres/accompaniment_list.html",
        done=_("Accompagnement enregistré."),
        back="centres:accompaniment_list",
    )


@centre_staff
@require_POST
def accompaniment_remove(request, pk):
    return _record_remove(
        request,
        rows=selectors.accompaniments(request.user, Duty.MANAGE),
        pk=pk,
        remove=lambda actor, record: services.accompaniment_remove(
            actor=actor, accompaniment=record
        ),
        done=_("Accompagnement retiré."),
        back="centres:accompaniment_list",
    )


@centre_staff
def conflict_list(request):
    return _record_list(
        request,
        form_class=ConflictForm,
        record=services.conflict_record,
        rows=selectors.conflicts(request.user),
        template="centres/conflict_list.html",
        done=_("Conflit d'intérêts enregistré."),
        back="centres:conflict_list",
    )


@centre_staff
@require_POST
def conflict_remove(request, pk):
    return _record_remove(
        request,
        rows=selectors.conflicts(request.user, Duty.MANAGE),
        pk=pk,
        remove=lambda actor, record: services.conflict_remove(actor=actor, conflict=record),
        done=_("Conflit d'intérêts retiré."),
        back="centres:conflict_list",
    )
