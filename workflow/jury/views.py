"""Screens of jury members (sessions, soutenances, deliberation) and the candidates' results.

Each view checks access with ``workflow.jury.access``, parses a form, calls one service and
redirects; a ``WorkflowError`` is shown on the page in French.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Duty, confirmed, is_centre_staff, staff_may
from accounts.confirm import confirmation_page
from accounts.listing import paginate, query_without
from accounts.models import Role
from audit.clock import today
from jobs.selectors import latest_jobs
from workflow.errors import WorkflowError
from workflow.jury import (
    accommodations,
    closing,
    computed,
    confirmations,
    fraud,
    results,
    soutenances,
)
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
    SessionCandidate,
    Soutenance,
)
from workflow.web import attempt, attempt_form, own_enrolments, posted_id

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
    upcoming = request.GET.get("quand") == UPCOMING
    rows = member_sessions(request.user, upcoming=upcoming)
    sessions = paginate(request, rows.order_by("date" if upcoming else "-date", "pk"))
    return render(
        request,
        "workflow/jury_home.html",
        {
            "sessions": sessions,
            "page": sessions,
            "query": query_without(request),
            "upcoming": upcoming,
        },
    )


UPCOMING = "a_venir"


def member_sessions(user, *, upcoming: bool = False):
    """Return the sessions ``user`` sits on; with ``upcoming``, those still to come."""
    rows = JurySession.objects.filter(members__user=user).distinct()
    return rows.filter(date__gte=today()) if upcoming else rows


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
    may_open = (president or _may_certify(request.user, session)) and (
        session.state == JurySession.State.COMPOSED
    )
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
            "may_open": may_open,
            "open_confirmation": confirmations.open_confirmation(session) if may_open else None,
        },
    )


@login_required
@require_POST
def jury_session_open(request, pk):
    session = _session_for(request.user, pk)
    if not confirmed(request):
        return confirmation_page(
            request,
            confirmations.open_confirmation(session),
            back=reverse("jury:session", args=[session.pk]),
        )
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
    if request.method == "POST" and absent and not confirmed(request):
        return confirmation_page(
            request,
            confirmations.absent_confirmation(soutenance),
            back=reverse("jury:soutenance_mark", args=[session.pk, soutenance.pk]),
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
        {
            "session": session,
            "soutenance": soutenance,
            "form": form,
            "absent_confirmation": confirmations.absent_confirmation(soutenance),
        },
    )


# --- Deliberation ------------------------------------------------------------------------


@login_required
def deliberation(request, pk):
    session = _session_for(request.user, pk)
    president = is_president(request.user, session)
    if request.method == "POST":
        action = request.POST.get("action")
        if not (president or (action == "publish" and _may_certify(request.user, session))):
            raise PermissionDenied
        handler = DELIBERATION_ACTIONS.get(action)
        response = handler(request, session) if handler else None
        if response is not None:
            return response
        # Back to the same page of the same filtered list.
        return redirect(request.get_full_path())
    return _deliberation_page(request, session, president)


def _deliberation_url(session) -> str:
    return reverse("jury:deliberation", args=[session.pk])


def _session_report(request, session) -> FraudReport:
    """Return the posted fraud report of one of the session's candidates; 404 otherwise."""
    pk = posted_id(request.POST.get("report"))
    if pk is None:
        raise Http404
    return get_object_or_404(
        FraudReport.objects.select_related("enrolment__candidate"),
        pk=pk,
        enrolment__jury_entries__session=session,
    )


def _fraud_confirm(request, session):
    report = _session_report(request, session)
    if not confirmed(request):
        return confirmation_page(
            request, confirmations.fraud_confirmation(report), back=_deliberation_url(session)
        )
    attempt(
        request,
        lambda: fraud.fraud_report_confirm(actor=request.user, report=report, session=session),
        _("Fraude établie : la session du candidat est invalidée."),
    )
    return None


def _fraud_dismiss(request, session):
    report = _session_report(request, session)
    attempt(
        request,
        lambda: fraud.fraud_report_dismiss(
            actor=request.user,
            report=report,
            session=session,
            reason=request.POST.get("reason", ""),
        ),
        _("Procès-verbal écarté."),
    )
    return None


def _close(request, session):
    if not confirmed(request):
        closing.results_refresh(session=session, actor=request.user)
        return confirmation_page(
            request, confirmations.close_confirmation(session), back=_deliberation_url(session)
        )
    try:
        job = closing.deliberation_close_start(actor=request.user, session=session, confirm=True)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        _report_job(request, job)
    return None


