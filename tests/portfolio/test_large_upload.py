"""A recording of hundreds of megabytes goes through the upload service in bounded memory."""

import hashlib
import tracemalloc

import pytest
import samples
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile

from portfolio.services import evidence_upload

SIZE = 300 * 1000 * 1000
PEAK_LIMIT = 32 * 1024 * 1024


def write_large_mp4(path, media_size: int) -> tuple[str, int]:
    """Write a complete MP4 whose media are ``media_size`` zeros; return its SHA-256, size."""
    brands = (b"isom", b"iso2", b"avc1", b"mp41")
    head, tail = samples.iso_bmff_parts(b"isom", brands, media_size, sample_size=65536)
    digest = hashlib.sha256(head)
    chunk = bytes(1024 * 1024)
    with open(path, "wb") as out:
        out.write(head)
        left = media_size
        while left:
            piece = chunk[: min(left, len(chunk))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
        out.write(tail)
    digest.update(tail)
    return digest.hexdigest(), len(head) + media_size + len(tail)


@pytest.mark.django_db
def test_a_300_mb_recording_is_uploaded_with_bounded_memory(
    local_storage, portfolio, candidate, tmp_path
):
    path = tmp_path / "entretien.mp4"
    expected, size = write_large_mp4(path, SIZE)

    tracemalloc.start()
    try:
        with open(path, "rb") as handle:
            item = evidence_upload(
                portfolio=portfolio,
                actor=candidate,
                uploaded_file=File(handle, name="entretien.mp4"),
                title="Entretien enregistré",
                competencies=[portfolio.bloc.competencies.first()],
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert item.size == size
    assert item.sha256 == expected
    assert local_storage.size(item.file.name) == size
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB for a {SIZE / 1e6:.0f} MB file"


@pytest.mark.django_db
def test_a_django_temporary_upload_is_stored_without_moving_its_temporary_file(
    local_storage, portfolio, candidate
):
    upload = TemporaryUploadedFile("visio.mp4", "video/mp4", 0, None)
    data = samples.iso_bmff(b"isom", (b"isom", b"avc1"), 4 * 1024 * 1024)
    upload.write(data)
    upload.seek(0)

    item = evidence_upload(
        portfolio=portfolio,
        actor=candidate,
        uploaded_file=upload,
        competencies=[portfolio.bloc.competencies.first()],
    )

    assert item.size == len(data)
    assert upload.temporary_file_path()  # still there for Django to clean up
    upload.close()
