"""Find macros and active content in the parts of an office package, by their content.

Names are not trusted: every part is looked at. A part that is an OLE compound file is handed to
oletools (the reference detector for VBA, Excel 4.0 / XLM macros and OLE objects) whatever its
name; every XML part is parsed far enough to know its root element (an Excel 4.0 macro sheet or
an ActiveX control is one whatever the part is called); the package's relationships and content
types are read in full. The OpenDocument ``Basic/`` and ``Scripts/`` folders are refused by name
because that is how LibreOffice finds document macros: a name there is the format itself.
"""

from __future__ import annotations

import logging
import ntpath
import tempfile
import warnings
from collections.abc import Iterator
from itertools import chain
from xml.parsers import expat

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_OLE_PART = 32 * 1024 * 1024
HEAD = 1024

# What was found, in French, completing "Ce fichier, un document Word, contient …".
VBA = "des macros VBA"
XLM = "des macros Excel 4.0 (feuilles de macros XLM)"
ACTIVEX = "un contrôle ActiveX"
OLE_EXECUTABLE = "un programme ou un script intégré (objet OLE)"
EXTERNAL_OBJECT = "un lien vers un objet ou un modèle externe"
ODF_BASIC = "des macros Basic"
ODF_SCRIPTS = "des scripts (Python, JavaScript ou BeanShell)"
DDE_FIELD = "un champ DDE qui lance un programme"
DDE_LINK = "un lien DDE"
SCRIPT_EVENT = "un script lié à un événement"
MACROS = {VBA, XLM, ODF_BASIC, ODF_SCRIPTS}

_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_ROOTS = {
    "http://schemas.microsoft.com/office/2006/activeX ocx": ACTIVEX,
    "http://openoffice.org/2000/script module": ODF_BASIC,
    "http://openoffice.org/2000/library libraries": ODF_BASIC,
    "http://openoffice.org/2000/library library": ODF_BASIC,
    "http://schemas.microsoft.com/office/word/2006/wordml vbaSuppData": VBA,
}
_CONTENT_TYPE_WORDS = (
    ("macroenabled", VBA),
    ("vbaproject", VBA),
    ("vbadata", VBA),
    ("macrosheet", XLM),
    ("activex", ACTIVEX),
)
_RELATIONSHIP_WORDS = (
    ("vbaproject", VBA),
    ("vbadata", VBA),
    ("macrosheet", XLM),
    ("activex", ACTIVEX),
)
# Relationship types that fetch and run something when the target is outside the package
# (remote templates, "Follina"-style OLE links, frames and sub-documents).
_EXTERNAL_ACTIVE_TYPES = ("/oleobject", "/attachedtemplate", "/frame", "/subdocument")
# The only files an OLE "Package" object may embed: documents that run nothing when opened.
_HARMLESS_EMBEDDED_EXTENSIONS = frozenset(
    ".pdf .png .jpg .jpeg .gif .txt .csv .docx .xlsx .pptx .odt .ods .odp".split()
)
# Parts whose whole content is read, not only their root element (DDE fields, DDE links and
# event listeners live deep inside them).
_WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_SHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_ODF_OFFICE_NAMESPACE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_SCRIPT_NAMESPACE = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
_ODF_PRESENTATION_NAMESPACE = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_XLINK_HREF = "http://www.w3.org/1999/xlink href"
_FIELD_CODE_NOISE = " \t\r\n\"'\u201c\u201d\u2018\u2019{}"
_EXECUTABLE_MAGICS = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)


class ActiveContent(Exception):
    """A part holds macros or active content; ``what_fr`` names it in French."""

    def __init__(self, what_fr: str, part: str):
        super().__init__(f"{what_fr} in {part!r}")
        self.what_fr = what_fr
        self.part = part

    @property
    def is_macro(self) -> bool:
        return self.what_fr in MACROS


class PartUnreadable(Exception):
    """A part that should be readable (XML, OLE) is not: the package is damaged."""


class OleTooLarge(Exception):
    """An OLE part too large to be checked within the memory allowed to one upload."""


