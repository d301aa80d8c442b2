"""A recording of hundreds of megabytes goes through the upload service in bounded memory."""

import hashlib
import struct
import tracemalloc

import pytest
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile

from portfolio.services import evidence_upload

SIZE = 300 * 1000 * 1000
PEAK_LIMIT = 32 * 1024 * 1024


def write_large_mp4(path, size: int) -> str:
    """Write an MP4 header followed by zeros up to ``size`` bytes; return its SHA-256."""
    ftyp = b"isom" + struct.pack(">I", 0) + b"isomiso2avc1mp41"
    header = struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp
    mdat_size = size - len(header)
    header += struct.pack(">I", mdat_size) + b"mdat"
    digest = hashlib.sha256(header)
    chunk = bytes(1024 * 1024)
    with open(path, "wb") as out:
        out.write(header)
        left = size - len(header)
        while left:
            piece = chunk[: min(left, len(chunk))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


@pytest.mark.django_db
def test_a_300_mb_recording_is_uploaded_with_bounded_memory(
    local_storage, portfolio, candidate, tmp_path
):
    path = tmp_path / "entretien.mp4"
    expected = write_large_mp4(path, SIZE)

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

    assert item.size == SIZE
    assert item.sha256 == expected
    assert local_storage.size(item.file.name) == SIZE
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB for a {SIZE / 1e6:.0f} MB file"


@pytest.mark.django_db
def test_a_django_temporary_upload_is_stored_without_moving_its_temporary_file(
    local_storage, portfolio, candidate
):
    upload = TemporaryUploadedFile("visio.mp4", "video/mp4", 0, None)
    upload.write(b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1" + bytes(4 * 1024 * 1024))
    upload.seek(0)

    item = evidence_upload(
        portfolio=portfolio,
        actor=candidate,
        uploaded_file=upload,
        competencies=[portfolio.bloc.competencies.first()],
    )

    assert item.size == 4 * 1024 * 1024 + 24
    assert upload.temporary_file_path()  # still there for Django to clean up
    upload.close()
