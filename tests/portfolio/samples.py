"""Generators of sample files for upload tests: every one is built here, none is stored.

Each function returns the file's bytes. Import with ``from samples import …`` from a test in
this folder (pytest puts it on the path since the test folders have no ``__init__.py``).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

from PIL import ExifTags, Image, ImageCms
from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject

# ----------------------------------------------------------------------------- PDF


def pdf_minimal(pages: int = 1) -> bytes:
    """Return a valid PDF with blank A4 pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_large(size: int) -> bytes:
    """Return a valid one-page PDF of at least ``size`` bytes (an unused stream fills it)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    filler = StreamObject()
    filler.set_data(os.urandom(size))
    writer._root_object[NameObject("/PieceInfo")] = writer._add_object(filler)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_encrypted(password: str | None = None) -> bytes:
    """Return a PDF that needs a password to open."""
    password = password or "secret"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_corrupted() -> bytes:
    """Return a file that starts like a PDF but holds no readable document."""
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R" + bytes(range(256)) * 8


def pdf_truncated() -> bytes:
    """Return the first half of a valid PDF."""
    data = pdf_minimal(pages=3)
    return data[: len(data) // 2]


# ----------------------------------------------------------------------------- office files

_CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_MAIN_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}


def ooxml(kind: str, *, extra_parts: dict[str, bytes] | None = None, macros: bool = False) -> bytes:
    """Return a minimal OOXML package (``kind`` is docx, xlsx or pptx)."""
    main = _MAIN_PARTS[kind]
    content_type = _CONTENT_TYPES[kind]
    if macros:
        content_type = "application/vnd.ms-word.document.macroEnabled.main+xml"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{content_type}"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main}"/>'
        "</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(main, f"<root><!-- {kind} main part --></root>")
        if macros:
            archive.writestr(main.split("/")[0] + "/vbaProject.bin", b"\xd0\xcf\x11\xe0" * 16)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**options) -> bytes:
    return ooxml("docx", **options)


def xlsx(**options) -> bytes:
    return ooxml("xlsx", **options)


def pptx(**options) -> bytes:
    return ooxml("pptx", **options)


_ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def odf(kind: str, *, encrypted: bool = False) -> bytes:
    """Return a minimal OpenDocument package (``kind`` is odt, ods or odp)."""
    mimetype = _ODF_MIMETYPES[kind]
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
        'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>'
        if encrypted
        else ""
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{encryption}</manifest:file-entry>"
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), mimetype.encode(), compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml",
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
            'office:1.0"/>',
        )
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def odt(**options) -> bytes:
    return odf("odt", **options)


def ods(**options) -> bytes:
    return odf("ods", **options)


def odp(**options) -> bytes:
    return odf("odp", **options)


def docx_with_encrypted_entry() -> bytes:
    """Return a docx whose main part carries the ZIP "encrypted" flag."""
    return zip_set_encrypted_flag(docx(), "word/document.xml")


def docx_with_many_entries(count: int) -> bytes:
    """Return a docx holding ``count`` extra tiny parts."""
    return docx(extra_parts={f"word/media/part{i}.xml": b"<a/>" for i in range(count)})


def docx_with_large_part(uncompressed_size: int, *, compressible: bool = True) -> bytes:
    """Return a docx with a part that inflates to ``uncompressed_size`` bytes.

    The part is zeros (a tiny file that inflates a lot) or, when not ``compressible``, random
    bytes (a file as large as its content).
    """
    content = bytes(uncompressed_size) if compressible else os.urandom(uncompressed_size)
    return docx(extra_parts={"word/media/part.bin": content})


def zip_set_encrypted_flag(data: bytes, name: str) -> bytes:
    """Return the ZIP with the "encrypted" bit set on ``name`` (local and central headers)."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        directory_offset = archive.start_dir
    patched[info.header_offset + 6] |= 0x01
    position = directory_offset
    while patched[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", patched[position + 28 : position + 34]
        )
        entry_name = bytes(patched[position + 46 : position + 46 + name_length]).decode()
        if entry_name == name:
            patched[position + 8] |= 0x01
        position += 46 + name_length + extra_length + comment_length
    return bytes(patched)


