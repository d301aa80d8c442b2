"""verify_manifests and cleanup_orphans, on the local file system and on S3."""

import datetime as dt
import os
from io import StringIO

import pytest
import samples
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from portfolio import services
from portfolio.models import Manifest


def verify():
    out, err = StringIO(), StringIO()
    call_command("verify_manifests", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def overwrite(storage, name: str, data: bytes) -> None:
    """Change a stored object behind the application's back."""
    if hasattr(storage, "bucket"):
        storage.bucket.Object(name).put(Body=data)
    else:
        with open(storage.path(name), "wb") as handle:
            handle.write(data)


@pytest.fixture
def submitted(complete_portfolio, candidate):
    return services.portfolio_submit(
        portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
    )


@pytest.mark.django_db
def test_verify_manifests_passes_when_every_file_is_intact(any_storage, submitted):
    out, err = verify()

    assert "1 manifeste(s), 1 fichier(s) vérifié(s), 0 problème(s)" in out
    assert err == ""


@pytest.mark.django_db
def test_verify_manifests_catches_a_file_altered_behind_the_app(any_storage, submitted):
    item = submitted.items.get()
    overwrite(any_storage, item.file.name, samples.pdf_minimal(pages=2))

    with pytest.raises(CommandError) as caught:
        verify()

    assert "modifié" in str(caught.value)


@pytest.mark.django_db
def test_verify_manifests_catches_a_same_size_alteration(local_storage, submitted):
    item = submitted.items.get()
    data = bytearray(samples.pdf_minimal())
    data[-20] ^= 0xFF
    overwrite(local_storage, item.file.name, bytes(data))
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("verify_manifests", stdout=StringIO(), stderr=err)

    assert "empreinte SHA-256 différente" in err.getvalue()
    assert "taille" not in err.getvalue()


@pytest.mark.django_db
def test_verify_manifests_catches_a_missing_file(any_storage, submitted):
    any_storage.delete(submitted.items.get().file.name)
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("verify_manifests", stdout=StringIO(), stderr=err)

    assert "manquant" in err.getvalue()


@pytest.mark.django_db
def test_verify_manifests_catches_an_edited_manifest(local_storage, submitted):
    manifest = submitted.manifest
    content = dict(manifest.content, declaration="autre texte")
    Manifest.objects.filter(pk=manifest.pk).update(content=content)

    with pytest.raises(CommandError):
        verify()


def age(storage, name: str, hours: int) -> None:
    when = (dt.datetime.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(storage.path(name), (when, when))


@pytest.mark.django_db
def test_cleanup_orphans_deletes_only_old_unreferenced_objects(local_storage, portfolio, upload):
    item = upload(portfolio, samples.pdf_minimal(), "a.pdf")
    old_orphan = local_storage.save("evidence/ab/orphan-old", ContentFile(b"x"))
    new_orphan = local_storage.save("evidence/ab/orphan-new", ContentFile(b"y"))
    age(local_storage, old_orphan, 2)
    age(local_storage, item.file.name, 2)

    dry = StringIO()
    call_command("cleanup_orphans", "--dry-run", stdout=dry)
    assert local_storage.exists(old_orphan)
    assert "1 fichier(s) orphelin(s) à supprimer" in dry.getvalue()

    call_command("cleanup_orphans", stdout=StringIO())

    assert not local_storage.exists(old_orphan)
    assert local_storage.exists(new_orphan)  # maybe an upload still in progress
    assert local_storage.exists(item.file.name)


@pytest.mark.django_db
def test_cleanup_orphans_works_on_s3(s3_storage, portfolio, upload):
    item = upload(portfolio, samples.png(), "capture.png")
    orphan = s3_storage.save("thumbnails/cd/orphan", ContentFile(b"x"))

    call_command("cleanup_orphans", "--min-age-minutes", "0", stdout=StringIO())

    assert not s3_storage.exists(orphan)
    assert s3_storage.exists(item.file.name) and s3_storage.exists(item.thumbnail.name)
