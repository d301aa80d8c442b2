"""Hostile files, each crafted for real: macros and active content found by content, ZIP bombs
measured while inflating, overlapping and nested archives, active and polyglot PDFs."""

import io
import resource

import hostile
import pikepdf
import pytest
import samples

from portfolio.filetypes import FileRefused, Limits, RefusalCode, check_file


def refusal(data: bytes, name: str, limits: Limits | None = None) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        check_file(io.BytesIO(data), original_name=name, limits=limits)
    return caught.value


def accepted(data: bytes, name: str) -> str:
    return check_file(io.BytesIO(data), original_name=name).kind.name


# ----------------------------------------------------------------------------- macros


def test_a_vba_project_under_an_image_name_is_found_by_content():
    error = refusal(hostile.docx_with_renamed_vba(), "rapport.docx")

    assert error.code == RefusalCode.OFFICE_MACROS
    assert "macros VBA" in error.message_fr and "sans macros" in error.message_fr


def test_an_excel_4_macro_sheet_under_a_worksheet_name_is_refused():
    error = refusal(hostile.xlsx_with_xlm_macro_sheet(), "budget.xlsx")

    assert error.code == RefusalCode.OFFICE_MACROS
    assert "Excel 4.0" in error.message_fr


def test_an_activex_control_is_refused():
    error = refusal(hostile.docx_with_activex(), "formulaire.docx")

    assert error.code == RefusalCode.OFFICE_ACTIVE
    assert "ActiveX" in error.message_fr and "exportez" in error.message_fr


def test_an_ole_package_embedding_an_executable_is_refused():
    error = refusal(hostile.docx_with_ole_executable(), "facture.docx")

    assert error.code == RefusalCode.OFFICE_ACTIVE
    assert "objet OLE" in error.message_fr


def test_an_ole_package_embedding_a_script_by_content_is_refused():
    package = hostile.ole_package_object("notes.txt", b"#!/bin/sh\nrm -rf ~\n")
    data = samples.docx(extra_parts={"word/embeddings/oleObject1.bin": package})

    assert refusal(data, "notes.docx").code == RefusalCode.OFFICE_ACTIVE


def test_a_harmless_embedded_ole_object_is_accepted():
    assert accepted(hostile.docx_with_harmless_ole_object(), "graphique.docx") == "docx"


def test_a_remote_template_is_refused():
    error = refusal(hostile.docx_with_remote_template(), "lettre.docx")

    assert error.code == RefusalCode.OFFICE_ACTIVE
    assert "externe" in error.message_fr


def test_opendocument_basic_macros_are_refused():
    error = refusal(hostile.odt_with_basic(), "compte rendu.odt")

    assert error.code == RefusalCode.OFFICE_MACROS
    assert "macros Basic" in error.message_fr


def test_opendocument_python_scripts_are_refused():
    error = refusal(hostile.odt_with_python_script(), "compte rendu.odt")

    assert error.code == RefusalCode.OFFICE_MACROS
    assert "Python" in error.message_fr


def test_a_basic_module_under_another_folder_is_found_by_its_root_element():
    error = refusal(hostile.odt_with_basic_module_elsewhere(), "compte rendu.odt")

    assert error.code == RefusalCode.OFFICE_MACROS


# ----------------------------------------------------------------------------- archives


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_0_9_mb_docx_inflating_to_900_mib_is_a_zip_bomb():
    data = hostile.docx_bomb(900)

    assert len(data) < 1_000_000
    error = refusal(data, "bombe.docx")
    assert error.code == RefusalCode.ZIP_BOMB
    assert "anormalement grand" in error.message_fr


def test_a_bomb_that_declares_small_sizes_is_stopped_while_inflating():
    data = hostile.docx_bomb(300, lie=True)

    error = refusal(data, "bombe.docx")

    assert error.code == RefusalCode.ZIP_BOMB


def test_expansion_over_100_times_is_refused_and_under_is_accepted():
    tight = samples.docx_with_large_part(300_000)
    ratio = 300_000 / len(tight)

    assert ratio > 100
    assert refusal(tight, "a.docx").code == RefusalCode.ZIP_BOMB
    assert accepted(samples.docx_with_large_part(30_000, compressible=False), "a.docx") == "docx"


def test_overlapping_entries_are_refused():
    error = refusal(hostile.docx_overlapping_entries(), "a.docx")

    assert error.code == RefusalCode.ZIP_BOMB


