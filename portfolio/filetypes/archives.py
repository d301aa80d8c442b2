"""Read a ZIP package entry by entry without trusting what it declares.

Every entry is inflated here from its local header, and the bytes it really produces are counted
against one budget as they come: a bomb that lies about its sizes is stopped when the budget runs
out, never after. Entries must not overlap (the "overlapping entries" bomb reuses one compressed
stream many times) and must lie before the central directory. Only stored and deflated entries
are read: office programs write nothing else.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"

# Content that makes an entry an archive of its own (nested archives are refused).
ARCHIVE_MAGICS: tuple[bytes, ...] = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"MSCF",
    b"\x60\xea",  # ARJ
)


class ZipProblem(Exception):
    """A package that must be refused; ``reason`` is one of the constants below."""

    BOMB = "bomb"
    OVERLAP = "overlap"
    CORRUPT = "corrupt"

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Budget:
    """The number of inflated bytes a package (and the packages inside it) may produce."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise ZipProblem(ZipProblem.BOMB, f"more than {self.limit} bytes inflated")


def is_archive(head: bytes) -> bool:
    """Return True when ``head`` (the first bytes of some content) starts an archive."""
    if head.startswith(ARCHIVE_MAGICS):
        return True
    return len(head) > 262 and head[257:262] == b"ustar"


def iter_entries(
    fileobj: BinaryIO, archive: zipfile.ZipFile, budget: Budget
) -> Iterator[tuple[zipfile.ZipInfo, Iterator[bytes]]]:
    """Yield every entry with an iterator of its inflated content, in file order.

    Whatever the caller leaves unread of an entry is inflated (and counted) before the next one:
    the whole package is always measured. Raise :class:`ZipProblem` on overlapping entries, an
    inflated size over the budget, or a content that disagrees with its declared size or CRC.
    """
    spans = _data_spans(fileobj, archive)
    for info, start in spans:
        chunks = _inflate_checked(fileobj, info, start, budget)
        yield info, chunks
        for _ in chunks:
            pass


def _data_spans(fileobj: BinaryIO, archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, int]]:
    """Return (entry, offset of its data) sorted by offset; refuse overlaps."""
    directory_start = archive.start_dir
    spans = []
    for info in sorted(archive.infolist(), key=lambda item: item.header_offset):
        fileobj.seek(info.header_offset)
        header = fileobj.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise ZipProblem(ZipProblem.CORRUPT, "truncated local header")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != _LOCAL_SIGNATURE:
            raise ZipProblem(ZipProblem.CORRUPT, "bad local header")
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        spans.append((info, start, start + info.compress_size))
    previous_end = 0
    for info, _start, end in spans:
        if info.header_offset < previous_end:
            raise ZipProblem(ZipProblem.OVERLAP, info.filename)
        previous_end = end
    if previous_end > directory_start:
        raise ZipProblem(ZipProblem.OVERLAP, "data runs into the central directory")
    return [(info, start) for info, start, _ in spans]


def _inflate_checked(
    fileobj: BinaryIO, info: zipfile.ZipInfo, start: int, budget: Budget
) -> Iterator[bytes]:
    crc = 0
    size = 0
    for chunk in _inflate(fileobj, info, start):
        budget.spend(len(chunk))
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        yield chunk
    if size != info.file_size or crc != info.CRC:
        raise ZipProblem(ZipProblem.CORRUPT, f"{info.filename}: size or CRC mismatch")


def _raw(fileobj: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    position = start
    remaining = length
    while remaining > 0:
        fileobj.seek(position)  # the caller may use the file between two chunks
        data = fileobj.read(min(CHUNK, remaining))
        if not data:
            raise ZipProblem(ZipProblem.CORRUPT, "truncated entry")
        position += len(data)
        remaining -= len(data)
        yield data


def _inflate(fileobj: BinaryIO, info: zipfile.ZipInfo, start: int) -> Iterator[bytes]:
    if info.compress_type == zipfile.ZIP_STORED:
        yield from _raw(fileobj, start, info.compress_size)
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ZipProblem(ZipProblem.CORRUPT, f"compression method {info.compress_type}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for raw in _raw(fileobj, start, info.compress_size):
        # max_length bounds what one call produces: a bomb is inflated chunk by chunk.
        data = inflater.decompress(raw, CHUNK)
        while True:
            if data:
                yield data
            if not inflater.unconsumed_tail:
                break
            data = inflater.decompress(inflater.unconsumed_tail, CHUNK)
        if inflater.eof:
            return
    if not inflater.eof:
        raise ZipProblem(ZipProblem.CORRUPT, f"{info.filename}: truncated deflate stream")
