"""PDF documents: refuse encrypted or unreadable ones."""

from __future__ import annotations

from typing import BinaryIO

from portfolio.filetypes.base import FileRefused, RefusalCode


def _check_pdf(fileobj: BinaryIO) -> None:
    from pypdf import PdfReader  # local: only PDF checks need it

    unreadable = FileRefused(
        "Ce PDF est endommagé et ne peut pas être lu. Ouvrez-le et enregistrez-le de nouveau "
        "(ou « Imprimer en PDF »), puis envoyez cette copie.",
        RefusalCode.PDF_UNREADABLE,
    )
    fileobj.seek(0)
    try:
        # A file object, not a path: given a path, pypdf reads the whole file into memory.
        reader = PdfReader(fileobj, strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            page_count = len(reader.pages)
            if page_count == 0:
                raise unreadable
            _ = reader.pages[0].mediabox  # parsing the first page is the check
    except FileRefused:
        raise
    except Exception as error:
        # pypdf raises many types (PdfReadError, ValueError, KeyError, RecursionError…) on
        # hostile input; all of them mean the same thing to the candidate.
        raise unreadable from error
    if encrypted:
        raise FileRefused(
            "Ce PDF est protégé par un mot de passe ou chiffré. Enregistrez-en une copie sans "
            "protection (par exemple avec « Imprimer en PDF »), puis envoyez-la.",
            RefusalCode.PDF_ENCRYPTED,
        )
