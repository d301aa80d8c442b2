"""Twenty simultaneous starts of the same job give one job and one task (PostgreSQL)."""

import pytest
from django.db import connection

from jobs.models import Job
from jobs.services import job_start
from tests.factories import EstablishmentFactory
from tests.races import run_together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serialises writers",
    ),
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
