"""PDF documents: refuse encrypted, unreadable, active and polyglot ones.

Active content is refused rather than removed: the stored file stays byte for byte the one the
candidate sent (its SHA-256 is in the submission manifest, and rewriting would break any
electronic signature it carries), and a clean copy is one « Imprimer en PDF » away. The file is
parsed with pikepdf (qpdf), which also reads damaged cross-reference tables the way viewers do,
and every object it finds is looked at, referenced or not.

The file's structure is checked too, because a PDF that is also an archive or a web page is a
polyglot that another program would open as such: the last ``startxref`` must point at the
cross-reference section that ends right before it, qpdf must read the file without rebuilding
its cross-references, nothing but line ends may follow the final ``%%EOF``, no ZIP record may
appear anywhere in the bytes, and HTML markers may appear only inside streams.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
from typing import BinaryIO

from portfolio.filetypes.base import FileRefused, RefusalCode, _file_size, _read_at

_TAIL = 64 * 1024 + 22
_MAX_DEPTH = 64
# After the last %%EOF only end-of-line characters (and NUL padding) are allowed.
_TRAILER = re.compile(rb"%%EOF[\r\n\t \x00\x0c]*\Z")
# The final startxref, its offset and the last %%EOF, with only white space between.
_STARTXREF = re.compile(rb"startxref[\s\x00]+(\d{1,20})[\s\x00]+%%EOF[\s\x00]*\Z")
_XREF_TABLE_HEAD = re.compile(rb"xref[\s\x00]+[\d\s\x00nf]*(?:trailer[\s\x00]*<<|\Z)")
_XREF_TABLE_END = re.compile(rb"trailer[\s\x00]*<<.*>>[\s\x00]*\Z", re.S)
_NOT_IN_TRAILER = re.compile(rb"endobj|stream|%%EOF|xref", re.I)
_XREF_STREAM_HEAD = re.compile(rb"\d+[\s\x00]+\d+[\s\x00]+obj\b")
_XREF_STREAM_END = re.compile(rb"endobj[\s\x00]*\Z")
_SECTION_END = 64 * 1024
# Markers a browser takes for a web page; in a PDF they belong inside streams only.
_HTML_MARKERS = re.compile(rb"<(?:html|script|!doctype)", re.I)
_ZIP_RECORDS = re.compile(rb"PK(?:\x05\x06|\x03\x04)")
_SCAN_OVERLAP = 64
_SCAN_CHUNK = 1024 * 1024 - _SCAN_OVERLAP

HOW_TO_CLEAN = (
    "Créez-en une copie propre : ouvrez-le, choisissez « Imprimer » puis « Imprimer en PDF » "
    "(ou « Enregistrer au format PDF »), ou, depuis le logiciel d'origine, « Exporter au format "
    "PDF/A », puis envoyez cette copie."
)

JAVASCRIPT = "du JavaScript"
LAUNCH = "une action qui lance un programme (Launch)"
EMBEDDED_FILE = "des fichiers joints"
RICH_MEDIA = "du contenu multimédia actif (RichMedia, Flash)"
XFA = "un formulaire XFA"
TRAILING_DATA = (
    "des données après la fin du document (une archive ou une page web collée à la suite)"
)
POLYGLOT = "une archive ZIP ou une page web cachée dans le document"


class _Active(Exception):
    def __init__(self, what_fr: str):
        super().__init__(what_fr)
        self.what_fr = what_fr


def _check_pdf(fileobj: BinaryIO) -> None:
    unreadable = FileRefused(
        "Ce PDF est endommagé et ne peut pas être lu. Ouvrez-le et enregistrez-le de nouveau "
        "(ou « Imprimer en PDF »), puis envoyez cette copie.",
        RefusalCode.PDF_UNREADABLE,
    )
    try:
        _check_tail(fileobj, unreadable)
        _check_zip_records(fileobj)
        _check_objects(fileobj, unreadable)
    except _Active as found:
        raise FileRefused(
            f"Ce PDF contient {found.what_fr} : ce contenu pourrait s'exécuter ou s'ouvrir à "
            f"l'insu du lecteur. {HOW_TO_CLEAN}",
            RefusalCode.PDF_ACTIVE,
        ) from found


def _check_tail(fileobj: BinaryIO, unreadable: FileRefused) -> None:
    """Refuse data after the last %%EOF, and a ZIP whose end record closes the file."""
    size = _file_size(fileobj)
    start = max(0, size - _TAIL)
    tail = _read_at(fileobj, start, size - start)
    end = tail.rfind(b"%%EOF")
    if end < 0:
        raise unreadable
    if not _TRAILER.match(tail, end):
        raise _Active(TRAILING_DATA)
    # A ZIP is read from its end record, whose comment may swallow the PDF's last bytes.
    position = tail.find(b"PK\x05\x06")
    while 0 <= position <= len(tail) - 22:
        (comment_length,) = struct.unpack("<H", tail[position + 20 : position + 22])
        if position + 22 + comment_length == len(tail):
            raise _Active(TRAILING_DATA)
        position = tail.find(b"PK\x05\x06", position + 1)
    _check_startxref(fileobj, tail, start, unreadable)


def _check_startxref(fileobj: BinaryIO, tail: bytes, start: int, unreadable: FileRefused) -> None:
    """The final startxref must close the file and point at the section that ends before it.

    Data appended after a PDF and closed by its own ``%%EOF`` leaves the last ``startxref``
    pointing back at the original section, with the appended bytes in between.
    """
    keyword = tail.rfind(b"startxref")
    found = _STARTXREF.match(tail, keyword) if keyword >= 0 else None
    if found is None:
        raise _Active(TRAILING_DATA)
    offset, keyword_at = int(found.group(1)), start + keyword
    if offset >= keyword_at:
        raise unreadable
    # A table's entries are digits, spaces and n/f up to its trailer; it ends the section.
    head = _read_at(fileobj, offset, min(keyword_at - offset, _SCAN_CHUNK))
    end_at = max(offset, keyword_at - _SECTION_END)
    end = _read_at(fileobj, end_at, keyword_at - end_at)
    if head.startswith(b"xref"):
        trailer = end[end.rfind(b"trailer") :] if b"trailer" in end else b""
        before = end[end.rfind(b"trailer") - 1 : end.rfind(b"trailer")] if trailer else b""
        if (
            not _XREF_TABLE_HEAD.match(head)
            or not _XREF_TABLE_END.match(trailer)
            or _NOT_IN_TRAILER.search(trailer, 7)
            or (before and before not in b"0123456789nf \r\n\t\x00\x0c")
        ):
            raise _Active(TRAILING_DATA)
    elif _XREF_STREAM_HEAD.match(head):
        if not _XREF_STREAM_END.search(end) or b"%%EOF" in end:
            raise _Active(TRAILING_DATA)
    else:
        raise unreadable


def _iter_scan(fileobj: BinaryIO, pattern: re.Pattern):
    """Yield (offset, match) for every match in the file, read by chunks that overlap."""
    size = _file_size(fileobj)
    for chunk_start in range(0, size, _SCAN_CHUNK):
        chunk = _read_at(fileobj, chunk_start, _SCAN_CHUNK + _SCAN_OVERLAP)
        for match in pattern.finditer(chunk, 0, _SCAN_CHUNK + _SCAN_OVERLAP):
            if match.start() < _SCAN_CHUNK:
                yield chunk_start + match.start(), match


def _check_zip_records(fileobj: BinaryIO) -> None:
    """Refuse a ZIP anywhere in the file: a coherent end record or local file header.

    Compressed streams hold such signatures by chance once in a few hundred megabytes; the
    fields that follow a real record (a central directory where the end record says, a known
    version, method and a readable name) do not come by chance.
    """
    fileobj.seek(0)
    if zipfile.is_zipfile(fileobj):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                if archive.infolist():
                    raise _Active(POLYGLOT)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            pass
    for offset, match in _iter_scan(fileobj, _ZIP_RECORDS):
        record = _read_at(fileobj, offset, 30 + 1024)
        if match.group().endswith(b"\x05\x06"):
            coherent = _is_end_record(fileobj, offset, record)
        else:
            coherent = _is_local_header(record)
        if coherent:
            raise _Active(POLYGLOT)


def _is_end_record(fileobj: BinaryIO, offset: int, record: bytes) -> bool:
    if len(record) < 22:
        return False
    entries, directory_size = struct.unpack("<HI", record[10:16])
    if entries == 0 or directory_size < 46 or directory_size > offset:
        return False
    return _read_at(fileobj, offset - directory_size, 4) == b"PK\x01\x02"


def _is_local_header(record: bytes) -> bool:
    if len(record) < 30:
        return False
    version, _flags, method = struct.unpack("<HHH", record[4:10])
    (name_length,) = struct.unpack("<H", record[26:28])
    if version > 63 or method not in (0, 8, 9, 12, 14, 93, 95, 98) or not 0 < name_length <= 1024:
        return False
    name = record[30 : 30 + name_length]
    return len(name) == name_length and all(32 <= byte < 127 or byte >= 128 for byte in name)


def _check_objects(fileobj: BinaryIO, unreadable: FileRefused) -> None:
    import pikepdf  # local: only PDF checks need it

    fileobj.seek(0)
    try:
        # A file object, not a path: pikepdf reads it on demand, never whole.
        # Without recovery: a file whose cross-references qpdf would have to rebuild is refused.
        with pikepdf.open(fileobj, attempt_recovery=False) as pdf:
            encrypted = pdf.is_encrypted
            if not encrypted:
                if len(pdf.pages) == 0:
                    raise unreadable
                _ = pdf.pages[0].mediabox  # parsing the first page is the check
                for obj in pdf.objects:
                    _check_object(obj, 0)
                _check_html_markers(fileobj, pdf)
    except pikepdf.PasswordError:
        encrypted = True
    except (FileRefused, _Active):
        raise
    except Exception as error:
        # qpdf raises several types on hostile input; all mean the same to the candidate.
        raise unreadable from error
    if encrypted:
        raise FileRefused(
            "Ce PDF est protégé par un mot de passe ou chiffré. Enregistrez-en une copie sans "
            "protection (par exemple avec « Imprimer en PDF »), puis envoyez-la.",
            RefusalCode.PDF_ENCRYPTED,
        )


def _check_html_markers(fileobj: BinaryIO, pdf) -> None:
    """Refuse HTML markers outside streams: every one in the file must be in a stream's bytes.

    Streams are counted once per distinct content, so that two objects sharing one stream
    cannot account for a marker placed outside.
    """
    import pikepdf

    in_file = sum(1 for _ in _iter_scan(fileobj, _HTML_MARKERS))
    if in_file == 0:
        return
    in_streams, seen = 0, set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            digest = hashlib.sha256(raw).digest()
            if digest not in seen:
                seen.add(digest)
                in_streams += len(_HTML_MARKERS.findall(raw))
    if in_file > in_streams:
        raise _Active(POLYGLOT)


def _check_object(obj, depth: int) -> None:
    """Walk one object and its direct children (indirect ones are walked on their own)."""
    import pikepdf

    if depth > _MAX_DEPTH:
        raise ValueError("objects nested too deeply")
    if isinstance(obj, pikepdf.Stream):
        _check_dictionary(obj.stream_dict, depth)
    elif isinstance(obj, pikepdf.Dictionary):
        _check_dictionary(obj, depth)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, pikepdf.Object) and not item.is_indirect:
                _check_object(item, depth + 1)


_ACTIVE_KEYS = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/EmbeddedFiles": EMBEDDED_FILE,
    "/EF": EMBEDDED_FILE,
    "/RichMediaContent": RICH_MEDIA,
    "/RichMediaSettings": RICH_MEDIA,
    "/XFA": XFA,
}
_ACTIVE_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/GoToE": EMBEDDED_FILE,
    "/RichMediaExecute": RICH_MEDIA,
}
_ACTIVE_TYPES = {
    ("/Type", "/EmbeddedFile"): EMBEDDED_FILE,
    ("/Subtype", "/FileAttachment"): EMBEDDED_FILE,
    ("/Subtype", "/RichMedia"): RICH_MEDIA,
}


def _check_dictionary(dictionary, depth: int) -> None:
    import pikepdf

    for key in dictionary.keys():
        if key in _ACTIVE_KEYS:
            raise _Active(_ACTIVE_KEYS[key])
        value = dictionary.get(key)
        if isinstance(value, pikepdf.Name):
            if key == "/S" and str(value) in _ACTIVE_ACTIONS:
                raise _Active(_ACTIVE_ACTIONS[str(value)])
            found = _ACTIVE_TYPES.get((key, str(value)))
            if found:
                raise _Active(found)
        elif isinstance(value, pikepdf.Object) and not value.is_indirect:
            _check_object(value, depth + 1)
