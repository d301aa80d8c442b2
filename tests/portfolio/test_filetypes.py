import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import samples

from portfolio.filetypes import (
    KINDS,
    FileRefused,
    Limits,
    RefusalCode,
    check_file,
    clean_filename,
    describe_content,
    format_size_fr,
    sha256_stream,
    sniff,
)

ROOT = Path(__file__).resolve().parents[2]

ACCEPTED = [
    (samples.pdf_minimal, "rapport.pdf", "pdf"),
    (samples.docx, "procédure achats.docx", "docx"),
    (samples.xlsx, "budget.xlsx", "xlsx"),
    (samples.pptx, "présentation.pptx", "pptx"),
    (samples.odt, "compte rendu.odt", "odt"),
    (samples.ods, "tableau.ods", "ods"),
    (samples.odp, "diaporama.odp", "odp"),
    (samples.png, "capture.png", "png"),
    (samples.jpeg, "photo.jpg", "jpeg"),
    (samples.jpeg, "photo.jpeg", "jpeg"),
    (samples.mp3, "entretien.mp3", "mp3"),
    (lambda: samples.mp3(id3=False), "entretien.mp3", "mp3"),
    (samples.m4a, "appel.m4a", "m4a"),
    (samples.mp4, "visio.mp4", "mp4"),
]


def check(data: bytes, name: str, limits: Limits | None = None):
    return check_file(io.BytesIO(data), original_name=name, limits=limits or Limits())


def refusal(data: bytes, name: str, limits: Limits | None = None) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        check(data, name, limits)
    return caught.value


@pytest.mark.parametrize(("make", "name", "kind"), ACCEPTED)
def test_every_accepted_kind_is_recognised_by_content(make, name, kind):
    data = make()

    checked = check(data, name)

    assert checked.kind is KINDS[kind]
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.name == name


@pytest.mark.parametrize(("make", "name", "kind"), ACCEPTED)
def test_sniff_names_the_kind_without_looking_at_the_name(make, name, kind):
    sniffed = sniff(io.BytesIO(make()))

    # The ISO BMFF family is decided by its brand when no name is given.
    assert sniffed is KINDS[kind]


def test_categories_and_mime_types():
    assert KINDS["pdf"].category == "document"
    assert KINDS["png"].category == "image"
    assert KINDS["mp4"].category == "media"
    assert KINDS["m4a"].mime_type == "audio/mp4"
    assert check(samples.xlsx(), "b.xlsx").mime_type == KINDS["xlsx"].mime_type


def test_extension_is_compared_case_insensitively():
    assert check(samples.pdf_minimal(), "RAPPORT.PDF").kind.name == "pdf"


def test_generic_mp4_named_m4a_is_accepted_as_audio():
    # Many recorders write audio-only files with the generic "isom" brand.
    assert check(samples.mp4(), "appel.m4a").kind.name == "m4a"
    assert check(samples.m4a(), "appel.mp4").kind.name == "mp4"


@pytest.mark.parametrize(
    ("make", "name", "detected"),
    [
        (samples.html_document, "facture.pdf", "un fichier HTML"),
        (samples.html_document, "page.html", "un fichier HTML"),
        (samples.svg, "logo.svg", "une image SVG"),
        (samples.svg, "logo.png", "une image SVG"),
        (samples.zip_archive, "dossier.zip", "une archive ZIP"),
        (samples.zip_archive, "dossier.docx", "une archive ZIP"),
        (samples.elf, "outil", "un programme exécutable (ELF)"),
        (samples.windows_executable, "setup.exe", "un programme exécutable Windows"),
        (samples.shell_script, "install.sh", "un script"),
        (samples.ole_document, "ancien.doc", "ancien format"),
        (samples.quicktime, "video.mov", "QuickTime"),
        (lambda: b"Rar!\x1a\x07\x01\x00" + bytes(64), "a.rar", "une archive RAR"),
        (lambda: b"7z\xbc\xaf\x27\x1c" + bytes(64), "a.7z", "une archive 7z"),
        (lambda: b"\x1f\x8b\x08\x00" + bytes(64), "a.gz", "une archive gzip"),
        (lambda: bytes(257) + b"ustar\x0000" + bytes(300), "a.tar", "une archive tar"),
        (lambda: b"GIF89a" + bytes(64), "a.gif", "une image GIF"),
        (lambda: b"hello, plain text\n", "notes.txt", "un fichier texte"),
    ],
)
def test_unaccepted_content_is_refused_and_named(make, name, detected):
    error = refusal(make(), name)

    assert error.code == RefusalCode.UNSUPPORTED
    assert detected in error.message_fr
    assert "Envoyez un PDF" in error.message_fr


