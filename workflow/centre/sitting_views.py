"""The exam calendar's screens: the sittings of the staff's cohorts (who is not convoked in
time), and one sitting with its candidates, convocations and attendance.

Every sitting comes from the user's establishments (``staff_scope``); another establishment's
is a 404. Acting on one needs ``Duty.EVALUATION`` there (403 otherwise): the auditor and the
responsable de la certification read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import (
    Duty,
    confirmed,
    staff_may,
    staff_may_any,
    staff_object_or_404,
    staff_scope,
)
from accounts.confirm import Confirmation, confirmation_page
from accounts.listing import paginate, query_without
from accounts.models import Cohort
from rules import eligibility
from workflow.centre import sitting_attendance, sittings
from workflow.centre.sitting_forms import AttendanceForm, NewSittingForm, SittingForm
from workflow.jury.accommodations import accommodations_texts
from workflow.models import EpreuveConvocation, EpreuveSitting
from workflow.web import attempt, attempt_form, posted_id, require_duty, staff_only

CANDIDATES_PAGE_SIZE = 30


def _cohorts(user):
    return staff_scope(Cohort.objects, user, Duty.EVALUATION)


@login_required
def staff_sittings(request):
    """List the sittings by date, each with the candidates not convoked in time; schedule one."""
    staff_only(request.user)
    may_schedule = staff_may_any(request.user, Duty.EVALUATION)
    form = None
    if may_schedule:
        form = NewSittingForm(request.POST or None, cohorts=_cohorts(request.user))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        made = {}

        def schedule(data):
            made["sitting"] = sittings.sitting_schedule(
                actor=request.user,
                cohort=data["cohort"],
                epreuve=data["epreuve"],
                facts=form.facts(),
            )

        if attempt_form(request, form, schedule, _("Épreuve programmée.")):
            return redirect("jury:staff_sitting", made["sitting"].pk)
    rows = sittings.sittings_with_counts(
        staff_scope(EpreuveSitting.objects, request.user)
        .select_related("epreuve", "cohort__establishment")
        .order_by("starts_at", "pk")
    )
    page = paginate(request, rows)
    statuses = [(sitting, sittings.sitting_convocation_status(sitting)) for sitting in page]
    return render(
        request,
        "workflow/staff_sittings.html",
        {"page": page, "rows": statuses, "query": query_without(request), "form": form},
    )


def _confirmation(sitting, owed: int) -> Confirmation:
    deadline = sittings.convocation_deadline(sitting)
    return Confirmation(
        key="convocations",
        title=_("Envoyer les convocations ?"),
        summary=[
            _("%(n)s e-mail(s) de convocation partent maintenant : épreuve %(code)s, %(room)s.")
            % {"n": owed, "code": sitting.epreuve.code, "room": sitting.room},
            _("Dernier jour d'envoi : %(date)s (un mois avant l'épreuve).")
            % {"date": eligibility.fr_date(deadline)},
            _(
                "Une convocation envoyée ne peut pas être retirée et l'épreuve ne se modifie "
                "plus ensuite : vérifiez la date, l'heure et la salle."
            ),
        ],
        confirm_label=_("Envoyer %(n)s convocation(s)") % {"n": owed},
    )


@login_required
def staff_sitting(request, pk):
    """One sitting: its facts (editable until convoked), its candidates with their extra time
    and accommodations, the convocations to send, and each one's attendance."""
    staff_only(request.user)
    sitting = staff_object_or_404(
        EpreuveSitting.objects.select_related("epreuve__bloc", "cohort__establishment"),
        request.user,
        pk=pk,
    )
    may_act = staff_may(request.user, sitting, Duty.EVALUATION)
    back = reverse("jury:staff_sitting", args=[sitting.pk])
    convoked = sitting.convocations.exists()
    owed = len(sittings.convocations_owed(sitting))
    confirmation = _confirmation(sitting, owed) if may_act and owed else None
    edit_form = None
    if may_act and not convoked:
        edit_form = SittingForm(initial=SittingForm.initial_of(sitting))
    attendance_forms = {}
    if request.method == "POST":
        require_duty(request.user, sitting, Duty.EVALUATION)
        action = request.POST.get("action")
        if action == "edit":  # once convoked, the service says why it no longer changes
            edit_form = SittingForm(request.POST)
            if attempt_form(
                request,
                edit_form,
                lambda _data: sittings.sitting_update(
                    actor=request.user, sitting=sitting, facts=edit_form.facts()
                ),
                _("Épreuve modifiée."),
            ):
                return redirect(back)
        elif action == "convocations":
            if not confirmed(request):
                return confirmation_page(request, _confirmation(sitting, owed), back=back)
            sent = {}

            def send():
                sent["n"] = sittings.sitting_convocations_send(actor=request.user, sitting=sitting)

            if attempt(request, send, _("Convocations envoyées.")):
                messages.info(request, _("%(n)s convocation(s) envoyée(s).") % {"n": sent["n"]})
            return redirect(back)
        elif action == "attendance":
            enrolment = get_object_or_404(
                sittings.sitting_candidates(sitting), pk=posted_id(request.POST.get("enrolment"))
            )
            form = AttendanceForm(request.POST, prefix=f"a{enrolment.pk}")
            if attempt_form(
                request,
                form,
                lambda data: sitting_attendance.attendance_record(
                    actor=request.user, sitting=sitting, enrolment=enrolment, **data
                ),
                _("Présence de %(c)s enregistrée.") % {"c": enrolment.candidate},
            ):
                query = request.GET.urlencode()
                return redirect(f"{back}{'?' + query if query else ''}#candidat-{enrolment.pk}")
            attendance_forms[enrolment.pk] = form
    page = paginate(request, sittings.sitting_candidates(sitting), CANDIDATES_PAGE_SIZE)
    candidates = list(page)
    extra_ids = sittings.extra_time_ids(candidates)
    texts = accommodations_texts(candidates)
    attendance = sitting_attendance.attendance_by_enrolment(sitting)
    sent = {
        c.enrolment_id: c
        for c in EpreuveConvocation.objects.filter(sitting=sitting, enrolment__in=candidates)
    }
    rows = []
    for enrolment in candidates:
        minutes = sittings.candidate_minutes(sitting, enrolment, extra_ids)
        line = attendance.get(enrolment.pk)
        form = attendance_forms.get(enrolment.pk)
        if form is None and may_act:
            initial = {}
            if line is not None:
                initial = {
                    "status": line.status,
                    "justification_kind": line.justification_kind,
                    "justification_date": line.justification_date,
                }
            form = AttendanceForm(initial=initial, prefix=f"a{enrolment.pk}")
        rows.append(
            {
                "enrolment": enrolment,
                "minutes": minutes,
                "extra": minutes - sitting.base_minutes,
                "ends_at": sitting.ends_at(minutes),
                "accommodations": texts[enrolment.pk],
                "convocation": sent.get(enrolment.pk),
                "attendance": line,
                "form": form,
            }
        )
    return render(
        request,
        "workflow/staff_sitting.html",
        {
            "sitting": sitting,
            "status": sittings.sitting_convocation_status(
                sittings.sittings_with_counts(EpreuveSitting.objects.filter(pk=sitting.pk)).get()
            ),
            "may_act": may_act,
            "edit_form": edit_form,
            "confirmation": confirmation,
            "rows": rows,
            "page": page,
            "query": query_without(request),
        },
    )
