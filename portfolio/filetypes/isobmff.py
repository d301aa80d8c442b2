"""Walk an ISO base media file (MP4, M4A) from its first byte to its last.

The top-level boxes must tile the file exactly (no byte before, between or after them that no
box claims), container boxes must tile their own payload, the boxes a player needs must be
there (``ftyp`` first, one ``moov`` with ``mvhd`` and tracks, media data), and every chunk of
media each track points at must lie inside an ``mdat`` box. Everything is read with seeks and
small reads: tables are walked in slices, never loaded whole.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
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
MAX_DEPTH = 12
# A real table of contents holds a few megabytes even for hours of video; past this, walking
# a hostile one would take the worker minutes.
MAX_MOOV_BYTES = 16 * 1024 * 1024
TABLE_SLICE = 64 * 1024  # entries read at a time


class BrokenMedia(Exception):
    """The structure is inconsistent; the message says where, in French, for the user."""


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int  # offset of the header
    payload: int  # offset of the payload
    end: int  # offset just past the box


def _boxes(fileobj: BinaryIO, start: int, end: int, *, top: bool) -> Iterator[Box]:
    """Yield the boxes tiling ``[start, end)``; raise :class:`BrokenMedia` on any gap or overrun."""
    offset = start
    while offset < end:
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


def _walk(fileobj: BinaryIO, box: Box, depth: int = 0) -> dict[bytes, list[Box]]:
    """Return every box under ``box`` by kind, having checked that each container is tiled."""
    if depth > MAX_DEPTH:
        raise BrokenMedia("sa structure est imbriquée trop profondément")
    found: dict[bytes, list[Box]] = {}
    for child in _children(fileobj, box):
        found.setdefault(child.kind, []).append(child)
        if child.kind in CONTAINERS:
            for kind, boxes in _walk(fileobj, child, depth + 1).items():
                found.setdefault(kind, []).extend(boxes)
    return found


def _child(fileobj: BinaryIO, box: Box, kind: bytes) -> Box | None:
    return next((child for child in _children(fileobj, box) if child.kind == kind), None)


def _path(fileobj: BinaryIO, box: Box, *kinds: bytes) -> Box | None:
    for kind in kinds:
        found = _child(fileobj, box, kind)
        if found is None:
            return None
        box = found
    return box


def check_iso_bmff(fileobj: BinaryIO, size: int) -> None:
    """Raise :class:`BrokenMedia` unless the file is one consistent ISO media file."""
    top = list(_boxes(fileobj, 0, size, top=True))
    kinds = [box.kind for box in top]
    if not top or kinds[0] != b"ftyp":
        raise BrokenMedia("son en-tête est endommagé")
    if kinds.count(b"moov") != 1:
        raise BrokenMedia("la table des matières de l'enregistrement manque ou est en double")
    mdats = [(box.payload, box.end) for box in top if box.kind == b"mdat"]
    if not mdats:
        raise BrokenMedia("il ne contient aucune donnée audio ou vidéo")
    moov = top[kinds.index(b"moov")]
    if moov.end - moov.start > MAX_MOOV_BYTES:
        raise BrokenMedia("sa table des matières est anormalement grande")
    tree = _walk(fileobj, moov)
    for box in top:
        if box.kind in CONTAINERS and box.kind != b"moov":
            _walk(fileobj, box)
    if not tree.get(b"mvhd") or not tree.get(b"trak"):
        raise BrokenMedia("la table des matières de l'enregistrement est incomplète")
    fragmented = b"mvex" in tree
    for trak in tree[b"trak"]:
        stbl = _path(fileobj, trak, b"mdia", b"minf", b"stbl")
        if stbl is None or _child(fileobj, trak, b"tkhd") is None:
            raise BrokenMedia("une piste de l'enregistrement est incomplète")
        _check_sample_table(fileobj, stbl, mdats, fragmented=fragmented)


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


def _sample_sizes(fileobj: BinaryIO, stbl: Box) -> tuple[int, int, Iterator[int]]:
    """Return the sample count, the size shared by every sample (0: none) and the sizes."""
    stsz = _child(fileobj, stbl, b"stsz")
    if stsz is None:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    uniform = _full_box_count(fileobj, stsz)
    count = _full_box_count(fileobj, stsz, 4)
    if uniform:
        return count, uniform, iter(())
    return count, 0, (size for (size,) in _table(fileobj, stsz, 12, count, "I"))


def _chunk_offsets(fileobj: BinaryIO, stbl: Box) -> Iterator[int]:
    stco = _child(fileobj, stbl, b"stco")
    if stco is not None:
        count = _full_box_count(fileobj, stco)
        return (offset for (offset,) in _table(fileobj, stco, 8, count, "I"))
    co64 = _child(fileobj, stbl, b"co64")
    if co64 is None:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    count = _full_box_count(fileobj, co64)
    return (offset for (offset,) in _table(fileobj, co64, 8, count, "Q"))


def _check_sample_table(
    fileobj: BinaryIO, stbl: Box, mdats: list[tuple[int, int]], *, fragmented: bool
) -> None:
    """Check that every chunk of the track lies inside an ``mdat`` box's payload."""
    if _child(fileobj, stbl, b"stsd") is None:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    stsc = _child(fileobj, stbl, b"stsc")
    if stsc is None:
        raise BrokenMedia("une piste de l'enregistrement est incomplète")
    runs = list(_table(fileobj, stsc, 8, _full_box_count(fileobj, stsc), "III"))
    count, uniform, sizes = _sample_sizes(fileobj, stbl)
    offsets = _chunk_offsets(fileobj, stbl)
    if not runs:
        if count or next(offsets, None) is not None:
            raise BrokenMedia("une table de la piste est incohérente")
        if not fragmented:
            raise BrokenMedia("une piste de l'enregistrement est vide")
        return  # the samples are described by the fragments
    run = 0
    remaining = count
    for number, offset in enumerate(offsets, start=1):
        while run + 1 < len(runs) and runs[run + 1][0] <= number:
            run += 1
        per_chunk = runs[run][1]
        if runs[run][0] > number or per_chunk > remaining:
            raise BrokenMedia("une table de la piste est incohérente")
        remaining -= per_chunk
        if uniform:
            length = uniform * per_chunk
        else:
            length = sum(next(sizes) for _ in range(per_chunk))
        if not any(start <= offset and offset + length <= end for start, end in mdats):
            raise BrokenMedia("une piste pointe hors des données de l'enregistrement")
    if remaining:
        raise BrokenMedia("une table de la piste est incohérente")
