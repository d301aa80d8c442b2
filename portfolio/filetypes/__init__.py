"""Decide what an uploaded file is from its content, and refuse what is not accepted: the entry
points (sniff, describe_content, check_file), over one submodule per family of formats."""

from __future__ import annotations

import logging
import os
from typing import BinaryIO

from portfolio.filetypes.base import (
    CHECKS_VERSION,
    DOCUMENT,
    HEAD_SIZE,
    IMAGE,
    KINDS,
    MEDIA,
    CheckedFile,
    FileKind,
    FileRefused,
    Limits,
    RefusalCode,
    _extension,
    _file_size,
    _read_at,
    _Sniffed,
    clean_filename,
    format_size_fr,
    sha256_stream,
)
from portfolio.filetypes.media import (
    _mpeg_audio_frames_at,
    _resolve_kind,
    _sniff_iso_bmff,
    _sniff_mp3,
    check_media,
)
from portfolio.filetypes.office import _check_zip_package, _sniff_zip
from portfolio.filetypes.other import _describe_other
from portfolio.filetypes.pdf import _check_pdf

logger = logging.getLogger(__name__)

ACCEPTED_HINT = (
    "Envoyez un PDF, un document Word, Excel, PowerPoint ou OpenDocument, une image PNG ou "
    "JPEG, ou un enregistrement MP3, M4A ou MP4."
)


def sniff(path_or_fileobj: str | os.PathLike[str] | BinaryIO) -> FileKind | None:
    """Return the accepted kind of a file judged by its content, or ``None``."""
    with _opened(path_or_fileobj) as fileobj:
        return _sniff(fileobj).kind


def describe_content(path_or_fileobj: str | os.PathLike[str] | BinaryIO) -> str | None:
    """Return a French description of a refused content ("une archive ZIP"), when known."""
    with _opened(path_or_fileobj) as fileobj:
        return _sniff(fileobj).detected_fr


class _opened:
    """Open a path for reading, or use a file object as is and rewind it afterwards."""

    def __init__(self, path_or_fileobj: str | os.PathLike[str] | BinaryIO):
        self._source = path_or_fileobj
        self._owned: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if isinstance(self._source, str | os.PathLike):
            self._owned = open(self._source, "rb")  # closed in __exit__
            return self._owned
        self._source.seek(0)
        return self._source

    def __exit__(self, *exc_info: object) -> None:
        if self._owned is not None:
            self._owned.close()
        else:
            self._source.seek(0)


def _sniff(fileobj: BinaryIO) -> _Sniffed:
    head = _read_at(fileobj, 0, HEAD_SIZE)
    if head.startswith(b"%PDF-"):
        return _Sniffed(KINDS["pdf"])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _Sniffed(KINDS["png"])
    if head.startswith(b"\xff\xd8\xff"):
        return _Sniffed(KINDS["jpeg"])
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(fileobj)
    if head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    if head.startswith(b"ID3") or _mpeg_audio_frames_at(head, 0):
        return _sniff_mp3(fileobj, head)
    return _Sniffed(None, _describe_other(head))


def check_file(
    file: str | os.PathLike[str] | BinaryIO,
    *,
    original_name: str,
    limits: Limits | None = None,
) -> CheckedFile:
    """Return what the file is once every check passed, or raise :class:`FileRefused`.

    ``file`` is a path or a seekable binary file object (it is rewound afterwards). The order
    of the checks decides the message: empty, unaccepted content, extension, size, then the
    checks that need a parser (PDF encryption and structure, office packages). Images still
    need :func:`portfolio.images.process_image` for their pixel limit and re-encoding.
    """
    limits = limits or Limits()
    name = clean_filename(original_name)
    with _opened(file) as fileobj:
        try:
            kind, size = _check_content(fileobj, name, limits)
        except FileRefused:
            raise
        except Exception as error:
            # A decoder that fails on damaged input (zlib, a parser, a bug) is a refusal with
            # something to do, never a server error; the log keeps the cause.
            logger.warning("File check failed on %r", name, exc_info=True)
            raise FileRefused(
                "Ce fichier est endommagé et ne peut pas être lu. Ouvrez-le avec votre logiciel "
                "habituel, enregistrez-le de nouveau (ou exportez-le en PDF), puis envoyez "
                "cette copie.",
                RefusalCode.CORRUPT,
            ) from error
        fileobj.seek(0)
        sha256, hashed_size = sha256_stream(fileobj)
    if hashed_size != size:
        raise FileRefused(
            "Le fichier a changé pendant sa vérification. Envoyez-le de nouveau.",
            RefusalCode.CHANGED,
        )
    return CheckedFile(kind=kind, name=name, size=size, sha256=sha256)


def _check_content(fileobj: BinaryIO, name: str, limits: Limits) -> tuple[FileKind, int]:
    size = _file_size(fileobj)
    if size == 0:
        raise FileRefused(
            "Ce fichier est vide (0 octet). Vérifiez que vous avez choisi le bon fichier.",
            RefusalCode.EMPTY,
        )
    sniffed = _sniff(fileobj)
    if sniffed.kind is None:
        what = sniffed.detected_fr or "un type de fichier non reconnu"
        raise FileRefused(
            f"Ce fichier est {what} : ce type de fichier n'est pas accepté. {ACCEPTED_HINT}",
            RefusalCode.UNSUPPORTED,
        )
    extension = _extension(name)
    kind = _resolve_kind(sniffed.kind, extension)
    if extension not in kind.extensions:
        raise FileRefused(_mismatch_message(kind, extension), RefusalCode.EXTENSION_MISMATCH)
    max_bytes = limits.max_bytes_for(kind)
    if size > max_bytes:
        raise FileRefused(
            f"Ce fichier pèse {format_size_fr(size)} : la taille maximale pour "
            f"{_category_fr(kind)} est de {format_size_fr(max_bytes)}. Réduisez-le "
            "(compression, découpage) puis envoyez-le de nouveau.",
            RefusalCode.TOO_LARGE,
        )
    if kind.name == "pdf":
        _check_pdf(fileobj)
    elif kind.name in {"docx", "xlsx", "pptx", "odt", "ods", "odp"}:
        _check_zip_package(fileobj, kind, limits)
    elif kind.category == MEDIA:
        check_media(fileobj, kind, size)
    return kind, size


def _category_fr(kind: FileKind) -> str:
    return {DOCUMENT: "un document", IMAGE: "une image", MEDIA: "un enregistrement"}[kind.category]


def _mismatch_message(kind: FileKind, extension: str) -> str:
    expected = " ou ".join(kind.extensions)
    if not extension:
        return (
            f"Le nom du fichier n'a pas d'extension, alors que son contenu est {kind.label_fr}. "
            f"Renommez-le avec l'extension {expected}, puis envoyez-le de nouveau."
        )
    return (
        f"L'extension ne correspond pas au contenu : le nom se termine par « {extension} » "
        f"mais le fichier est {kind.label_fr}. Renommez-le avec l'extension {expected}, ou "
        "envoyez le bon fichier."
    )


__all__ = [
    "CHECKS_VERSION",
    "CheckedFile",
    "FileKind",
    "FileRefused",
    "KINDS",
    "Limits",
    "RefusalCode",
    "check_file",
    "clean_filename",
    "describe_content",
    "format_size_fr",
    "sha256_stream",
    "sniff",
]
