"""Recordings carry sound and pictures only: no payload in boxes players skip, in media data no
track plays, in MP3 tags; and no box count that makes the check's memory or time explode.

Every hostile file is built here from the samples, at the smallest size that shows the problem.
"""

import io
import struct

import pytest
import samples

from portfolio.filetypes import FileRefused, RefusalCode, check_file
from portfolio.filetypes.isobmff import MAX_CHILDREN, MAX_TOP_BOXES

EMPTY_FREE = struct.pack(">I", 8) + b"free"


def accepted(data: bytes, name: str = "visio.mp4") -> None:
    assert check_file(io.BytesIO(data), original_name=name).category == "media"


def refused(data: bytes, name: str = "visio.mp4") -> str:
    with pytest.raises(FileRefused) as caught:
        check_file(io.BytesIO(data), original_name=name)
    assert caught.value.code == RefusalCode.MEDIA_CORRUPT, caught.value.message_fr
    return caught.value.message_fr


def test_top_level_boxes_are_counted_and_capped():
    data = samples.mp4()
    accepted(data + EMPTY_FREE * (MAX_TOP_BOXES - 10))

    assert "nombre anormal" in refused(data + EMPTY_FREE * MAX_TOP_BOXES)


def test_the_children_of_a_box_are_capped():
    data = samples.mp4()
    moov = data.index(b"moov") - 4
    size = struct.unpack(">I", data[moov : moov + 4])[0]
    extra = EMPTY_FREE * MAX_CHILDREN
    patched = data[:moov] + struct.pack(">I", size + len(extra)) + data[moov + 4 :] + extra

    assert "nombre anormal" in refused(patched)


def _many_mdats(empty: int, chunks: int, *, gap_chunk: bool = False) -> bytes:
    ftyp = samples._box(b"ftyp", b"isom" + struct.pack(">I", 0) + b"isommp41")
    empties = (struct.pack(">I", 8) + b"mdat") * empty
    start = len(ftyp) + len(empties) + 8
    offsets = [start + i for i in range(chunks)]
    if gap_chunk:
        offsets[-1] = len(ftyp) + 4  # inside a header, between two payloads
    last = struct.pack(">I", 8 + chunks) + b"mdat" + bytes(chunks)
    return ftyp + empties + last + samples._moov([1] * chunks, offsets, 1)


def test_chunks_are_found_among_thousands_of_mdat_boxes():
    accepted(_many_mdats(5_000, 3_000))

    assert "pointe hors des données" in refused(_many_mdats(5_000, 3_000, gap_chunk=True))


def test_a_free_box_holds_zeros_or_a_short_note_only():
    data = samples.mp4()
    html = b"<html><script>alert(1)</script></html>" * 30

    accepted(data + samples._box(b"free", bytes(50_000)))
    accepted(data + samples._box(b"free", b"IsoMedia File Produced with GPAC"))
    assert "censée être vide" in refused(data + samples._box(b"free", html))
    assert "censée être vide" in refused(data + samples._box(b"skip", b"<script>"))


def test_boxes_players_skip_are_capped_at_one_mib_in_all():
    data = samples.mp4()
    half = samples._box(b"uuid", bytes(16) + b"x" * 600_000)

    accepted(data + half)
    assert "données annexes" in refused(data + half + half)


def test_media_data_no_track_plays_is_refused():
    head, tail = samples.iso_bmff_parts(b"isom", (b"isom", b"mp41"), 40_000)
    unread = b"<html><body>payload</body></html>" * 200

    def with_extra(extra: bytes) -> bytes:
        grown = head[:-8] + struct.pack(">I", 8 + 40_000 + len(extra)) + b"mdat"
        return grown + bytes(40_000) + extra + tail

    accepted(with_extra(bytes(300)))  # a writer's slack
    assert "aucune piste ne lit" in refused(with_extra(unread))


