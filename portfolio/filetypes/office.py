"""Office documents, which are ZIP packages (OOXML, OpenDocument): sniffing and checks.

The checks bound the archive (entries, declared sizes, central directory) before parsing it,
then read every part (``archives`` measures, ``active`` looks for macros and active content).
"""

from __future__ import annotations

import struct
import tempfile
import zipfile
import zlib
from typing import BinaryIO

from portfolio.filetypes import active, archives
from portfolio.filetypes.base import (
    KINDS,
    FileKind,
    FileRefused,
    Limits,
    RefusalCode,
    _file_size,
    _read_at,
    _Sniffed,
)

# The main part that makes an OOXML package a document of that kind.
_OOXML_MAIN_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_MAX_CENTRAL_DIRECTORY = 32 * 1024 * 1024


def _zip_directory_size(fileobj: BinaryIO) -> tuple[int, int] | None:
    """Return (entry count, central directory size) from the end record, before parsing it."""
    size = _file_size(fileobj)
    tail_start = max(0, size - (65535 + 22))
    tail = _read_at(fileobj, tail_start, size - tail_start)
    position = tail.rfind(_EOCD)
    if position < 0 or len(tail) - position < 22:
        return None
    entries, directory_size = struct.unpack("<HI", tail[position + 10 : position + 16])
    locator = tail[position - 20 : position] if position >= 20 else b""
    if locator.startswith(_EOCD64_LOCATOR):
        record_offset = struct.unpack("<Q", locator[8:16])[0]
        record = _read_at(fileobj, record_offset, 56)
        if record.startswith(_EOCD64) and len(record) == 56:
            entries, directory_size = struct.unpack("<QQ", record[32:48])
    return entries, directory_size


def _sniff_zip(fileobj: BinaryIO) -> _Sniffed:
    # The central directory is read into memory by zipfile: bound it before letting it parse.
    directory = _zip_directory_size(fileobj)
    if directory is None:
        return _Sniffed(None, "une archive ZIP endommagée")
    entries, directory_size = directory
    if directory_size > _MAX_CENTRAL_DIRECTORY:
        return _Sniffed(None, "une archive ZIP démesurée")
    try:
        archive = zipfile.ZipFile(fileobj)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
    ):
        return _Sniffed(None, "une archive ZIP endommagée")
    with archive:
        infos = archive.infolist()
        first = infos[0] if infos else None
        if first is not None and first.filename == "mimetype":
            kind = _odf_kind(archive, first)
            if kind is not None:
                return _Sniffed(KINDS[kind])
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names:
            for part, kind in _OOXML_MAIN_PARTS.items():
                if part in names:
                    return _Sniffed(KINDS[kind])
            return _Sniffed(None, "un document Office d'un type non accepté")
    return _Sniffed(None, "une archive ZIP")


def _odf_kind(archive: zipfile.ZipFile, first: zipfile.ZipInfo) -> str | None:
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
        return None
    try:
        value = archive.read(first)
    except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError, ValueError, EOFError):
        return None
    return _ODF_MIMETYPES.get(value)


def _check_zip_package(
    fileobj: BinaryIO,
    kind: FileKind,
    limits: Limits,
    *,
    budget: archives.Budget | None = None,
    nested: bool = False,
) -> None:
    """Refuse a package that is a bomb, damaged, encrypted, or holds macros or active content.

    Every entry is inflated and measured (``archives``) and looked at by content (``active``).
    A package inside the package (a chart's workbook inside a Word document) is checked the
    same way, sharing the budget; anything deeper, and any other archive, is refused.
    """
    directory = _zip_directory_size(fileobj)
    if directory is not None and directory[0] > limits.zip_max_entries:
        raise _zip_bomb(kind)
    if budget is None:
        size = _file_size(fileobj)
        budget = archives.Budget(
            min(limits.zip_max_uncompressed_bytes, limits.zip_max_ratio * size)
        )
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            _check_directory(infos, kind, limits)
            for info, chunks in archives.iter_entries(fileobj, archive, budget):
                _check_entry(info, chunks, kind, limits, budget, nested=nested)
    except archives.ZipProblem as problem:
        if problem.reason == archives.ZipProblem.CORRUPT:
            raise _office_corrupt(kind) from problem
        raise _zip_bomb(kind) from problem
    except active.ActiveContent as found:
        raise _active_refusal(kind, found) from found
    except active.OleTooLarge as error:
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, contient un objet intégré trop volumineux pour être "
            "vérifié. Retirez-le ou remplacez-le par une image, ou exportez le document en PDF.",
            RefusalCode.OFFICE_ACTIVE,
        ) from error
    except FileRefused:
        raise
    except (
        active.PartUnreadable,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
        struct.error,
    ) as error:
        raise _office_corrupt(kind) from error