def _adopt(request, session):
    if not confirmed(request):
        closing.results_refresh(session=session, actor=request.user)
        confirmation, counts = confirmations.adopt_confirmation(session)
        return confirmation_page(
            request,
            confirmation,
            back=_deliberation_url(session),
            replace={"expected": jury_forms.AdoptForm.encode(counts)},
        )
    form = jury_forms.AdoptForm(request.POST)
    try:
        count = deliberations.jury_decisions_adopt(
            # No readable counts: compared with none, so that nothing unseen is recorded.
            actor=request.user,
            session=session,
            expected=form.counts() or {},
        )
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(n)s décision(s) calculée(s) adoptée(s) par le jury.") % {"n": count}
        )
    return None


def _publish(request, session):
    publish_form = jury_forms.PublishForm(request.POST, late=_late(session))
    outcome = results_publish(request, session, publish_form)
    if isinstance(outcome, HttpResponse):
        return outcome
    if not outcome:
        president = is_president(request.user, session)
        return _deliberation_page(request, session, president, publish_form)
    return None


DELIBERATION_ACTIONS = {
    "fraud_confirm": _fraud_confirm,
    "fraud_dismiss": _fraud_dismiss,
    "close": _close,
    "adopt": _adopt,
    "publish": _publish,
}


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


def results_publish(request, session, form) -> bool | HttpResponse:
    """Publish from ``form`` (a ``PublishForm``) once confirmed; on refusal the form holds the
    reasons (False). Unconfirmed, a valid form answers the confirmation page (returned)."""
    if form.is_valid() and not confirmed(request):
        return confirmation_page(
            request,
            confirmations.publish_confirmation(session, late=_late(session)),
            back=request.get_full_path(),
        )
    return attempt_form(
        request,
        form,
        lambda data: deliberations.jury_results_publish(
            actor=request.user, session=session, late_reason=data.get("late_reason", "")
        ),
        _("Résultats publiés."),
    )


def _bloc_results(snapshot, bloc_numbers) -> list[dict]:
    """Return each bloc's result of a computed decision, in the title's order, as the table's
    cells say it (words, not colours alone)."""
    blocs = (snapshot or {}).get("blocs", {})
    cells = []
    for number in bloc_numbers:
        bloc = blocs.get(number)
        if bloc is None:
            cells.append({"number": number, "on_20": None, "label": "—", "tone": ""})
        elif bloc["carried"]:
            cells.append({**bloc, "number": number, "label": _("acquis"), "tone": "ok"})
        elif bloc["passed"]:
            cells.append({**bloc, "number": number, "label": _("validé"), "tone": "ok"})
        elif bloc["eliminatory"]:
            cells.append({**bloc, "number": number, "label": _("éliminatoire"), "tone": "error"})
        else:
            cells.append({**bloc, "number": number, "label": _("non validé"), "tone": "warn"})
    return cells


def _candidate_result(entry, decision, frozen: bool, bloc_numbers) -> dict:
    """Return what the screens show of a session candidate: the computed decision (the one
    frozen with the jury's, once closed), each bloc's result, the jury's decision."""
    snapshot = decision.computed if frozen and decision else entry.computed
    return {
        "entry": entry,
        "enrolment": entry.enrolment,
        "snapshot": snapshot,
        "blocs": _bloc_results(snapshot, bloc_numbers),
        "stale": entry.stale and not frozen,
        "recorded": decision,
    }


