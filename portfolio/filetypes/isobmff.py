"""Walk an ISO base media file (MP4, M4A) from its first byte to its last.

The top-level boxes must tile the file exactly (no byte before, between or after them that no
box claims), container boxes must tile their own payload, the boxes a player needs must be
there (``ftyp`` first, one ``moov`` with ``mvhd`` and tracks, media data), every chunk of
media each track points at must lie inside an ``mdat`` box, and together the chunks must cover
the media data (no payload that no track plays). Boxes players skip (``free``, ``skip``,
``uuid``, ``udta``, ``wide``) are capped, and ``free``/``skip`` hold only zeros or a short
writer's note. Everything is read with seeks and small reads, the top level as a stream: memory
and time stay bounded by the box counts below, whatever the file holds.
"""

from __future__ import annotations

import heapq
import struct
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO

from portfolio.filetypes.base import _read_at

TOP_LEVEL = {
    b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"moof",
    b"mfra", b"sidx", b"ssix", b"pdin", b"emsg", b"prft", b"udta",
}  # fmt: skip
# Boxes made only of boxes: their payload is walked and must be tiled exactly too.
CONTAINERS = {
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf",
    b"mfra", b"tref",
}  # fmt: skip
# Boxes players skip: whatever they hold is nobody's media, so they are capped.
SIDE_BOXES = {b"free", b"skip", b"wide", b"uuid", b"udta"}
FILLER_BOXES = {b"free", b"skip", b"wide"}  # zeros, or a writer's short note
MAX_SIDE_BYTES = 1024 * 1024
MAX_FILLER_NOTE = 64
MAX_DEPTH = 12
# A real table of contents holds a few megabytes even for hours of video; past this, walking
# a hostile one would take the worker minutes.
MAX_MOOV_BYTES = 16 * 1024 * 1024
# Box counts: a fragmented recording of hours has a few thousand top-level boxes.
MAX_TOP_BOXES = 10_000
MAX_CHILDREN = 4_096
MAX_BOXES = 100_000
# Media data no track refers to: a little is tolerated (alignment, writers' slack), no more.
MAX_UNREFERENCED = 64 * 1024  # or 1 % of the media data if less, but never under:
MIN_UNREFERENCED = 4 * 1024
# Chunks and runs of samples noted to measure what the tracks cover (16 bytes each); a track
# whose chunks are out of order is sorted, so it gets a smaller cap.
MAX_RANGES = 1_000_000
MAX_UNSORTED_RANGES = 100_000
TABLE_SLICE = 64 * 1024  # entries read at a time
SLICE = 64 * 1024

_TOO_MANY = "il est fait d'un nombre anormal de parties"


class BrokenMedia(Exception):
    """The structure is inconsistent; the message says where, in French, for the user."""


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int  # offset of the header
    payload: int  # offset of the payload
    end: int  # offset just past the box


def _boxes(fileobj: BinaryIO, start: int, end: int, *, top: bool) -> Iterator[Box]:
    """Yield the boxes tiling ``[start, end)``; raise :class:`BrokenMedia` on any gap or overrun,
    or past :data:`MAX_TOP_BOXES` (top level) or :data:`MAX_CHILDREN` (inside a box)."""
    offset = start
    limit = MAX_TOP_BOXES if top else MAX_CHILDREN
    number = 0
    while offset < end:
        number += 1
        if number > limit:
            raise BrokenMedia(_TOO_MANY)
        if end - offset < 8:
            raise BrokenMedia("des octets isolés suivent la dernière partie de l'enregistrement")
        size, kind = struct.unpack(">I4s", _read_at(fileobj, offset, 8))
        header = 8
        if size == 1:
            large = _read_at(fileobj, offset + 8, 8)
            if len(large) < 8:
                raise BrokenMedia("il s'arrête au milieu d'une de ses parties")
            size, header = struct.unpack(">Q", large)[0], 16
        elif size == 0:
            if not top:
                raise BrokenMedia("une de ses parties a une taille incohérente")
            size = end - offset  # "up to the end of the file": only as the last box
        if (top and kind not in TOP_LEVEL) or not all(32 <= byte < 127 for byte in kind):
            raise BrokenMedia("des données étrangères s'y trouvent entre deux parties")
        if size < header:
            raise BrokenMedia("une de ses parties a une taille incohérente")
        if offset + size > end:
            if top:
                raise BrokenMedia("il s'arrête avant la fin de ses données : il est tronqué")
            raise BrokenMedia("une de ses parties déborde de celle qui la contient")
        yield Box(kind, offset, offset + header, offset + size)
        offset += size