def _check_directory(infos: list[zipfile.ZipInfo], kind: FileKind, limits: Limits) -> None:
    if len(infos) > limits.zip_max_entries:
        raise _zip_bomb(kind)
    # Declared sizes are only a first, cheap bound: the entries are measured as they inflate.
    if sum(info.file_size for info in infos) > limits.zip_max_uncompressed_bytes:
        raise _zip_bomb(kind)
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        # Two parts with the same name: readers disagree on which one counts.
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, est endommagé. Ouvrez-le et enregistrez-le de "
            "nouveau, puis envoyez cette copie.",
            RefusalCode.OFFICE_CORRUPT,
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, contient des parties chiffrées. Retirez le mot "
            "de passe, enregistrez-le de nouveau, puis envoyez cette copie.",
            RefusalCode.ZIP_ENCRYPTED,
        )


def _check_entry(
    info: zipfile.ZipInfo,
    chunks,
    kind: FileKind,
    limits: Limits,
    budget: archives.Budget,
    *,
    nested: bool,
) -> None:
    name = info.filename
    active.check_odf_name(name)
    if name == "META-INF/manifest.xml":
        head, chunks = active.split_head(chunks, 4 * 1024 * 1024)
        if b"encryption-data" in head:
            raise FileRefused(
                f"Ce fichier, {kind.label_fr}, est protégé par un mot de passe. Enregistrez-en "
                "une copie sans mot de passe, puis envoyez-la.",
                RefusalCode.ZIP_ENCRYPTED,
            )
    head, chunks = active.split_head(chunks)
    if head.startswith(active.OLE_MAGIC):
        active.check_ole_part(name, chunks, info.file_size)
    elif archives.is_archive(head):
        _check_nested(name, chunks, kind, limits, budget, nested=nested)
    elif active.looks_like_xml(head):
        active.check_xml_part(name, chunks)


def _check_nested(name, chunks, kind: FileKind, limits: Limits, budget, *, nested: bool) -> None:
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        inner = None if nested or not spool.read(4).startswith(b"PK\x03\x04") else _sniff_zip(spool)
        if inner is None or inner.kind is None:
            raise FileRefused(
                f"Ce fichier, {kind.label_fr}, contient une archive (un fichier compressé). "
                "Retirez-la du document, ou exportez-le en PDF, puis envoyez cette copie.",
                RefusalCode.NESTED_ARCHIVE,
            )
        _check_zip_package(spool, inner.kind, limits, budget=budget, nested=True)


def _zip_bomb(kind: FileKind) -> FileRefused:
    return FileRefused(
        f"Ce fichier, {kind.label_fr}, se décompresse en un volume anormalement grand ou "
        "contient trop d'éléments. Enregistrez-le de nouveau avec votre logiciel habituel, ou "
        "exportez-le en PDF.",
        RefusalCode.ZIP_BOMB,
    )


def _active_refusal(kind: FileKind, found: active.ActiveContent) -> FileRefused:
    if found.is_macro:
        return FileRefused(
            f"Ce fichier, {kind.label_fr}, contient {found.what_fr}. Enregistrez-en une copie "
            f"sans macros (au format {kind.default_extension}) ou exportez-le en PDF, puis "
            "envoyez cette copie.",
            RefusalCode.OFFICE_MACROS,
        )
    return FileRefused(
        f"Ce fichier, {kind.label_fr}, contient {found.what_fr}, qui pourrait exécuter du code "
        "à l'ouverture. Retirez-le du document ou exportez le document en PDF, puis envoyez "
        "cette copie.",
        RefusalCode.OFFICE_ACTIVE,
    )


def _office_corrupt(kind: FileKind) -> FileRefused:
    return FileRefused(
        f"Ce fichier, {kind.label_fr}, est endommagé et ne peut pas être lu. Ouvrez-le, "
        "enregistrez-le de nouveau, puis envoyez cette copie.",
        RefusalCode.OFFICE_CORRUPT,
    )
