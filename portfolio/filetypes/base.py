"""What every file check shares: refusals, accepted kinds, limits and small helpers.

Pure Python (no Django), like all of :mod:`portfolio.filetypes`: limits are passed in as a
:class:`Limits` object so the upload service can build it from the settings. Every check reads
only the head of the file, seeks, or lets :mod:`zipfile` / pikepdf work on the file object:
nothing in the package reads a whole file into memory (an OLE part of an office file, at most
32 MiB, is spooled to disk and read by oletools).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import IO, Any, BinaryIO

# Raised whenever a check is added: files stored under older checks are not previewed inline.
CHECKS_VERSION = 2
HEAD_SIZE = 8192
HASH_CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 150
DEFAULT_NAME = "fichier"

DOCUMENT = "document"
IMAGE = "image"
MEDIA = "media"


class FileRefused(Exception):
    """A file that must not be accepted, with a French message telling the user what to fix."""

    def __init__(self, message_fr: str, code: str):
        super().__init__(message_fr)
        self.message_fr = message_fr
        self.code = code

    def __repr__(self) -> str:
        return f"FileRefused(code={self.code!r}, message_fr={self.message_fr!r})"


class RefusalCode:
    """Stable codes of :class:`FileRefused`, for tests, logs and form error codes."""

    EMPTY = "empty"
    UNSUPPORTED = "unsupported_type"
    EXTENSION_MISMATCH = "extension_mismatch"
    TOO_LARGE = "too_large"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_UNREADABLE = "pdf_unreadable"
    ZIP_BOMB = "zip_bomb"
    ZIP_ENCRYPTED = "zip_encrypted"
    OFFICE_MACROS = "office_macros"
    OFFICE_ACTIVE = "office_active_content"
    NESTED_ARCHIVE = "nested_archive"
    PDF_ACTIVE = "pdf_active_content"
    CORRUPT = "corrupt"
    OFFICE_CORRUPT = "office_corrupt"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_CORRUPT = "image_corrupt"
    IMAGE_BUSY = "image_busy"
    MEDIA_CORRUPT = "media_corrupt"
    CHANGED = "changed_during_check"


@dataclass(frozen=True)
class FileKind:
    """An accepted kind of file."""

    name: str
    label_fr: str
    mime_type: str
    extensions: tuple[str, ...]
    category: str

    @property
    def default_extension(self) -> str:
        return self.extensions[0]


KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("pdf", "un document PDF", "application/pdf", (".pdf",), DOCUMENT),
        FileKind(
            "docx",
            "un document Word",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            DOCUMENT,
        ),
        FileKind(
            "xlsx",
            "un classeur Excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            DOCUMENT,
        ),
        FileKind(
            "pptx",
            "une présentation PowerPoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
            DOCUMENT,
        ),
        FileKind(
            "odt",
            "un texte OpenDocument",
            "application/vnd.oasis.opendocument.text",
            (".odt",),
            DOCUMENT,
        ),
        FileKind(
            "ods",
            "un classeur OpenDocument",
            "application/vnd.oasis.opendocument.spreadsheet",
            (".ods",),
            DOCUMENT,
        ),
        FileKind(
            "odp",
            "une présentation OpenDocument",
            "application/vnd.oasis.opendocument.presentation",
            (".odp",),
            DOCUMENT,
        ),
        FileKind("png", "une image PNG", "image/png", (".png",), IMAGE),
        FileKind("jpeg", "une image JPEG", "image/jpeg", (".jpg", ".jpeg"), IMAGE),
        FileKind("mp3", "un enregistrement MP3", "audio/mpeg", (".mp3",), MEDIA),
        FileKind("m4a", "un enregistrement M4A", "audio/mp4", (".m4a",), MEDIA),
        FileKind("mp4", "une vidéo MP4", "video/mp4", (".mp4",), MEDIA),
    )
}


@dataclass(frozen=True)
class Limits:
    """Size limits in bytes (decimal megabytes, as users read them) and archive limits."""

    document_max_bytes: int = 50 * 1000 * 1000
    image_max_bytes: int = 50 * 1000 * 1000
    media_max_bytes: int = 500 * 1000 * 1000
    zip_max_uncompressed_bytes: int = 200 * 1000 * 1000
    zip_max_ratio: int = 100
    zip_max_entries: int = 10_000
    image_max_pixels: int = 40_000_000

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Limits:
        """Return limits from a settings mapping (missing keys keep their default)."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"Unknown upload limit(s): {', '.join(sorted(unknown))}")
        return cls(**{key: int(value) for key, value in values.items()})

    def max_bytes_for(self, kind: FileKind) -> int:
        return {
            DOCUMENT: self.document_max_bytes,
            IMAGE: self.image_max_bytes,
            MEDIA: self.media_max_bytes,
        }[kind.category]


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check_file`."""

    kind: FileKind
    name: str
    size: int
    sha256: str

    @property
    def mime_type(self) -> str:
        return self.kind.mime_type

    @property
    def category(self) -> str:
        return self.kind.category


# --------------------------------------------------------------------------- helpers


def sha256_stream(fileobj: IO[bytes], chunk: int = HASH_CHUNK) -> tuple[str, int]:
    """Return the SHA-256 hex digest and the size of what is left to read in ``fileobj``."""
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    readinto = getattr(fileobj, "readinto", None)
    while True:
        if readinto is not None:
            count = readinto(buffer)
            if not count:
                break
            digest.update(view[:count])
        else:
            data = fileobj.read(chunk)
            if not data:
                break
            count = len(data)
            digest.update(data)
        size += count
    return digest.hexdigest(), size


_WHITESPACE = re.compile(r"\s+")
# Characters Windows and most tools refuse in a file name; they only confuse a download name.
_RESERVED = re.compile(r'[<>:"|?*]')


def clean_filename(name: str | None) -> str:
    """Return a readable, safe version of an uploaded file name, kept only as metadata.

    Drop any directory part, control and invisible formatting characters (including the
    right-to-left override used to disguise extensions), normalise to NFC, collapse white
    space, and keep at most 150 characters while keeping the extension. Never return "".
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"} or char.isspace()
    )
    name = _RESERVED.sub("_", name)
    name = _WHITESPACE.sub(" ", name).strip(" .")
    if not name:
        return DEFAULT_NAME
    stem, ext = os.path.splitext(name)
    if len(ext) > 16 or not stem.strip():
        stem, ext = name, ""
    stem = stem.rstrip(" ")
    if len(stem) + len(ext) > MAX_NAME_LENGTH:
        stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") or DEFAULT_NAME
    return unicodedata.normalize("NFC", stem + ext)


def _extension(name: str) -> str:
    _, ext = os.path.splitext(name)
    return ext.lower()


def format_size_fr(size: int) -> str:
    """Return a size as French users read it: ``50 Mo``, ``1,5 Mo``, ``800 Ko``, ``12 octets``."""
    for unit, factor in (("Go", 1000**3), ("Mo", 1000**2), ("Ko", 1000)):
        if size >= factor:
            tenths = (size * 10 + factor // 2) // factor
            whole, decimal = divmod(tenths, 10)
            return f"{whole},{decimal} {unit}" if decimal else f"{whole} {unit}"
    return f"{size} octet" + ("s" if size > 1 else "")


def _read_at(fileobj: BinaryIO, offset: int, size: int) -> bytes:
    fileobj.seek(offset)
    return fileobj.read(size)


def _file_size(fileobj: BinaryIO) -> int:
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


@dataclass(frozen=True)
class _Sniffed:
    kind: FileKind | None
    # What the content was recognised as when it is not accepted ("un fichier HTML").
    detected_fr: str | None = None