def _children(fileobj: BinaryIO, box: Box) -> list[Box]:
    return list(_boxes(fileobj, box.payload, box.end, top=False))


def _child(fileobj: BinaryIO, box: Box, kind: bytes) -> Box | None:
    return next((child for child in _boxes(fileobj, box.payload, box.end, top=False)
                 if child.kind == kind), None)  # fmt: skip


def _path(fileobj: BinaryIO, box: Box, *kinds: bytes) -> Box | None:
    for kind in kinds:
        found = _child(fileobj, box, kind)
        if found is None:
            return None
        box = found
    return box


class _Walk:
    """Counts every box met and the bytes of boxes players skip, across the whole file."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self.fileobj = fileobj
        self.boxes = 0
        self.side_bytes = 0

    def met(self, box: Box) -> None:
        self.boxes += 1
        if self.boxes > MAX_BOXES:
            raise BrokenMedia(_TOO_MANY)
        if box.kind in SIDE_BOXES:
            self.side_bytes += box.end - box.start
            if self.side_bytes > MAX_SIDE_BYTES:
                raise BrokenMedia("il contient trop de données annexes")
            if box.kind in FILLER_BOXES:
                self._check_filler(box)

    def _check_filler(self, box: Box) -> None:
        """A filler box holds zeros, or a short printable note (some writers sign there)."""
        length = box.end - box.payload
        if length <= MAX_FILLER_NOTE:
            note = _read_at(self.fileobj, box.payload, length).rstrip(b"\x00")
            if all(32 <= byte < 127 and byte not in b"<>" for byte in note):
                return
        offset = box.payload
        while offset < box.end:
            data = _read_at(self.fileobj, offset, min(SLICE, box.end - offset))
            if data.count(0) != len(data):
                raise BrokenMedia("une partie censée être vide contient des données")
            offset += len(data)

    def tree(self, box: Box, depth: int = 0) -> dict[bytes, list[Box]]:
        """Return every box under ``box`` by kind, having checked that each container is
        tiled."""
        if depth > MAX_DEPTH:
            raise BrokenMedia("sa structure est imbriquée trop profondément")
        found: dict[bytes, list[Box]] = {}
        for child in _boxes(self.fileobj, box.payload, box.end, top=False):
            self.met(child)
            found.setdefault(child.kind, []).append(child)
            if child.kind in CONTAINERS:
                for kind, boxes in self.tree(child, depth + 1).items():
                    found.setdefault(kind, []).extend(boxes)
        return found


def check_iso_bmff(fileobj: BinaryIO, size: int) -> None:
    """Raise :class:`BrokenMedia` unless the file is one consistent ISO media file."""
    walk = _Walk(fileobj)
    first: bytes | None = None
    moov: Box | None = None
    moofs: list[Box] = []
    mdat_starts, mdat_ends = array("Q"), array("Q")
    for box in _boxes(fileobj, 0, size, top=True):
        if first is None:
            first = box.kind
            if first != b"ftyp":
                raise BrokenMedia("son en-tête est endommagé")
        walk.met(box)
        if box.kind == b"moov":
            if moov is not None:
                raise BrokenMedia(
                    "la table des matières de l'enregistrement manque ou est en double"
                )
            if box.end - box.start > MAX_MOOV_BYTES:
                raise BrokenMedia("sa table des matières est anormalement grande")
            moov = box
        elif box.kind == b"mdat":
            mdat_starts.append(box.payload)
            mdat_ends.append(box.end)
        elif box.kind in CONTAINERS:
            walk.tree(box)  # checked as it comes, then forgotten
            if box.kind == b"moof":
                moofs.append(box)
    if first is None:
        raise BrokenMedia("son en-tête est endommagé")
    if moov is None:
        raise BrokenMedia("la table des matières de l'enregistrement manque ou est en double")
    if not mdat_starts:
        raise BrokenMedia("il ne contient aucune donnée audio ou vidéo")
    tree = walk.tree(moov)
    if not tree.get(b"mvhd") or not tree.get(b"trak"):
        raise BrokenMedia("la table des matières de l'enregistrement est incomplète")
    mdats = _MdatIndex(mdat_starts, mdat_ends)
    ranges = _Ranges(mdats.total)
    fragmented = b"mvex" in tree
    for trak in tree[b"trak"]:
        stbl = _path(fileobj, trak, b"mdia", b"minf", b"stbl")
        if stbl is None or _child(fileobj, trak, b"tkhd") is None:
            raise BrokenMedia("une piste de l'enregistrement est incomplète")
        _check_sample_table(fileobj, stbl, mdats, ranges, fragmented=fragmented)
    if fragmented:
        defaults = {}
        for trex in tree.get(b"trex", []):
            head = _read_at(fileobj, trex.payload + 4, 20)
            if len(head) == 20:
                track, _, _, default_size, _ = struct.unpack(">5I", head)
                defaults[track] = default_size
        stream = ranges.stream()
        for moof in moofs:
            _check_fragment(fileobj, moof, defaults, mdats, ranges, stream)
    ranges.check_coverage()


class _MdatIndex:
    """The payloads of the ``mdat`` boxes, in file order: which one holds a range, by bisection."""

    def __init__(self, starts: array, ends: array) -> None:
        self.starts, self.ends = starts, ends
        self.total = sum(end - start for start, end in zip(starts, ends, strict=True))

    def check(self, start: int, end: int) -> None:
        index = bisect_right(self.starts, start) - 1
        if index < 0 or end > self.ends[index]:
            raise BrokenMedia("une piste pointe hors des données de l'enregistrement")


_INCOHERENT = "une table de la piste est incohérente"
Stream = tuple[array, array]


class _Ranges:
    """The byte ranges the tracks play, stream by stream (a track, or the fragments)."""

    def __init__(self, media_bytes: int) -> None:
        self.media_bytes = media_bytes
        self.streams: list[Stream] = []
        self.count = 0
        self.samples = 0

    def stream(self) -> Stream:
        stream = (array("Q"), array("Q"))
        self.streams.append(stream)
        return stream

    def add(self, stream: Stream, start: int, end: int) -> None:
        self.count += 1
        if self.count > MAX_RANGES:
            raise BrokenMedia(_INCOHERENT)
        stream[0].append(start)
        stream[1].append(end)

    def add_samples(self, count: int) -> None:
        """Every sample holds at least a byte: more samples than bytes is a forged table."""
        self.samples += count
        if self.samples > self.media_bytes:
            raise BrokenMedia(_INCOHERENT)

    def check_coverage(self) -> None:
        """Refuse media data that no track plays, past a small slack."""
        covered = reach = 0
        for start, end in heapq.merge(*(self._in_order(stream) for stream in self.streams)):
            if end > reach:
                covered += end - max(start, reach)
                reach = end
        slack = min(MAX_UNREFERENCED, max(self.media_bytes // 100, MIN_UNREFERENCED))
        if self.media_bytes - covered > slack:
            raise BrokenMedia("il contient des données qu'aucune piste ne lit")

    @staticmethod
    def _in_order(stream: Stream) -> Iterable[tuple[int, int]]:
        starts, ends = stream
        if all(a <= b for a, b in zip(starts, islice(starts, 1, None), strict=False)):
            return zip(starts, ends, strict=False)  # as writers lay chunks out: no copy
        if len(starts) > MAX_UNSORTED_RANGES:
            raise BrokenMedia(_INCOHERENT)
        return sorted(zip(starts, ends, strict=False))


# --------------------------------------------------------------------------- sample tables


def _full_box_count(fileobj: BinaryIO, box: Box, after: int = 0) -> int:
    head = _read_at(fileobj, box.payload + 4 + after, 4)
    if len(head) < 4:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    return struct.unpack(">I", head)[0]


def _table(fileobj: BinaryIO, box: Box, first: int, count: int, fmt: str) -> Iterator[tuple]:
    """Yield ``count`` entries of ``fmt`` starting ``first`` bytes into the box's payload."""
    entry = struct.calcsize(">" + fmt)
    if box.payload + first + count * entry > box.end:
        raise BrokenMedia("une table de la piste déborde de sa partie")
    offset = box.payload + first
    left = count
    while left:
        take = min(left, TABLE_SLICE)
        data = _read_at(fileobj, offset, take * entry)
        yield from struct.iter_unpack(">" + fmt, data)
        offset += take * entry
        left -= take


