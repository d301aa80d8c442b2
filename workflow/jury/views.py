"""Screens of jury members (sessions, soutenances, deliberation) and the candidates' results.

Each view checks access with ``workflow.jury.access``, parses a form, calls one service and
redirects; a ``WorkflowError`` is shown on the page in French.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, is_centre_staff, staff_may
from accounts.listing import paginate, query_without
from accounts.models import Enrolment, Role
from audit.clock import today
from jobs.selectors import latest_jobs
from workflow.errors import WorkflowError
from workflow.jury import accommodations, closing, computed, fraud, results, soutenances
from workflow.jury import deliberation as deliberations
from workflow.jury import forms as jury_forms
from workflow.jury.access import (
    accommodations_readable,
    is_president,
    is_voting_member,
    session_may_read,
)
from workflow.models import (
    FraudReport,
    JuryDecision,
    JurySession,
    Soutenance,
)
from workflow.web import attempt, attempt_form, own_enrolments

PAGE_SIZE = 50

# --- Tutor -------------------------------------------------------------------------------


# --- Trainer -----------------------------------------------------------------------------


# --- Candidate ---------------------------------------------------------------------------


@login_required
def candidate_results(request):
    decisions = []
    for enrolment in own_enrolments(request.user):
        decisions.extend(results.published_decisions(enrolment))
    return render(request, "workflow/candidate_results.html", {"decisions": decisions})


# --- Staff -------------------------------------------------------------------------------


# --- Jury --------------------------------------------------------------------------------


@login_required
def jury_home(request):
    if not (request.user.has_role(Role.JURY) or is_centre_staff(request.user)):
        raise PermissionDenied
    sessions = paginate(
        request,
        JurySession.objects.filter(members__user=request.user).distinct().order_by("-date", "pk"),
    )
    return render(request, "workflow/jury_home.html", {"sessions": sessions, "page": sessions})


def _session_for(user, pk):
    """Return the session for its members and its establishment's staff.

    Another establishment's staff get the same 404 as for a missing session.
    """
    session = get_object_or_404(JurySession, pk=pk)
    if not session_may_read(user, session):
        if is_centre_staff(user):
            raise Http404
        raise PermissionDenied
    return session


def _may_certify(user, session) -> bool:
    return staff_may(user, session, Duty.CERTIFICATION)


@login_required
def jury_session(request, pk):
    session = _session_for(request.user, pk)
    page = paginate(
        request,
        session.soutenances.select_related(
            "memoire__enrolment__candidate", "memoire__enrolment__cohort"
        ).order_by("starts_at", "pk"),
    )
    president = is_president(request.user, session)
    enrolments = [s.memoire.enrolment for s in page]
    readable = accommodations_readable(request.user, enrolments)
    texts = accommodations.accommodations_texts([e for e in enrolments if e.pk in readable])
    shown = [{"soutenance": s, "accommodations": texts.get(s.memoire.enrolment.pk)} for s in page]
    return render(
        request,
        "workflow/jury_session.html",
        {
            "session": session,
            "soutenances": shown,
            "page": page,
            "members": session.members.select_related("user"),
            "may_mark": is_voting_member(request.user, session),
            "is_president": president,
            "may_open": (president or _may_certify(request.user, session))
            and session.state == JurySession.State.COMPOSED,
        },
    )


@login_required
@require_POST
def jury_session_open(request, pk):
    session = _session_for(request.user, pk)
    if attempt(
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
        action = request.POST.get("action")
        if not (president or (action == "publish" and _may_certify(request.user, session))):
            raise PermissionDenied
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
                attempt(
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
                attempt(
                    request,
                    lambda: fraud.fraud_report_confirm(actor=user, report=report, session=session),
                    _("Fraude établie : la session du candidat est invalidée."),
                )
            else:
                attempt(
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
            try:
                job = closing.deliberation_close_start(
                    actor=user, session=session, confirm=form.is_valid()
                )
            except WorkflowError as error:
                messages.error(request, error.message)
            else:
                _report_job(request, job)
        elif action == "publish":
            publish_form = jury_forms.PublishForm(request.POST, late=_late(session))
            if not results_publish(request, session, publish_form):
                return _deliberation_page(request, session, president, publish_form)
        # Back to the same page of the same filtered list.
        return redirect(request.get_full_path())
    return _deliberation_page(request, session, president)


def _report_job(request, job) -> None:
    """Say where the closing job stands: done, failed (why), or running (follow it below)."""
    if job.state == job.State.DONE:
        messages.success(request, _("Délibération close : les résultats sont figés."))
    elif job.state == job.State.FAILED:
        messages.error(request, job.error)
    else:
        messages.info(
            request,
            _("La clôture se fait en arrière-plan : sa progression s'affiche ci-dessous."),
        )


def _late(session) -> bool:
    return deliberations.publication_is_late(session, on=today())


def results_publish(request, session, form) -> bool:
    """Publish from ``form`` (a ``PublishForm``); on refusal the form holds the reasons."""
    return attempt_form(
        request,
        form,
        lambda data: deliberations.jury_results_publish(
            actor=request.user, session=session, late_reason=data.get("late_reason", "")
        ),
        _("Résultats publiés."),
    )


def _deliberation_page(request, session, president, publish_form=None):
    """The candidates of the session, 50 a page, from the stored results (the stale ones are
    recomputed first, in bulk); a fixed number of queries whatever the session's size."""
    session.refresh_from_db()
    refresh_job = closing.results_refresh(session=session, actor=request.user)
    bloc_numbers = [str(b.number) for b in session.title.blocs.order_by("number")]
    filters = jury_forms.DeliberationFilterForm(request.GET or None)
    chosen = filters.values()
    page = paginate(request, computed.deliberation_entries(session, **chosen), PAGE_SIZE)
    entries = list(page.object_list)
    recorded = {
        d.enrolment_id: d
        for d in JuryDecision.objects.filter(
            session=session, enrolment_id__in=[e.enrolment_id for e in entries]
        )
    }
    frozen = session.state in results.DECIDED_SESSION_STATES
    rows = []
    for entry in entries:
        decision = recorded.get(entry.enrolment_id)
        snapshot = decision.computed if frozen and decision else entry.computed
        if decision:
            initial = {
                "outcome": decision.outcome,
                "validated_blocs": decision.validated_blocs,
                "motive": decision.override_motive,
            }
        elif snapshot:
            initial = {
                "outcome": snapshot["outcome"],
                "validated_blocs": snapshot["validated_blocs"],
            }
        else:
            initial = {}
        rows.append(
            {
                "enrolment": entry.enrolment,
                "snapshot": snapshot,
                "missing": entry.missing,
                "stale": entry.stale and not frozen,
                "recorded": decision,
                "form": jury_forms.DecisionForm(
                    prefix=f"d{entry.enrolment_id}", bloc_numbers=bloc_numbers, initial=initial
                ),
            }
        )
    reports = FraudReport.objects.filter(
        enrolment__jury_entries__session=session, state=FraudReport.State.RECORDED
    ).select_related("enrolment__candidate")
    close_key = closing.deliberation_close_key(session.pk)
    close_job = latest_jobs([close_key]).get(close_key)
    return render(
        request,
        "workflow/deliberation.html",
        {
            "session": session,
            "rows": rows,
            "page": page,
            "filters": filters,
            "filter_query": query_without(request),
            "is_president": president,
            "deliberating": session.state == JurySession.State.DELIBERATING,
            "reports": reports,
            "close_form": jury_forms.CloseForm(),
            "refresh_job": refresh_job if refresh_job and refresh_job.state != "done" else None,
            "close_job": close_job
            if close_job and (not close_job.finished or close_job.state == close_job.State.FAILED)
            else None,
            "may_publish": session.state == JurySession.State.CLOSED
            and (president or _may_certify(request.user, session)),
            "publish_form": publish_form or jury_forms.PublishForm(late=_late(session)),
        },
    )
