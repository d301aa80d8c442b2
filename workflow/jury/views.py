"""Screens of tutors, trainers, the centre's staff, jury members and candidates' results.

Each view checks access with ``workflow.access`` / ``workflow.jury.access``, parses a form,
calls one service and redirects; a ``WorkflowError`` is shown on the page in French.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import is_centre_staff
from accounts.models import Cohort, Enrolment, Role, TrainingLink
from audit import clock
from audit.trail import audit_for_candidate
from referentiel.models import Bloc, Module
from rules import cc as cc_rules
from workflow.centre import dashboard
from workflow.errors import WorkflowError
from workflow.jury import accommodations, fraud, results, retakes, soutenances
from workflow.jury import deliberation as deliberations
from workflow.jury import forms as jury_forms
from workflow.jury import sessions as jury_sessions
from workflow.jury.access import (
    accommodations_may_read,
    candidate_history_may_read,
    is_president,
    is_voting_member,
    session_may_read,
)
from workflow.marks import attendance, cc, exam_marks, tutoring
from workflow.marks.access import trainer_may_mark
from workflow.models import (
    AbsenceRecord,
    Accommodation,
    FraudReport,
    JurySession,
    Soutenance,
    TutorEvaluation,
)
from workflow.selectors import memoire_written_mark


def _staff_only(user):
    if not is_centre_staff(user):
        raise PermissionDenied


def _attempt(request, action, success: str):
    """Run ``action``; report success or the WorkflowError's message. Return True on success."""
    try:
        action()
    except WorkflowError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# --- Tutor -------------------------------------------------------------------------------


@login_required
def tutor_home(request, pk=None):
    if not request.user.has_role(Role.TUTEUR):
        raise PermissionDenied
    evaluations = list(tutoring.tutor_evaluations_for(request.user))
    current = None
    if pk is not None:
        current = next((e for e in evaluations if e.pk == pk), None)
        if current is None:
            raise PermissionDenied
    elif evaluations:
        current = next((e for e in evaluations if e.state in tutoring.EDITABLE), None)
    form = None
    if current is not None:
        criteria = current.grid_version.criteria.all()
        initial = {s.criterion_id: s.points for s in current.scores.all()}
        form = jury_forms.TutorGridForm(
            request.POST or None,
            criteria=criteria,
            initial_points=initial,
            initial={"comment": current.comment},
            require_all=request.POST.get("action") == "submit",
        )
        if request.method == "POST":
            if current.state not in tutoring.EDITABLE:
                messages.error(request, _("Cette évaluation ne peut plus être modifiée."))
            elif form.is_valid():
                try:
                    tutoring.tutor_evaluation_save(
                        actor=request.user,
                        evaluation=current,
                        points=form.points(),
                        comment=form.cleaned_data["comment"],
                    )
                    if request.POST.get("action") == "submit":
                        tutoring.tutor_evaluation_submit(actor=request.user, evaluation=current)
                        messages.success(request, _("Évaluation remise. Merci !"))
                    else:
                        messages.success(request, _("Brouillon enregistré."))
                    return redirect("jury:tutor_evaluation", pk=current.pk)
                except WorkflowError as error:
                    form.add_error(None, error.message)
    return render(
        request,
        "workflow/tutor_home.html",
        {
            "evaluations": evaluations,
            "current": current,
            "form": form,
            "editable": current is not None and current.state in tutoring.EDITABLE,
        },
    )


# --- Trainer -----------------------------------------------------------------------------


@login_required
def trainer_home(request):
    if not request.user.has_role(Role.FORMATEUR):
        raise PermissionDenied
    links = (
        TrainingLink.objects.filter(trainer=request.user, module__cc_points__gt=0)
        .select_related("module__bloc", "cohort")
        .order_by("cohort__name", "module__bloc__number", "module__order")
    )
    return render(request, "workflow/trainer_home.html", {"links": links})


