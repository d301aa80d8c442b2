"""Closing a deliberation as a background job: the request that asks returns at once.

``deliberation_close_start`` refuses at once what the president can fix (not the president,
the wrong state, too early, no confirmation) and starts the job ``jury.close:s<session>``; the
job runs ``jury_deliberation_close``, which writes every decision in one transaction. A job
interrupted before that transaction commits left nothing behind and runs it again; after it,
the session is closed and the job has nothing left to do.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.access import job_read_grant_register
from jobs.models import Job
from jobs.registry import JobFailed, job_handler_register
from jobs.services import job_start
from workflow.errors import WorkflowError
from workflow.jury.computed import session_results_refresh
from workflow.jury.deliberation import close_require, jury_deliberation_close
from workflow.jury.inputs import DECIDED_SESSION_STATES
from workflow.models import JuryMember, JurySession, SessionCandidate

DELIBERATION_CLOSE = "jury.deliberation_close"
RESULTS_REFRESH = "jury.results_refresh"
# Up to this many stale results, the deliberation screen recomputes them in its own request
# (well under a second); past it, a job does it and the screen shows its progress.
INLINE_REFRESH_LIMIT = 200


def deliberation_close_key(session_pk: int) -> str:
    return f"jury.close:s{session_pk}"


def deliberation_close_start(*, actor, session, confirm: bool) -> Job:
    """Check that the president may close the deliberation now, then start the closing job."""
    close_require(actor=actor, session=session, confirm=confirm)
    return job_start(
        kind=DELIBERATION_CLOSE,
        key=deliberation_close_key(session.pk),
        establishment=session.establishment,
        actor=actor,
        params={"session": session.pk},
    )


def deliberation_close_run(job: Job, progress) -> dict:
    session = JurySession.objects.get(pk=job.params["session"])
    result = {
        "url": reverse("jury:deliberation", args=[session.pk]),
        "label": _("Délibération close : les résultats sont figés."),
    }
    if session.state != JurySession.State.DELIBERATING:
        return result  # closed by an earlier run of this job that stopped after committing
    progress.total(SessionCandidate.objects.filter(session=session).count())
    progress.say(_("calcul et enregistrement des décisions de tous les candidats"))
    try:
        jury_deliberation_close(actor=job.requested_by, session=session, confirm=True)
    except WorkflowError as error:
        session.refresh_from_db()
        if session.state in DECIDED_SESSION_STATES:
            return result  # another run of this job closed it meanwhile
        raise JobFailed(error.message) from error
    return result


def results_refresh_key(session_pk: int) -> str:
    return f"jury.results_refresh:s{session_pk}"


def results_refresh(*, session, actor) -> Job | None:
    """Bring the session's stored results up to date for the deliberation screen: at once when
    few are stale, else through a job (returned, to show its progress)."""
    if session.state in DECIDED_SESSION_STATES:
        return None  # its results are the recorded decisions, frozen at closing
    stale = SessionCandidate.objects.filter(session=session, stale=True).count()
    if stale == 0:
        return None
    if stale <= INLINE_REFRESH_LIMIT:
        session_results_refresh(session)
        return None
    return job_start(
        kind=RESULTS_REFRESH,
        key=results_refresh_key(session.pk),
        establishment=session.establishment,
        actor=actor,
        params={"session": session.pk},
    )


def results_refresh_run(job: Job, progress) -> dict:
    session = JurySession.objects.get(pk=job.params["session"])
    progress.total(SessionCandidate.objects.filter(session=session, stale=True).count())
    progress.say(_("calcul des décisions des candidats dont une note a changé"))
    count = session_results_refresh(session)
    progress.advance(count)
    return {
        "url": reverse("jury:deliberation", args=[session.pk]),
        "label": _("Décisions calculées : afficher la délibération"),
    }


def jury_may_follow_job(user, job) -> bool:
    """Every member of the session follows its closing and its results' refresh."""
    if job.kind not in (DELIBERATION_CLOSE, RESULTS_REFRESH):
        return False
    return JuryMember.objects.filter(session_id=job.params.get("session"), user=user).exists()


def closing_jobs_register() -> None:
    job_handler_register(DELIBERATION_CLOSE, deliberation_close_run)
    job_handler_register(RESULTS_REFRESH, results_refresh_run)
    job_read_grant_register(jury_may_follow_job)
