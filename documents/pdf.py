"""Render Django templates to PDF with WeasyPrint (A4, French, page numbers, reference footer)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def _weasyprint_html():
    """Return WeasyPrint's HTML class, imported without its side effect on Pillow.

    Importing WeasyPrint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True,
    which would make the upload checks (portfolio.images) accept truncated images in every
    later request of the same process. The documents embed no images: the flag is put back.
    """
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return HTML


def render_pdf(template_name: str, context: dict) -> bytes:
    """Return the PDF bytes of a template under templates/documents/."""
    html_class = _weasyprint_html()
    with translation.override("fr"):
        html = render_to_string(
            template_name, {"centre_name": settings.PREUVES_CENTRE_NAME, **context}
        )
    return html_class(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
