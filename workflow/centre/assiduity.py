"""The pedagogical team's screen on the assiduity penalty of a cohort's candidates.

Each candidate with unjustified absences shows the share of the cohort's training time they
make, the band the engine proposes, the absences behind it and the team's decision; the staff
who record absences (evaluation duty on the establishment) apply the penalty or waive it with a
reason. A cohort of another establishment is a 404, reading without the duty a 403 on POST. The
page runs the same queries whatever the cohort's size (one page of candidates, read in bulk).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may, staff_object_or_404
from accounts.listing import paginate
from accounts.models import Cohort, Enrolment
from workflow.errors import WorkflowError
from workflow.marks.assiduity import assiduity_by_enrolment, assiduity_decide
from workflow.models import AbsenceRecord
from workflow.web import posted_id, staff_only

ACTIONS = {"agree": True, "waive": False}


def _candidates(cohort):
    """The cohort's candidates with at least one unjustified absence, by name."""
    unjustified = AbsenceRecord.objects.filter(enrolment=OuterRef("pk"), justified=False)
    return (
        Enrolment.objects.filter(Exists(unjustified), cohort=cohort)
        .select_related("candidate", "cohort")
        .prefetch_related(
            Prefetch("absences", queryset=AbsenceRecord.objects.order_by("date", "justified"))
        )
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


@login_required
def staff_assiduity(request, cohort_id):
    staff_only(request.user)
    cohort = staff_object_or_404(Cohort.objects.select_related("title"), request.user, pk=cohort_id)
    may_decide = staff_may(request.user, cohort, Duty.EVALUATION)
    errors: dict[int, str] = {}
    posted_reason = ""
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        agree = ACTIONS.get(request.POST.get("action", ""))
        enrolment = (
            Enrolment.objects.filter(cohort=cohort, pk=posted_id(request.POST.get("enrolment")))
            .select_related("candidate", "cohort")
            .first()
        )
        if enrolment is None or agree is None:
            raise Http404
        posted_reason = request.POST.get("reason", "")
        try:
            assiduity_decide(
                actor=request.user, enrolment=enrolment, agree=agree, reason=posted_reason
            )
        except WorkflowError as error:
            errors[enrolment.pk] = error.message
        else:
            messages.success(
                request,
                (_("Pénalité appliquée pour %(c)s.") if agree else _("Pénalité levée pour %(c)s."))
                % {"c": enrolment.candidate},
            )
            page = posted_id(request.GET.get("page"))
            url = reverse("jury:staff_assiduity", args=[cohort.pk])
            return redirect(f"{url}?page={page}" if page else url)
    page = paginate(request, _candidates(cohort))
    enrolments = list(page.object_list)
    assiduity = assiduity_by_enrolment(enrolments)
    rows = [
        {
            "enrolment": enrolment,
            "assiduity": assiduity[enrolment.pk],
            "error": errors.get(enrolment.pk, ""),
            "reason": posted_reason if enrolment.pk in errors else "",
        }
        for enrolment in enrolments
    ]
    links = [
        (f"reason-{row['enrolment'].pk}", _("Motif (%(c)s)") % {"c": row["enrolment"].candidate},
         row["error"])
        for row in rows
        if row["error"]
    ]  # fmt: skip
    return render(
        request,
        "workflow/staff_assiduity.html",
        {
            "cohort": cohort,
            "page": page,
            "rows": rows,
            "links": links,
            "may_decide": may_decide,
        },
    )