def test_a_zip_inside_an_office_document_is_refused():
    error = refusal(hostile.docx_with_embedded("data.bin", samples.zip_archive()), "a.docx")

    assert error.code == RefusalCode.NESTED_ARCHIVE
    assert "archive" in error.message_fr


def test_a_gzip_inside_an_office_document_is_refused():
    import gzip

    data = hostile.docx_with_embedded("image1.emz", gzip.compress(b"x" * 1000))

    assert refusal(data, "a.docx").code == RefusalCode.NESTED_ARCHIVE


def test_a_chart_workbook_inside_a_word_document_is_checked_and_accepted():
    data = hostile.docx_with_embedded("Microsoft_Excel_Worksheet.xlsx", samples.xlsx())

    assert accepted(data, "graphique.docx") == "docx"


def test_macros_inside_an_embedded_workbook_are_found():
    inner = samples.xlsx(extra_parts={"xl/media/x.bin": hostile.vba_project()})
    data = hostile.docx_with_embedded("Microsoft_Excel_Worksheet.xlsx", inner)

    assert refusal(data, "graphique.docx").code == RefusalCode.OFFICE_MACROS


def test_a_package_two_levels_deep_is_refused():
    inner = hostile.docx_with_embedded("b.xlsx", samples.xlsx())
    data = hostile.docx_with_embedded("a.docx", inner)

    assert refusal(data, "a.docx").code == RefusalCode.NESTED_ARCHIVE


# ----------------------------------------------------------------------------- PDFs

ACTIVE_PDFS = [
    (hostile.pdf_javascript, "JavaScript"),
    (hostile.pdf_javascript_unreferenced, "JavaScript"),
    (hostile.pdf_launch, "Launch"),
    (hostile.pdf_embedded_file, "fichiers joints"),
    (hostile.pdf_rich_media, "RichMedia"),
    (hostile.pdf_xfa, "XFA"),
    (hostile.pdf_then_zip, "après la fin"),
    (hostile.pdf_then_html, "après la fin"),
    (hostile.pdf_with_zip_in_its_tail, "après la fin"),
]


@pytest.mark.parametrize(("make", "words"), ACTIVE_PDFS)
def test_active_and_polyglot_pdfs_are_refused_with_how_to_export_a_clean_one(make, words):
    error = refusal(make(), "rapport.pdf")

    assert error.code == RefusalCode.PDF_ACTIVE
    assert words in error.message_fr
    assert "Imprimer en PDF" in error.message_fr and "PDF/A" in error.message_fr


def test_a_plain_pdf_with_trailing_line_ends_is_accepted():
    assert accepted(samples.pdf_minimal() + b"\r\n\x00\n", "rapport.pdf") == "pdf"


# ----------------------------------------------------------------------------- damaged files


def test_a_corrupt_deflate_stream_is_a_damaged_file_not_an_error():
    data = bytearray(samples.docx(extra_parts={"word/styles.xml": b"<a/>" * 500}))
    start = data.index(b"word/styles.xml") + len("word/styles.xml")
    data[start : start + 8] = b"\xff" * 8  # an invalid deflate block type

    error = refusal(bytes(data), "a.docx")

    assert error.code == RefusalCode.OFFICE_CORRUPT
    assert "endommagé" in error.message_fr and "enregistrez-le de nouveau" in error.message_fr


def test_a_zip_of_an_unknown_version_is_refused_not_an_error():
    data = bytearray(samples.docx())
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 6] = 111  # "version needed to extract" 11.1

    assert refusal(bytes(data), "a.docx").code in {RefusalCode.UNSUPPORTED, RefusalCode.CORRUPT}


# ----------------------------------------------------------------------------- polyglot PDFs

POLYGLOT_PDFS = [
    (hostile.pdf_then_html_closed_by_eof, "après la fin"),
    (hostile.pdf_then_html_with_a_startxref, "après la fin"),
    (hostile.pdf_then_zip_closed_by_eof, "après la fin"),
    (hostile.pdf_with_zip_in_a_stream, "archive ZIP"),
    (hostile.pdf_with_html_in_a_string, "page web cachée"),
]


@pytest.mark.parametrize(("make", "words"), POLYGLOT_PDFS)
def test_a_pdf_that_is_also_a_web_page_or_an_archive_is_refused(make, words):
    data = make()
    if make is hostile.pdf_then_html_closed_by_eof:
        with pikepdf.open(io.BytesIO(data)):
            pass  # qpdf alone rebuilds the cross-references and reads it
    error = refusal(data, "rapport.pdf")

    assert error.code == RefusalCode.PDF_ACTIVE
    assert words in error.message_fr