def test_disguised_html_named_pdf_is_refused_as_html():
    error = refusal(samples.html_document(), "facture.pdf")

    assert error.code == RefusalCode.UNSUPPORTED
    assert "un fichier HTML" in error.message_fr
    assert describe_content(io.BytesIO(samples.html_document())) == "un fichier HTML"


def test_html_page_with_an_inline_svg_is_named_html():
    data = b"<!DOCTYPE html><html><body><svg width='1' height='1'></svg></body></html>"

    assert "un fichier HTML" in refusal(data, "a.pdf").message_fr


def test_html_after_a_byte_order_mark_and_blank_lines_is_still_html():
    data = b"\xef\xbb\xbf\n\n  <HTML><body>x</body></HTML>"

    assert "un fichier HTML" in refusal(data, "a.pdf").message_fr


def test_real_pdf_named_docx_is_an_extension_mismatch():
    error = refusal(samples.pdf_minimal(), "rapport.docx")

    assert error.code == RefusalCode.EXTENSION_MISMATCH
    assert "l'extension ne correspond pas au contenu" in error.message_fr.lower()
    assert ".pdf" in error.message_fr


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (samples.docx, "a.pdf"),
        (samples.xlsx, "a.docx"),
        (samples.odt, "a.docx"),
        (samples.png, "a.jpg"),
        (samples.jpeg, "a.png"),
        (samples.mp3, "a.mp4"),
        (samples.pdf_minimal, "rapport.pdf.exe"),
    ],
)
def test_content_and_extension_of_different_kinds_are_refused(make, name):
    assert refusal(make(), name).code == RefusalCode.EXTENSION_MISMATCH


def test_missing_extension_is_refused_with_the_extension_to_add():
    error = refusal(samples.pdf_minimal(), "rapport")

    assert error.code == RefusalCode.EXTENSION_MISMATCH
    assert "n'a pas d'extension" in error.message_fr
    assert ".pdf" in error.message_fr


def test_right_to_left_override_cannot_disguise_the_extension():
    # "rapport<RLO>fdp.exe" displays as "rapportexe.pdf".
    error = refusal(samples.pdf_minimal(), "rapport\u202efdp.exe")

    assert error.code == RefusalCode.EXTENSION_MISMATCH


def test_empty_file_is_refused():
    error = refusal(samples.empty(), "vide.pdf")

    assert error.code == RefusalCode.EMPTY
    assert "vide" in error.message_fr


def test_file_at_the_limit_passes_and_one_byte_over_is_refused():
    data = samples.pdf_minimal()
    at_limit = Limits(document_max_bytes=len(data))
    just_under = Limits(document_max_bytes=len(data) - 1)

    assert check(data, "a.pdf", at_limit).size == len(data)
    error = refusal(data, "a.pdf", just_under)
    assert error.code == RefusalCode.TOO_LARGE
    assert format_size_fr(len(data) - 1) in error.message_fr


def test_size_limit_is_reported_in_mo():
    data = samples.mp3(frames=10)
    limits = Limits(media_max_bytes=4000, document_max_bytes=10**9)

    error = refusal(data, "a.mp3", limits)

    assert error.code == RefusalCode.TOO_LARGE
    assert "un enregistrement" in error.message_fr
    assert "4 Ko" in error.message_fr


def test_default_limits_are_50_mo_for_documents_and_images_and_500_mo_for_media():
    limits = Limits()

    assert limits.max_bytes_for(KINDS["docx"]) == 50_000_000
    assert limits.max_bytes_for(KINDS["jpeg"]) == 50_000_000
    assert limits.max_bytes_for(KINDS["mp4"]) == 500_000_000
    assert "500 Mo" in format_size_fr(limits.media_max_bytes)


def test_limits_from_a_settings_mapping():
    limits = Limits.from_mapping({"document_max_bytes": "1000", "zip_max_entries": 5})

    assert limits.document_max_bytes == 1000
    assert limits.zip_max_entries == 5
    assert limits.media_max_bytes == Limits().media_max_bytes
    with pytest.raises(ValueError, match="documnet_max_bytes"):
        Limits.from_mapping({"documnet_max_bytes": 1})


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 octet"),
        (12, "12 octets"),
        (4000, "4 Ko"),
        (1_500_000, "1,5 Mo"),
        (50 * 10**6, "50 Mo"),
    ],
)
def test_sizes_read_like_french(size, text):
    assert format_size_fr(size) == text


def test_encrypted_pdf_is_refused():
    error = refusal(samples.pdf_encrypted(), "a.pdf")

    assert error.code == RefusalCode.PDF_ENCRYPTED
    assert "mot de passe" in error.message_fr


@pytest.mark.parametrize("make", [samples.pdf_corrupted, samples.pdf_truncated])
def test_unreadable_pdf_is_refused(make):
    error = refusal(make(), "a.pdf")

    assert error.code == RefusalCode.PDF_UNREADABLE
    assert "endommagé" in error.message_fr


