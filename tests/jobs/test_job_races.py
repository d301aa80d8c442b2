"""Twenty simultaneous starts of the same job give one job and one task, and a handler's
progress shows on another connection before its transaction commits (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, transaction

from jobs.models import Job
from jobs.registry import job_handler_register
from jobs.services import Progress, job_run, job_start
from tests.factories import EstablishmentFactory
from tests.races import needs_row_locks, run_together

pytestmark = [
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
]


def test_twenty_simultaneous_starts_make_one_job_and_one_task(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    establishment = EstablishmentFactory()

    def start():
        return job_start(
            kind="tests.race", key="tests:race", establishment=establishment, actor=None
        )

    results = run_together([start] * 20)
    assert all(isinstance(result, Job) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Job.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def _seen_from_elsewhere(job_pk) -> tuple:
    """Read the job's progress on another connection (another thread), as the page does."""
    seen = []

    def read():
        try:
            seen.append(Job.objects.filter(pk=job_pk).values_list("done", "total").get())
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    return seen[0]


SEEN: list[tuple] = []


def reporting_inside_its_transaction(job, progress):
    """A handler that works inside one transaction (as the archive does under its lock)."""
    with transaction.atomic():
        progress.total(3)
        for _item in range(3):
            time.sleep(Progress.INSIDE_TRANSACTION_EVERY)  # reports are written once a period
            progress.advance(1)
            SEEN.append(_seen_from_elsewhere(job.pk))
    return {}


job_handler_register("tests.inside", reporting_inside_its_transaction)


def test_progress_reported_inside_a_handlers_transaction_shows_before_it_commits(
    settings, monkeypatch
):
    monkeypatch.setattr(Progress, "INSIDE_TRANSACTION_EVERY", 0.2)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = job_start(
        kind="tests.inside", key="tests:inside", establishment=EstablishmentFactory(), actor=None
    )
    SEEN.clear()
    assert job_run.call(job.pk) == Job.State.DONE
    assert SEEN == [(1, 3), (2, 3), (3, 3)]
