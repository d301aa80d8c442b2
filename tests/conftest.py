"""Fixtures shared by the whole suite."""

import socket

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def s3_settings(moto_endpoint, monkeypatch):
    """Return storage options for a fresh private bucket on the moto server."""
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
    return {
        "bucket_name": bucket,
        "endpoint_url": moto_endpoint,
        "region_name": "eu-west-3",
        "access_key": "testing",
        "secret_key": "testing",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "addressing_style": "path",
    }


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
