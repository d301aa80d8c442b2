"""Render Django templates to PDF with WeasyPrint (A4, French, page numbers, reference footer)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict) -> bytes:
    """Return the PDF bytes of a template under templates/documents/."""
    from weasyprint import HTML  # imported late: it loads Pango, which only documents need

    with translation.override("fr"):
        html = render_to_string(
            template_name, {"centre_name": settings.PREUVES_CENTRE_NAME, **context}
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
