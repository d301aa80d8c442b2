"""Telling each candidate that a session's results are published, as a background job.

The job records one notification per decision, in chunks each committed on its own, keyed
``results_published:{session}:{enrolment}``: a job run again after a crash (or started again)
skips the candidates already told, and ``audit.notifications`` sends each e-mail once.
"""

from __future__ import annotations

from django.db import transaction

from audit.notifications import notify_many
from jobs.models import Job
from jobs.registry import job_handler_register
from jobs.services import job_start
from rules import eligibility
from workflow.models import JuryDecision, JurySession

RESULTS_NOTIFY = "jury.results_notify"
CHUNK = 200


def results_notify_key(session_pk: int) -> str:
    return f"jury.results_notify:s{session_pk}"


def results_notify_start(*, session: JurySession, actor) -> Job:
    """Start the job that tells every candidate of ``session`` its results are published."""
    return job_start(
        kind=RESULTS_NOTIFY,
        key=results_notify_key(session.pk),
        establishment=session.establishment,
        actor=actor,
        params={"session": session.pk},
    )


def results_notify_run(job: Job, progress) -> dict:
    session = JurySession.objects.get(pk=job.params["session"])
    decisions = (
        JuryDecision.objects.filter(session=session)
        .select_related("enrolment__candidate")
        .order_by("pk")
    )
    progress.total(decisions.count())
    date = eligibility.fr_date(session.date)
    chunk: list[JuryDecision] = []
    for decision in decisions.iterator(chunk_size=CHUNK):
        chunk.append(decision)
        if len(chunk) == CHUNK:
            _notify_chunk(session, chunk, date)
            progress.advance(len(chunk))
            chunk = []
    if chunk:
        _notify_chunk(session, chunk, date)
        progress.advance(len(chunk))
    return {}


def _notify_chunk(session: JurySession, decisions: list[JuryDecision], date: str) -> None:
    with transaction.atomic():
        notify_many(
            [
                {
                    "key": f"results_published:{session.pk}:{decision.enrolment_id}",
                    "recipient": decision.enrolment.candidate,
                    "template": "results_published",
                    "context": {
                        "candidate": str(decision.enrolment.candidate),
                        "outcome": decision.get_outcome_display(),
                        "date": date,
                    },
                }
                for decision in decisions
            ]
        )


def publication_jobs_register() -> None:
    job_handler_register(RESULTS_NOTIFY, results_notify_run)
