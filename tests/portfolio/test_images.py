import hashlib
import io

import pytest
import samples
from PIL import Image

from portfolio import images
from portfolio.filetypes import FileRefused, RefusalCode
from portfolio.images import DEFAULT_MAX_PIXELS, process_image


def reopen(fileobj) -> Image.Image:
    image = Image.open(io.BytesIO(fileobj.read()))
    image.load()
    return image


def test_default_pixel_limit_is_40_million():
    assert DEFAULT_MAX_PIXELS == 40_000_000


def test_jpeg_loses_exif_gps_comment_xmp_and_icc_and_is_turned_upright():
    source = samples.jpeg_with_gps(width=80, height=40, orientation=6)
    before = Image.open(io.BytesIO(source))
    assert before.getexif().get_ifd(0x8825)  # the sample really carries GPS data
    assert before.info.get("comment") and before.info.get("icc_profile")

    processed = process_image(io.BytesIO(source))
    raw = processed.clean.read()
    after = Image.open(io.BytesIO(raw))

    assert (processed.width, processed.height) == (40, 80)
    assert after.size == (40, 80)
    assert after.format == processed.format == "JPEG"
    assert len(after.getexif()) == 0
    assert not after.getexif().get_ifd(0x8825)
    for key in ("exif", "comment", "xmp", "icc_profile"):
        assert key not in after.info
    assert b"Exif" not in raw
    assert b"PhoneMaker" not in raw
    assert b"12 rue de la Paix" not in raw
    assert b"xmpmeta" not in raw


def test_png_loses_text_xmp_exif_and_icc_chunks():
    source = samples.png(metadata=True)
    assert b"Jeanne Candidate" in source

    processed = process_image(io.BytesIO(source))
    raw = processed.clean.read()
    after = Image.open(io.BytesIO(raw))

    assert after.format == processed.format == "PNG"
    assert after.size == (64, 48)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in raw
    assert b"Jeanne Candidate" not in raw
    assert len(after.getexif()) == 0


def test_pixels_survive_the_re_encoding():
    processed = process_image(io.BytesIO(samples.png(8, 8, "RGB")))

    assert reopen(processed.clean).getpixel((3, 3)) == (10, 200, 90)


def test_png_transparency_is_kept():
    processed = process_image(io.BytesIO(samples.png(10, 10, "RGBA")))

    image = reopen(processed.clean)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 128
    assert processed.thumbnail_format == "PNG"


def test_clean_image_reports_its_own_hash_and_size():
    processed = process_image(io.BytesIO(samples.jpeg()))
    raw = processed.clean.read()

    assert processed.size == len(raw)
    assert processed.sha256 == hashlib.sha256(raw).hexdigest()
    assert processed.mime_type == "image/jpeg"


def test_thumbnail_fits_in_320_pixels_and_keeps_the_aspect_ratio():
    processed = process_image(io.BytesIO(samples.jpeg(1280, 640)))

    thumbnail = Image.open(io.BytesIO(processed.thumbnail))
    assert thumbnail.size == (320, 160)
    assert thumbnail.format == processed.thumbnail_format == "JPEG"
    assert processed.thumbnail_mime_type == "image/jpeg"


def test_small_image_thumbnail_is_not_enlarged():
    processed = process_image(io.BytesIO(samples.png(20, 10)))

    assert Image.open(io.BytesIO(processed.thumbnail)).size == (20, 10)


def test_decompression_bomb_png_is_refused_before_decoding():
    bomb = samples.png_decompression_bomb()  # 20000 × 20000, about 50 KB
    assert len(bomb) < 100_000

    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(bomb))

    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE
    assert "trop grande" in caught.value.message_fr
    assert "20000 × 20000" in caught.value.message_fr


def test_header_claiming_huge_dimensions_is_refused():
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(samples.png_huge_header()))

    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE


@pytest.mark.parametrize("make", [samples.png, samples.jpeg])
def test_pixel_limit_is_a_parameter(make):
    data = make(10, 10)

    assert process_image(io.BytesIO(data), max_pixels=100).width == 10
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(data), max_pixels=99)
    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE


def test_jpeg_over_the_limit_is_refused_from_its_header():
    # Pillow refuses on its own above twice its global limit; ours is checked first anyway.
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(samples.jpeg(300, 200)), max_pixels=50_000)

    assert "300 × 200" in caught.value.message_fr


def test_pillow_bomb_error_becomes_a_refusal(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(samples.jpeg(40, 40)))

    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE


def test_truncated_png_is_refused():
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(samples.png_truncated()))

    assert caught.value.code == RefusalCode.IMAGE_CORRUPT
    assert "endommagée" in caught.value.message_fr


def test_truncated_jpeg_is_refused():
    noisy = Image.effect_noise((400, 300), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="JPEG", quality=95)
    data = buffer.getvalue()

    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(data[: len(data) // 2]))

    assert caught.value.code == RefusalCode.IMAGE_CORRUPT


@pytest.mark.parametrize("make", [samples.svg, samples.pdf_minimal, lambda: b"GIF89a" + bytes(40)])
def test_non_png_jpeg_content_is_refused(make):
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(make()))

    assert caught.value.code == RefusalCode.IMAGE_CORRUPT


def test_palette_png_with_transparency_stays_a_palette_png():
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((3, 3), 0)  # the transparent entry
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)

    processed = process_image(io.BytesIO(buffer.getvalue()))

    after = reopen(processed.clean)
    assert after.mode == "P"
    assert "transparency" in after.info
    assert after.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 255)
    assert after.convert("RGBA").getpixel((3, 3))[3] == 0


