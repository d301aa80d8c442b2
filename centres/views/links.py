"""VAE accompaniments and declared conflicts of interest about the establishment's candidates."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, staff_establishments
from centres import selectors, services
from centres.forms import AccompanimentForm, ConflictForm
from centres.views.base import centre_staff, form_error, may_manage, paginate, require_manage


def _page(request, template, rows, form, status=200):
    return render(
        request,
        template,
        {"page": paginate(request, rows), "form": form, "may_manage": may_manage(request.user)},
        status=status,
    )


@centre_staff
def accompaniment_list(request):
    scope = staff_establishments(request.user, Duty.MANAGE)
    form = None
    if request.method == "POST":
        require_manage(request.user)
        form = AccompanimentForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                services.accompaniment_record(actor=request.user, **form.cleaned_data)
            except services.BackOfficeError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Accompagnement enregistré."))
                return redirect("centres:accompaniment_list")
    elif may_manage(request.user):
        form = AccompanimentForm(scope=scope)
    return _page(
        request,
        "centres/accompaniment_list.html",
        selectors.accompaniments(request.user),
        form,
        status=400 if form is not None and form.errors else 200,
    )


@centre_staff
@require_POST
def accompaniment_remove(request, pk):
    accompaniment = _get_or_404(selectors.accompaniments(request.user, Duty.MANAGE), pk)
    services.accompaniment_remove(actor=request.user, accompaniment=accompaniment)
    messages.success(request, _("Accompagnement retiré."))
    return redirect("centres:accompaniment_list")


@centre_staff
def conflict_list(request):
    scope = staff_establishments(request.user, Duty.MANAGE)
    form = None
    if request.method == "POST":
        require_manage(request.user)
        form = ConflictForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                services.conflict_record(actor=request.user, **form.cleaned_data)
            except services.BackOfficeError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Conflit d'intérêts enregistré."))
                return redirect("centres:conflict_list")
    elif may_manage(request.user):
        form = ConflictForm(scope=scope)
    return _page(
        request,
        "centres/conflict_list.html",
        selectors.conflicts(request.user),
        form,
        status=400 if form is not None and form.errors else 200,
    )


@centre_staff
@require_POST
def conflict_remove(request, pk):
    conflict = _get_or_404(selectors.conflicts(request.user, Duty.MANAGE), pk)
    services.conflict_remove(actor=request.user, conflict=conflict)
    messages.success(request, _("Conflit d'intérêts retiré."))
    return redirect("centres:conflict_list")


def _get_or_404(rows, pk):
    found = rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