def check_odf_name(name: str) -> None:
    """Refuse the OpenDocument folders where LibreOffice looks for document macros."""
    lowered = name.lower().lstrip("/")
    if lowered.startswith("basic/"):
        raise ActiveContent(ODF_BASIC, name)
    if lowered.startswith("scripts/"):
        raise ActiveContent(ODF_SCRIPTS, name)


def split_head(chunks: Iterator[bytes], size: int = HEAD) -> tuple[bytes, Iterator[bytes]]:
    """Return the first ``size`` bytes (or fewer) and an iterator over the whole content."""
    taken: list[bytes] = []
    length = 0
    for chunk in chunks:
        taken.append(chunk)
        length += len(chunk)
        if length >= size:
            break
    head = b"".join(taken)
    return head[:size], chain([head], chunks)


def looks_like_xml(head: bytes) -> bool:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.replace(b"\x00", b"").lstrip().startswith(b"<")


def check_xml_part(name: str, chunks: Iterator[bytes]) -> None:
    """Parse an XML part: refuse active roots, relationships and content types."""
    scan = _XmlScan(name)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    parser.EntityDeclHandler = scan.entity_declared
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RootIsEnough:
        return
    except expat.ExpatError as error:
        raise PartUnreadable(f"{name}: {error}") from error


class _RootIsEnough(Exception):
    pass


