"""PDF documents: refuse encrypted, unreadable, active and polyglot ones.

Active content is refused rather than removed: the stored file stays byte for byte the one the
candidate sent (its SHA-256 is in the submission manifest, and rewriting would break any
electronic signature it carries), and a clean copy is one « Imprimer en PDF » away. The file is
parsed with pikepdf (qpdf), which also reads damaged cross-reference tables the way viewers do,
and every object it finds is looked at, referenced or not.
"""

from __future__ import annotations

import re
import struct
from typing import BinaryIO

from portfolio.filetypes.base import FileRefused, RefusalCode, _file_size, _read_at

_TAIL = 64 * 1024 + 22
_MAX_DEPTH = 64
# After the last %%EOF only end-of-line characters (and NUL padding) are allowed.
_TRAILER = re.compile(rb"%%EOF[\r\n\t \x00\x0c]*\Z")

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


def _check_objects(fileobj: BinaryIO, unreadable: FileRefused) -> None:
    import pikepdf  # local: only PDF checks need it

    fileobj.seek(0)
    try:
        # A file object, not a path: pikepdf reads it on demand, never whole.
        with pikepdf.open(fileobj) as pdf:
            encrypted = pdf.is_encrypted
            if not encrypted:
                if len(pdf.pages) == 0:
                    raise unreadable
                _ = pdf.pages[0].mediabox  # parsing the first page is the check
                for obj in pdf.objects:
                    _check_object(obj, 0)
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