def _fragmented(extra: bytes = b"") -> bytes:
    """A fragmented MP4: an empty sample table, then one fragment of four 100-byte samples."""
    box, full = samples._box, samples._full_box
    ftyp = box(b"ftyp", b"iso5" + struct.pack(">I", 0) + b"iso5dash")
    stbl = box(
        b"stbl",
        full(b"stsd", struct.pack(">I", 0))
        + full(b"stts", struct.pack(">I", 0))
        + full(b"stsc", struct.pack(">I", 0))
        + full(b"stsz", struct.pack(">II", 0, 0))
        + full(b"stco", struct.pack(">I", 0)),
    )
    mdia = box(b"mdia", full(b"mdhd", bytes(20)) + box(b"minf", stbl))
    trak = box(b"trak", full(b"tkhd", bytes(80)) + mdia)
    mvex = box(b"mvex", full(b"trex", struct.pack(">5I", 1, 1, 0, 100, 0)))
    moov = box(b"moov", full(b"mvhd", bytes(96)) + trak + mvex)
    tfhd = samples._box(b"tfhd", struct.pack(">II", 0x020000, 1))
    trun_size = 8 + 4 + 4 + 4
    traf_size = 8 + len(tfhd) + trun_size
    moof_size = 8 + 16 + traf_size
    trun = box(b"trun", struct.pack(">IIi", 0x000001, 4, moof_size + 8))
    moof = box(b"moof", full(b"mfhd", struct.pack(">I", 1)) + box(b"traf", tfhd + trun))
    return ftyp + moov + moof + box(b"mdat", bytes(400) + extra)


def test_a_fragmented_recording_is_read_through_its_fragments():
    accepted(_fragmented())
    assert "aucune piste ne lit" in refused(_fragmented(b"MZ" + bytes(9_000)))


# ----------------------------------------------------------------------------- MP3 tags


def _id3(body: bytes, version: int = 3) -> bytes:
    return b"ID3" + bytes([version, 0, 0]) + samples._syncsafe(len(body)) + body


def _frame(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack(">I", len(body)) + b"\x00\x00" + body


def test_an_id3_tag_of_arbitrary_bytes_is_refused():
    audio = samples.mp3(5, id3=False)
    title = _frame(b"TIT2", b"\x00Entretien")

    accepted(_id3(title + bytes(64)) + audio, "a.mp3")
    assert "étiquette de début" in refused(_id3(b"<html>" + bytes(100_000)) + audio, "a.mp3")
    assert "étiquette de début" in refused(_id3(title + b"\x00" * 8 + b"MZ") + audio, "a.mp3")


def test_an_id3_tag_is_capped_but_may_hold_a_cover_picture():
    audio = samples.mp3(5, id3=False)
    cover = samples.png(300, 300)
    picture = b"\x00image/png\x00\x03Pochette\x00"

    accepted(_id3(_frame(b"APIC", picture + cover)) + audio, "a.mp3")
    message = refused(_id3(_frame(b"APIC", picture + b"MZ" + cover)) + audio, "a.mp3")
    assert "pas une image" in message
    big = _frame(b"PRIV", b"x" * 600_000)
    assert "anormalement grande" in refused(_id3(big + big) + audio, "a.mp3")


def _ape(items: bytes, count: int, *, header_size: int | None = None) -> bytes:
    size = len(items) + 32
    flags = 0x80000000
    header = b"APETAGEX" + struct.pack(
        "<IIII", 2000, header_size or size, count, flags | 0x20000000
    )
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, size, count, flags)
    return header + bytes(8) + items + footer + bytes(8)


def test_an_ape_tag_must_match_its_header_and_hold_only_its_items():
    audio = samples.mp3(5, id3=False)
    item = struct.pack("<II", 9, 0) + b"Title\x00" + b"Entretien"

    accepted(audio + _ape(item, 1), "a.mp3")
    assert "étiquette de fin" in refused(audio + _ape(item + b"MZ" + bytes(500), 1), "a.mp3")
    assert "étiquette de fin" in refused(audio + _ape(item, 1, header_size=999), "a.mp3")
    forged = b"APETAGEX" + struct.pack("<IIII", 2000, 50_032, 0, 0) + bytes(8)
    assert "étiquette de fin" in refused(audio + b"MZ" + b"\x90" * 50_000 + forged, "a.mp3")
