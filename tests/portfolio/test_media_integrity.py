"""Recordings are checked from their first byte to their last: hostile MP3, M4A and MP4 files.

Every file here is crafted from the complete samples of ``samples.py``: cut, byte-flipped, padded
with HTML or with garbage between two boxes. Each must be refused with a French message.
"""

import io
import os
import struct

import pytest
import samples

from portfolio.filetypes import FileRefused, RefusalCode, check_file
from portfolio.models import EvidenceItem
from portfolio.services import PortfolioError

MEDIA = [(samples.mp3, "entretien.mp3"), (samples.m4a, "appel.m4a"), (samples.mp4, "visio.mp4")]
ISO = [(samples.m4a, "appel.m4a"), (samples.mp4, "visio.mp4")]
# Boxes of the sample's tree whose header (size and type) a flip must break.
ISO_BOXES = [b"free", b"mdat", b"moov", b"mvhd", b"trak", b"tkhd", b"mdia", b"mdhd"]
ISO_BOXES += [b"hdlr", b"minf", b"smhd", b"dinf", b"stbl", b"stsd", b"stts", b"stsc", b"stsz"]
ISO_BOXES += [b"stco"]


def refusal(data: bytes, name: str) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        check_file(io.BytesIO(data), original_name=name)
    assert caught.value.code == RefusalCode.MEDIA_CORRUPT, caught.value.message_fr
    assert "endommagé ou incomplet" in caught.value.message_fr
    assert "Exportez l'enregistrement de nouveau" in caught.value.message_fr
    return caught.value


def refused_as_unknown_or_broken(data: bytes, name: str) -> None:
    """A broken first header: the file is no longer recognised as a recording at all."""
    with pytest.raises(FileRefused) as caught:
        check_file(io.BytesIO(data), original_name=name)
    assert caught.value.code in {RefusalCode.UNSUPPORTED, RefusalCode.MEDIA_CORRUPT}


def flipped(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


@pytest.mark.parametrize(("make", "name"), MEDIA)
def test_complete_recordings_are_accepted(make, name):
    assert check_file(io.BytesIO(make()), original_name=name).category == "media"


@pytest.mark.parametrize(("make", "name"), MEDIA)
def test_a_recording_cut_to_5_percent_is_refused(make, name):
    data = make() if name.endswith(".mp3") else samples.iso_bmff(b"isom", (b"isom",), 40_000)
    cut = data[: len(data) * 5 // 100]

    error = refusal(cut, name)

    if not name.endswith(".mp3"):
        assert "tronqué" in error.message_fr


def test_an_mp3_cut_in_the_middle_of_a_frame_says_it_is_truncated():
    data = samples.mp3(frames=200)
    cut = data[: len(data) * 5 // 100]
    assert (len(cut) - (len(data) - 200 * samples.MP3_FRAME_LENGTH)) % samples.MP3_FRAME_LENGTH

    assert "tronqué" in refusal(cut, "a.mp3").message_fr


@pytest.mark.parametrize(("make", "name"), ISO)
@pytest.mark.parametrize("box", ISO_BOXES)
def test_a_byte_flipped_box_header_is_refused(make, name, box):
    data = make()
    start = data.index(box) - 4
    for offset in range(start, start + 8):
        refusal(flipped(data, offset), name)


@pytest.mark.parametrize(("make", "name"), ISO)
@pytest.mark.parametrize("table", [b"stco", b"stsz"])
def test_a_flipped_table_entry_pointing_outside_the_media_is_refused(make, name, table):
    data = make()
    first_entry = data.index(table) + 4 + 4 + (8 if table == b"stsz" else 4)

    error = refusal(flipped(data, first_entry), name)

    assert "pointe hors des données" in error.message_fr


def test_a_byte_flipped_mp3_frame_header_is_refused():
    data = samples.mp3(frames=30)
    tag = len(data) - 30 * samples.MP3_FRAME_LENGTH
    tenth = tag + 9 * samples.MP3_FRAME_LENGTH
    for offset in range(tenth, tenth + 3):  # sync, version and layer, bitrate and sample rate
        refusal(flipped(data, offset), "a.mp3")


def test_a_byte_flipped_id3_tag_size_is_refused():
    data = samples.mp3(frames=30)
    for offset in range(6, 10):
        refused_as_unknown_or_broken(flipped(data, offset), "a.mp3")


@pytest.mark.parametrize(("make", "name"), ISO)
def test_a_byte_flipped_ftyp_header_is_refused(make, name):
    data = make()
    for offset in range(8):
        refused_as_unknown_or_broken(flipped(data, offset), name)


def test_an_mp3_changing_sample_rate_midway_is_refused():
    data = bytearray(samples.mp3(frames=30, id3=False))
    data[10 * samples.MP3_FRAME_LENGTH + 2] |= 0x04  # 48 kHz instead of 44.1 kHz

    refusal(bytes(data), "a.mp3")


@pytest.mark.parametrize(("make", "name"), ISO)
def test_an_mp4_header_followed_by_html_is_refused(make, name):
    data = make()
    header = data[: data.index(b"mdat") + 4]

    refusal(header + samples.html_document() * 50, name)


@pytest.mark.parametrize(("make", "name"), MEDIA)
def test_html_after_a_complete_recording_is_refused(make, name):
    error = refusal(make() + samples.html_document(), name)

    assert "étrangères" in error.message_fr or "pas du son" in error.message_fr


@pytest.mark.parametrize(("make", "name"), ISO)
def test_garbage_between_two_boxes_is_refused(make, name):
    data = make()
    free = data.index(b"free") - 4

    refusal(data[:free] + b"\x00\x00\x00" + data[free:], name)
    refusal(data[:free] + struct.pack(">I", 16) + b"<htm" + b"l><body>" + data[free:], name)


@pytest.mark.parametrize(("make", "name"), ISO)
def test_a_file_without_its_table_of_contents_or_media_is_refused(make, name):
    data = make()
    moov = data.index(b"moov") - 4
    mdat = data.index(b"mdat") - 4
    mdat_end = mdat + struct.unpack(">I", data[mdat : mdat + 4])[0]

    refusal(data[:moov], name)  # no moov
    refusal(data[:mdat] + data[mdat_end:], name)  # no mdat
    refusal(data + data[moov:], name)  # two moov


def test_an_mp3_with_id3v1_and_ape_tags_at_the_end_is_accepted():
    ape_footer = b"APETAGEX" + struct.pack("<IIII", 2000, 32, 0, 0) + bytes(8)
    id3v1 = b"TAG" + bytes(125)
    data = samples.mp3(frames=30) + ape_footer + id3v1

    assert check_file(io.BytesIO(data), original_name="a.mp3").kind.name == "mp3"


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name"), MEDIA)
def test_a_truncated_recording_is_refused_by_the_upload_and_nothing_is_kept(
    local_storage, portfolio, upload, make, name
):
    data = make()

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, data[: len(data) // 2 + 1], name)

    assert caught.value.code == RefusalCode.MEDIA_CORRUPT
    assert caught.value.field == "file"
    assert not EvidenceItem.objects.exists()
    assert [files for _, _, files in os.walk(local_storage.location) if files] == []
