"""Decide what an uploaded file is from its content, and refuse what is not accepted.

Pure Python (no Django): limits are passed in as a :class:`Limits` object so the upload
service can build it from the settings. Every check reads only the head of the file, seeks, or
lets :mod:`zipfile` / :mod:`pypdf` work on the file object: nothing here reads a whole file
into memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import IO, Any, BinaryIO

HEAD_SIZE = 8192
HASH_CHUNK = 1024 * 1024
MAX_NAME_LENGTH = 150
DEFAULT_NAME = "fichier"

DOCUMENT = "document"
IMAGE = "image"
MEDIA = "media"

ACCEPTED_HINT = (
    "Envoyez un PDF, un document Word, Excel, PowerPoint ou OpenDocument, une image PNG ou "
    "JPEG, ou un enregistrement MP3, M4A ou MP4."
)


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
    OFFICE_CORRUPT = "office_corrupt"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_CORRUPT = "image_corrupt"
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
# ISO BMFF brands. Both families are the same container; see _resolve_kind for the extension.
_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"MSNV",
    b"dash",
    b"mmp4",
    b"f4v ",
}
_MP4_SIBLINGS = {"m4a", "mp4"}


@dataclass(frozen=True)
class Limits:
    """Size limits in bytes (decimal megabytes, as users read them) and archive limits."""

    document_max_bytes: int = 50 * 1000 * 1000
    image_max_bytes: int = 50 * 1000 * 1000
    media_max_bytes: int = 500 * 1000 * 1000
    zip_max_uncompressed_bytes: int = 1024 * 1024 * 1024
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


# --------------------------------------------------------------------------- sniffing


@dataclass(frozen=True)
class _Sniffed:
    kind: FileKind | None
    # What the content was recognised as when it is not accepted ("un fichier HTML").
    detected_fr: str | None = None


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


_MAGIC_DESCRIPTIONS: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "un programme exécutable (ELF)"),
    (b"MZ", "un programme exécutable Windows"),
    (b"\xfe\xed\xfa\xce", "un programme exécutable macOS"),
    (b"\xfe\xed\xfa\xcf", "un programme exécutable macOS"),
    (b"\xce\xfa\xed\xfe", "un programme exécutable macOS"),
    (b"\xcf\xfa\xed\xfe", "un programme exécutable macOS"),
    (b"\xca\xfe\xba\xbe", "un programme exécutable"),
    (b"#!", "un script"),
    (b"PK\x05\x06", "une archive ZIP"),
    (b"PK\x07\x08", "une archive ZIP"),
    (b"Rar!\x1a\x07", "une archive RAR"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7z"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"BZh", "une archive bzip2"),
    (b"\xfd7zXZ\x00", "une archive xz"),
    (b"\x28\xb5\x2f\xfd", "une archive zstd"),
    (b"MSCF", "une archive CAB"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "un document Office à l'ancien format (.doc, .xls, .ppt) ou protégé par un mot de passe",
    ),
    (b"{\\rtf", "un document RTF"),
    (b"GIF87a", "une image GIF"),
    (b"GIF89a", "une image GIF"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"8BPS", "une image Photoshop"),
    (b"OggS", "un fichier audio Ogg"),
    (b"fLaC", "un fichier audio FLAC"),
    (b"\x1aE\xdf\xa3", "une vidéo WebM ou Matroska"),
    (b"%!PS", "un fichier PostScript"),
)


def _describe_other(head: bytes) -> str | None:
    for magic, description in _MAGIC_DESCRIPTIONS:
        if head.startswith(magic):
            return description
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {
            b"WEBP": "une image WebP",
            b"WAVE": "un fichier audio WAV",
            b"AVI ": "une vidéo AVI",
        }.get(head[8:12])
    if len(head) > 262 and head[257:262] == b"ustar":
        return "une archive tar"
    return _describe_text(head)


def _describe_text(head: bytes) -> str | None:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    text = head.replace(b"\x00", b"").decode("latin-1").lower()
    stripped = text.lstrip()
    if stripped.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return "un fichier HTML"
    if "<svg" in text:
        return "une image SVG"
    if "<html" in text or "<script" in text:
        return "un fichier HTML"
    if stripped.startswith("<?php") or "<?php" in text:
        return "un script PHP"
    if stripped.startswith("<?xml"):
        return "un fichier XML"
    if stripped.startswith("#!"):
        return "un script"
    if head and all(32 <= byte < 127 or byte in b"\t\r\n" or byte >= 0x80 for byte in head):
        return "un fichier texte"
    return None


def _sniff_iso_bmff(head: bytes) -> _Sniffed:
    size = struct.unpack(">I", head[:4])[0]
    if size < 16 or size > 4096 or len(head) < size:
        return _Sniffed(None, "un fichier multimédia non reconnu")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, size - 3, 4)}
    if major == b"qt  ":
        return _Sniffed(None, "une vidéo QuickTime (.mov)")
    if major in {b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"avif"}:
        return _Sniffed(None, "une photo HEIC ou AVIF")
    if major in {b"M4P ", b"M4B "} and b"M4P " in brands:
        return _Sniffed(None, "un fichier audio protégé (DRM)")
    if major.startswith(b"3g"):
        return _Sniffed(None, "une vidéo 3GP")
    if major in _AUDIO_BRANDS:
        return _Sniffed(KINDS["m4a"])
    if brands & _VIDEO_BRANDS:
        return _Sniffed(KINDS["mp4"])
    return _Sniffed(None, "un fichier multimédia non reconnu")


# MPEG audio Layer III, kbit/s by bitrate index; version 1 vs 2/2.5.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame_length(header: bytes) -> int | None:
    """Return the length of the MPEG audio Layer III frame starting with ``header``."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03  # 3 = MPEG 1, 2 = MPEG 2, 0 = MPEG 2.5, 1 reserved
    layer = (header[1] >> 1) & 0x03  # 1 = Layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    padding = (header[2] >> 1) & 0x01
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _SAMPLE_RATES[version][rate_index]
    if version == 3:
        return 144 * _BITRATES_V1[bitrate_index] * 1000 // rate + padding
    return 72 * _BITRATES_V2[bitrate_index] * 1000 // rate + padding


