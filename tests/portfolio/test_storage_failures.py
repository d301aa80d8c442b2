"""Storage and database failures during an upload: a French answer in bounded time, nothing kept."""

import html
import socket
import threading
import time
from pathlib import Path

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from portfolio.models import EvidenceItem
from tests.conftest import _use_default_storage, project_settings

STORAGE_MESSAGE = "le stockage des documents ne répond pas"


class FrozenS3Endpoint:
    """A FAKE S3 endpoint that accepts connections, reads what it is sent and never answers.

    It is a fake because a real S3 store cannot be made to freeze on demand: this is what a
    store behind a dead load balancer or a stalled disk looks like from the application.
    """

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self):
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    def _swallow(self, conn):
        conn.settimeout(0.1)
        while not self._stop.is_set():
            try:
                if not conn.recv(65536):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.connections:
            conn.close()
        self.listener.close()


@pytest.fixture
def frozen_s3(settings, monkeypatch):
    """Make the project's S3 storage (its real settings and timeouts) point at a frozen store."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with FrozenS3Endpoint() as endpoint:
        configured = project_settings(
            DJANGO_STORAGE="s3",
            DJANGO_AWS_STORAGE_BUCKET_NAME="preuves",
            DJANGO_AWS_S3_ENDPOINT_URL=endpoint.url,
            DJANGO_AWS_S3_REGION_NAME="eu-west-3",
            DJANGO_AWS_S3_CONNECT_TIMEOUT=None,
            DJANGO_AWS_S3_READ_TIMEOUT=None,
            DJANGO_AWS_S3_ATTEMPTS=None,
        )
        options = configured["STORAGES"]["default"]["OPTIONS"]
        _use_default_storage(settings, "storages.backends.s3.S3Storage", dict(options))
        yield endpoint


def test_the_s3_client_waits_a_bounded_time_and_retries_once():
    options = project_settings(
        DJANGO_STORAGE="s3",
        DJANGO_AWS_STORAGE_BUCKET_NAME="preuves",
        DJANGO_AWS_S3_CONNECT_TIMEOUT=None,
        DJANGO_AWS_S3_READ_TIMEOUT=None,
        DJANGO_AWS_S3_ATTEMPTS=None,
    )["STORAGES"]["default"]["OPTIONS"]
    config = options["client_config"]

    assert (config.connect_timeout, config.read_timeout) == (5, 10)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert config.signature_version == "s3v4"


@pytest.mark.django_db
def test_a_frozen_s3_store_gives_the_candidate_the_french_message_well_within_60_s(
    client, candidate, portfolio, frozen_s3
):
    client.force_login(candidate)
    competency = portfolio.bloc.competencies.order_by("order").first()

    started = time.monotonic()
    response = client.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [SimpleUploadedFile("a.pdf", samples.pdf_minimal())],
            "competencies": [competency.pk],
        },
    )
    elapsed = time.monotonic() - started

    print(f"frozen S3 endpoint: French message after {elapsed:.1f} s")
    assert STORAGE_MESSAGE in html.unescape(response.content.decode())
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists()
    assert frozen_s3.connections, "the request never reached the fake endpoint"
    # Two attempts of at most 5 s (connect) + 10 s (read) each, and the back-off between them.
    assert elapsed < 35


@pytest.mark.django_db
def test_a_database_failure_during_an_upload_answers_503_and_keeps_no_file(
    client, candidate, portfolio, local_storage, monkeypatch
):
    client.force_login(candidate)
    client.raise_request_exception = False
    competency = portfolio.bloc.competencies.order_by("order").first()

    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("portfolio.services.uploads.audit_record", lost)
    response = client.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [SimpleUploadedFile("a.pdf", samples.pdf_minimal())],
            "competencies": [competency.pk],
        },
    )

    assert response.status_code == 503
    assert "La base de données de Preuves ne répond pas" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert [path for path in Path(local_storage.location).rglob("*") if path.is_file()] == []
