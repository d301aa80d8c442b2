"""The real django-storages S3 backend against moto's S3 HTTP server."""

import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile


def test_s3_storage_saves_opens_sizes_and_deletes_over_http(s3_storage):
    name = s3_storage.save("preuves/essai.txt", ContentFile("Procès-verbal n°1".encode()))
    assert s3_storage.exists(name)
    assert s3_storage.size(name) == len("Procès-verbal n°1".encode())
    with s3_storage.open(name) as handle:
        assert handle.read().decode() == "Procès-verbal n°1"
    s3_storage.delete(name)
    assert not s3_storage.exists(name)


def test_s3_storage_never_overwrites_an_existing_name(s3_storage):
    first = s3_storage.save("doublon.txt", ContentFile(b"un"))
    second = s3_storage.save("doublon.txt", ContentFile(b"deux"))
    assert first != second
    with s3_storage.open(first) as handle:
        assert handle.read() == b"un"


# DJANGO_AWS_QUERYSTRING_EXPIRE unset: config/settings.py's default, 300 s; set: its value.
@pytest.mark.parametrize(("s3_querystring_expire", "expires"), [(None, "300"), ("120", "120")])
def test_s3_signed_url_is_fetched_over_http_and_expires_as_configured(s3_storage, expires):
    name = s3_storage.save("signe.txt", ContentFile(b"contenu prive"))
    url = s3_storage.url(name)
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == [expires]
    with urllib.request.urlopen(url) as response:
        assert response.status == 200
        assert response.read() == b"contenu prive"


def test_s3_bucket_is_private_without_signature(s3_storage):
    name = s3_storage.save("prive.txt", ContentFile(b"secret"))
    bare = s3_storage.url(name).split("?")[0]
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(bare)
    assert excinfo.value.code == 403
