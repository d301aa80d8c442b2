"""/healthz and /readyz: cheap, unauthenticated, before the host check and the HTTPS redirect."""

import json
import socket
from datetime import timedelta

import pytest
from django.core.management import call_command

from audit import clock
from config import health
from jobs.models import WorkerHeartbeat
from tests.factories import UserFactory, WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


@pytest.fixture
def production(settings):
    """A production server: HTTPS redirect, one allowed host, no debug."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["preuves.example.org"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def readyz(client):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    return response.status_code, json.loads(response.content)


def test_healthz_answers_any_host_over_plain_http_without_reading_anything(
    client, production, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies
    # HEAD too (load balancers), and any other path still meets the host check and redirect.
    assert client.head("/healthz", HTTP_HOST="10.0.0.7").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400
    assert client.get("/", HTTP_HOST="preuves.example.org").status_code == 301


def test_readyz_is_ready_with_the_database_local_files_and_inline_jobs(
    client, production, local_storage, settings
):
    settings.PREUVES_VIRUS_SCANNER = "none"
    status, body = readyz(client)
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {"database": "ok", "storage": "ok", "scanner": "off", "worker": "off"},
    }


def test_readyz_is_unready_when_the_scanner_does_not_answer(client, local_storage, settings):
    settings.PREUVES_VIRUS_SCANNER = f"clamd://127.0.0.1:{closed_port()}"
    status, body = readyz(client)
    assert status == 503
    assert body["status"] == "unready"
    assert body["checks"]["scanner"] == "failed"
    assert body["checks"]["database"] == "ok"
    # It says which check failed, never why.
    assert "Connection" not in json.dumps(body)


def test_readyz_is_unready_when_the_storage_cannot_be_written(client, tmp_path, settings):
    from django.core.files.storage import storages

    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": read_only / "media"},
        },
    }
    storages._storages = {}
    try:
        import os

        if os.access(read_only, os.W_OK):  # root writes anywhere: use a file in the way
            (read_only / "media").write_text("not a folder")
        settings.PREUVES_VIRUS_SCANNER = "none"
        status, body = readyz(client)
        assert status == 503
        assert body["checks"]["storage"] == "failed"
    finally:
        read_only.chmod(0o700)


def test_readyz_reads_the_s3_bucket(client, s3_storage, settings):
    settings.PREUVES_VIRUS_SCANNER = "none"
    assert readyz(client) == (
        200,
        {
            "status": "ready",
            "checks": {"database": "ok", "storage": "ok", "scanner": "off", "worker": "off"},
        },
    )
    from django.core.files.storage import default_storage

    default_storage.bucket_name = "no-such-bucket"
    status, body = readyz(client)
    assert (status, body["checks"]["storage"]) == (503, "failed")


@pytest.mark.parametrize(
    ("age", "expected"), [(None, "failed"), (5, "ok"), (59, "ok"), (61, "failed")]
)
def test_readyz_wants_a_recent_worker_heartbeat_with_the_database_backend(
    client, local_storage, settings, age, expected
):
    settings.PREUVES_VIRUS_SCANNER = "none"
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    settings.PREUVES_WORKER_STALE_SECONDS = 60
    if age is not None:
        WorkerHeartbeatFactory(beat_at=clock.now() - timedelta(seconds=age))
    status, body = readyz(client)
    assert body["checks"]["worker"] == expected
    assert status == (200 if expected == "ok" else 503)


def test_a_failed_database_makes_the_worker_unknown_without_a_second_wait(
    client, local_storage, settings, monkeypatch
):
    settings.PREUVES_VIRUS_SCANNER = "none"
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    WorkerHeartbeatFactory()

    def refused():
        raise OSError("connection refused")

    def not_called():
        raise AssertionError("the worker's check must not run without the database")

    monkeypatch.setitem(health.CHECKS, "database", refused)
    monkeypatch.setitem(health.CHECKS, "worker", not_called)
    status, body = readyz(client)
    assert status == 503
    assert body["checks"] == {
        "database": "failed",
        "storage": "ok",
        "scanner": "off",
        "worker": "failed",
    }


@pytest.mark.django_db(transaction=True)  # the worker commits and closes its connections
def test_jobs_worker_records_its_heartbeat_then_runs_the_database_worker(settings, capsys):
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    call_command("jobs_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    beat = WorkerHeartbeat.objects.get()
    assert clock.now() - beat.beat_at < timedelta(seconds=30)
    assert beat.pid > 0 and beat.hostname


def test_readyz_and_healthz_need_no_account_and_other_methods_are_not_answered(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize("workers", [1, 30])
def test_readyz_takes_two_queries_whatever_the_number_of_workers(
    client, local_storage, settings, django_assert_num_queries, workers
):
    settings.PREUVES_VIRUS_SCANNER = "none"
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    WorkerHeartbeatFactory.create_batch(workers)
    with django_assert_num_queries(2):  # SELECT 1, then one EXISTS on the heartbeats
        assert readyz(client)[0] == 200
