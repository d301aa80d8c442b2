"""File names offered for download, safe to save on Windows as well as elsewhere.

Windows cannot create a file whose name, before its first dot, is a device name (``CON``,
``PRN``, ``AUX``, ``NUL``, ``COM1``–``COM9``, ``LPT1``–``LPT9``, their superscript-digit forms,
``CONIN$``, ``CONOUT$``), whatever the case and the extension: ``nul.txt`` and ``Con.tar.gz``
are the device too. It also drops trailing dots and spaces. ``download_name`` turns such a name
into one that saves as an ordinary file (``_CON.pdf``). Pure Python (no Django).
"""

from __future__ import annotations

import re

DEFAULT_NAME = "fichier"

_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789¹²³"}
)
# Characters Windows refuses in a name, control characters included.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def is_reserved(name: str) -> bool:
    """Return whether Windows would read ``name`` as a device rather than a file."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _DEVICES


def download_name(name: str | None) -> str:
    """Return ``name`` made safe to save on Windows; never "" and never a device name."""
    cleaned = _FORBIDDEN.sub("_", str(name or "")).strip().rstrip(" .")
    if not cleaned:
        return DEFAULT_NAME
    if is_reserved(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned
