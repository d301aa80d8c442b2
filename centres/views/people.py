"""People: the establishment's trainers, tutors and candidates, and the national pool."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.listing import list_page
from accounts.models import Role
from centres import selectors, services
from centres.filters import PersonFilter
from centres.forms import PersonForm
from centres.views.base import centre_staff, form_error, may_manage, require_manage

TABS = {
    "etablissement": gettext_lazy("Personnes de l'établissement"),
    "vivier": gettext_lazy("Vivier national"),
}
LOCAL_FILTERS = [
    (Role.FORMATEUR, Role.FORMATEUR.label),
    (Role.TUTEUR, Role.TUTEUR.label),
    (
        Role.CANDIDAT,
        Role.CANDIDAT.label,
    ),
]
POOL_FILTERS = [(Role.EVALUATEUR, Role.EVALUATEUR.label), (Role.JURY, Role.JURY.label)]


@centre_staff
def person_list(request):
    tab = request.GET.get("onglet", "etablissement")
    if tab not in TABS:
        tab = "etablissement"
    filters = POOL_FILTERS if tab == "vivier" else LOCAL_FILTERS
    role = request.GET.get("role", "")
    if role not in {value for value, _label in filters}:
        role = ""
    if tab == "vivier":
        rows = selectors.national_pool(role=role, user=request.user)
    else:
        rows = selectors.local_people(request.user, role=role)
    listing = list_page(request, rows, PersonFilter)
    return render(
        request,
        "centres/person_list.html",
        {
            "page": listing.page,
            "search": listing.filters,
            "tab": tab,
            "tabs": TABS,
            "tab_label": TABS[tab],
            "query": listing.query,
            "role": role,
            "filters": filters,
            "may_manage": may_manage(request.user),
        },
    )


def _person_fields(data) -> dict:
    return {
        "email": data["email"],
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "phone": data["phone"],
        "company": data["company"],
        "new_company": data["new_company"],
        "years_in_target_jobs": data["years_in_target_jobs"],
        "last_active_in_target_jobs": data["last_active_in_target_jobs"],
    }


@centre_staff
def person_create(request):
    require_manage(request.user)
    form = PersonForm(
        request.POST or None, user=request.user, initial={"role": request.GET.get("role", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                actor=request.user,
                establishment=data["establishment"],
                role=data["role"],
                base_url=request.build_absolute_uri("/") if data["invite"] else "",
                **_person_fields(data),
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            message = _("%(name)s est enregistré(e).") % {"name": person.get_full_name()}
            if data["invite"]:
                message += " " + _("L'invitation part par e-mail à %(email)s.") % {
                    "email": person.email
                }
            messages.success(request, message)
            tab = "vivier" if data["role"] in selectors.POOL_ROLES else "etablissement"
            return redirect(f"{_list_url()}?onglet={tab}")
    return render(request, "centres/person_form.html", {"form": form, "person": None})


@centre_staff
def person_edit(request, pk):
    require_manage(request.user)
    person = selectors.editable_person_or_404(request.user, pk)
    initial = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": person.phone,
        "company": person.employer_id,
        "years_in_target_jobs": person.years_in_target_jobs,
        "last_active_in_target_jobs": person.last_active_in_target_jobs,
    }
    form = PersonForm(request.POST or None, user=request.user, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user, person=person, **_person_fields(form.cleaned_data)
            )
        except services.BackOfficeError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Fiche de %(name)s enregistrée.") % {"name": person})
            return redirect("centres:person_list")
    return render(request, "centres/person_form.html", {"form": form, "person": person})


def _list_url() -> str:
    return reverse("centres:person_list")
