"""The job runner: a key has one unfinished job, a handler's outcome is recorded, a job
interrupted half-way (a handler raising, a worker killed) is resumed by ``jobs_resume`` and
finishes without doing anything twice: no second document, no second e-mail."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks import default_task_backend

from audit import clock
from audit.models import Notification
from documents import jobs as documents_jobs
from documents import services
from documents.issuance import DocumentRefused
from documents.models import IssuedDocument
from jobs.models import Job
from jobs.registry import JobFailed, job_handler_register
from jobs.services import STALE_AFTER, job_run, job_start, jobs_resume
from tests.documents.test_result_documents import decided  # noqa: F401
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import jury_timeline  # noqa: F401
from workflow.jury import deliberation, publication

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline", "local_storage")]

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
CALLS: list[tuple] = []


def counting(job, progress):
    """A test handler: counts to the job's ``n``, then gives a link."""
    progress.total(job.params["n"])
    for _item in range(job.params["n"]):
        CALLS.append(job.pk)
        progress.advance(1)
    return {"url": "/fait/", "label": "fait"}


def failing(job, progress):
    if job.params.get("refused"):
        raise JobFailed("Le document n'est pas dû.")
    raise ValueError("a bug")


job_handler_register("tests.counting", counting)
job_handler_register("tests.failing", failing)


class Killed(BaseException):
    """The worker's process killed mid-way: nothing in the runner catches it."""


def start(kind="tests.counting", key="tests:1", **params):
    return job_start(
        kind=kind,
        key=key,
        establishment=EstablishmentFactory(),
        actor=None,
        params=params or {"n": 3},
    )


def test_a_key_has_one_unfinished_job_and_its_task_is_enqueued_once(settings):
    settings.TASKS = DUMMY
    first, second = start(), start()
    assert first.pk == second.pk and first.state == Job.State.QUEUED
    assert [result.args for result in default_task_backend.results] == [[first.pk]]
    job_run.call(first.pk)
    assert Job.objects.get(pk=first.pk).state == Job.State.DONE
    third = start()  # finished: starting the key again makes a new job
    assert third.pk != first.pk and Job.objects.count() == 2


def test_the_runner_records_progress_result_and_attempts():
    CALLS.clear()
    job = Job.objects.get(pk=start(n=4).pk)
    assert (job.state, job.done, job.total, job.attempts) == (Job.State.DONE, 4, 4, 1)
    assert job.result == {"url": "/fait/", "label": "fait"}
    assert job.finished_at and job.started_at and job.message == ""
    assert CALLS == [job.pk] * 4
    assert job_run.call(job.pk) == Job.State.DONE  # run again when done: nothing happens
    assert CALLS == [job.pk] * 4


def test_a_failure_is_told_in_french_logged_and_retried_by_starting_again(caplog):
    job = Job.objects.get(pk=start("tests.failing", "tests:f").pk)
    assert job.state == Job.State.FAILED and "erreur inattendue" in job.error
    assert "a bug" in caplog.text  # the exception is logged for the technical team
    refused = Job.objects.get(pk=start("tests.failing", "tests:r", refused=True).pk)
    assert refused.error == "Le document n'est pas dû."
    retried = start("tests.failing", "tests:f")
    assert retried.pk != job.pk and Job.objects.filter(key="tests:f").count() == 2


def test_an_unknown_kind_fails_with_a_message():
    job = Job.objects.get(pk=start("tests.nobody", "tests:n").pk)
    assert job.state == Job.State.FAILED and "plus pris en charge" in job.error


def age_heartbeats(by=STALE_AFTER + timedelta(seconds=1)):
    Job.objects.update(heartbeat_at=clock.now() - by)


def test_jobs_resume_leaves_live_jobs_alone_and_takes_over_dead_ones(settings):
    settings.TASKS = DUMMY
    queued = start(key="tests:q")
    running = start(key="tests:r")
    Job.objects.filter(pk=running.pk).update(state=Job.State.RUNNING, heartbeat_at=clock.now())
    assert jobs_resume() == [queued.pk]  # the queued one; the running one shows signs of life
    age_heartbeats()
    assert sorted(jobs_resume()) == [queued.pk, running.pk]
    out = StringIO()
    call_command("jobs_resume", "--stale-after", "0", stdout=out)
    assert "2 travail(s) remis en file" in out.getvalue()


def releve_interrupted(monkeypatch, *, at: int, error):
    """Make the ``at``-th relevé issued raise ``error``; return the real issuing function."""
    real = services.releve_issue
    calls = []

    def releve_then_error(**kwargs):
        calls.append(kwargs["enrolment"].pk)
        if len(calls) == at:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(services, "releve_issue", releve_then_error)
    return real


def expected_result_documents(decided) -> int:  # noqa: F811
    from documents import selectors

    return sum(
        1 + len(links.certificats) + int(links.attestation)
        for links in selectors.session_result_rows(decided["session"])
        if links.decision is not None
    )


