"""The tags around MP3 frames, checked field by field so that they carry nothing but tags.

An ID3v2 tag at the start is a series of frames (each header valid, each size inside the
tag) followed by zero padding only; its text frames are capped, and a cover picture (``APIC``,
``PIC``) must be a JPEG or PNG image from its first byte to its last. An APEv2 tag at the end
must have its header match its footer and hold exactly the items it counts.
"""

from __future__ import annotations

import re
import struct
from typing import BinaryIO

from portfolio.filetypes.base import _read_at
from portfolio.filetypes.isobmff import BrokenMedia

MAX_ID3_TEXT = 1024 * 1024  # every frame but pictures
MAX_ID3_PICTURE = 8 * 1024 * 1024  # each cover picture
MAX_ID3_TAG = 16 * 1024 * 1024
MAX_APE_TAG = 1024 * 1024
APE_FOOTER = 32
_SLICE = 64 * 1024
_FRAME_ID = {2: re.compile(rb"[A-Z0-9]{3}"), 3: re.compile(rb"[A-Z0-9]{4}")}
_IMAGES = ((b"\xff\xd8\xff", (b"\xff\xd9",)), (b"\x89PNG\r\n\x1a\n", (b"IEND\xaeB`\x82",)))
_BAD_ID3 = "son étiquette de début est endommagée"
_BAD_APE = "son étiquette de fin est endommagée"


def _syncsafe(data: bytes) -> int | None:
    if any(byte & 0x80 for byte in data):
        return None
    value = 0
    for byte in data:
        value = (value << 7) | byte
    return value


def check_id3v2(fileobj: BinaryIO, size: int) -> int:
    """Return where the audio starts, having checked the ID3v2 tag at the start (if any)."""
    head = _read_at(fileobj, 0, 10)
    if not head.startswith(b"ID3"):
        return 0
    tag_size = _syncsafe(head[6:10]) if len(head) == 10 else None
    version, flags = (head[3], head[5]) if len(head) == 10 else (0, 0)
    if tag_size is None or version not in (2, 3, 4) or flags & 0x0F:
        raise BrokenMedia(_BAD_ID3)
    if tag_size > MAX_ID3_TAG:
        raise BrokenMedia("son étiquette de début est anormalement grande")
    end = 10 + tag_size
    footer = 10 if version == 4 and flags & 0x10 else 0
    if end + footer > size:
        raise BrokenMedia(_BAD_ID3)
    if footer and _read_at(fileobj, end, 10) != b"3DI" + head[3:]:
        raise BrokenMedia(_BAD_ID3)
    offset = 10
    if flags & 0x40 and version in (3, 4):  # extended header
        raw = _read_at(fileobj, 10, 4)
        extended = _syncsafe(raw) if version == 4 else struct.unpack(">I", raw)[0] + 4
        if extended is None or extended < 6 or 10 + extended > end:
            raise BrokenMedia(_BAD_ID3)
        offset += extended
    _check_id3_frames(fileobj, offset, end, version)
    return end + footer


def _check_id3_frames(fileobj: BinaryIO, offset: int, end: int, version: int) -> None:
    header = 6 if version == 2 else 10
    text = 0
    while offset < end:
        frame = _read_at(fileobj, offset, min(header, end - offset))
        if frame[:1] == b"\x00":
            _check_zeros(fileobj, offset, end)  # padding: zeros to the end of the tag
            return
        id_length = 3 if version == 2 else 4
        if len(frame) < header or not _FRAME_ID[min(version, 3)].fullmatch(frame[:id_length]):
            raise BrokenMedia(_BAD_ID3)
        length = _frame_length(fileobj, frame, offset, end, version)
        body = offset + header
        if frame[:id_length] in (b"PIC", b"APIC"):
            if length > MAX_ID3_PICTURE:
                raise BrokenMedia("son étiquette de début est anormalement grande")
            _check_picture(fileobj, body, body + length, version)
        else:
            text += length
            if text > MAX_ID3_TEXT:
                raise BrokenMedia("son étiquette de début est anormalement grande")
        offset = body + length


