"""A candidate's admission (status, route, blocs) and the exemptions of the positionnement."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from accounts.access import Duty, staff_may, staff_object_or_404
from accounts.models import Enrolment
from centres.forms import AdmissionForm, ExemptionForm, ExemptionRemoveForm
from centres.views.base import centre_staff
from workflow import admission
from workflow.errors import WorkflowError


def _refused(form, error: WorkflowError) -> None:
    """Show a service's refusal beside its fields when the form has them, else above it."""
    shown = False
    for field, errors in error.field_errors.items():
        if field in form.fields:
            for message in errors:
                form.add_error(field, message)
            shown = True
    if not shown or error.message:
        form.add_error(None, error.message)


# Each form of the screen: its form, the service it calls with its cleaned data, the message.
ACTIONS = {
    "admission": (
        AdmissionForm,
        admission.enrolment_admission_set,
        gettext_lazy("Admission enregistrée."),
    ),
    "exemption": (ExemptionForm, admission.exemption_record, gettext_lazy("Dispense enregistrée.")),
    "exemption_remove": (
        ExemptionRemoveForm,
        admission.exemption_remove,
        gettext_lazy("Dispense retirée."),
    ),
}


@centre_staff
def enrolment_admission(request, cohort_pk, pk):
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("cohort__title", "candidate").prefetch_related("blocs"),
        request.user,
        pk=pk,
        cohort_id=cohort_pk,
    )
    may_manage = staff_may(request.user, enrolment, Duty.MANAGE)
    may_evaluate = staff_may(request.user, enrolment, Duty.EVALUATION)
    enrolled = list(enrolment.blocs.all())
    admission_form = AdmissionForm(
        prefix="admission",
        enrolment=enrolment,
        initial={"status": enrolment.status, "route": enrolment.route, "blocs": enrolled},
    )
    exemption_form = ExemptionForm(prefix="exemption", enrolment=enrolment)
    remove_form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ACTIONS or not (may_manage if action == "admission" else may_evaluate):
            raise PermissionDenied
        form_class, service, done = ACTIONS[action]
        form = form_class(request.POST, prefix=action, enrolment=enrolment)
        if action == "admission":
            admission_form = form
        elif action == "exemption":
            exemption_form = form
        else:
            remove_form = form
        if form.is_valid():
            try:
                data = form.cleaned_data
                if "exemption" not in data:
                    data = {**data, "enrolment": enrolment}
                service(actor=request.user, **data)
            except WorkflowError as error:
                _refused(form, error)
            else:
                messages.success(request, str(done))
                return redirect("centres:enrolment_admission", cohort_pk, pk)
    return render(
        request,
        "centres/enrolment_admission.html",
        {
            "enrolment": enrolment,
            "enrolled_blocs": enrolled,
            "exemptions": admission.exemptions_of(enrolment),
            "admission_form": admission_form,
            "exemption_form": exemption_form,
            "may_manage": may_manage,
            "may_evaluate": may_evaluate,
            "remove_form": remove_form,
        },
    )
