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

from jobs.models import Job
from jobs.registry import JobFailed, job_handler_register
from jobs.services import job_start
from workflow.errors import WorkflowError
from workflow.jury.access import is_president
from workflow.jury.deliberation import jury_deliberation_close, session_require_held
from workflow.jury.sessions import session_require_state
from workflow.models import JurySession, SessionCandidate

DELIBERATION_CLOSE = "jury.deliberation_close"


def deliberation_close_key(session_pk: int) -> str:
    return f"jury.close:s{session_pk}"


def deliberation_close_start(*, actor, session, confirm: bool) -> Job:
    """Check that the president may close the deliberation now, then start the closing job."""
    if not is_president(actor, session):
        raise WorkflowError(_("Seul le président du jury clôt la délibération."))
    session_require_state(session, JurySession.State.DELIBERATING)
    session_require_held(session, action=_("la clôture de la délibération"))
    if not confirm:
        raise WorkflowError(
            _("Confirmez la clôture : les résultats seront figés et ne pourront plus changer.")
        )
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
        raise JobFailed(error.message) from error
    return result


def closing_jobs_register() -> None:
    job_handler_register(DELIBERATION_CLOSE, deliberation_close_run)