def ole_document() -> bytes:
    """Return the head of a legacy Office (OLE compound) file, like a .doc."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\xff" * 512


# ----------------------------------------------------------------------------- images


def png(width: int = 64, height: int = 48, mode: str = "RGB", *, metadata: bool = False) -> bytes:
    """Return a PNG; with ``metadata`` it carries text, XMP, EXIF and ICC chunks."""
    image = Image.new(mode, (width, height), color=_colour(mode))
    options = {}
    if metadata:
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Jeanne Candidate")
        info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret location</x:xmpmeta>")
        options["pnginfo"] = info
        options["exif"] = _exif_with_gps().tobytes()
        options["icc_profile"] = _srgb_profile()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def png_noise(width: int = 256, height: int = 256) -> bytes:
    """Return a PNG of pseudo-random pixels (it does not compress, so truncating it bites)."""
    pixels = bytes((i * 7919 + (i >> 3) * 31) % 251 for i in range(width * height * 3))
    image = Image.frombytes("RGB", (width, height), pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_truncated() -> bytes:
    """Return a PNG cut in the middle of its image data."""
    data = png_noise()
    return data[: len(data) // 2]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_decompression_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """Return a real 1-bit PNG of ``width`` × ``height`` black pixels: tiny on disk, huge decoded.

    Built row by row with a streaming compressor, so generating it stays cheap.
    """
    rows = (b"\x00" + bytes((width + 7) // 8)) * 100
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(rows) for _ in range(height // 100)]
    parts.append(compressor.compress(rows[: (height % 100) * (len(rows) // 100)]))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def png_zeros(width: int = 6324, height: int = 6324) -> bytes:
    """Return a real 8-bit RGB PNG of black pixels; by default 40 million pixels in 117 KB."""
    row = b"\x00" + bytes(width * 3)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def png_huge_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """Return a PNG whose header claims huge dimensions over a few bytes of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


GPS_LATITUDE = (48.0, 51.0, 24.03)


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Artist] = "Jeanne Candidate"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.95)
    return exif