def test_office_file_with_too_many_entries_is_a_zip_bomb():
    data = samples.docx_with_many_entries(60)

    assert check(data, "a.docx", Limits(zip_max_entries=100)).kind.name == "docx"
    error = refusal(data, "a.docx", Limits(zip_max_entries=50))
    assert error.code == RefusalCode.ZIP_BOMB


def test_office_file_inflating_past_the_limit_is_a_zip_bomb():
    data = samples.docx_with_large_part(2_000_000)

    assert len(data) < 20_000
    assert check(data, "a.docx", Limits(zip_max_ratio=1000)).kind.name == "docx"
    error = refusal(data, "a.docx", Limits(zip_max_ratio=1000, zip_max_uncompressed_bytes=10**6))
    assert error.code == RefusalCode.ZIP_BOMB
    assert "anormalement grand" in error.message_fr
    assert refusal(data, "a.docx").code == RefusalCode.ZIP_BOMB  # over 100 times its size


def test_office_file_with_an_encrypted_entry_is_refused():
    error = refusal(samples.docx_with_encrypted_entry(), "a.docx")

    assert error.code == RefusalCode.ZIP_ENCRYPTED


def test_password_protected_opendocument_is_refused():
    error = refusal(samples.odt(encrypted=True), "a.odt")

    assert error.code == RefusalCode.ZIP_ENCRYPTED
    assert "mot de passe" in error.message_fr


def test_office_file_with_macros_is_refused():
    error = refusal(samples.docx(macros=True), "a.docx")

    assert error.code == RefusalCode.OFFICE_MACROS


def test_opendocument_mimetype_must_be_the_first_stored_entry():
    # Same parts, but "mimetype" compressed: not a valid OpenDocument package.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")

    error = refusal(buffer.getvalue(), "a.odt")

    assert error.code == RefusalCode.UNSUPPORTED


def test_id3_tag_followed_by_no_audio_is_refused():
    data = samples.mp3(frames=1)[:-417] + samples.html_document()

    assert refusal(data, "a.mp3").code == RefusalCode.UNSUPPORTED


def test_check_accepts_a_path_and_rewinds_a_file_object(tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(samples.pdf_minimal())
    fileobj = io.BytesIO(samples.docx())
    fileobj.seek(10)

    assert check_file(path, original_name="rapport.pdf", limits=Limits()).kind.name == "pdf"
    assert check_file(fileobj, original_name="a.docx", limits=Limits()).kind.name == "docx"
    assert fileobj.tell() == 0


class ReadRecorder(io.BytesIO):
    """A file object that records the largest single read."""

    largest_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.largest_read = max(self.largest_read, len(data))
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.largest_read = max(self.largest_read, count)
        return count


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (samples.mp3(frames=12_000), "long.mp3"),  # 5 MB
        (samples.docx_with_large_part(3_000_000, compressible=False), "a.docx"),
        (samples.pdf_large(3_000_000), "a.pdf"),
        (samples.iso_bmff(b"isom", (b"isom",), media_size=4_000_000), "a.mp4"),
    ],
)
def test_checking_reads_the_file_in_bounded_pieces(data, name):
    fileobj = ReadRecorder(data)

    check_file(fileobj, original_name=name, limits=Limits())

    assert len(data) > 2 * 1024 * 1024
    assert fileobj.largest_read <= 1024 * 1024


def test_sha256_stream_returns_digest_and_size():
    data = b"x" * (3 * 1024 * 1024 + 5)

    digest, size = sha256_stream(io.BytesIO(data), chunk=1024 * 1024)

    assert digest == hashlib.sha256(data).hexdigest()
    assert size == len(data)


def test_sha256_stream_works_without_readinto():
    class ReadOnly:
        def __init__(self, data):
            self._inner = io.BytesIO(data)

        def read(self, size=-1):
            return self._inner.read(size)

    assert sha256_stream(ReadOnly(b"abc"), chunk=2) == (hashlib.sha256(b"abc").hexdigest(), 3)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\jeanne\\Documents\\facture.pdf", "facture.pdf"),
        ("../../etc/passwd", "passwd"),
        ("compte\x00 rendu\r\n.docx", "compte rendu.docx"),
        ("rapport\u202efdp.exe", "rapportfdp.exe"),
        ("e\u0301te\u0301.pdf", "été.pdf"),
        ("   ", "fichier"),
        ("", "fichier"),
        (None, "fichier"),
        ("..", "fichier"),
        ("/", "fichier"),
        ("a:b?c*.pdf", "a_b_c_.pdf"),
        ("rapport.pdf. . ", "rapport.pdf"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_clean_filename_keeps_the_extension_within_150_characters():
    cleaned = clean_filename("é" * 400 + ".xlsx")

    assert len(cleaned) == 150
    assert cleaned.endswith(".xlsx")
