"""The pages of the jobs: the POST that starts one returns at once, the session page shows its
progress (the include, working without JavaScript), the JSON status answers the job's requester
and its establishment's staff only, the DIPLOMATION file is offered when done."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from documents import exports
from documents.models import IssuedDocument
from jobs.models import Job
from tests.documents.conftest import response_bytes
from tests.documents.test_result_documents import decided  # noqa: F401
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import jury_timeline  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline", "local_storage")]

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def session_url(decided, name="documents:session", *args):  # noqa: F811
    return reverse(name, args=[decided["session"].pk, *args])


def test_the_post_returns_at_once_and_the_session_page_shows_the_progress(
    client,
    decided,  # noqa: F811
    settings,
):
    settings.TASKS = DUMMY  # no worker: the job stays queued
    client.force_login(decided["staff"])
    response = client.post(session_url(decided, "documents:proces_verbal"))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == session_url(decided) + f"#job-{job.pk}"
    assert job.state == Job.State.QUEUED and not IssuedDocument.objects.exists()
    page = client.get(response.url).content.decode()
    status_url = reverse("jobs:status", args=[job.pk])
    assert f'data-job-status="{status_url}"' in page and "data-job-polling" in page
    assert f'<label for="job-{job.pk}-bar">Procès-verbal du jury</label>' in page
    assert 'aria-live="polite"' in page and "<progress" in page
    assert "Actualiser la progression" in page  # without JavaScript
    assert "js/jobs.js" in page and "<script>" not in page
    # A second POST while it waits gives back the same job.
    client.post(session_url(decided, "documents:proces_verbal"))
    assert Job.objects.count() == 1
    status = client.get(status_url).json()
    assert status["state"] == "queued" and status["finished"] is False and status["result"] == {}


def test_with_the_immediate_backend_the_post_leads_to_the_result(client, decided):  # noqa: F811
    client.force_login(decided["staff"])
    response = client.post(session_url(decided, "documents:proces_verbal"))
    document = IssuedDocument.objects.get(kind="proces_verbal")
    assert response.url == reverse("documents:download", args=[document.reference])
    job = Job.objects.get()
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["result"] == {"url": response.url, "label": document.reference}
    page = client.get(session_url(decided)).content.decode()
    assert "data-job-polling" not in page and document.reference in page


def test_the_result_documents_of_every_candidate_in_one_job(client, decided):  # noqa: F811
    client.force_login(decided["staff"])
    response = client.post(session_url(decided, "documents:session_results_issue"))
    assert response.url == session_url(decided) + "#documents-emis"
    kinds = set(IssuedDocument.objects.values_list("kind", flat=True))
    assert kinds == {"releve", "certificat_bloc", "attestation"}
    job = Job.objects.get()
    assert (job.done, job.total) == (3, 3)


def test_the_diplomation_export_is_written_by_a_job_and_offered_when_done(
    client,
    decided,  # noqa: F811
):
    client.force_login(decided["staff"])
    response = client.post(session_url(decided, "documents:session_results_export", "csv"))
    job = Job.objects.get()
    assert response.url == session_url(decided, "documents:session_results_file", job.pk)
    download = client.get(response.url)
    assert download["Content-Type"].startswith("text/csv")
    content = response_bytes(download)
    assert content == exports.table_csv(exports.session_results_table(decided["session"]))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == exports.DIPLOMATION_HEADINGS and len(rows) == 4
    # A new export replaces the file of the previous one.
    second = client.post(session_url(decided, "documents:session_results_export", "csv"))
    assert second.url != response.url
    assert client.get(response.url).status_code == 404
    assert client.get(second.url).status_code == 200
    xlsx = client.post(session_url(decided, "documents:session_results_export", "xlsx"))
    assert response_bytes(client.get(xlsx.url))[:2] == b"PK"
    assert (
        client.post(session_url(decided, "documents:session_results_export", "pdf")).status_code
        == 404
    )


def people(decided):  # noqa: F811
    lyon = decided["session"].establishment
    grenoble = EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "a candidate": decided["anais"].candidate,
        "the jury's president": decided["members"]["president"],
        "an evaluator": UserFactory(roles=[Role.EVALUATEUR]),
        "another establishment's staff": UserFactory(
            roles=STAFF_ROLES, roles__establishment=grenoble
        ),
        "the responsable d'évaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=lyon
        ),
        "an auditor": UserFactory(roles=[Role.AUDITEUR]),
    }


def test_the_status_answers_the_requester_and_the_establishments_staff_only(
    client,
    decided,  # noqa: F811
):
    client.force_login(decided["staff"])
    client.post(session_url(decided, "documents:session_results_export", "csv"))
    job = Job.objects.get()
    status_url = reverse("jobs:status", args=[job.pk])
    file_url = session_url(decided, "documents:session_results_file", job.pk)
    assert client.get(status_url).status_code == 200
    answers = {}
    for label, user in people(decided).items():
        client.force_login(user)
        answers[label] = client.get(status_url).status_code, client.get(file_url).status_code
    assert answers == {
        "a candidate": (404, 403),
        "the jury's president": (404, 403),
        "an evaluator": (404, 403),
        "another establishment's staff": (404, 404),
        "the responsable d'évaluation": (200, 403),  # sees the progress, may not export
        "an auditor": (200, 403),
    }
    client.logout()
    assert client.get(status_url).status_code == 302  # to the login page


def test_who_may_not_issue_starts_no_job(client, decided):  # noqa: F811
    urls = [
        session_url(decided, "documents:proces_verbal"),
        session_url(decided, "documents:session_archive"),
        session_url(decided, "documents:session_results_issue"),
        session_url(decided, "documents:session_results_export", "csv"),
    ]
    expected = {
        "another establishment's staff": 404,
        "the responsable d'évaluation": 403,
        "an auditor": 403,
        "a candidate": 403,
    }
    everyone = people(decided)
    for label, code in expected.items():
        client.force_login(everyone[label])
        for url in urls:
            assert client.post(url).status_code == code, (label, url)
    assert not Job.objects.exists() and not IssuedDocument.objects.exists()


def test_documents_not_owed_yet_start_no_job(client, decided):  # noqa: F811
    session = decided["session"]
    from workflow.models import JurySession

    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.DELIBERATING)
    client.force_login(decided["staff"])
    for name in ("documents:proces_verbal", "documents:session_results_issue"):
        response = client.post(session_url(decided, name), follow=True)
        assert "une fois la délibération close" in response.content.decode()
    assert not Job.objects.exists()
