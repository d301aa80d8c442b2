"""Fixtures shared by the whole suite."""

import socket

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def referentiel_reloaded(transactional_db):
    """Reload the référentiel for a transactional test.

    The data migration loads it once, but a transactional test before this one (the browser
    tests, the concurrency tests) ends by flushing every table; pytest-django runs those tests
    last, in any order among themselves.
    """
    from io import StringIO

    from django.core.management import call_command

    call_command("load_referentiel", stdout=StringIO())


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_trigger():
    """Let the flush that ends a transactional test on PostgreSQL truncate the audit table.

    The trigger of audit/migrations/0004 refuses TRUNCATE on it, as it should everywhere else:
    only this flush, in its own transaction, switches the TRUNCATE trigger off and back on.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    switch = (
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = "
        "'preuves_audit_no_truncate') THEN ALTER TABLE workflow_auditevent {} TRIGGER "
        "preuves_audit_no_truncate; END IF; END $$"
    )

    def execute_sql_flush(self, sql_list):
        if any("workflow_auditevent" in sql for sql in sql_list):
            sql_list = [switch.format("DISABLE"), *sql_list, switch.format("ENABLE")]
        return original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """Start moto's S3-compatible HTTP server on 127.0.0.1 and a free port; yield its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_querystring_expire():
    """The DJANGO_AWS_QUERYSTRING_EXPIRE the S3 tests run with; None leaves it unset.

    A test may parametrize this name to run the project's settings with another value.
    """
    return None


def project_settings(**environ):
    """Evaluate config/settings.py afresh with ``environ`` (None unsets) and return its names.

    The running Django settings stay as they are; this reads how the project would configure
    itself in that environment.
    """
    import os
    import runpy
    from pathlib import Path
    from unittest import mock

    path = Path(__file__).resolve().parents[1] / "config" / "settings.py"
    env = {k: v for k, v in os.environ.items() if k not in environ}
    env.update({k: v for k, v in environ.items() if v is not None})
    with mock.patch.dict(os.environ, env, clear=True):
        return runpy.run_path(str(path))


@pytest.fixture
def s3_settings(moto_endpoint, monkeypatch, s3_querystring_expire):
    """Return the project's S3 storage options (config/settings.py with DJANGO_STORAGE=s3)
    for a fresh private bucket on the moto server."""
    import uuid

    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"preuves-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="eu-west-3",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    configured = project_settings(
        DJANGO_STORAGE="s3",
        DJANGO_AWS_STORAGE_BUCKET_NAME=bucket,
        DJANGO_AWS_S3_ENDPOINT_URL=moto_endpoint,
        DJANGO_AWS_S3_REGION_NAME="eu-west-3",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        DJANGO_AWS_QUERYSTRING_EXPIRE=s3_querystring_expire,
    )
    storage = configured["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    return dict(storage["OPTIONS"])


def _use_default_storage(settings, backend: str, options: dict):
    # pytest-django's ``settings`` sends setting_changed, on which Django resets its storages.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": backend, "OPTIONS": options}}
    from django.core.files.storage import storages

    return storages["default"]


@pytest.fixture
def s3_storage(s3_settings, settings):
    """Make the real django-storages S3 backend the default storage, talking to moto over HTTP."""
    return _use_default_storage(settings, "storages.backends.s3.S3Storage", s3_settings)


@pytest.fixture
def local_storage(tmp_path, settings):
    """Make a file-system storage in a temporary folder the default storage."""
    return _use_default_storage(
        settings,
        "django.core.files.storage.FileSystemStorage",
        {"location": tmp_path / "media", "base_url": "/media-not-served/"},
    )


@pytest.fixture(params=["local", "s3"])
def any_storage(request):
    """Run a test on the local file system and on S3 (moto's HTTP server)."""
    return request.getfixturevalue(f"{request.param}_storage")


# Browser tests (tests/browser): skipped with a plain notice when Chromium is missing, except in
# CI (CI=true), where the browser fixture fails instead, so that CI can never pass without them.
def pytest_collection_modifyitems(config, items):
    from tests.browser.support import chromium_executable, missing_chromium_message, running_in_ci

    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or chromium_executable() or running_in_ci():
        return
    skip = pytest.mark.skip(reason=missing_chromium_message())
    for item in browser_items:
        item.add_marker(skip)
    config.stash[_BROWSER_SKIPPED] = len(browser_items)


_BROWSER_SKIPPED = pytest.StashKey[int]()


def pytest_unconfigure(config):
    # Printed last, after pytest's own summary, where nobody can miss it.
    skipped = config.stash.get(_BROWSER_SKIPPED, 0)
    terminalreporter = config.pluginmanager.get_plugin("terminalreporter")
    if not skipped or terminalreporter is None:
        return
    from tests.browser.support import ENABLE_COMMAND

    terminalreporter.write_sep("!", "TESTS DANS LE NAVIGATEUR NON EXÉCUTÉS", yellow=True, bold=True)
    terminalreporter.write_line(
        f"Chromium est introuvable : {skipped} test(s) dans le navigateur (Playwright, axe-core) "
        "n'ont pas été exécutés."
    )
    terminalreporter.write_line(f"Pour les activer, installez Chromium : {ENABLE_COMMAND}")
