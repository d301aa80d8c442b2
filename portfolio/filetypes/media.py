"""ISO base media files (MP4 video, M4A audio) and MP3 recordings: sniffing by content, then
checking the whole file (:func:`check_media`; the MP4 box tree in :mod:`.isobmff`)."""

from __future__ import annotations

import struct
from typing import BinaryIO

from portfolio.filetypes.base import KINDS, FileKind, FileRefused, RefusalCode, _read_at, _Sniffed
from portfolio.filetypes.isobmff import BrokenMedia, check_iso_bmff
from portfolio.filetypes.mp3tags import check_ape, check_id3v2

# ISO BMFF brands. Both families are the same container; see _resolve_kind for the extension.
_AUDIO_BRANDS = {b"M4A ", b"M4B "}
_VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"MSNV",
    b"dash",
    b"mmp4",
    b"f4v ",
}
_MP4_SIBLINGS = {"m4a", "mp4"}


def _sniff_iso_bmff(head: bytes) -> _Sniffed:
    size = struct.unpack(">I", head[:4])[0]
    if size < 16 or size > 4096 or len(head) < size:
        return _Sniffed(None, "un fichier multimédia non reconnu")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, size - 3, 4)}
    if major == b"qt  ":
        return _Sniffed(None, "une vidéo QuickTime (.mov)")
    if major in {b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"avif"}:
        return _Sniffed(None, "une photo HEIC ou AVIF")
    if major in {b"M4P ", b"M4B "} and b"M4P " in brands:
        return _Sniffed(None, "un fichier audio protégé (DRM)")
    if major.startswith(b"3g"):
        return _Sniffed(None, "une vidéo 3GP")
    if major in _AUDIO_BRANDS:
        return _Sniffed(KINDS["m4a"])
    if brands & _VIDEO_BRANDS:
        return _Sniffed(KINDS["mp4"])
    return _Sniffed(None, "un fichier multimédia non reconnu")


# MPEG audio Layer III, kbit/s by bitrate index; version 1 vs 2/2.5.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame_length(header: bytes) -> int | None:
    """Return the length of the MPEG audio Layer III frame starting with ``header``."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03  # 3 = MPEG 1, 2 = MPEG 2, 0 = MPEG 2.5, 1 reserved
    layer = (header[1] >> 1) & 0x03  # 1 = Layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    padding = (header[2] >> 1) & 0x01
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _SAMPLE_RATES[version][rate_index]
    if version == 3:
        return 144 * _BITRATES_V1[bitrate_index] * 1000 // rate + padding
    return 72 * _BITRATES_V2[bitrate_index] * 1000 // rate + padding


def _mpeg_audio_frames_at(data: bytes, offset: int) -> bool:
    """Return whether MPEG audio frames start at ``offset`` (two in a row, or one at the end)."""
    length = _mpeg_frame_length(data[offset : offset + 4])
    if length is None:
        return False
    following = data[offset + length : offset + length + 4]
    return len(following) < 4 or _mpeg_frame_length(following) is not None


def _sniff_mp3(fileobj: BinaryIO, head: bytes) -> _Sniffed:
    offset = 0
    if head.startswith(b"ID3"):
        if len(head) < 10 or head[3] not in (2, 3, 4) or any(b & 0x80 for b in head[6:10]):
            return _Sniffed(None, "un fichier audio non reconnu")
        tag_size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        offset = 10 + tag_size + (10 if head[5] & 0x10 else 0)
    # Encoders may pad between the tag and the first frame.
    window = _read_at(fileobj, offset, 4096 + 2 * 1441 + 4)
    for start in range(0, min(4096, len(window))):
        if window[start] == 0xFF and _mpeg_audio_frames_at(window, start):
            return _Sniffed(KINDS["mp3"])
        if window[start] != 0:
            break
    return _Sniffed(None, "un fichier audio non reconnu")


def _resolve_kind(kind: FileKind, extension: str) -> FileKind:
    """Return the kind to record, given that M4A and MP4 share one container format."""
    if kind.name in _MP4_SIBLINGS:
        for sibling in _MP4_SIBLINGS:
            if extension in KINDS[sibling].extensions:
                return KINDS[sibling]
    return kind


# --------------------------------------------------------------------------- whole-file checks

_MP3_CHUNK = 1024 * 1024
_ID3V1_SIZE = 128


def check_media(fileobj: BinaryIO, kind: FileKind, size: int) -> None:
    """Raise :class:`FileRefused` unless the recording is consistent from its first byte to
    its last: MP4 and M4A by their box tree, MP3 frame after frame."""
    try:
        if kind.name == "mp3":
            _check_mp3(fileobj, size)
        else:
            check_iso_bmff(fileobj, size)
    except BrokenMedia as broken:
        raise FileRefused(
            f"Ce fichier ({kind.label_fr}) est endommagé ou incomplet : {broken}. Rien n'a été "
            "enregistré. Exportez l'enregistrement de nouveau depuis le logiciel ou l'appareil "
            "qui l'a créé, vérifiez qu'il se lit jusqu'au bout, puis envoyez cette copie.",
            RefusalCode.MEDIA_CORRUPT,
        ) from broken


def _mp3_audio_end(fileobj: BinaryIO, size: int) -> int:
    """Return where the frames must end: before an ID3v1 tag and an APE tag, if any (the APE
    tag checked item by item, so that it cannot hide a payload)."""
    end = size
    if end >= _ID3V1_SIZE and _read_at(fileobj, end - _ID3V1_SIZE, 3) == b"TAG":
        end -= _ID3V1_SIZE
    return check_ape(fileobj, end)


def _mp3_first_frame(fileobj: BinaryIO, size: int) -> int:
    """Return where the first frame starts: after the ID3v2 tag (checked frame by frame) and
    the zeros encoders may pad it with."""
    offset = check_id3v2(fileobj, size)
    window = _read_at(fileobj, offset, 4096)
    padding = len(window) - len(window.lstrip(b"\x00"))  # encoders may pad after the tag
    return offset + padding


def _check_mp3(fileobj: BinaryIO, size: int) -> None:
    """Walk every MPEG audio frame: same version, layer and sample rate, end to end."""
    end = _mp3_audio_end(fileobj, size)
    offset = _mp3_first_frame(fileobj, size)
    signature = None
    frames = 0
    buffer, buffer_start = b"", offset
    while offset < end:
        if offset + 4 > buffer_start + len(buffer):
            buffer_start = offset
            buffer = _read_at(fileobj, offset, min(_MP3_CHUNK, end - offset))
        header = buffer[offset - buffer_start : offset - buffer_start + 4]
        length = _mpeg_frame_length(header)
        if length is None:
            if frames and len(header) < 4:
                raise BrokenMedia("des octets isolés suivent le dernier son")
            raise BrokenMedia(
                "des données qui ne sont pas du son s'y trouvent"
                if frames
                else "son premier son est endommagé"
            )
        current = (header[1] & 0x1E, header[2] & 0x0C)  # version, layer, sample rate
        if signature is None:
            signature = current
        elif current != signature:
            raise BrokenMedia("des données qui ne sont pas du son s'y trouvent")
        if offset + length > end:
            raise BrokenMedia("il s'arrête au milieu d'un son : il est tronqué")
        offset += length
        frames += 1
    if not frames:
        raise BrokenMedia("il ne contient aucun son")