def _check_sample_table(
    fileobj: BinaryIO, stbl: Box, mdats: _MdatIndex, ranges: _Ranges, *, fragmented: bool
) -> None:
    """Check that every chunk of the track lies inside an ``mdat`` box's payload, and note the
    ranges it plays. Tables are streamed; their counts are checked against each other and
    against the size of the media data before anything is walked."""
    boxes: dict[bytes, Box] = {}
    for child in _boxes(fileobj, stbl.payload, stbl.end, top=False):
        boxes.setdefault(child.kind, child)
    stsc, stsz = boxes.get(b"stsc"), boxes.get(b"stsz")
    chunk_box = boxes.get(b"stco") or boxes.get(b"co64")
    if b"stsd" not in boxes or stsc is None or stsz is None or chunk_box is None:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    uniform = _full_box_count(fileobj, stsz)
    count = _full_box_count(fileobj, stsz, 4)
    chunks = _full_box_count(fileobj, chunk_box)
    run_count = _full_box_count(fileobj, stsc)
    ranges.add_samples(count)
    if chunks > count or run_count > chunks:
        raise BrokenMedia(_INCOHERENT)
    sizes = iter(()) if uniform else (n for (n,) in _table(fileobj, stsz, 12, count, "I"))
    offsets = (
        o
        for (o,) in _table(fileobj, chunk_box, 8, chunks, "I" if chunk_box.kind == b"stco" else "Q")
    )
    runs = _table(fileobj, stsc, 8, run_count, "III")
    current, following = next(runs, None), next(runs, None)
    if current is None:
        if count or chunks:
            raise BrokenMedia(_INCOHERENT)
        if not fragmented:
            raise BrokenMedia("une piste de l'enregistrement est vide")
        return  # the samples are described by the fragments
    if current[0] != 1:
        raise BrokenMedia(_INCOHERENT)
    stream = ranges.stream()
    remaining = count
    for number, offset in enumerate(offsets, start=1):
        while following is not None and following[0] <= number:
            if following[0] <= current[0]:
                raise BrokenMedia(_INCOHERENT)
            current, following = following, next(runs, None)
        per_chunk = current[1]
        if not per_chunk or per_chunk > remaining:
            raise BrokenMedia(_INCOHERENT)
        remaining -= per_chunk
        length = uniform * per_chunk if uniform else sum(islice(sizes, per_chunk))
        mdats.check(offset, offset + length)
        ranges.add(stream, offset, offset + length)
    if remaining:
        raise BrokenMedia(_INCOHERENT)