def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg(width: int = 64, height: int = 48, *, quality: int = 85) -> bytes:
    """Return a plain JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color=(200, 30, 30)).save(
        buffer, format="JPEG", quality=quality
    )
    return buffer.getvalue()


def jpeg_with_gps(width: int = 80, height: int = 40, orientation: int = 6) -> bytes:
    """Return a JPEG with EXIF (GPS position, camera, orientation), a comment, XMP and ICC.

    Orientation 6 means "rotate 90° clockwise to display": the upright image is 40 × 80.
    """
    image = Image.new("RGB", (width, height), color=(30, 120, 200))
    buffer = io.BytesIO()
    image.save(
        buffer,
        format="JPEG",
        exif=_exif_with_gps(orientation).tobytes(),
        comment=b"shot at 12 rue de la Paix",
        xmp=b"<x:xmpmeta>GPS 48.85</x:xmpmeta>",
        icc_profile=_srgb_profile(),
    )
    return buffer.getvalue()


def _colour(mode: str):
    return {"RGB": (10, 200, 90), "RGBA": (10, 200, 90, 128), "L": 128, "1": 1, "P": 3}.get(mode, 0)


# ----------------------------------------------------------------------------- audio and video

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
MP3_FRAME_HEADER = b"\xff\xfb\x90\x00"
MP3_FRAME_LENGTH = 417


def _syncsafe(value: int) -> bytes:
    return bytes(((value >> shift) & 0x7F) for shift in (21, 14, 7, 0))


def mp3(frames: int = 20, *, id3: bool = True) -> bytes:
    """Return MPEG audio frames, after an ID3v2.3 tag with a title when ``id3``."""
    audio = (MP3_FRAME_HEADER + bytes(MP3_FRAME_LENGTH - 4)) * frames
    if not id3:
        return audio
    title = b"\x00Entretien tuteur"
    frame = b"TIT2" + struct.pack(">I", len(title)) + b"\x00\x00" + title
    padding = bytes(32)
    tag = b"ID3\x03\x00\x00" + _syncsafe(len(frame) + len(padding)) + frame + padding
    return tag + audio


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes) -> bytes:
    return _box(kind, b"\x00\x00\x00\x00" + payload)


def _moov(sample_sizes: list[int], chunk_offsets: list[int], per_chunk: int) -> bytes:
    """Return a ``moov`` box with one audio track whose chunks sit at ``chunk_offsets``."""
    count = len(sample_sizes)
    last = count - per_chunk * (len(chunk_offsets) - 1)
    runs = [(1, per_chunk)] + ([(len(chunk_offsets), last)] if last != per_chunk else [])
    mp4a = _box(
        b"mp4a",
        bytes(6)
        + struct.pack(">H", 1)
        + bytes(8)
        + struct.pack(">HHHHI", 2, 16, 0, 0, 44100 << 16),
    )
    stsc = struct.pack(">I", len(runs)) + b"".join(struct.pack(">III", f, n, 1) for f, n in runs)
    stsz = struct.pack(">II", 0, count) + b"".join(struct.pack(">I", n) for n in sample_sizes)
    stco = struct.pack(">I", len(chunk_offsets))
    stco += b"".join(struct.pack(">I", offset) for offset in chunk_offsets)
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", struct.pack(">I", 1) + mp4a)
        + _full_box(b"stts", struct.pack(">III", 1, count, 1024))
        + _full_box(b"stsc", stsc)
        + _full_box(b"stsz", stsz)
        + _full_box(b"stco", stco),
    )
    dinf = _box(
        b"dinf",
        _full_box(b"dref", struct.pack(">I", 1) + _box(b"url ", b"\x00\x00\x00\x01")),
    )
    minf = _box(b"minf", _full_box(b"smhd", bytes(4)) + dinf + stbl)
    mdia = _box(
        b"mdia",
        _full_box(b"mdhd", struct.pack(">IIIIHH", 0, 0, 44100, count * 1024, 0x55C4, 0))
        + _full_box(b"hdlr", bytes(4) + b"soun" + bytes(12) + b"Son\x00")
        + minf,
    )
    trak = _box(b"trak", _full_box(b"tkhd", bytes(80)) + mdia)
    return _box(b"moov", _full_box(b"mvhd", bytes(96)) + trak)


def iso_bmff_parts(
    major: bytes, compatible: tuple[bytes, ...], media_size: int = 2048, sample_size: int = 512
) -> tuple[bytes, bytes]:
    """Return ``(head, tail)`` of an ISO BMFF file whose media are ``media_size`` zero bytes.

    The file is ``head + bytes(media_size) + tail``: ``ftyp``, ``free``, ``mdat`` (its header
    in ``head``), then the ``moov`` box as recorders write it, one audio track in two chunks
    whose every sample lies in the ``mdat`` box. Large files can so be written in a stream.
    """
    ftyp = _box(b"ftyp", major + struct.pack(">I", 0) + b"".join(compatible))
    head = ftyp + _box(b"free", b"") + struct.pack(">I", 8 + media_size) + b"mdat"
    sizes = [sample_size] * (media_size // sample_size)
    if media_size % sample_size:
        sizes.append(media_size % sample_size)
    per_chunk = max(1, (len(sizes) + 1) // 2)
    chunks = -(-len(sizes) // per_chunk)
    offsets = [len(head) + sum(sizes[: i * per_chunk]) for i in range(chunks)]
    return head, _moov(sizes, offsets, per_chunk)


def iso_bmff(major: bytes, compatible: tuple[bytes, ...], media_size: int = 2048) -> bytes:
    """Return a complete ISO BMFF file (see :func:`iso_bmff_parts`)."""
    head, tail = iso_bmff_parts(major, compatible, media_size)
    return head + bytes(media_size) + tail


def m4a() -> bytes:
    return iso_bmff(b"M4A ", (b"M4A ", b"mp42", b"isom"))


def mp4() -> bytes:
    return iso_bmff(b"isom", (b"isom", b"iso2", b"avc1", b"mp41"))


def quicktime() -> bytes:
    return iso_bmff(b"qt  ", (b"qt  ",))


# ----------------------------------------------------------------------------- refused contents


def html_document() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Facture</title></head>"
        b"<body><script>document.location='https://attacker.invalid/'</script></body></html>\n"
    )


def svg() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>\n"
    )


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "des notes")
        archive.writestr("photo.jpg", jpeg())
    return buffer.getvalue()


def elf() -> bytes:
    """Return the head of a 64-bit Linux executable."""
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200)


def windows_executable() -> bytes:
    return b"MZ\x90\x00\x03" + bytes(55) + b"\x80\x00\x00\x00" + bytes(64) + b"PE\x00\x00"


def shell_script() -> bytes:
    return b'#!/bin/sh\nrm -rf "$HOME"\n'


def empty() -> bytes:
    return b""


def eicar() -> bytes:
    """Return the EICAR anti-virus test string, assembled so this source file is not flagged."""
    parts = (
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$",
        "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!",
        "$H+H*",
    )
    return "".join(parts).encode("ascii")
