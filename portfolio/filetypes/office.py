"""Office documents, which are ZIP packages (OOXML, OpenDocument): sniffing and checks.

The checks bound the archive (entries, uncompressed size, central directory) before parsing it,
and refuse encrypted parts and macros.
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
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
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    return _ODF_MIMETYPES.get(value)


def _check_zip_package(fileobj: BinaryIO, kind: FileKind, limits: Limits) -> None:
    directory = _zip_directory_size(fileobj)
    if directory is not None and directory[0] > limits.zip_max_entries:
        raise _zip_bomb(kind)
    with zipfile.ZipFile(fileobj) as archive:
        infos = archive.infolist()
        if len(infos) > limits.zip_max_entries:
            raise _zip_bomb(kind)
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
        if kind.name in {"docx", "xlsx", "pptx"}:
            _check_ooxml(archive, kind, names)
        else:
            _check_odf(archive, kind, names)


def _zip_bomb(kind: FileKind) -> FileRefused:
    return FileRefused(
        f"Ce fichier, {kind.label_fr}, se décompresse en un volume anormalement grand ou "
        "contient trop d'éléments. Enregistrez-le de nouveau avec votre logiciel habituel, ou "
        "exportez-le en PDF.",
        RefusalCode.ZIP_BOMB,
    )


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = 4 * 1024 * 1024) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        return b""
    with archive.open(info) as part:
        return part.read(limit)


def _check_ooxml(archive: zipfile.ZipFile, kind: FileKind, names: list[str]) -> None:
    try:
        content_types = _read_part(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as error:
        raise _office_corrupt(kind) from error
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroenabled" in content_types.lower()
    ):
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, contient des macros. Enregistrez-en une copie sans "
            f"macros (au format {kind.default_extension}) ou exportez-le en PDF.",
            RefusalCode.OFFICE_MACROS,
        )


def _check_odf(archive: zipfile.ZipFile, kind: FileKind, names: list[str]) -> None:
    manifest = b""
    if "META-INF/manifest.xml" in names:
        try:
            manifest = _read_part(archive, "META-INF/manifest.xml")
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as error:
            raise _office_corrupt(kind) from error
    if b"encryption-data" in manifest:
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, est protégé par un mot de passe. Enregistrez-en une "
            "copie sans mot de passe, puis envoyez-la.",
            RefusalCode.ZIP_ENCRYPTED,
        )
    if any(name.lower().startswith("basic/") for name in names):
        raise FileRefused(
            f"Ce fichier, {kind.label_fr}, contient des macros. Enregistrez-en une copie sans "
            "macros ou exportez-le en PDF.",
            RefusalCode.OFFICE_MACROS,
        )


def _office_corrupt(kind: FileKind) -> FileRefused:
    return FileRefused(
        f"Ce fichier, {kind.label_fr}, est endommagé et ne peut pas être lu. Ouvrez-le, "
        "enregistrez-le de nouveau, puis envoyez cette copie.",
        RefusalCode.OFFICE_CORRUPT,
    )