def _mpeg_audio_frames_at(data: bytes, offset: int) -> bool:
    """Return whether MPEG audio frames start at ``offset`` (two in a row, or one at the end)."""
    length = _mpeg_frame_length(data[offset : offset + 4])
    if length is None:
        return False
    following = data[offset + length : offset + length + 4]
    return len(following) < 4 or _mpeg_frame_length(following) is not None


def _sniff_mp3(fileobj: BinaryIO, head: bytes) -> _Sniffed:
    offset = 0
    if head.startswith(b"ID3"):
        if len(head) < 10 or head[3] not in (2, 3, 4) or any(b & 0x80 for b in head[6:10]):
            return _Sniffed(None, "un fichier audio non reconnu")
        tag_size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        offset = 10 + tag_size + (10 if head[5] & 0x10 else 0)
    # Encoders may pad between the tag and the first frame.
    window = _read_at(fileobj, offset, 4096 + 2 * 1441 + 4)
    for start in range(0, min(4096, len(window))):
        if window[start] == 0xFF and _mpeg_audio_frames_at(window, start):
            return _Sniffed(KINDS["mp3"])
        if window[start] != 0:
            break
    return _Sniffed(None, "un fichier audio non reconnu")


# --------------------------------------------------------------------------- ZIP packages

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


# --------------------------------------------------------------------------- PDF


def _check_pdf(fileobj: BinaryIO) -> None:
    from pypdf import PdfReader  # local: only PDF checks need it

    unreadable = FileRefused(
        "Ce PDF est endommagé et ne peut pas être lu. Ouvrez-le et enregistrez-le de nouveau "
        "(ou « Imprimer en PDF »), puis envoyez cette copie.",
        RefusalCode.PDF_UNREADABLE,
    )
    fileobj.seek(0)
    try:
        # A file object, not a path: given a path, pypdf reads the whole file into memory.
        reader = PdfReader(fileobj, strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            page_count = len(reader.pages)
            if page_count == 0:
                raise unreadable
            _ = reader.pages[0].mediabox  # parsing the first page is the check
    except FileRefused:
        raise
    except Exception as error:
        # pypdf raises many types (PdfReadError, ValueError, KeyError, RecursionError…) on
        # hostile input; all of them mean the same thing to the candidate.
        raise unreadable from error
    if encrypted:
        raise FileRefused(
            "Ce PDF est protégé par un mot de passe ou chiffré. Enregistrez-en une copie sans "
            "protection (par exemple avec « Imprimer en PDF »), puis envoyez-la.",
            RefusalCode.PDF_ENCRYPTED,
        )


# --------------------------------------------------------------------------- the check


def _resolve_kind(kind: FileKind, extension: str) -> FileKind:
    """Return the kind to record, given that M4A and MP4 share one container format."""
    if kind.name in _MP4_SIBLINGS:
        for sibling in _MP4_SIBLINGS:
            if extension in KINDS[sibling].extensions:
                return KINDS[sibling]
    return kind


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
        fileobj.seek(0)
        sha256, hashed_size = sha256_stream(fileobj)
    if hashed_size != size:
        raise FileRefused(
            "Le fichier a changé pendant sa vérification. Envoyez-le de nouveau.",
            RefusalCode.CHANGED,
        )
    return CheckedFile(kind=kind, name=name, size=size, sha256=sha256)


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
