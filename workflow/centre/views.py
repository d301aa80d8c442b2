"""The centre's screens: the dashboard, a jury session's organisation, a candidate's file and
history. Each checks access, parses a form, calls one service and redirects.

Every object is fetched within the user's establishments (``staff_object_or_404``): another
establishment's session or candidate is a 404, as a missing one. A POST needs the duty of its
action there (certification for the session's organisation and retakes, evaluation for marks,
attendance, accommodations and fraud reports), else 403.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    EVERYWHERE,
    Duty,
    confirmed,
    staff_establishments,
    staff_may,
    staff_may_any,
    staff_object_or_404,
    staff_scope,
)
from accounts.confirm import confirmation_page
from accounts.listing import list_page, paginate, query_without
from accounts.models import Cohort, Enrolment, Organisation
from audit import clock
from audit.trail import audit_for_candidate
from referentiel.models import Bloc
from workflow import admission
from workflow.centre import dashboard
from workflow.centre.filters import EnrolmentFilter, HistoryFilter
from workflow.errors import WorkflowError
from workflow.history import history_rows
from workflow.jury import (
    accommodations,
    agenda,
    confirmations,
    fraud,
    results,
    retakes,
    soutenances,
)
from workflow.jury import deliberation as deliberations
from workflow.jury import forms as jury_forms
from workflow.jury import sessions as jury_sessions
from workflow.jury import views as jury_views
from workflow.jury.access import candidate_history_may_read
from workflow.marks import attendance, exam_marks, tutoring
from workflow.marks import forms as marks_forms
from workflow.marks.assiduity import assiduity_for
from workflow.marks.written import memoire_written_mark
from workflow.models import (
    AbsenceRecord,
    Accommodation,
    JurySession,
    TutorEvaluation,
)
from workflow.web import attempt, attempt_form, posted_id, require_duty, staff_only

# The dashboard shows the oldest overdue assignments, and how many there are in all.
OVERDUE_SHOWN = 20
# The candidate file's actions of the certification process; the others are the evaluation's.
CERTIFICATION_ACTIONS = frozenset({"retake"})


def _session_establishments(user):
    """Return the establishments where ``user`` plans jury sessions."""
    establishments = Organisation.objects.filter(kind=Organisation.Kind.ETABLISSEMENT)
    allowed = staff_establishments(user, Duty.CERTIFICATION)
    if allowed is EVERYWHERE:
        return establishments
    return establishments.filter(pk__in=list(allowed))


@login_required
def staff_dashboard(request):
    staff_only(request.user)
    user = request.user
    may_plan = staff_may_any(user, Duty.CERTIFICATION)
    if request.method == "POST" and not may_plan:
        raise PermissionDenied
    form = jury_forms.SessionForm(
        request.POST or None, establishments=_session_establishments(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        title = Cohort.objects.filter(establishment=data["establishment"]).first()
        title = title.title if title else Bloc.objects.first().title
        try:
            session = jury_sessions.jury_session_create(
                actor=request.user,
                title=title,
                establishment=data["establishment"],
                date=data["date"],
                place=data["place"],
                last_exam_date=data["last_exam_date"],
            )
            messages.success(request, _("Session créée."))
            return redirect("jury:staff_session", pk=session.pk)
        except WorkflowError as error:
            form.add_error(None, error.message)
    on = clock.today()
    session_page = paginate(
        request,
        staff_scope(JurySession.objects, user)
        .select_related("establishment")
        .order_by("-date", "pk"),
        param="sessions",
    )
    sessions = [
        {"session": s, "status": results.publication_status(s, on=on)} for s in session_page
    ]
    # The candidates, found by name or cohort: a network has thousands.
    enrolments = list_page(
        request,
        staff_scope(Enrolment.objects, user)
        .select_related("candidate", "cohort")
        .order_by("cohort__name", "candidate__last_name", "pk"),
        EnrolmentFilter,
    )
    establishments = staff_establishments(user)
    overdue = dashboard.overdue_assignments(establishments)
    # Each read once: they count every portfolio and assignment of the establishments.
    workload = dashboard.evaluator_workload(establishments)
    state_counts = dashboard.portfolio_state_counts(establishments=establishments)
    return render(
        request,
        "workflow/staff_dashboard.html",
        {
            "sessions": sessions,
            "session_page": session_page,
            "session_query": query_without(request, "sessions"),
            "form": form,
            "may_plan": may_plan,
            "enrolments": enrolments,
            "state_counts": state_counts,
            "overdue": overdue[:OVERDUE_SHOWN],
            "overdue_count": overdue.count(),
            "overdue_publications": [
                {"session": s, "status": results.publication_status(s, on=on)}
                for s in dashboard.overdue_publications(establishments)
            ],
            "workload": workload,
            "progress_chart": dashboard.cohort_progress_chart(
                establishments=establishments, segments=state_counts
            ),
            "workload_chart": dashboard.evaluator_workload_chart(establishments, workload=workload),
        },
    )


@login_required
def staff_session(request, pk):
    staff_only(request.user)
    session = staff_object_or_404(JurySession.objects, request.user, pk=pk)
    may_certify = staff_may(request.user, session, Duty.CERTIFICATION)
    member_form = jury_forms.MemberForm()
    candidate_form = jury_forms.CandidateAddForm(session=session)
    schedule_form = jury_forms.ScheduleForm(session=session)
    reason_form = jury_forms.ReasonForm()
    late = deliberations.publication_is_late(session, on=clock.today())
    publish_form = jury_forms.PublishForm(late=late)
    if request.method == "POST":
        if not may_certify:
            raise PermissionDenied
        action = request.POST.get("action")
        user = request.user
        refused = False  # a form refused by its service is shown again, with its errors
        if action == "member":
            member_form = jury_forms.MemberForm(request.POST)
            if member_form.is_valid():
                attempt(
                    request,
                    lambda: jury_sessions.jury_member_add(
                        actor=user,
                        session=session,
                        user=member_form.cleaned_data["user"],
                        role=member_form.cleaned_data["role"],
                    ),
                    _("Membre ajouté."),
                )
        elif action == "remove_member":
            member_pk = posted_id(request.POST.get("member"))
            if member_pk is None:
                raise Http404
            member = get_object_or_404(session.members, pk=member_pk)
            attempt(
                request,
                lambda: jury_sessions.jury_member_remove(actor=user, member=member),
                _("Membre retiré."),
            )
        elif action == "candidate":
            candidate_form = jury_forms.CandidateAddForm(request.POST, session=session)
            refused = not attempt_form(
                request,
                candidate_form,
                lambda data: jury_sessions.jury_candidate_add(
                    actor=user,
                    session=session,
                    enrolment=data["enrolment"],
                    derogation=data["derogation"],
                ),
                _("Candidat inscrit à la session."),
            )
        elif action == "schedule":
            schedule_form = jury_forms.ScheduleForm(request.POST, session=session)
            if schedule_form.is_valid():
                data = schedule_form.cleaned_data
                starts_at = timezone.make_aware(datetime.combine(session.date, data["time"]))
                attempt(
                    request,
                    lambda: soutenances.soutenance_schedule(
                        actor=user,
                        session=session,
                        enrolment=data["enrolment"],
                        starts_at=starts_at,
                        base_minutes=data["base_minutes"],
                    ),
                    _("Soutenance programmée."),
                )
        elif action == "compose":
            attempt(
                request,
                lambda: jury_sessions.jury_session_compose(actor=user, session=session),
                _("Jury constitué."),
            )
        elif action == "reopen":
            reason_form = jury_forms.ReasonForm(request.POST)
            if reason_form.is_valid():
                attempt(
                    request,
                    lambda: jury_sessions.jury_session_reopen_composition(
                        actor=user, session=session, reason=reason_form.cleaned_data["reason"]
                    ),
                    _("Composition rouverte."),
                )
        elif action == "convocations":
            if not confirmed(request):
                return confirmation_page(
                    request,
                    confirmations.convocations_confirmation(session),
                    back=reverse("jury:staff_session", args=[session.pk]),
                )
            try:
                count = jury_sessions.jury_convocations_send(actor=user, session=session)
                messages.success(request, _("%(n)s convocation(s) envoyée(s).") % {"n": count})
            except WorkflowError as error:
                messages.error(request, error.message)
        elif action == "publish":
            publish_form = jury_forms.PublishForm(request.POST, late=late)
            outcome = jury_views.results_publish(request, session, publish_form)
            if isinstance(outcome, HttpResponse):
                return outcome
            refused = not outcome
        if not refused:
            return redirect("jury:staff_session", pk=session.pk)
    session.refresh_from_db()
    return render(
        request,
        "workflow/staff_session.html",
        {
            "session": session,
            "members": session.members.select_related("user"),
            "candidates": paginate(
                request,
                session.candidates.select_related("enrolment__candidate", "derogation_by").order_by(
                    "enrolment__candidate__last_name", "pk"
                ),
                param="candidats",
            ),
            "candidates_query": query_without(request, "candidats"),
            "soutenances": paginate(
                request,
                session.soutenances.select_related("memoire__enrolment__candidate").order_by(
                    "starts_at", "pk"
                ),
                param="soutenances",
            ),
            "soutenances_query": query_without(request, "soutenances"),
            "problems": jury_sessions.composition_problems(session)
            if session.state == JurySession.State.PLANNED
            else [],
            "status": results.publication_status(session, on=clock.today()),
            "results_chart": dashboard.session_results_chart(session),
            "pass_rate_chart": dashboard.session_pass_rate_chart(session),
            "may_certify": may_certify,
            "member_form": member_form,
            "candidate_form": candidate_form,
            "schedule_form": schedule_form,
            "reason_form": reason_form,
            "publish_form": publish_form,
            "convocation_status": agenda.session_convocation_status(session)
            if session.state in (JurySession.State.PLANNED, JurySession.State.COMPOSED)
            else None,
            "convocations_confirmation": confirmations.convocations_confirmation(session)
            if may_certify and session.state == JurySession.State.COMPOSED
            else None,
            "publish_confirmation": confirmations.publish_confirmation(session, late=late)
            if may_certify and session.state == JurySession.State.CLOSED
            else None,
        },
    )


@login_required
def staff_candidate(request, pk):
    staff_only(request.user)
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("candidate", "cohort__title"), request.user, pk=pk
    )
    may_evaluate = staff_may(request.user, enrolment, Duty.EVALUATION)
    may_certify = staff_may(request.user, enrolment, Duty.CERTIFICATION)
    title = enrolment.cohort.title
    memoire = results.current_memoire(enrolment)
    forms = {
        "absence": marks_forms.AbsenceForm(prefix="absence"),
        "memoire": marks_forms.MemoireWrittenMarkForm(prefix="memoire", title=title),
        "accommodation": jury_forms.AccommodationForm(prefix="accommodation"),
        "fraud": jury_forms.FraudForm(prefix="fraud"),
        "exam": marks_forms.ExamMarkForm(prefix="exam", title=title),
        "retake": jury_forms.RetakeForm(prefix="retake", title=title),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        user = request.user
        if not (may_certify if action in CERTIFICATION_ACTIONS else may_evaluate):
            raise PermissionDenied
        if action == "absence":
            form = forms["absence"] = marks_forms.AbsenceForm(request.POST, prefix="absence")
            if form.is_valid():
                d = form.cleaned_data
                attempt(
                    request,
                    lambda: attendance.absence_record(
                        actor=user,
                        enrolment=enrolment,
                        date=d["date"],
                        hours=d["hours"],
                        justified=d["justified"],
                        justification=d["justification"],
                        note=d["note"],
                    ),
                    _("Absence enregistrée."),
                )
        elif action == "accommodation":
            form = forms["accommodation"] = jury_forms.AccommodationForm(
                request.POST, prefix="accommodation"
            )
            if form.is_valid():
                attempt(
                    request,
                    lambda: accommodations.accommodation_record(
                        actor=user,
                        enrolment=enrolment,
                        kind=form.cleaned_data["kind"],
                        details=form.cleaned_data["details"],
                    ),
                    _("Aménagement enregistré."),
                )
        elif action == "fraud":
            form = forms["fraud"] = jury_forms.FraudForm(request.POST, prefix="fraud")
            if form.is_valid():
                d = form.cleaned_data
                attempt(
                    request,
                    lambda: fraud.fraud_report_record(
                        actor=user,
                        enrolment=enrolment,
                        occurred_on=d["occurred_on"],
                        facts=d["facts"],
                        signature=d["signature"],
                    ),
                    _("Procès-verbal de fraude enregistré ; le jury statuera."),
                )
        elif action == "exam":
            form = forms["exam"] = marks_forms.ExamMarkForm(
                request.POST, prefix="exam", title=title
            )
            if form.is_valid():
                d = form.cleaned_data
                attempt(
                    request,
                    lambda: exam_marks.bloc_exam_mark_enter(
                        actor=user,
                        enrolment=enrolment,
                        bloc=title.blocs.get(pk=d["bloc"]),
                        points=None,
                        presented=False,
                    ),
                    _("Non-présentation du bloc enregistrée."),
                )
        elif action == "memoire":
            form = forms["memoire"] = marks_forms.MemoireWrittenMarkForm(
                request.POST, prefix="memoire", title=title
            )
            if form.is_valid():
                try:
                    if memoire is None:
                        raise WorkflowError(_("Ce candidat n'a pas de mémoire."))
                    exam_marks.memoire_written_mark_enter(
                        actor=user, memoire=memoire, points=form.cleaned_data["points"]
                    )
                except WorkflowError as error:
                    form.add_error("points", error.message)
                else:
                    messages.success(request, _("Note écrite du mémoire enregistrée."))
        elif action == "retake":
            form = forms["retake"] = jury_forms.RetakeForm(
                request.POST, prefix="retake", title=title
            )
            if form.is_valid():
                d = form.cleaned_data
                attempt(
                    request,
                    lambda: retakes.bloc_retake_register(
                        actor=user,
                        enrolment=enrolment,
                        bloc=title.blocs.get(pk=d["bloc"]),
                        evaluation_date=d["evaluation_date"],
                    ),
                    _("Rattrapage enregistré."),
                )
        elif action == "tutor":
            if not confirmed(request):
                return confirmation_page(
                    request,
                    confirmations.tutor_invite_confirmation(enrolment),
                    back=reverse("jury:staff_candidate", args=[enrolment.pk]),
                )
            attempt(
                request,
                lambda: tutoring.tutor_evaluation_invite(actor=user, enrolment=enrolment),
                _("Tuteur invité."),
            )
        if not any(f.errors for f in forms.values()):
            return redirect("jury:staff_candidate", pk=enrolment.pk)
    return render(
        request,
        "workflow/staff_candidate.html",
        {
            "enrolment": enrolment,
            "may_evaluate": may_evaluate,
            "may_certify": may_certify,
            "forms": forms,
            "absences": enrolment.absences.all(),
            "absence_pct": attendance.unjustified_absence_pct(enrolment),
            "assiduity": assiduity_for(enrolment),
            "accommodations": enrolment.accommodations.all(),
            "enrolled_blocs": list(enrolment.blocs.all()),
            "exemptions": admission.exemptions_of(enrolment),
            "memoire": memoire,
            "memoire_written_mark": memoire_written_mark(memoire) if memoire else None,
            "fraud_reports": enrolment.fraud_reports.all(),
            "tutor_evaluations": TutorEvaluation.objects.filter(enrolment=enrolment),
            "exam_marks": enrolment.exam_marks.select_related("bloc"),
            "retakes": enrolment.retakes.select_related("bloc"),
            "tutor_confirmation": confirmations.tutor_invite_confirmation(enrolment),
        },
    )


def _remove_with_reason(request, pk, remove, *, done: str, missing_reason: str):
    """Run ``remove(reason)`` if the posted reason is valid; back to the file (staff checked)."""
    form = jury_forms.ReasonForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: remove(form.cleaned_data["reason"]), done)
    else:
        messages.error(request, missing_reason)
    return redirect("jury:staff_candidate", pk=pk)


@login_required
@require_POST
def staff_accommodation_remove(request, pk, accommodation_id):
    """Withdraw an accommodation of this candidate, with the reason kept in the audit trail."""
    staff_only(request.user)
    accommodation = staff_object_or_404(
        Accommodation.objects, request.user, pk=accommodation_id, enrolment_id=pk
    )
    require_duty(request.user, accommodation, Duty.EVALUATION)
    return _remove_with_reason(
        request,
        pk,
        lambda reason: accommodations.accommodation_remove(
            actor=request.user, accommodation=accommodation, reason=reason
        ),
        done=_("Aménagement retiré."),
        missing_reason=_("Indiquez le motif du retrait."),
    )


@login_required
@require_POST
def staff_absence_delete(request, pk, absence_id):
    """Delete an absence of this candidate entered by mistake, with the reason audited."""
    staff_only(request.user)
    record = staff_object_or_404(
        AbsenceRecord.objects, request.user, pk=absence_id, enrolment_id=pk
    )
    require_duty(request.user, record, Duty.EVALUATION)
    return _remove_with_reason(
        request,
        pk,
        lambda reason: attendance.absence_delete(actor=request.user, record=record, reason=reason),
        done=_("Absence supprimée."),
        missing_reason=_("Indiquez pourquoi cette absence est supprimée."),
    )


@login_required
def candidate_history(request, pk):
    """Show a candidate's whole audit trail in words, filtered by kind and dates: to the staff
    and their jury's president only; the staff may export it."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("candidate", "cohort"), pk=pk)
    if not candidate_history_may_read(request.user, enrolment):
        raise Http404
    listing = list_page(request, audit_for_candidate(enrolment.candidate), HistoryFilter)
    return render(
        request,
        "workflow/candidate_history.html",
        {
            "enrolment": enrolment,
            "listing": listing,
            "rows": history_rows(listing.rows),
            "may_export": staff_may(request.user, enrolment),
        },
    )
