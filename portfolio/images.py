"""Decode an uploaded PNG or JPEG under a pixel limit and re-encode it without metadata.

Only the re-encoded image is kept: the original, with its EXIF and GPS data, is never stored.
Pure Python (Pillow, no Django).
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from portfolio.filetypes import FileRefused, RefusalCode, sha256_stream

DEFAULT_MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = 320
JPEG_QUALITY = 90
# The re-encoded image stays in memory up to this size, then spills to a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024

_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}  # MPO: phones' multi-picture JPEG
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, zlib.error, IndexError, TypeError)


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


def _too_large(width: int | None, height: int | None, max_pixels: int) -> FileRefused:
    megapixels = max_pixels // 1_000_000
    limit = f"{megapixels} millions de pixels" if megapixels else f"{max_pixels} pixels"
    dimensions = f" ({width} × {height} pixels)" if width and height else ""
    return FileRefused(
        f"Cette image est trop grande{dimensions} : la limite est de {limit}. "
        "Réduisez ses dimensions, puis envoyez-la de nouveau.",
        RefusalCode.IMAGE_TOO_LARGE,
    )


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
    return image


def process_image(
    src_fileobj: BinaryIO,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    thumbnail_size: int = THUMBNAIL_SIZE,
) -> ProcessedImage:
    """Return the image decoded, turned upright, re-encoded without metadata, with a thumbnail.

    Refuse (:class:`FileRefused`) an image over ``max_pixels`` before decoding it, and one that
    cannot be decoded. PNG stays PNG, JPEG stays JPEG (quality 90). No EXIF, GPS, XMP, ICC
    profile, text chunk or comment survives.
    """
    source = open_image_header(src_fileobj, max_pixels=max_pixels)
    out_format = _FORMATS[source.format]
    try:
        source.load()
        upright = _upright(source)
        pixels = _pixels_only(upright, out_format)
    except Image.DecompressionBombError as error:
        raise _too_large(*source.size, max_pixels) from error
    except Image.DecompressionBombWarning as error:  # only when warnings are errors
        raise _too_large(*source.size, max_pixels) from error
    except _DECODE_ERRORS as error:
        raise _corrupt() from error
    finally:
        source.close()

    clean = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    if out_format == "JPEG":
        pixels.save(clean, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        save_options = {"optimize": True}
        if "transparency" in pixels.info:
            save_options["transparency"] = pixels.info["transparency"]
        pixels.save(clean, format="PNG", **save_options)
    clean.seek(0)
    sha256, size = sha256_stream(clean)
    clean.seek(0)

    thumbnail, thumbnail_format = _thumbnail(pixels, thumbnail_size)
    return ProcessedImage(
        clean=clean,
        size=size,
        sha256=sha256,
        thumbnail=thumbnail,
        thumbnail_format=thumbnail_format,
        width=pixels.width,
        height=pixels.height,
        format=out_format,
    )


def _upright(image: Image.Image) -> Image.Image:
    """Return the image rotated as its EXIF orientation says; a broken EXIF is ignored."""
    try:
        return ImageOps.exif_transpose(image) or image
    except _DECODE_ERRORS + (KeyError, AttributeError, ZeroDivisionError):
        return image


def _pixels_only(image: Image.Image, out_format: str) -> Image.Image:
    """Return a copy holding pixels only: colours moved to sRGB, every metadata dropped."""
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    if icc and image.mode in {"RGB", "RGBA", "CMYK"}:
        image = _to_srgb(image, icc)
    if out_format == "JPEG" and image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    elif out_format == "PNG" and image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"}:
        image = image.convert("RGBA")
    # Pillow's encoders copy some entries of ``info`` (JPEG comment, ICC profile): empty it.
    clean = image.copy()
    clean.info = {}
    if out_format == "PNG" and transparency is not None and clean.mode in {"P", "L", "RGB"}:
        clean.info["transparency"] = transparency
    return clean


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Return the image converted from its embedded profile to sRGB, or unchanged on failure."""
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted or image


def _thumbnail(image: Image.Image, max_side: int) -> tuple[bytes, str]:
    thumb = image.copy()
    thumb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    has_alpha = thumb.mode in {"RGBA", "LA", "PA"} or (
        thumb.mode == "P" and "transparency" in image.info
    )
    buffer = io.BytesIO()
    if has_alpha:
        thumb.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "PNG"
    if thumb.mode not in {"RGB", "L"}:
        thumb = thumb.convert("RGB")
    thumb.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue(), "JPEG"