@login_required
def trainer_marks(request, cohort_id, module_id):
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    module = get_object_or_404(Module, pk=module_id)
    if not trainer_may_mark(request.user, module=module, cohort=cohort):
        raise PermissionDenied
    mark_form = jury_forms.CCMarkForm(None, cohort=cohort)
    import_form = jury_forms.CCImportForm()
    report = None
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = jury_forms.CCImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                report = cc.cc_import_csv(
                    actor=request.user,
                    module=module,
                    cohort=cohort,
                    content=request.FILES["file"].read(),
                )
            except WorkflowError as error:
                import_form.add_error(None, error.message)
            if report is not None and report.ok:
                messages.success(
                    request,
                    _("Import réussi : %(c)s créées, %(u)s modifiées, %(n)s inchangées.")
                    % {"c": report.created, "u": report.updated, "n": report.unchanged},
                )
                return redirect("jury:trainer_marks", cohort_id=cohort.pk, module_id=module.pk)
    elif request.method == "POST":
        mark_form = jury_forms.CCMarkForm(request.POST, cohort=cohort)
        if mark_form.is_valid():
            data = mark_form.cleaned_data
            try:
                cc.cc_mark_enter(
                    actor=request.user,
                    enrolment=data["enrolment"],
                    module=module,
                    label=data["label"],
                    mark=data["mark"],
                    out_of=data["out_of"],
                    absence=data["absence"] or "",
                )
                messages.success(request, _("Note enregistrée."))
                return redirect("jury:trainer_marks", cohort_id=cohort.pk, module_id=module.pk)
            except WorkflowError as error:
                mark_form.add_error(None, error.message)
    enrolments = list(Enrolment.objects.filter(cohort=cohort).select_related("candidate"))
    labels = sorted(
        {m.label for m in cc.CCMark.objects.filter(module=module, enrolment__cohort=cohort)}
    )
    marks = {
        (m.enrolment_id, m.label): m
        for m in cc.CCMark.objects.filter(module=module, enrolment__cohort=cohort)
    }
    rows = [
        {
            "enrolment": e,
            "cells": [marks.get((e.pk, label)) for label in labels],
            "points": cc.module_cc_points(e, module),
        }
        for e in enrolments
    ]
    return render(
        request,
        "workflow/trainer_marks.html",
        {
            "cohort": cohort,
            "module": module,
            "labels": labels,
            "rows": rows,
            "mark_form": mark_form,
            "import_form": import_form,
            "report": report,
            "scales": ", ".join(str(scale) for scale in cc_rules.CC_SCALES),
        },
    )


# --- Candidate ---------------------------------------------------------------------------


def _own_enrolments(user):
    if not user.has_role(Role.CANDIDAT):
        raise PermissionDenied
    return Enrolment.objects.filter(candidate=user).select_related("cohort__title")


@login_required
def candidate_cc(request):
    enrolments = [
        {"enrolment": e, "modules": cc.cc_marks_for_candidate(e)}
        for e in _own_enrolments(request.user)
    ]
    return render(request, "workflow/candidate_cc.html", {"enrolments": enrolments})


@login_required
def candidate_results(request):
    decisions = []
    for enrolment in _own_enrolments(request.user):
        decisions.extend(results.published_decisions(enrolment))
    return render(request, "workflow/candidate_results.html", {"decisions": decisions})


# --- Staff -------------------------------------------------------------------------------


@login_required
def staff_dashboard(request):
    _staff_only(request.user)
    form = jury_forms.SessionForm(request.POST or None)
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
    sessions = [
        {"session": s, "status": results.publication_status(s, on=on)}
        for s in JurySession.objects.select_related("establishment").order_by("-date")
    ]
    enrolments = Enrolment.objects.select_related("candidate", "cohort").order_by(
        "cohort__name", "candidate__last_name"
    )
    return render(
        request,
        "workflow/staff_dashboard.html",
        {
            "sessions": sessions,
            "form": form,
            "enrolments": enrolments,
            "state_counts": dashboard.portfolio_state_counts(),
            "overdue": dashboard.overdue_assignments(),
            "workload": dashboard.evaluator_workload(),
            "progress_chart": dashboard.cohort_progress_chart(),
            "workload_chart": dashboard.evaluator_workload_chart(),
        },
    )