def test_the_result_documents_job_killed_half_way_resumes_without_a_second_document(
    decided,  # noqa: F811
    monkeypatch,
):
    session, staff = decided["session"], decided["staff"]
    real = releve_interrupted(monkeypatch, at=2, error=Killed)  # the worker dies on the 2nd
    job = documents_jobs.session_job_start(
        kind=documents_jobs.RESULTS, session=session, actor=staff
    )
    job = Job.objects.get(pk=job.pk)
    assert job.state == Job.State.RUNNING and job.done == 1 and job.total == 3
    issued_before = IssuedDocument.objects.count()
    assert 0 < issued_before < expected_result_documents(decided)
    monkeypatch.setattr(services, "releve_issue", real)

    assert jobs_resume() == []  # its heartbeat is fresh: perhaps still running elsewhere
    age_heartbeats()
    call_command("jobs_resume", stdout=StringIO())
    job = Job.objects.get(pk=job.pk)
    assert (job.state, job.done, job.total, job.attempts) == (Job.State.DONE, 3, 3, 2)
    expected = expected_result_documents(decided)
    assert IssuedDocument.objects.count() == expected
    # Every document once, in force; running the whole job again issues nothing new.
    places = IssuedDocument.objects.values_list("kind", "enrolment_id", "bloc_id")
    assert len(set(places)) == expected
    again = documents_jobs.session_job_start(
        kind=documents_jobs.RESULTS, session=session, actor=staff
    )
    assert Job.objects.get(pk=again.pk).state == Job.State.DONE
    assert IssuedDocument.objects.count() == expected


def test_the_publication_e_mails_killed_half_way_go_to_each_candidate_once(
    client,
    decided,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(publication, "CHUNK", 1)
    real = publication.notify_many
    calls = []

    def notify_then_killed(messages):
        calls.append([m["key"] for m in messages])
        if len(calls) == 2:
            raise Killed
        return real(messages)

    monkeypatch.setattr(publication, "notify_many", notify_then_killed)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deliberation.jury_results_publish(actor=decided["staff"], session=decided["session"])
    job = Job.objects.get(kind=publication.RESULTS_NOTIFY)
    assert job.state == Job.State.RUNNING and job.done == 1
    assert len(mail.outbox) == 1
    monkeypatch.setattr(publication, "notify_many", real)
    client.force_login(decided["staff"])
    page = client.get(reverse("documents:session", args=[decided["session"].pk]))
    assert f'id="job-{job.pk}"' in page.content.decode()  # its progress shows with the documents

    age_heartbeats()
    with django_capture_on_commit_callbacks(execute=True):
        jobs_resume()
    assert Job.objects.get(pk=job.pk).state == Job.State.DONE
    recipients = sorted(message.to[0] for message in mail.outbox)
    candidates = sorted(decided[key].candidate.email for key in ("anais", "jerome", "zoe"))
    assert recipients == candidates
    assert Notification.objects.filter(template="results_published").count() == 3
    # The job started again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        publication.results_notify_start(session=decided["session"], actor=decided["staff"])
    assert len(mail.outbox) == 3


def test_a_session_job_refuses_another_establishments_staff_and_what_is_not_owed(
    decided,  # noqa: F811
):
    grenoble = UserFactory(
        roles=STAFF_ROLES, roles__establishment=EstablishmentFactory(name="CCI Grenoble")
    )
    session = decided["session"]
    for kind in (documents_jobs.PROCES_VERBAL, documents_jobs.ARCHIVE, documents_jobs.RESULTS):
        with pytest.raises(DocumentRefused):
            documents_jobs.session_job_start(kind=kind, session=session, actor=grenoble)
    with pytest.raises(DocumentRefused):
        documents_jobs.session_job_start(
            kind=documents_jobs.DIPLOMATION, session=session, actor=decided["staff"], fmt="pdf"
        )
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_and_its_worker_run_a_job(settings):
    """The production engine: the task row is written with the job; ``db_worker`` runs it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    CALLS.clear()
    job = start(key="tests:db", n=2)
    assert job.state == Job.State.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job = Job.objects.get(pk=job.pk)
    assert (job.state, job.done, job.result["label"]) == (Job.State.DONE, 2, "fait")
    assert CALLS == [job.pk, job.pk]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_result_documents_job_failing_half_way_is_retried_without_a_second_document(
    decided,  # noqa: F811
    monkeypatch,
):
    session, staff = decided["session"], decided["staff"]
    real = releve_interrupted(monkeypatch, at=3, error=RuntimeError("storage unavailable"))
    job = documents_jobs.session_job_start(
        kind=documents_jobs.RESULTS, session=session, actor=staff
    )
    job = Job.objects.get(pk=job.pk)
    assert job.state == Job.State.FAILED and job.done == 2
    assert "Relancez-le" in job.error and "storage" not in job.error
    issued_before = IssuedDocument.objects.count()
    monkeypatch.setattr(services, "releve_issue", real)
    retried = documents_jobs.session_job_start(
        kind=documents_jobs.RESULTS, session=session, actor=staff
    )
    assert retried.pk != job.pk and Job.objects.get(pk=retried.pk).state == Job.State.DONE
    expected = expected_result_documents(decided)
    assert issued_before < expected == IssuedDocument.objects.count()
    assert len(set(IssuedDocument.objects.values_list("kind", "enrolment_id", "bloc_id"))) == (
        expected
    )
