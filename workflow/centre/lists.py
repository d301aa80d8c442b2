"""The centre's lists: candidates, jury sessions, and the candidates ready for a session with
their bulk addition (the selection → a page of what will happen → done, row by row).

Every row comes from the user's establishments (``staff_scope``); acting on a session needs
``Duty.CERTIFICATION`` on it (403 otherwise), and another establishment's session is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may, staff_object_or_404, staff_scope
from accounts.listing import list_page, paginate, query_without
from accounts.models import Enrolment
from accounts.selection import selection_or_message
from workflow.centre import readiness
from workflow.centre.filters import EnrolmentFilter, ReadyFilter, SessionFilter
from workflow.models import JurySession
from workflow.web import require_duty, staff_only

# The readiness of each candidate is the session service's own check, run per row: a shorter
# page than the other lists keeps it quick.
READY_PAGE_SIZE = 25


@login_required
def staff_candidates(request):
    staff_only(request.user)
    listing = list_page(
        request,
        staff_scope(Enrolment.objects, request.user)
        .select_related("candidate", "cohort")
        .order_by("candidate__last_name", "candidate__first_name", "pk"),
        EnrolmentFilter,
    )
    return render(request, "workflow/staff_candidates.html", {"listing": listing})


@login_required
def staff_sessions(request):
    staff_only(request.user)
    listing = list_page(
        request,
        staff_scope(JurySession.objects, request.user)
        .select_related("establishment")
        .order_by("date", "pk"),
        SessionFilter,
    )
    return render(request, "workflow/staff_sessions.html", {"listing": listing})


def _session(request, pk) -> JurySession:
    return staff_object_or_404(
        JurySession.objects.select_related("establishment"), request.user, pk=pk
    )


@login_required
def staff_session_ready(request, pk):
    """List the session's possible candidates with what each one lacks; tick the ready ones."""
    staff_only(request.user)
    session = _session(request, pk)
    filters = ReadyFilter(request.GET, queryset=readiness.session_candidates(session))
    page = paginate(request, filters.qs, READY_PAGE_SIZE)
    rows = [readiness.readiness(enrolment, session) for enrolment in page]
    open_to_add = session.state in (JurySession.State.PLANNED, JurySession.State.COMPOSED)
    may_add = open_to_add and staff_may(request.user, session, Duty.CERTIFICATION)
    actions = [("ajouter", _("Ajouter la sélection à la session"))] if may_add else []
    return render(
        request,
        "workflow/staff_session_ready.html",
        {
            "session": session,
            "filters": filters,
            "page": page,
            "query": query_without(request),
            "rows": rows,
            "ready_count": sum(1 for row in rows if row.ready),
            "bulk_actions": actions,
            "bulk_url": reverse("jury:staff_session_ready_add", args=[session.pk]),
            "page_ids": [row.enrolment.pk for row in rows if row.ready],
        },
    )


@login_required
def staff_session_ready_add(request, pk):
    """Show what adding the selection would do; on ``step=confirm``, add each one."""
    staff_only(request.user)
    session = _session(request, pk)
    back = reverse("jury:staff_session_ready", args=[session.pk])
    if request.method != "POST":
        return redirect(back)
    require_duty(request.user, session, Duty.CERTIFICATION)
    ids = selection_or_message(
        request, empty=_("Cochez au moins un candidat prêt avant de choisir l'action.")
    )
    if ids is None:
        return redirect(back)
    context = {"session": session, "back": back}
    if request.POST.get("step") == "confirm":
        report = readiness.add_run(actor=request.user, session=session, ids=ids)
        return render(
            request, "workflow/staff_session_ready_add.html", {**context, "report": report}
        )
    ready, refusals = readiness.add_plan(request.user, session, ids)
    return render(
        request,
        "workflow/staff_session_ready_add.html",
        {**context, "ready": ready, "refusals": refusals},
    )
