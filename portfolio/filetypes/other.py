"""Name what a refused file is ("une archive ZIP", "un fichier HTML"), from its first bytes."""

from __future__ import annotations

_MAGIC_DESCRIPTIONS: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "un programme exécutable (ELF)"),
    (b"MZ", "un programme exécutable Windows"),
    (b"\xfe\xed\xfa\xce", "un programme exécutable macOS"),
    (b"\xfe\xed\xfa\xcf", "un programme exécutable macOS"),
    (b"\xce\xfa\xed\xfe", "un programme exécutable macOS"),
    (b"\xcf\xfa\xed\xfe", "un programme exécutable macOS"),
    (b"\xca\xfe\xba\xbe", "un programme exécutable"),
    (b"#!", "un script"),
    (b"PK\x05\x06", "une archive ZIP"),
    (b"PK\x07\x08", "une archive ZIP"),
    (b"Rar!\x1a\x07", "une archive RAR"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7z"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"BZh", "une archive bzip2"),
    (b"\xfd7zXZ\x00", "une archive xz"),
    (b"\x28\xb5\x2f\xfd", "une archive zstd"),
    (b"MSCF", "une archive CAB"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "un document Office à l'ancien format (.doc, .xls, .ppt) ou protégé par un mot de passe",
    ),
    (b"{\\rtf", "un document RTF"),
    (b"GIF87a", "une image GIF"),
    (b"GIF89a", "une image GIF"),
    (b"II*\x00", "une image TIFF"),
    (b"MM\x00*", "une image TIFF"),
    (b"8BPS", "une image Photoshop"),
    (b"OggS", "un fichier audio Ogg"),
    (b"fLaC", "un fichier audio FLAC"),
    (b"\x1aE\xdf\xa3", "une vidéo WebM ou Matroska"),
    (b"%!PS", "un fichier PostScript"),
)


def _describe_other(head: bytes) -> str | None:
    for magic, description in _MAGIC_DESCRIPTIONS:
        if head.startswith(magic):
            return description
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {
            b"WEBP": "une image WebP",
            b"WAVE": "un fichier audio WAV",
            b"AVI ": "une vidéo AVI",
        }.get(head[8:12])
    if len(head) > 262 and head[257:262] == b"ustar":
        return "une archive tar"
    return _describe_text(head)


def _describe_text(head: bytes) -> str | None:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    text = head.replace(b"\x00", b"").decode("latin-1").lower()
    stripped = text.lstrip()
    if stripped.startswith(("<!doctype html", "<html", "<head", "<body", "<script", "<iframe")):
        return "un fichier HTML"
    if "<svg" in text:
        return "une image SVG"
    if "<html" in text or "<script" in text:
        return "un fichier HTML"
    if stripped.startswith("<?php") or "<?php" in text:
        return "un script PHP"
    if stripped.startswith("<?xml"):
        return "un fichier XML"
    if stripped.startswith("#!"):
        return "un script"
    if head and all(32 <= byte < 127 or byte in b"\t\r\n" or byte >= 0x80 for byte in head):
        return "un fichier texte"
    return None
