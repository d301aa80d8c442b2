"""What the demo's modules share: the accounts' domain and password, and a small PDF."""

import io

DEMO_PASSWORD = "preuves-demo-2026"  # noqa: S105 - printed for the demo, documented in the README
DOMAIN = "demo.preuves.fr"


def demo_pdf(text: str) -> bytes:
    """Return a one-page PDF whose bytes depend on ``text`` (so no two are duplicates)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text, "/Author": "Démonstration Preuves"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