@login_required
def staff_session(request, pk):
    _staff_only(request.user)
    session = get_object_or_404(JurySession, pk=pk)
    member_form = jury_forms.MemberForm()
    candidate_form = jury_forms.CandidateAddForm(session=session)
    schedule_form = jury_forms.ScheduleForm(session=session)
    reason_form = jury_forms.ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        user = request.user
        if action == "member":
            member_form = jury_forms.MemberForm(request.POST)
            if member_form.is_valid():
                _attempt(
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
            member = get_object_or_404(session.members, pk=request.POST.get("member"))
            _attempt(
                request,
                lambda: jury_sessions.jury_member_remove(actor=user, member=member),
                _("Membre retiré."),
            )
        elif action == "candidate":
            candidate_form = jury_forms.CandidateAddForm(request.POST, session=session)
            if candidate_form.is_valid():
                _attempt(
                    request,
                    lambda: jury_sessions.jury_candidate_add(
                        actor=user,
                        session=session,
                        enrolment=candidate_form.cleaned_data["enrolment"],
                    ),
                    _("Candidat inscrit à la session."),
                )
        elif action == "schedule":
            schedule_form = jury_forms.ScheduleForm(request.POST, session=session)
            if schedule_form.is_valid():
                data = schedule_form.cleaned_data
                starts_at = timezone.make_aware(datetime.combine(session.date, data["time"]))
                _attempt(
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
            _attempt(
                request,
                lambda: jury_sessions.jury_session_compose(actor=user, session=session),
                _("Jury constitué."),
            )
        elif action == "reopen":
            reason_form = jury_forms.ReasonForm(request.POST)
            if reason_form.is_valid():
                _attempt(
                    request,
                    lambda: jury_sessions.jury_session_reopen_composition(
                        actor=user, session=session, reason=reason_form.cleaned_data["reason"]
                    ),
                    _("Composition rouverte."),
                )
        elif action == "convocations":
            try:
                count = jury_sessions.jury_convocations_send(actor=user, session=session)
                messages.success(request, _("%(n)s convocation(s) envoyée(s).") % {"n": count})
            except WorkflowError as error:
                messages.error(request, error.message)
        elif action == "publish":
            _attempt(
                request,
                lambda: deliberations.jury_results_publish(actor=user, session=session),
                _("Résultats publiés."),
            )
        return redirect("jury:staff_session", pk=session.pk)
    session.refresh_from_db()
    return render(
        request,
        "workflow/staff_session.html",
        {
            "session": session,
            "members": session.members.select_related("user"),
            "candidates": session.candidates.select_related("enrolment__candidate"),
            "soutenances": session.soutenances.select_related("memoire__enrolment__candidate"),
            "problems": jury_sessions.composition_problems(session)
            if session.state == JurySession.State.PLANNED
            else [],
            "status": results.publication_status(session, on=clock.today()),
            "results_chart": dashboard.session_results_chart(session),
            "pass_rate_chart": dashboard.session_pass_rate_chart(session),
            "member_form": member_form,
            "candidate_form": candidate_form,
            "schedule_form": schedule_form,
            "reason_form": reason_form,
        },
    )


@login_required
def staff_candidate(request, pk):
    _staff_only(request.user)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("candidate", "cohort__title"), pk=pk
    )
    title = enrolment.cohort.title
    memoire = results.current_memoire(enrolment)
    forms = {
        "absence": jury_forms.AbsenceForm(prefix="absence"),
        "memoire": jury_forms.MemoireWrittenMarkForm(prefix="memoire", title=title),
        "accommodation": jury_forms.AccommodationForm(prefix="accommodation"),
        "fraud": jury_forms.FraudForm(prefix="fraud"),
        "exam": jury_forms.ExamMarkForm(prefix="exam", title=title),
        "retake": jury_forms.RetakeForm(prefix="retake", title=title),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        user = request.user
        if action == "absence":
            form = forms["absence"] = jury_forms.AbsenceForm(request.POST, prefix="absence")
            if form.is_valid():
                d = form.cleaned_data
                _attempt(
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
                _attempt(
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
                _attempt(
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
            form = forms["exam"] = jury_forms.ExamMarkForm(request.POST, prefix="exam", title=title)
            if form.is_valid():
                d = form.cleaned_data
                _attempt(
                    request,
                    lambda: exam_marks.bloc_exam_mark_enter(
                        actor=user,
                        enrolment=enrolment,
                        bloc=title.blocs.get(pk=d["bloc"]),
                        points=d["points"],
                        presented=d["presented"],
                    ),
                    _("Note d'épreuves enregistrée."),
                )
        elif action == "memoire":
            form = forms["memoire"] = jury_forms.MemoireWrittenMarkForm(
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
                _attempt(
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
            _attempt(
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
            "forms": forms,
            "absences": enrolment.absences.all(),
            "absence_pct": attendance.unjustified_absence_pct(enrolment),
            "accommodations": enrolment.accommodations.all(),
            "memoire": memoire,
            "memoire_written_mark": memoire_written_mark(memoire) if memoire else None,
            "fraud_reports": enrolment.fraud_reports.all(),
            "tutor_evaluations": TutorEvaluation.objects.filter(enrolment=enrolment),
            "exam_marks": enrolment.exam_marks.select_related("bloc"),
            "retakes": enrolment.retakes.select_related("bloc"),
        },
    )


@login_required
@require_POST
def staff_accommodation_remove(request, pk, accommodation_id):
    """Withdraw an accommodation of this candidate, with the reason kept in the audit trail."""
    _staff_only(request.user)
    accommodation = get_object_or_404(Accommodation, pk=accommodation_id, enrolment_id=pk)
    form = jury_forms.ReasonForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: accommodations.accommodation_remove(
                actor=request.user, accommodation=accommodation, reason=form.cleaned_data["reason"]
            ),
            _("Aménagement retiré."),
        )
    else:
        messages.error(request, _("Indiquez le motif du retrait."))
    return redirect("jury:staff_candidate", pk=pk)


@login_required
@require_POST
def staff_absence_delete(request, pk, absence_id):
    """Delete an absence of this candidate entered by mistake, with the reason audited."""
    _staff_only(request.user)
    record = get_object_or_404(AbsenceRecord, pk=absence_id, enrolment_id=pk)
    form = jury_forms.ReasonForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: attendance.absence_delete(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            ),
            _("Absence supprimée."),
        )
    else:
        messages.error(request, _("Indiquez pourquoi cette absence est supprimée."))
    return redirect("jury:staff_candidate", pk=pk)


# --- Jury --------------------------------------------------------------------------------


@login_required
def jury_home(request):
    if not (request.user.has_role(Role.JURY) or is_centre_staff(request.user)):
        raise PermissionDenied
    sessions = JurySession.objects.filter(members__user=request.user).distinct()
    return render(request, "workflow/jury_home.html", {"sessions": sessions})


def _session_for(user, pk):
    session = get_object_or_404(JurySession, pk=pk)
    if not session_may_read(user, session):
        raise PermissionDenied
    return session


@login_required
def jury_session(request, pk):
    session = _session_for(request.user, pk)
    soutenances = session.soutenances.select_related("memoire__enrolment__candidate")
    president = is_president(request.user, session)
    shown = [
        {
            "soutenance": s,
            "accommodations": accommodations.accommodations_text(s.memoire.enrolment)
            if accommodations_may_read(request.user, s.memoire.enrolment)
            else None,
        }
        for s in soutenances
    ]
    return render(
        request,
        "workflow/jury_session.html",
        {
            "session": session,
            "soutenances": shown,
            "members": session.members.select_related("user"),
            "may_mark": is_voting_member(request.user, session),
            "is_president": president,
            "may_open": (president or is_centre_staff(request.user))
            and session.state == JurySession.State.COMPOSED,
        },
    )


@login_required
@require_POST
def jury_session_open(request, pk):
    session = _session_for(request.user, pk)
    if _attempt(
        request,
        lambda: deliberations.jury_deliberation_open(actor=request.user, session=session),
        _("Délibération ouverte."),
    ):
        return redirect("jury:deliberation", pk=session.pk)
    return redirect("jury:session", pk=session.pk)


@login_required
def soutenance_mark(request, pk, soutenance_id):
    session = _session_for(request.user, pk)
    soutenance = get_object_or_404(Soutenance, pk=soutenance_id, session=session)
    if not is_voting_member(request.user, session):
        raise PermissionDenied
    criteria = soutenance.grid_version.criteria.all()
    absent = request.POST.get("action") == "absent"
    form = jury_forms.SoutenanceForm(
        request.POST or None, criteria=criteria, require_all=not absent
    )
    if request.method == "POST" and (absent or form.is_valid()):
        try:
            soutenances.soutenance_mark(
                actor=request.user,
                soutenance=soutenance,
                points=None if absent else form.points(),
                comment=request.POST.get("comment", ""),
                presented=not absent,
            )
            messages.success(request, _("Soutenance notée."))
            return redirect("jury:session", pk=session.pk)
        except WorkflowError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "workflow/soutenance_mark.html",
        {"session": session, "soutenance": soutenance, "form": form},
    )


@login_required
def deliberation(request, pk):
    session = _session_for(request.user, pk)
    president = is_president(request.user, session)
    if request.method == "POST":
        if not president:
            raise PermissionDenied
        action = request.POST.get("action")
        user = request.user
        if action == "decision":
            enrolment = get_object_or_404(
                Enrolment, pk=request.POST.get("enrolment"), jury_entries__session=session
            )
            form = jury_forms.DecisionForm(
                request.POST,
                prefix=f"d{enrolment.pk}",
                bloc_numbers=[str(b.number) for b in session.title.blocs.order_by("number")],
            )
            if form.is_valid():
                _attempt(
                    request,
                    lambda: deliberations.jury_decision_record(
                        actor=user,
                        session=session,
                        enrolment=enrolment,
                        outcome=form.cleaned_data["outcome"],
                        validated_blocs=form.cleaned_data["validated_blocs"],
                        motive=form.cleaned_data["motive"],
                    ),
                    _("Décision enregistrée."),
                )
            else:
                messages.error(request, _("Décision incomplète : vérifiez le formulaire."))
        elif action in ("fraud_confirm", "fraud_dismiss"):
            report = get_object_or_404(FraudReport, pk=request.POST.get("report"))
            if action == "fraud_confirm":
                _attempt(
                    request,
                    lambda: fraud.fraud_report_confirm(actor=user, report=report, session=session),
                    _("Fraude établie : la session du candidat est invalidée."),
                )
            else:
                _attempt(
                    request,
                    lambda: fraud.fraud_report_dismiss(
                        actor=user,
                        report=report,
                        session=session,
                        reason=request.POST.get("reason", ""),
                    ),
                    _("Procès-verbal écarté."),
                )
        elif action == "close":
            form = jury_forms.CloseForm(request.POST)
            _attempt(
                request,
                lambda: deliberations.jury_deliberation_close(
                    actor=user, session=session, confirm=form.is_valid()
                ),
                _("Délibération close : les résultats sont figés."),
            )
        elif action == "publish":
            _attempt(
                request,
                lambda: deliberations.jury_results_publish(actor=user, session=session),
                _("Résultats publiés."),
            )
        return redirect("jury:deliberation", pk=session.pk)
    session.refresh_from_db()
    bloc_numbers = [str(b.number) for b in session.title.blocs.order_by("number")]
    rows = []
    for row in results.session_rows(session):
        initial = {}
        if row.recorded:
            initial = {
                "outcome": row.recorded.outcome,
                "validated_blocs": row.recorded.validated_blocs,
                "motive": row.recorded.override_motive,
            }
        elif row.snapshot:
            initial = {
                "outcome": row.snapshot["outcome"],
                "validated_blocs": row.snapshot["validated_blocs"],
            }
        rows.append(
            {
                "row": row,
                "form": jury_forms.DecisionForm(
                    prefix=f"d{row.enrolment.pk}", bloc_numbers=bloc_numbers, initial=initial
                ),
            }
        )
    reports = FraudReport.objects.filter(
        enrolment__jury_entries__session=session, state=FraudReport.State.RECORDED
    ).select_related("enrolment__candidate")
    return render(
        request,
        "workflow/deliberation.html",
        {
            "session": session,
            "rows": rows,
            "is_president": president,
            "deliberating": session.state == JurySession.State.DELIBERATING,
            "reports": reports,
            "close_form": jury_forms.CloseForm(),
            "may_publish": session.state == JurySession.State.CLOSED
            and (president or is_centre_staff(request.user)),
        },
    )


@login_required
def candidate_history(request, pk):
    """Show a candidate's whole audit trail: to the staff and their jury's president only."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("candidate", "cohort"), pk=pk)
    if not candidate_history_may_read(request.user, enrolment):
        raise Http404
    return render(
        request,
        "workflow/candidate_history.html",
        {"enrolment": enrolment, "events": audit_for_candidate(enrolment.candidate)},
    )