def test_png_of_zeros_at_the_pixel_limit_is_accepted():
    # The hostile file of issue 13: 117 KB on disk, 40 million pixels decoded. libvips streams
    # it (scripts/bench_upload_memory.py measures the worker's RSS for it).
    data = samples.png_zeros(6324, 6324)
    assert 6324 * 6324 <= DEFAULT_MAX_PIXELS and len(data) < 120_000

    processed = process_image(io.BytesIO(data))

    assert (processed.width, processed.height) == (6324, 6324)
    header = Image.open(processed.clean)
    assert header.size == (6324, 6324) and header.format == "PNG"
    assert Image.open(io.BytesIO(processed.thumbnail)).size == (320, 320)


def test_a_png_one_row_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(samples.png_zeros(6324, 6325)), max_pixels=6324 * 6324)

    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE


def test_when_every_decode_slot_is_busy_the_upload_is_told_to_retry(monkeypatch):
    monkeypatch.setattr(images, "DECODE_SLOT_WAIT_SECONDS", 0.05)

    with images.decode_slot():
        with pytest.raises(FileRefused) as caught:
            process_image(io.BytesIO(samples.png(8, 8)))

    assert caught.value.code == RefusalCode.IMAGE_BUSY
    assert "réessayez dans un instant" in caught.value.message_fr
    assert process_image(io.BytesIO(samples.png(8, 8))).width == 8  # the slot is free again


def test_cmyk_jpeg_becomes_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (16, 8), (0, 255, 255, 0)).save(buffer, format="JPEG", quality=95)

    processed = process_image(io.BytesIO(buffer.getvalue()))

    after = reopen(processed.clean)
    assert after.mode == "RGB"
    red, green, blue = after.getpixel((4, 4))
    assert red > 200 and green < 80 and blue < 80


def test_16_bit_png_stays_16_bit_and_gets_an_8_bit_thumbnail():
    buffer = io.BytesIO()
    Image.new("I;16", (12, 6), 40_000).save(buffer, format="PNG")

    processed = process_image(io.BytesIO(buffer.getvalue()))

    after = reopen(processed.clean)
    assert after.mode in {"I;16", "I"} and after.getpixel((2, 2)) == 40_000
    assert Image.open(io.BytesIO(processed.thumbnail)).mode == "L"


# --------------------------------------------------------------------------- progressive JPEG


def jpeg_bytes(width: int, height: int, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 150)).save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def test_the_largest_accepted_progressive_jpeg_fits_the_coefficient_budget():
    # 4:4:4: 330 × 330 blocks × 3 components × 128 bytes, just under 40 MiB.
    data = jpeg_bytes(2640, 2640, progressive=True, subsampling=0)
    layout = images.jpeg_layout(io.BytesIO(data))
    assert (layout.progressive, layout.multi_scan) == (True, False)
    assert layout.coefficient_bytes == 330 * 330 * 3 * 128 <= images.MAX_BUFFERED_JPEG_BYTES

    processed = process_image(io.BytesIO(data))

    assert (processed.width, processed.height) == (2640, 2640)
    assert reopen(processed.clean).info.get("progressive") is None  # re-encoded as baseline


@pytest.mark.parametrize(
    ("width", "height", "subsampling"), [(2648, 2640, 0), (3744, 3744, 2), (6324, 6324, 0)]
)
def test_a_progressive_jpeg_over_the_budget_is_refused_before_decoding(
    width, height, subsampling, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(images, "_reencode", never)
    data = jpeg_bytes(width, height, progressive=True, subsampling=subsampling)

    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(data))

    assert caught.value.code == RefusalCode.IMAGE_TOO_LARGE
    assert f"({width} × {height} pixels)" in caught.value.message_fr
    assert "Enregistrez l'image en JPEG standard (non progressif) ou en PNG" in (
        caught.value.message_fr
    )
    assert "réduisez sa taille" in caught.value.message_fr


def test_a_baseline_jpeg_of_the_same_size_is_accepted():
    processed = process_image(io.BytesIO(jpeg_bytes(2648, 2640, subsampling=0)))

    assert (processed.width, processed.height) == (2648, 2640)


def test_a_progressive_jpeg_in_4_2_0_may_be_twice_as_large():
    data = jpeg_bytes(3728, 3728, progressive=True, subsampling=2)

    assert images.jpeg_layout(io.BytesIO(data)).coefficient_bytes == 41_693_952
    assert process_image(io.BytesIO(data)).width == 3728


def _marker(code: int, body: bytes) -> bytes:
    return bytes([0xFF, code]) + (len(body) + 2).to_bytes(2, "big") + body


def sequential_multi_scan_jpeg(width: int, height: int) -> bytes:
    """A baseline frame of three components whose first scan holds only the first one."""
    components = b"".join(bytes([index, 0x11, 0]) for index in (1, 2, 3))
    frame = bytes([8]) + height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x03"
    scan = bytes([1, 1, 0x00, 0, 63, 0])
    return (
        b"\xff\xd8"
        + _marker(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _marker(0xFE, b"comment")
        + _marker(0xC0, frame + components)
        + _marker(0xDA, scan)
        + bytes(64)
        + b"\xff\xd9"
    )


def test_a_sequential_jpeg_with_one_component_per_scan_is_buffered_too():
    layout = images.jpeg_layout(io.BytesIO(sequential_multi_scan_jpeg(4000, 4000)))
    assert (layout.progressive, layout.multi_scan, layout.buffered) == (False, True, True)

    with pytest.raises(FileRefused) as caught:
        process_image(io.BytesIO(sequential_multi_scan_jpeg(4000, 4000)))

    assert "(4000 × 4000 pixels)" in caught.value.message_fr


@pytest.mark.parametrize("cut", [2, 6, 24, 40])
def test_jpeg_markers_cut_short_are_unreadable(cut):
    data = sequential_multi_scan_jpeg(100, 100)
    assert images.jpeg_layout(io.BytesIO(data[:cut])) is None