def test_html_inside_a_stream_and_ordinary_pdfs_are_accepted():
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

    assert accepted(hostile.pdf_with_stream(page), "a.pdf") == "pdf"
    assert accepted(samples.pdf_minimal(pages=3), "a.pdf") == "pdf"
    assert accepted(samples.pdf_large(3 * 1024 * 1024), "a.pdf") == "pdf"
    update = hostile.pdf_javascript_unreferenced().replace(
        b"/S /JavaScript /JS", b"/S /Annotation /XX"
    )
    assert accepted(update, "a.pdf") == "pdf"  # an incremental update, same byte offsets


def test_a_pdf_rendered_by_weasyprint_from_an_html_template_is_accepted(settings):
    from django.utils import timezone

    from documents.pdf import render_pdf

    data = render_pdf(
        "documents/print_base.html",
        {"reference": "TEST-000001", "short_digest": "0" * 12, "issued_at": timezone.now()},
    )

    assert accepted(data, "releve.pdf") == "pdf"


def test_a_pdf_whose_cross_references_must_be_rebuilt_is_refused():
    data = samples.pdf_minimal()
    at = data.rindex(b"startxref") + len(b"startxref\n")
    damaged = data[:at] + b"%d\n%%%%EOF\n" % (int(data[at:].split()[0]) + 3)

    assert refusal(damaged, "a.pdf").code == RefusalCode.PDF_UNREADABLE


# ----------------------------------------------------------------------------- DDE, events

DDEAUTO = 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'
ACTIVE_OFFICE = [
    (lambda: hostile.docx_with_document(f"<w:p><w:fldSimple w:instr='{DDEAUTO}'/></w:p>"), "DDE"),
    (
        lambda: hostile.docx_with_document(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> "D</w:instrText></w:r>'
            '<w:r><w:instrText>de c:\\\\cmd.exe "/c calc"</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        ),
        "champ DDE qui lance un programme",
    ),
    (hostile.xlsx_with_dde_link, "un lien DDE"),
    (
        lambda: hostile.odt_with_content(
            '<office:event-listeners><script:event-listener script:language="ooo:script" '
            'script:event-name="dom:mouseover" xlink:href="vnd.sun.star.script:LibreLogo|'
            'LibreLogo.py$run?language=Python&amp;location=share"/></office:event-listeners>'
        ),
        "un script lié à un événement",
    ),
]


@pytest.mark.parametrize(("make", "words"), ACTIVE_OFFICE)
def test_dde_fields_links_and_event_scripts_are_refused(make, words):
    data = make()
    name = {b"word/": "a.docx", b"xl/wo": "a.xlsx"}.get(
        next((k for k in (b"word/", b"xl/wo") if k in data), b""), "a.odt"
    )
    error = refusal(data, name)

    assert error.code == RefusalCode.OFFICE_ACTIVE
    assert words in error.message_fr and "exécuter du code à l'ouverture" in error.message_fr


def test_an_ordinary_field_is_accepted():
    data = hostile.docx_with_document(
        '<w:p><w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "/>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>DDE est un mot</w:t></w:r></w:p>'
    )

    assert accepted(data, "a.docx") == "docx"


@pytest.mark.parametrize(
    "filename",
    [
        "facture.docm",
        "a.xlam",
        "page.html",
        "run.svg",
        "x.iso",
        "notes.one",
        "p.library-ms",
        "c.jnlp",
        "x.pl",
        "x.exe.",
        "x.ps1 ",
        "",
    ],
)
def test_an_ole_package_outside_the_harmless_types_is_refused(filename):
    package = hostile.ole_package_object(filename, b"harmless looking bytes")
    data = samples.docx(extra_parts={"word/embeddings/oleObject1.bin": package})

    error = refusal(data, "a.docx")
    assert error.code == RefusalCode.OFFICE_ACTIVE
    assert "objet OLE" in error.message_fr


@pytest.mark.parametrize("filename", ["Relevé.PDF", "tableau.csv", "photo.jpeg", "note.docx"])
def test_an_ole_package_of_a_harmless_type_is_accepted(filename):
    package = hostile.ole_package_object(filename, b"%PDF-1.7 plain content")
    data = samples.docx(extra_parts={"word/embeddings/oleObject1.bin": package})

    assert accepted(data, "a.docx") == "docx"