class _XmlScan:
    def __init__(self, name: str):
        self.name = name
        self.root: str | None = None
        self.word: str | None = None  # the WordprocessingML namespace of a Word part
        self.field: list[str] | None = None  # the field code being read (w:instrText)
        self.in_instruction = False

    def entity_declared(self, *args: object) -> None:
        # No office format declares entities; expanding them is how XML bombs work.
        raise PartUnreadable(f"{self.name}: entity declaration")

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = tag
            found = _ROOTS.get(tag)
            if found is None and tag.rsplit(" ", 1)[-1].lower().endswith("macrosheet"):
                found = XLM
            if found:
                raise ActiveContent(found, self.name)
            namespace, _, local = tag.rpartition(" ")
            if namespace in _WORD_NAMESPACES:
                self.word = namespace
            elif not (
                tag in (f"{_RELATIONSHIPS_NS} Relationships", f"{_CONTENT_TYPES_NS} Types")
                or (namespace in _SHEET_NAMESPACES and local == "externalLink")
                or namespace == _ODF_OFFICE_NAMESPACE
            ):
                raise _RootIsEnough
            self._deep(tag, attributes)
            return
        self._deep(tag, attributes)
        if tag == f"{_RELATIONSHIPS_NS} Relationship":
            self._relationship(attributes)
        elif tag in (f"{_CONTENT_TYPES_NS} Default", f"{_CONTENT_TYPES_NS} Override"):
            self._content_type(attributes.get("ContentType", ""))

    def _deep(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _, local = tag.rpartition(" ")
        if self.word is not None and namespace == self.word:
            if local == "fldSimple":
                _check_field_code(attributes.get(f"{self.word} instr", ""), self.name)
            elif local == "fldChar":
                kind = attributes.get(f"{self.word} fldCharType", "")
                if kind == "begin":
                    self._field_done()
                    self.field = []
                elif kind in ("separate", "end"):
                    self._field_done()
            elif local == "instrText":
                self.in_instruction = True
                if self.field is None:
                    self.field = []
        elif namespace in _SHEET_NAMESPACES and local == "ddeLink":
            raise ActiveContent(DDE_LINK, self.name)
        elif namespace == _ODF_SCRIPT_NAMESPACE and local == "event-listener":
            raise ActiveContent(SCRIPT_EVENT, self.name)
        elif namespace == _ODF_PRESENTATION_NAMESPACE and local == "event-listener":
            action = attributes.get(f"{_ODF_PRESENTATION_NAMESPACE} action", "")
            href = attributes.get(_XLINK_HREF, "").lower()
            if action == "execute" or "script:" in href or href.startswith("macro:"):
                raise ActiveContent(SCRIPT_EVENT, self.name)

    def end(self, tag: str) -> None:
        if self.in_instruction and tag == f"{self.word} instrText":
            self.in_instruction = False
            # Without fldChar around it (hand-made files), the code is judged on its own.
            self._field_done(partial=True)

    def text(self, data: str) -> None:
        if self.in_instruction and self.field is not None:
            self.field.append(data)

    def _field_done(self, partial: bool = False) -> None:
        if self.field is not None:
            _check_field_code("".join(self.field), self.name)
            if not partial:
                self.field = None

    def _relationship(self, attributes: dict[str, str]) -> None:
        kind = attributes.get("Type", "").lower()
        for word, found in _RELATIONSHIP_WORDS:
            if word in kind:
                raise ActiveContent(found, self.name)
        if kind.endswith("/control"):
            raise ActiveContent(ACTIVEX, self.name)
        external = attributes.get("TargetMode", "").strip().lower() == "external"
        if external and kind.endswith(_EXTERNAL_ACTIVE_TYPES):
            raise ActiveContent(EXTERNAL_OBJECT, self.name)

    def _content_type(self, content_type: str) -> None:
        lowered = content_type.lower()
        for word, found in _CONTENT_TYPE_WORDS:
            if word in lowered:
                raise ActiveContent(found, self.name)


def _check_field_code(code: str, name: str) -> None:
    """Refuse a DDE or DDEAUTO field code, whatever quotes and spaces surround it (msodde)."""
    if code.lstrip(_FIELD_CODE_NOISE).upper().startswith("DDE"):
        raise ActiveContent(DDE_FIELD, name)


def check_ole_part(name: str, chunks: Iterator[bytes], declared_size: int) -> None:
    """Refuse an OLE part holding VBA, XLM macros or an embedded executable (oletools)."""
    if declared_size > MAX_OLE_PART:
        raise OleTooLarge(name)
    with tempfile.NamedTemporaryFile(prefix="preuves-ole-", suffix=".bin") as spool:
        written = 0
        for chunk in chunks:
            written += len(chunk)
            if written > MAX_OLE_PART:
                raise OleTooLarge(name)
            spool.write(chunk)
        spool.flush()
        try:
            _check_ole_file(spool.name, name)
        except ActiveContent:
            raise
        except Exception as error:
            # olefile and oletools raise many types on a broken compound file.
            raise PartUnreadable(f"{name}: {error!r}") from error


def _check_ole_file(path: str, name: str) -> None:
    import olefile

    with warnings.catch_warnings():
        # olevba builds its VBA grammar at import with pyparsing names pyparsing 3 deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.oleobj import OleNativeStream
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(path, relaxed=True)
    try:
        if parser.detect_vba_macros():
            raise ActiveContent(VBA, name)
        if parser.detect_xlm_macros():
            raise ActiveContent(XLM, name)
    finally:
        parser.close()
    with olefile.OleFileIO(path) as ole:
        for stream in ole.listdir(streams=True, storages=False):
            if stream[-1].lower() != "\x01ole10native":
                continue
            with ole.openstream(stream) as handle:
                native = OleNativeStream(handle.read(64 * 1024))
            if not _is_harmless(native):
                raise ActiveContent(OLE_EXECUTABLE, name)


def _is_harmless(native) -> bool:
    """A package is harmless only if every name it carries ends with an allowed extension.

    Windows drops trailing dots and spaces from file names, so ``x.exe.`` is ``x.exe``.
    """
    names = [native.filename, native.src_path, native.temp_path]
    cleaned = [(value or "").replace("\x00", "").rstrip(" .\t\r\n").lower() for value in names]
    if not any(cleaned):
        return False
    for value in cleaned:
        if value and ntpath.splitext(value)[1] not in _HARMLESS_EMBEDDED_EXTENSIONS:
            return False
    data = native.data or b""
    return not (data and bytes(data[:8]).startswith(_EXECUTABLE_MAGICS))
