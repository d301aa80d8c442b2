"""Big files in and out of storage in chunks: never a whole file in memory.

``stored_chunks`` reads a stored file piece by piece (on S3, straight from the response body,
not through django-storages' ``S3File``, which downloads the whole object first);
``stream_save`` writes an iterator of bytes to storage and returns its size and SHA-256, counted
on the way (on S3, a multipart upload holding one part in memory at a time).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files import File

CHUNK_BYTES = 1024 * 1024


def stored_chunks(storage, name: str, *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes] | None:
    """Return the chunks of a stored file, or None when it is missing.

    The first chunk is read at once, so a missing file is known before anything is written.
    """
    bucket = getattr(storage, "bucket", None)
    try:
        if bucket is not None:  # django-storages' S3 backend
            body = _s3_body(storage, name)
            chunks = body.iter_chunks(chunk_bytes)
            close = body.close
        else:
            handle = storage.open(name, "rb")
            chunks = iter(lambda: handle.read(chunk_bytes), b"")
            close = handle.close
        first = next(chunks, b"")
    except FileNotFoundError:
        return None
    return _chained(first, chunks, close)


def _s3_body(storage, name: str):
    from botocore.exceptions import ClientError

    key = storage._normalize_name(name)
    try:
        return storage.bucket.Object(key).get()["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from error
        raise


def _chained(first: bytes, rest: Iterator[bytes], close) -> Iterator[bytes]:
    try:
        if first:
            yield first
        yield from rest
    finally:
        close()


@dataclass(frozen=True)
class Stored:
    """Bytes written to storage by ``stream_save``: their name, size and SHA-256."""

    name: str
    size: int
    sha256: str


class _ChunkReader(io.RawIOBase):
    """A read-only, unseekable file over an iterator of bytes, hashing what it hands out."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.size = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self.digest.update(self._pending[:size])
        self._pending = self._pending[size:]
        self.size += size
        return size


def stream_save(storage, name: str, chunks: Iterable[bytes]) -> Stored:
    """Write ``chunks`` to ``storage`` under ``name`` (or the free name it picks); return it.

    The chunks are pulled in the calling thread (they may read the database inside its
    transaction): on S3 through django-storages' ``S3File`` in write mode, a multipart upload
    of one part at a time (``AWS_S3_FILE_BUFFER_SIZE`` bytes each); elsewhere through
    ``Storage.save``, which writes chunk by chunk.
    """
    raw = _ChunkReader(chunks)
    if getattr(storage, "bucket", None) is not None:
        with storage.open(name, "wb") as handle:
            for chunk in iter(lambda: raw.read(CHUNK_BYTES), b""):
                handle.write(chunk)
        saved = name
    else:
        saved = storage.save(name, File(io.BufferedReader(raw, CHUNK_BYTES), name=name))
    return Stored(name=saved, size=raw.size, sha256=raw.digest.hexdigest())
