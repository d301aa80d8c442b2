"""Decode an uploaded PNG or JPEG under a pixel limit and re-encode it without metadata.

Only the re-encoded image is kept: the original, with its EXIF and GPS data, is never stored.
Pillow reads the header (format, dimensions) without decoding; libvips (through pyvips) does the
pixel work as a stream of scanlines, so memory stays bounded whatever the image: a 40-megapixel
PNG of zeros re-encodes in about 20 MB (``scripts/bench_upload_memory.py``). A progressive or
multi-scan JPEG is the exception (libjpeg buffers all its coefficients): its markers are read
first and it is refused past :data:`MAX_BUFFERED_JPEG_BYTES`. Pure Python plus libvips; no Django.
"""

from __future__ import annotations

import os
import struct
import tempfile
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from portfolio.filetypes import FileRefused, RefusalCode, sha256_stream

# An image that must be turned (read out of order) is decoded to a temporary file, not memory,
# past this size. libvips reads the variable once, when it first needs it.
os.environ.setdefault("VIPS_DISC_THRESHOLD", "8m")
import pyvips  # noqa: E402  (after the variable above)

pyvips.cache_set_max(0)  # the operation cache would keep decoded pixels alive
pyvips.concurrency_set(1)  # one thread per pipeline: bounded memory and CPU per upload

DEFAULT_MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 90
# The re-encoded image stays in memory up to this size, then spills to a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024
# Simultaneous decodes per worker process, and how long a request waits for one before it is
# told to try again (each decode takes about 20-30 MB at the pixel limit).
DECODE_SLOTS = 1
DECODE_SLOT_WAIT_SECONDS = 5.0
_decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)

# A progressive or multi-scan JPEG is decoded by libjpeg into a buffer holding every DCT
# coefficient of the image (2 bytes each), before a single row comes out; past this many bytes
# of coefficients the upload would break the 64 MiB budget, so such an image is refused.
# 40 MiB: about 7 Mpx in 4:4:4, 14 Mpx in 4:2:0, 20 Mpx in grey (scripts/bench_upload_memory.py).
MAX_BUFFERED_JPEG_BYTES = 40 * 1024 * 1024
_SOF_PROGRESSIVE = {0xC2, 0xC6, 0xCA, 0xCE}
_SOF_ANY = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}

_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}  # MPO: phones' multi-picture JPEG
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, zlib.error, IndexError, TypeError)
_READ_CHUNK = 256 * 1024


@dataclass
class ProcessedImage:
    """A cleaned image: ``clean`` is a binary file object positioned at 0."""

    clean: BinaryIO
    size: int
    sha256: str
    thumbnail: bytes
    thumbnail_format: str
    width: int
    height: int
    format: str

    @property
    def mime_type(self) -> str:
        return f"image/{self.format.lower()}"

    @property
    def thumbnail_mime_type(self) -> str:
        return f"image/{self.thumbnail_format.lower()}"


def _corrupt() -> FileRefused:
    return FileRefused(
        "Cette image est endommagée ou incomplète et ne peut pas être lue. Ouvrez-la, "
        "enregistrez-la de nouveau (PNG ou JPEG), puis envoyez cette copie.",
        RefusalCode.IMAGE_CORRUPT,
    )


def _busy() -> FileRefused:
    return FileRefused(
        "Le serveur prépare déjà d'autres images. Rien n'a été enregistré : réessayez dans un "
        "instant.",
        RefusalCode.IMAGE_BUSY,
    )


def _too_large(width: int | None, height: int | None, max_pixels: int) -> FileRefused:
    megapixels = max_pixels // 1_000_000
    limit = f"{megapixels} millions de pixels" if megapixels else f"{max_pixels} pixels"
    dimensions = f" ({width} × {height} pixels)" if width and height else ""
    return FileRefused(
        f"Cette image est trop grande{dimensions} : la limite est de {limit}. "
        "Réduisez ses dimensions, puis envoyez-la de nouveau.",
        RefusalCode.IMAGE_TOO_LARGE,
    )