# --------------------------------------------------------------------------- fragments

_TFHD_FIELDS = ((0x01, 8), (0x02, 4), (0x08, 4), (0x10, 4), (0x20, 4))


def _check_fragment(
    fileobj: BinaryIO,
    moof: Box,
    defaults: dict[int, int],
    mdats: _MdatIndex,
    ranges: _Ranges,
    stream: Stream,
) -> None:
    """Check that every run of samples of the fragment lies inside an ``mdat`` box's payload,
    and note it: ``tfhd`` gives the base offset and default size, ``trun`` the samples."""
    data_end = moof.start
    for traf in _boxes(fileobj, moof.payload, moof.end, top=False):
        if traf.kind != b"traf":
            continue
        children = _children(fileobj, traf)
        tfhd = next((box for box in children if box.kind == b"tfhd"), None)
        if tfhd is None:
            raise BrokenMedia("une piste de l'enregistrement est incomplète")
        head = _read_at(fileobj, tfhd.payload, min(tfhd.end - tfhd.payload, 40))
        if len(head) < 8:
            raise BrokenMedia(_INCOHERENT)
        flags, track = struct.unpack(">II", head[:8])
        flags &= 0xFFFFFF
        fields, position = {}, 8
        for flag, width in _TFHD_FIELDS:
            if flags & flag:
                if position + width > len(head):
                    raise BrokenMedia(_INCOHERENT)
                fields[flag] = int.from_bytes(head[position : position + width], "big")
                position += width
        if 0x01 in fields:
            base = fields[0x01]
        elif flags & 0x020000 or data_end == moof.start:
            base = moof.start
        else:
            base = data_end
        default_size = fields.get(0x10, defaults.get(track, 0))
        position = base
        for trun in (box for box in children if box.kind == b"trun"):
            start, position = _check_run(fileobj, trun, base, position, default_size, ranges)
            mdats.check(start, position)
            ranges.add(stream, start, position)
        data_end = position


def _check_run(
    fileobj: BinaryIO, trun: Box, base: int, position: int, default_size: int, ranges: _Ranges
) -> tuple[int, int]:
    """Return the byte range a ``trun`` box's samples occupy."""
    head = _read_at(fileobj, trun.payload, 16)
    if len(head) < 8:
        raise BrokenMedia(_INCOHERENT)
    flags, count = struct.unpack(">II", head[:8])
    ranges.add_samples(count)
    first = 8
    if flags & 0x01:
        if len(head) < 12:
            raise BrokenMedia(_INCOHERENT)
        position = base + struct.unpack(">i", head[8:12])[0]
        first += 4
    if flags & 0x04:
        first += 4
    if not flags & 0x200:
        return position, position + default_size * count
    fields = bin(flags & 0xF00).count("1")
    size_index = bin(flags & 0x100).count("1")
    length = sum(entry[size_index] for entry in _table(fileobj, trun, first, count, "I" * fields))
    return position, position + length
