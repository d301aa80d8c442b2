"""Render Django templates to PDF with WeasyPrint (A4, French, page numbers, reference footer)."""

import gc
import io

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


def render_pdf_parts(template_name: str, context: dict, parts: list[dict]) -> bytes:
    """Return one PDF rendered part by part: WeasyPrint holds a whole document's layout in
    memory, so a long one (a 5,000-candidate procès-verbal) is laid out a part at a time.

    Each part is ``context`` with the part's own values; one part is rendered as it is. The
    parts' pages are put together with pikepdf and numbered afterwards (« Page x sur y », as
    ``print.css`` writes it) by laying over each page the footer of a blank document of as many
    pages.
    """
    if len(parts) == 1:
        return render_pdf(template_name, {**context, **parts[0]})
    import pikepdf

    rendered = []
    for part in parts:
        rendered.append(render_pdf(template_name, {**context, **part, "numbered_later": True}))
        gc.collect()  # the part's layout (cyclic boxes) goes before the next one is laid out
    document = pikepdf.open(io.BytesIO(rendered[0]))
    others = [pikepdf.open(io.BytesIO(content)) for content in rendered[1:]]
    for other in others:
        document.pages.extend(other.pages)
    numbers = pikepdf.open(io.BytesIO(_page_numbers(len(document.pages))))
    for page, numbered in zip(document.pages, numbers.pages, strict=True):
        page.add_overlay(numbered)
    output = io.BytesIO()
    document.save(output, deterministic_id=True)
    return output.getvalue()


def _page_numbers(count: int) -> bytes:
    """Return ``count`` blank pages with only their number in the footer, as print.css has it."""
    html = render_to_string("documents/page_numbers.html", {"pages": range(count)})
    return _weasyprint_html()(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