def _buffered_jpeg_too_large(width: int, height: int) -> FileRefused:
    return FileRefused(
        f"Cette image JPEG progressive ({width} × {height} pixels) demande trop de mémoire "
        "pour être préparée. Enregistrez l'image en JPEG standard (non progressif) ou en PNG, "
        "ou réduisez sa taille, puis envoyez-la de nouveau.",
        RefusalCode.IMAGE_TOO_LARGE,
    )


@dataclass(frozen=True)
class JpegLayout:
    """What libjpeg needs to know before decoding: frame size, sampling and scan layout."""

    width: int
    height: int
    components: tuple[tuple[int, int], ...]  # (horizontal, vertical) sampling factors
    progressive: bool
    multi_scan: bool  # the first scan holds fewer components than the frame

    @property
    def buffered(self) -> bool:
        """Whether libjpeg holds every coefficient of the image before giving a row."""
        return self.progressive or self.multi_scan

    @property
    def coefficient_bytes(self) -> int:
        """The size of libjpeg's whole-image coefficient buffer (64 × 2 bytes per block)."""
        h_max = max(h for h, _ in self.components)
        v_max = max(v for _, v in self.components)
        total = 0
        for h, v in self.components:
            blocks_w = -(-self.width * h // (8 * h_max))
            blocks_h = -(-self.height * v // (8 * v_max))
            total += (-(-blocks_w // h) * h) * (-(-blocks_h // v) * v) * 128
        return total


def jpeg_layout(src_fileobj: BinaryIO) -> JpegLayout | None:
    """Read a JPEG's markers up to its first scan (seeking over the other segments).

    Return ``None`` when the markers cannot be read: the decoder then refuses the file.
    """
    src_fileobj.seek(0)
    try:
        if src_fileobj.read(2) != b"\xff\xd8":
            return None
        frame = None
        while True:
            head = src_fileobj.read(2)
            if len(head) < 2 or head[0] != 0xFF:
                return None
            marker = head[1]
            if marker == 0xFF:  # fill byte
                src_fileobj.seek(-1, os.SEEK_CUR)
                continue
            if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
                continue
            raw = src_fileobj.read(2)
            if len(raw) < 2:
                return None
            length = struct.unpack(">H", raw)[0]
            if length < 2:
                return None
            if marker in _SOF_ANY or marker == 0xDA:
                body = src_fileobj.read(length - 2)
                if len(body) < length - 2:
                    return None
            else:
                src_fileobj.seek(length - 2, os.SEEK_CUR)
                continue
            if marker in _SOF_ANY:
                if frame is not None or len(body) < 6:
                    return None
                height, width, count = struct.unpack(">HHB", body[1:6])
                if count == 0 or len(body) < 6 + 3 * count:
                    return None
                sampling = tuple(
                    (body[7 + 3 * i] >> 4, body[7 + 3 * i] & 0x0F) for i in range(count)
                )
                if any(h == 0 or v == 0 for h, v in sampling):
                    return None
                frame = (width, height, sampling, marker in _SOF_PROGRESSIVE)
                continue
            # Start of scan: the layout is known.
            if frame is None or not body:
                return None
            width, height, sampling, progressive = frame
            return JpegLayout(width, height, sampling, progressive, body[0] < len(sampling))
    finally:
        src_fileobj.seek(0)


def _pixel_limit(max_pixels: int) -> int:
    # Pillow's own bomb limit is global state: enforce the smaller of the two ourselves, so that
    # its warning (or error) never fires and nothing here depends on warning filters.
    if Image.MAX_IMAGE_PIXELS:
        return min(max_pixels, int(Image.MAX_IMAGE_PIXELS))
    return max_pixels


def _png_dimensions(src_fileobj: BinaryIO) -> tuple[int, int] | None:
    src_fileobj.seek(0)
    head = src_fileobj.read(24)
    src_fileobj.seek(0)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def open_image_header(src_fileobj: BinaryIO, *, max_pixels: int = DEFAULT_MAX_PIXELS):
    """Return the opened (not yet decoded) image once its dimensions are within the limit."""
    limit = _pixel_limit(max_pixels)
    # Read a PNG's dimensions ourselves: Pillow would raise before telling them.
    png_size = _png_dimensions(src_fileobj)
    if png_size is not None and png_size[0] * png_size[1] > limit:
        raise _too_large(*png_size, limit)
    src_fileobj.seek(0)
    try:
        image = Image.open(src_fileobj, formats=["PNG", "JPEG"])
    except Image.DecompressionBombError as error:
        raise _too_large(None, None, limit) from error
    except (UnidentifiedImageError, *_DECODE_ERRORS) as error:
        raise _corrupt() from error
    if image.format not in _FORMATS:
        image.close()
        raise _corrupt()
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > limit:
        image.close()
        raise _too_large(width, height, limit)
    if image.format in ("JPEG", "MPO"):
        layout = jpeg_layout(src_fileobj)
        if layout is None:
            image.close()
            raise _corrupt()
        if layout.buffered and layout.coefficient_bytes > MAX_BUFFERED_JPEG_BYTES:
            image.close()
            raise _buffered_jpeg_too_large(layout.width, layout.height)
    return image


@contextmanager
def decode_slot():
    """Hold one of the worker's decode slots; refuse (« réessayez ») if none frees in time."""
    if not _decode_slots.acquire(timeout=DECODE_SLOT_WAIT_SECONDS):
        raise _busy()
    try:
        yield
    finally:
        _decode_slots.release()


def process_image(
    src_fileobj: BinaryIO,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    thumbnail_size: int = THUMBNAIL_SIZE,
) -> ProcessedImage:
    """Return the image decoded, turned upright, re-encoded without metadata, with a thumbnail.

    Refuse (:class:`FileRefused`) an image over ``max_pixels`` before decoding it, and one that
    cannot be decoded. PNG stays PNG (a palette PNG stays a palette PNG), JPEG stays JPEG
    (quality 90). No EXIF, GPS, XMP, ICC profile, text chunk or comment survives. At most
    :data:`DECODE_SLOTS` images are decoded at once per process.
    """
    header = open_image_header(src_fileobj, max_pixels=max_pixels)
    out_format = _FORMATS[header.format]
    del header  # not closed: closing it would close the caller's file object
    with decode_slot():
        clean = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
        try:
            width, height = _reencode(src_fileobj, out_format, clean)
            thumbnail, thumbnail_format = _thumbnail(src_fileobj, out_format, thumbnail_size)
        except pyvips.Error as error:
            clean.close()
            raise _corrupt() from error
        except BaseException:
            clean.close()
            raise
    clean.seek(0)
    sha256, size = sha256_stream(clean)
    clean.seek(0)
    return ProcessedImage(
        clean=clean,
        size=size,
        sha256=sha256,
        thumbnail=thumbnail,
        thumbnail_format=thumbnail_format,
        width=width,
        height=height,
        format=out_format,
    )


# --------------------------------------------------------------------------- libvips pipelines


class _Source:
    """A libvips source reading a Python file object; keep it referenced while pixels flow."""

    def __init__(self, fileobj: BinaryIO):
        self._fileobj = fileobj
        fileobj.seek(0)
        self.source = pyvips.SourceCustom()
        self.source.on_read(self._read)
        self.source.on_seek(self._seek)

    def _read(self, size: int) -> bytes:
        return self._fileobj.read(min(size, _READ_CHUNK))

    def _seek(self, offset: int, whence: int) -> int:
        self._fileobj.seek(offset, whence)
        return self._fileobj.tell()


def _load(source: _Source, out_format: str, *, access: str, shrink: int = 1) -> pyvips.Image:
    # The loader is named, never guessed from the content: only PNG and JPEG are decoded.
    options = {"access": access, "fail_on": "error"}
    if out_format == "JPEG":
        return pyvips.Image.jpegload_source(source.source, shrink=shrink, **options)
    return pyvips.Image.pngload_source(source.source, **options)


def _has(image: pyvips.Image, field: str) -> bool:
    return image.get_typeof(field) != 0


def _orientation(image: pyvips.Image) -> int:
    try:
        return int(image.get("orientation")) if _has(image, "orientation") else 1
    except (pyvips.Error, TypeError, ValueError):
        return 1


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """Return the image with its colours moved to sRGB (CMYK and embedded profiles)."""
    depth = 16 if image.format == "ushort" else 8
    try:
        if image.interpretation == "cmyk":
            return image.icc_transform("srgb", input_profile="cmyk", embedded=True, depth=depth)
        if image.bands >= 3 and _has(image, "icc-profile-data"):
            return image.icc_transform("srgb", embedded=True, depth=depth)
    except pyvips.Error:
        pass  # a broken profile: keep the colours as they are
    return image


def _reencode(src_fileobj: BinaryIO, out_format: str, out: BinaryIO) -> tuple[int, int]:
    """Write the upright, metadata-free image to ``out``; return its dimensions."""
    source = _Source(src_fileobj)
    image = _load(source, out_format, access="sequential")
    if _orientation(image) != 1:
        # Turning needs the pixels out of order: decode once more, to disk past the threshold.
        source = _Source(src_fileobj)
        image = _load(source, out_format, access="random").autorot()
    palette_depth = image.get("palette-bit-depth") if _has(image, "palette-bit-depth") else 0
    image = _to_srgb(image)
    target = pyvips.TargetCustom()
    target.on_write(out.write)
    if out_format == "JPEG":
        if image.bands not in (1, 3):
            image = image.colourspace("srgb")[:3]
        # No optimize_coding: libjpeg would then hold every coefficient of the image at once.
        image.write_to_target(target, ".jpg", Q=JPEG_QUALITY, strip=True)
    elif palette_depth:
        image.write_to_target(
            target, ".png", strip=True, palette=True, Q=100, dither=0, bitdepth=palette_depth
        )
    else:
        image.write_to_target(target, ".png", strip=True, compression=6)
    return image.width, image.height


def _thumbnail(src_fileobj: BinaryIO, out_format: str, max_side: int) -> tuple[bytes, str]:
    """Return a thumbnail no larger than ``max_side``, shrunk on the fly from the file."""
    source = _Source(src_fileobj)
    probe = _load(source, out_format, access="sequential")
    width, height, orientation = probe.width, probe.height, _orientation(probe)
    scale = min(1.0, max_side / max(width, height))
    shrink = 1
    if out_format == "JPEG":  # libjpeg decodes at 1/2, 1/4 or 1/8 directly
        while shrink < 8 and max(width, height) / (shrink * 2) >= max_side:
            shrink *= 2
    source = _Source(src_fileobj)
    image = _load(source, out_format, access="sequential", shrink=shrink)
    target_w = max(1, round(width * scale))
    target_h = max(1, round(height * scale))
    factor = min(image.width // target_w, image.height // target_h)
    if factor > 1:  # a box filter along rows then columns: one pass, a few scanlines held
        image = image.shrinkh(factor).shrinkv(factor)
    if (image.width, image.height) != (target_w, target_h):
        image = image.resize(target_w / image.width, vscale=target_h / image.height)
    image = _to_srgb(image).copy_memory()  # small now; turning it needs random access
    if orientation != 1:
        image = image.copy()
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
        image = image.autorot()
    if image.format != "uchar":
        image = image.colourspace("srgb" if image.bands >= 3 else "b-w").cast("uchar")
    if image.bands in (2, 4):
        return image.write_to_buffer(".png", strip=True), "PNG"
    return image.write_to_buffer(".jpg", Q=85, optimize_coding=True, strip=True), "JPEG"
