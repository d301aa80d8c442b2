"""Which stored files may be read inside a page (beside the scoring grid), and how.

Only kinds a browser shows without running anything of the file's: PDFs that passed the
current checks (drawn by PDF.js on a canvas, never by the browser's plugin), images (re-encoded
on upload), and audio and video in the browser's own players. Office files, archives and the
rest keep the plain download. A file the antivirus has not cleared is never shown inline.
"""

from __future__ import annotations

from portfolio.filetypes import CHECKS_VERSION
from portfolio.models import ScanStatus

PDF = "pdf"
IMAGE = "image"
AUDIO = "audio"
VIDEO = "video"

_KINDS = {
    "application/pdf": PDF,
    "image/png": IMAGE,
    "image/jpeg": IMAGE,
    "audio/mpeg": AUDIO,
    "audio/mp4": AUDIO,
    "video/mp4": VIDEO,
}


def viewer_kind(stored) -> str | None:
    """Return how ``stored`` is read in the page (pdf, image, audio, video), or None when it
    is only downloaded."""
    kind = _KINDS.get(stored.content_type)
    if kind is None or stored.scan_status not in {ScanStatus.CLEAN, ScanStatus.NOT_SCANNED}:
        return None
    if kind == PDF and stored.checks_version < CHECKS_VERSION:
        return None
    return kind