def _deliberation_page(request, session, president, publish_form=None):
    """The candidates of the session as a table, 50 a page, from the stored results (the stale
    ones are recomputed first, in bulk); a fixed number of queries whatever the session's size."""
    session.refresh_from_db()
    refresh_job = closing.results_refresh(session=session, actor=request.user)
    bloc_numbers = [str(b.number) for b in session.title.blocs.order_by("number")]
    filters = jury_forms.DeliberationFilterForm(request.GET or None)
    page = paginate(request, computed.deliberation_entries(session, **filters.values()), PAGE_SIZE)
    entries = list(page.object_list)
    recorded = {
        d.enrolment_id: d
        for d in JuryDecision.objects.filter(
            session=session, enrolment_id__in=[e.enrolment_id for e in entries]
        )
    }
    frozen = session.state in results.DECIDED_SESSION_STATES
    list_query = query_without(request)
    rows = [
        {
            **_candidate_result(entry, recorded.get(entry.enrolment_id), frozen, bloc_numbers),
            "url": _candidate_url(session, entry.enrolment_id, list_query),
        }
        for entry in entries
    ]
    reports = FraudReport.objects.filter(
        enrolment__jury_entries__session=session, state=FraudReport.State.RECORDED
    ).select_related("enrolment__candidate")
    close_key = closing.deliberation_close_key(session.pk)
    close_job = latest_jobs([close_key]).get(close_key)
    deliberating = session.state == JurySession.State.DELIBERATING
    may_publish = session.state == JurySession.State.CLOSED and (
        president or _may_certify(request.user, session)
    )
    adopt, adopt_counts = (
        confirmations.adopt_confirmation(session) if president and deliberating else (None, {})
    )
    return render(
        request,
        "workflow/deliberation.html",
        {
            "session": session,
            "rows": rows,
            "bloc_numbers": bloc_numbers,
            "page": page,
            "filters": filters,
            "filter_query": list_query,
            "is_president": president,
            "deliberating": deliberating,
            "reports": [
                {"report": r, "confirmation": confirmations.fraud_confirmation(r)} for r in reports
            ],
            "adopt": adopt,
            "adopt_count": sum(adopt_counts.values()),
            "adopt_expected": jury_forms.AdoptForm.encode(adopt_counts),
            "close_confirmation": confirmations.close_confirmation(session)
            if president and deliberating
            else None,
            "refresh_job": refresh_job if refresh_job and refresh_job.state != "done" else None,
            "close_job": close_job
            if close_job and (not close_job.finished or close_job.state == close_job.State.FAILED)
            else None,
            "may_publish": may_publish,
            "publish_form": publish_form or jury_forms.PublishForm(late=_late(session)),
            "publish_confirmation": confirmations.publish_confirmation(session, late=_late(session))
            if may_publish
            else None,
        },
    )


def _candidate_url(session, enrolment_id, list_query: str) -> str:
    url = reverse("jury:deliberation_candidate", args=[session.pk, enrolment_id])
    return f"{url}?{urlencode({'liste': list_query})}" if list_query else url


def _list_url(request, session) -> str:
    """Return the deliberation list the president came from (same page, same filters)."""
    query = QueryDict(request.GET.get("liste", "")).urlencode()
    url = _deliberation_url(session)
    return f"{url}?{query}" if query else url


@login_required
def deliberation_candidate(request, pk, enrolment_pk):
    """One candidate of the deliberation: the engine's decision and reasons, the jury's decision
    and, for the president, the form that records it (an override needs a motive)."""
    session = _session_for(request.user, pk)
    entry = get_object_or_404(
        SessionCandidate.objects.select_related("enrolment__candidate"),
        session=session,
        enrolment_id=enrolment_pk,
    )
    president = is_president(request.user, session)
    deliberating = session.state == JurySession.State.DELIBERATING
    bloc_numbers = [str(b.number) for b in session.title.blocs.order_by("number")]
    prefix = f"d{entry.enrolment_id}"
    form = None
    if request.method == "POST":
        if not president:
            raise PermissionDenied
        form = jury_forms.DecisionForm(request.POST, prefix=prefix, bloc_numbers=bloc_numbers)
        if attempt_form(
            request,
            form,
            lambda data: deliberations.jury_decision_record(
                actor=request.user,
                session=session,
                enrolment=entry.enrolment,
                outcome=data["outcome"],
                validated_blocs=data["validated_blocs"],
                motive=data["motive"],
            ),
            _("Décision enregistrée pour %(name)s.") % {"name": entry.enrolment.candidate},
        ):
            return redirect(_list_url(request, session))
    closing.results_refresh(session=session, actor=request.user)
    entry.refresh_from_db()
    decision = JuryDecision.objects.filter(session=session, enrolment=entry.enrolment).first()
    shown = _candidate_result(
        entry, decision, session.state in results.DECIDED_SESSION_STATES, bloc_numbers
    )
    snapshot = shown["snapshot"]
    if form is None:
        form = jury_forms.DecisionForm(
            prefix=prefix, bloc_numbers=bloc_numbers, initial=_decision_initial(decision, snapshot)
        )
    return render(
        request,
        "workflow/deliberation_candidate.html",
        {
            **shown,
            "session": session,
            "form": form,
            "may_decide": president and deliberating and snapshot is not None,
            "is_president": president,
            "back": _list_url(request, session),
        },
        status=400 if form.errors else 200,
    )


def _decision_initial(decision, snapshot) -> dict:
    """Return the form's starting values: the jury's decision, else the computed one."""
    if decision:
        return {
            "outcome": decision.outcome,
            "validated_blocs": decision.validated_blocs,
            "motive": decision.override_motive,
        }
    if snapshot:
        return {"outcome": snapshot["outcome"], "validated_blocs": snapshot["validated_blocs"]}
    return {}
