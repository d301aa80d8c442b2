"""Closing a deliberation runs as a background job: the request returns at once, the page shows
the progress, and a worker killed before the closing committed leaves nothing behind and is
taken over by ``jobs_resume``, which closes once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from audit import clock
from audit.models import AuditEvent
from jobs.models import Job
from jobs.services import STALE_AFTER, jobs_resume
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    staff,
)
from tests.workflow.jury.test_stored_results import deliberating_session
from workflow.errors import WorkflowError
from workflow.jury import closing, deliberation
from workflow.models import CCMark, JuryDecision, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class Killed(BaseException):
    """The worker's process killed mid-way: nothing in the runner catches it."""


def three_candidates():
    enrolments = [ready_enrolment(exam_ratio=Decimal("0.6")) for _ in range(3)]
    session, members, _actor = deliberating_session(enrolments)
    return session, members["president"]


def test_the_president_closes_through_the_page_and_the_job_closes_once():
    session, president = three_candidates()
    client = Client()
    client.force_login(president)
    url = reverse("jury:deliberation", args=[session.pk])
    response = client.post(url, {"action": "close", "confirmed": "1"}, follow=True)
    assert "Délibération close" in response.content.decode()
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    assert JuryDecision.objects.filter(session=session).count() == 3
    job = Job.objects.get(kind=closing.DELIBERATION_CLOSE)
    assert (job.state, job.done, job.total) == (Job.State.DONE, 3, 3)
    assert job.result["url"] == url


def test_a_closing_waiting_for_a_worker_shows_its_progress_on_the_page(settings):
    settings.TASKS = DUMMY
    session, president = three_candidates()
    client = Client()
    client.force_login(president)
    url = reverse("jury:deliberation", args=[session.pk])
    response = client.post(url, {"action": "close", "confirmed": "1"}, follow=True)
    job = Job.objects.get(kind=closing.DELIBERATION_CLOSE)
    page = response.content.decode()
    assert job.state == Job.State.QUEUED
    assert "en arrière-plan" in page
    assert f'id="job-{job.pk}"' in page and "data-job-polling" in page
    # Asking again gives the same job, not a second one.
    client.post(url, {"action": "close", "confirmed": "1"})
    assert Job.objects.filter(kind=closing.DELIBERATION_CLOSE).count() == 1


def test_what_the_president_can_fix_is_refused_before_any_job_starts():
    session, president = three_candidates()
    with pytest.raises(WorkflowError, match="Confirmez"):
        closing.deliberation_close_start(actor=president, session=session, confirm=False)
    with pytest.raises(WorkflowError, match="président"):
        closing.deliberation_close_start(actor=staff(), session=session, confirm=True)
    assert not Job.objects.exists()


def test_a_worker_killed_before_the_closing_commits_leaves_nothing_and_is_taken_over(
    monkeypatch,
):
    session, president = three_candidates()
    real = deliberation._portfolios_decide

    def killed(**kwargs):
        raise Killed

    monkeypatch.setattr(deliberation, "_portfolios_decide", killed)
    job = closing.deliberation_close_start(actor=president, session=session, confirm=True)
    job = Job.objects.get(pk=job.pk)
    assert job.state == Job.State.RUNNING
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING
    assert not JuryDecision.objects.filter(session=session).exists()
    recorded = AuditEvent.objects.filter(action="jury_decision.record").count()

    monkeypatch.setattr(deliberation, "_portfolios_decide", real)
    assert jobs_resume() == []  # its heartbeat is fresh: perhaps still running elsewhere
    Job.objects.filter(pk=job.pk).update(heartbeat_at=clock.now() - STALE_AFTER - timedelta(1))
    assert jobs_resume() == [job.pk]
    job.refresh_from_db()
    session.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.DONE, 2)
    assert session.state == JurySession.State.CLOSED
    assert JuryDecision.objects.filter(session=session).count() == 3
    assert AuditEvent.objects.filter(action="jury_decision.record").count() == recorded + 3


def test_a_job_run_again_after_the_closing_committed_closes_nothing_twice():
    session, president = three_candidates()
    job = closing.deliberation_close_start(actor=president, session=session, confirm=True)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    before = JuryDecision.objects.filter(session=session).count()
    assert closing.deliberation_close_run(job, progress=None)["url"]
    assert JuryDecision.objects.filter(session=session).count() == before == 3


def test_a_refused_closing_fails_the_job_with_the_reason():
    session, president = three_candidates()
    entry = session.candidates.first()
    CCMark.objects.filter(enrolment=entry.enrolment).first().delete()
    job = closing.deliberation_close_start(actor=president, session=session, confirm=True)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "Clôture impossible" in job.error and "contrôle continu incomplet" in job.error
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING


def test_many_stale_results_are_recomputed_by_a_job_few_in_the_request(monkeypatch, settings):
    session, president = three_candidates()
    client = Client()
    client.force_login(president)
    url = reverse("jury:deliberation", args=[session.pk])
    monkeypatch.setattr(closing, "INLINE_REFRESH_LIMIT", 2)
    settings.TASKS = DUMMY  # no worker: the job waits, the page shows it and the stale rows
    page = client.get(url).content.decode()
    job = Job.objects.get(kind=closing.RESULTS_REFRESH)
    assert f'id="job-{job.pk}"' in page
    assert page.count("décision en cours de recalcul") == 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    jobs_resume(stale_after=timedelta(0))
    job.refresh_from_db()
    assert (job.state, job.done) == (Job.State.DONE, 3)
    assert "décision en cours de recalcul" not in client.get(url).content.decode()
    # One changed mark: recomputed in the request itself, no job.
    CCMark.objects.filter(enrolment=session.candidates.first().enrolment).first().save()
    assert "décision en cours de recalcul" not in client.get(url).content.decode()
    assert Job.objects.filter(kind=closing.RESULTS_REFRESH).count() == 1