def _frame_length(fileobj: BinaryIO, frame: bytes, offset: int, end: int, version: int) -> int:
    """Return the frame's length; v2.4 sizes are syncsafe, but some writers put plain ones."""
    if version == 2:
        candidates = [int.from_bytes(frame[3:6], "big")]
    else:
        plain = struct.unpack(">I", frame[4:8])[0]
        candidates = [plain] if version == 3 else [_syncsafe(frame[4:8]), plain]
    header = 6 if version == 2 else 10
    for length in candidates:
        if length is None or offset + header + length > end:
            continue
        after = offset + header + length
        following = _read_at(fileobj, after, min(4, end - after))
        id_length = 3 if version == 2 else 4
        frame_id = _FRAME_ID[min(version, 3)].fullmatch(following[:id_length])
        if after == end or following[:1] == b"\x00" or frame_id:
            return length
    raise BrokenMedia(_BAD_ID3)


def _check_picture(fileobj: BinaryIO, start: int, end: int, version: int) -> None:
    """A cover picture: its fields, then a JPEG or PNG image, first bytes and last bytes."""
    head = _read_at(fileobj, start, min(end - start, 4096))
    if not head or head[0] > 3:
        raise BrokenMedia(_BAD_ID3)
    encoding = head[0]
    if version == 2:
        position = 1 + 3 + 1  # encoding, image format, picture type
    else:
        mime_end = head.find(b"\x00", 1)
        if mime_end < 0:
            raise BrokenMedia(_BAD_ID3)
        position = mime_end + 2  # terminator, picture type
    if encoding in (1, 2):  # UTF-16: a two-byte terminator on a character boundary
        stop = position
        while True:
            stop = head.find(b"\x00\x00", stop)
            if stop < 0 or (stop - position) % 2 == 0:
                break
            stop += 1
        terminator = 2
    else:
        stop, terminator = head.find(b"\x00", position), 1
    if stop < 0:
        raise BrokenMedia(_BAD_ID3)
    image = start + stop + terminator
    first = _read_at(fileobj, image, 8)
    last = _read_at(fileobj, max(image, end - 16), min(16, end - image)).rstrip(b"\x00")
    if not any(first.startswith(magic) and last.endswith(ends) for magic, ends in _IMAGES):
        raise BrokenMedia("la pochette de son étiquette de début n'est pas une image")


def _check_zeros(fileobj: BinaryIO, offset: int, end: int) -> None:
    while offset < end:
        data = _read_at(fileobj, offset, min(_SLICE, end - offset))
        if not data or data.count(0) != len(data):
            raise BrokenMedia(_BAD_ID3)
        offset += len(data)


def check_ape(fileobj: BinaryIO, end: int) -> int:
    """Return where the APE tag ending at ``end`` starts (``end`` if none), having checked its
    footer, header and items."""
    footer = _read_at(fileobj, max(0, end - APE_FOOTER), APE_FOOTER)
    if len(footer) < APE_FOOTER or not footer.startswith(b"APETAGEX"):
        return end
    version, tag_size, count, flags = struct.unpack("<IIII", footer[8:24])
    has_header = bool(flags & 0x80000000)
    if version not in (1000, 2000) or flags & 0x20000000 or footer[24:] != bytes(8):
        raise BrokenMedia(_BAD_APE)
    if tag_size < APE_FOOTER or tag_size > MAX_APE_TAG or (has_header and version == 1000):
        raise BrokenMedia(_BAD_APE)
    items = end - tag_size
    start = items - (APE_FOOTER if has_header else 0)
    if start < 0:
        raise BrokenMedia(_BAD_APE)
    if has_header:
        header = _read_at(fileobj, start, APE_FOOTER)
        expected = footer[:20] + struct.pack("<I", flags | 0x20000000) + bytes(8)
        if header != expected:
            raise BrokenMedia(_BAD_APE)
    _check_ape_items(_read_at(fileobj, items, tag_size - APE_FOOTER), count)
    return start


def _check_ape_items(data: bytes, count: int) -> None:
    """The items fill the tag exactly: size, flags, a printable key, then the value."""
    offset = 0
    for _ in range(count):
        if offset + 8 > len(data):
            raise BrokenMedia(_BAD_APE)
        length, flags = struct.unpack("<II", data[offset : offset + 8])
        key_end = data.find(b"\x00", offset + 8, offset + 8 + 256)
        key = data[offset + 8 : key_end]
        if key_end < 0 or not 2 <= len(key) <= 255 or not all(0x20 <= b < 0x7F for b in key):
            raise BrokenMedia(_BAD_APE)
        value = data[key_end + 1 : key_end + 1 + length]
        if len(value) != length or flags & 0x06 > 0x04:
            raise BrokenMedia(_BAD_APE)
        if not flags & 0x06:  # text: UTF-8
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                raise BrokenMedia(_BAD_APE) from None
        offset = key_end + 1 + length
    if offset != len(data):
        raise BrokenMedia(_BAD_APE)
