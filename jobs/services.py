"""Start, run and resume background jobs.

``job_start`` records the job and enqueues ``job_run`` in the same transaction: with the
database backend the task row commits with the job row or not at all (no job without its task,
no task without its job); with the immediate backend the job runs at once. ``job_run`` calls
the handler registered for the job's kind; ``jobs_resume`` enqueues again the jobs a crash left
queued or running (their heartbeat stale).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django_tasks import task

from audit import clock
from jobs.models import Job
from jobs.registry import JobFailed, job_handler

logger = logging.getLogger(__name__)

# A running job whose handler has not reported progress for this long is taken for dead (its
# worker crashed or was killed): ``jobs_resume`` runs it again. Handlers advance far more often.
STALE_AFTER = timedelta(minutes=10)


def job_start(*, kind: str, key: str, establishment, actor, params: dict | None = None) -> Job:
    """Return the queued or running job of ``key``, or create it and enqueue its run.

    The caller has checked that ``actor`` may start this work; ``params`` must be
    JSON-serialisable (the handler reads them).
    """
    with transaction.atomic():
        existing = Job.objects.select_for_update().filter(key=key, state__in=Job.UNFINISHED)
        job = existing.first()
        if job is not None:
            return job
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    key=key,
                    establishment=establishment,
                    requested_by=actor if getattr(actor, "pk", None) else None,
                    params=params or {},
                    message=_("il démarre dès qu'un processus de travail est libre"),
                )
        except IntegrityError:
            # Started at the same instant by another request: that one is the job.
            return Job.objects.get(key=key, state__in=Job.UNFINISHED)
        job_run.enqueue(job.pk)
    return Job.objects.get(pk=job.pk)


class Progress:
    """What a handler reports while it works; each report commits at once so the page sees it.

    A handler may report from inside its own transaction (the archive is written under the
    document's lock): on PostgreSQL the report is then written by a short thread on its own
    connection, at most once a second, so that it commits without the handler's transaction.
    """

    # How often a report from inside a transaction is written (each one is a connection).
    INSIDE_TRANSACTION_EVERY = 1.0

    def __init__(self, job: Job) -> None:
        self.job = job
        self._pending = 0
        self._last = 0.0
        # The transactions already open when the handler starts (a caller's, with the
        # immediate backend) are not the handler's: its reports stay in them.
        self._depth = len(connection.atomic_blocks)

    def _inside_handler_transaction(self) -> bool:
        return connection.vendor == "postgresql" and len(connection.atomic_blocks) > self._depth

    def _update(self, **fields) -> None:
        fields["heartbeat_at"] = clock.now()
        if not self._inside_handler_transaction():
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return

        def write() -> None:
            try:
                Job.objects.filter(pk=self.job.pk).update(**fields)
            finally:
                connections.close_all()

        self._last = time.monotonic()
        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        # Never wait on a row this transaction might hold: a report is not worth a deadlock.
        thread.join(timeout=5)

    def _due(self) -> bool:
        return (
            not self._inside_handler_transaction()
            or time.monotonic() - self._last >= self.INSIDE_TRANSACTION_EVERY
        )

    def total(self, n: int) -> None:
        """Announce how many items the job handles (this attempt counts from zero)."""
        self._pending = 0
        self._update(total=n, done=0)

    def advance(self, k: int = 1, message: str | None = None) -> None:
        """Count ``k`` more items done (done before by an earlier attempt included)."""
        self._pending += k
        if message is None and not self._due():
            return
        fields = {"done": F("done") + self._pending}
        self._pending = 0
        if message is not None:
            fields["message"] = message[:255]
        self._update(**fields)

    def say(self, message: str) -> None:
        """Show ``message`` (French) as the job's status."""
        self._update(message=message[:255])


def _locked(job_id: int) -> Job | None:
    return Job.objects.select_for_update().filter(pk=job_id).first()


def _stale(job: Job, now) -> bool:
    return job.heartbeat_at is None or job.heartbeat_at < now - STALE_AFTER


@task()
def job_run(job_id: int) -> str:
    """Run a job: mark it running, call its handler, mark it done or failed; return its state.

    A job already finished, or running under another worker (fresh heartbeat), is left alone.
    A failure is logged and shown in French; starting the job again retries it.
    """
    with transaction.atomic():
        job = _locked(job_id)
        if job is None or job.finished:
            return job.state if job else "missing"
        now = clock.now()
        if job.state == Job.State.RUNNING and not _stale(job, now):
            return job.state
        job.start()
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.done = 0
        job.message = ""
        job.error = ""
        job.save()
    handler = job_handler(job.kind)
    try:
        if handler is None:
            raise JobFailed(_("Ce type de travail n'est plus pris en charge."))
        result = handler(job, Progress(job)) or {}
    except Exception as error:
        if isinstance(error, JobFailed):
            logger.warning("Job %s (%s) failed: %s", job.pk, job.key, error)
        else:
            logger.exception("Job %s (%s) failed", job.pk, job.key)
        message = (
            str(error)
            if isinstance(error, JobFailed)
            else _(
                "Le travail a échoué sur une erreur inattendue, consignée pour l'équipe "
                "technique. Relancez-le : ce qui a déjà été fait ne sera pas refait."
            )
        )
        with transaction.atomic():
            job = _locked(job_id)
            job.fail()
            job.error = message
            job.message = ""
            job.finished_at = clock.now()
            job.save()
        return job.state
    with transaction.atomic():
        job = _locked(job_id)
        job.finish()
        job.result = result
        if job.total is None:
            job.total = job.done or 1
        job.done = job.total
        job.message = ""
        job.finished_at = job.heartbeat_at = clock.now()
        job.save()
    return job.state


def jobs_resume(*, stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Enqueue again the jobs left queued, or running without a sign of life for ``stale_after``
    (their worker died); return their ids. A job still alive elsewhere is left to its worker."""
    cutoff = clock.now() - stale_after
    dead = Q(state=Job.State.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))
    ids = list(
        Job.objects.filter(Q(state=Job.State.QUEUED) | dead)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    # Judged dead here (perhaps sooner than STALE_AFTER): let ``job_run`` take them over.
    Job.objects.filter(dead, pk__in=ids).update(heartbeat_at=None)
    for job_id in ids:
        job_run.enqueue(job_id)
    return ids
