"""evidence_upload on the local file system and on S3 (moto's HTTP server)."""

import hashlib
import io

import pytest
import samples
from django.core.files.storage import default_storage
from django.db import DatabaseError
from PIL import Image

from audit.models import AuditEvent
from portfolio import services
from portfolio.management.commands.cleanup_orphans import FOLDERS, stored_names
from portfolio.models import EvidenceItem, ScanStatus
from portfolio.scanning import ScanResult
from portfolio.services import PortfolioError, uploads

ACCEPTED = [
    (samples.pdf_minimal, "rapport.pdf", "pdf", "application/pdf"),
    (samples.docx, "procédure achats.docx", "docx", None),
    (samples.xlsx, "budget.xlsx", "xlsx", None),
    (samples.pptx, "présentation.pptx", "pptx", None),
    (samples.odt, "compte rendu.odt", "odt", "application/vnd.oasis.opendocument.text"),
    (samples.ods, "tableau.ods", "ods", None),
    (samples.odp, "diaporama.odp", "odp", None),
    (samples.png, "capture.png", "png", "image/png"),
    (samples.jpeg, "photo.jpg", "jpeg", "image/jpeg"),
    (samples.mp3, "entretien.mp3", "mp3", "audio/mpeg"),
    (samples.m4a, "appel.m4a", "m4a", "audio/mp4"),
    (samples.mp4, "visio.mp4", "mp4", "video/mp4"),
]


def all_stored(storage) -> list[str]:
    return [name for folder in FOLDERS for name in stored_names(storage, folder)]


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name", "kind", "mime"), ACCEPTED)
def test_every_accepted_type_is_stored_under_a_random_name(
    any_storage, portfolio, upload, make, name, kind, mime
):
    data = make()

    item = upload(portfolio, data, name, title="Ma preuve")

    assert item.kind == kind
    if mime:
        assert item.content_type == mime
    assert item.original_name == name
    assert name not in item.file.name and item.file.name.startswith("evidence/")
    assert item.scan_status == ScanStatus.NOT_SCANNED
    stored = stored_bytes(item.file.name)
    assert item.size == len(stored)
    assert item.sha256 == hashlib.sha256(stored).hexdigest()
    if kind not in {"png", "jpeg"}:
        assert stored == data  # only images are re-encoded
    assert AuditEvent.objects.filter(action="evidence.upload", object_id=str(item.pk)).exists()


REFUSED = [
    (samples.html_document, "facture.pdf", "unsupported_type", "HTML"),
    (samples.svg, "logo.svg", "unsupported_type", "SVG"),
    (samples.zip_archive, "preuves.zip", "unsupported_type", "archive ZIP"),
    (samples.png_truncated, "capture.png", "image_corrupt", "endommagée"),
    (samples.png_decompression_bomb, "bombe.png", "image_too_large", "trop grande"),
    (samples.pdf_encrypted, "protege.pdf", "pdf_encrypted", "mot de passe"),
    (samples.empty, "vide.pdf", "empty", "vide"),
    (samples.elf, "programme.pdf", "unsupported_type", "exécutable"),
    (samples.docx, "procedure.pdf", "extension_mismatch", "extension"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name", "code", "words"), REFUSED)
def test_refused_files_get_a_french_message_and_leave_nothing(
    any_storage, portfolio, upload, make, name, code, words
):
    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, make(), name)

    assert caught.value.code == code
    assert caught.value.field == "file"
    assert words in caught.value.message
    assert not EvidenceItem.objects.exists()
    assert all_stored(any_storage) == []


@pytest.mark.django_db
def test_a_file_just_over_its_limit_is_refused_and_one_at_the_limit_accepted(
    any_storage, portfolio, upload, settings
):
    data = samples.pdf_minimal()
    settings.PREUVES_MAX_DOCUMENT_BYTES = len(data) - 1

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, data, "rapport.pdf")

    assert caught.value.code == "too_large"
    assert "taille maximale" in caught.value.message
    settings.PREUVES_MAX_DOCUMENT_BYTES = len(data)
    assert upload(portfolio, data, "rapport.pdf").size == len(data)


@pytest.mark.django_db
def test_media_files_have_their_own_larger_limit(local_storage, portfolio, upload, settings):
    data = samples.mp4()
    settings.PREUVES_MAX_DOCUMENT_BYTES = 100
    settings.PREUVES_MAX_MEDIA_BYTES = len(data)

    assert upload(portfolio, data, "visio.mp4").kind == "mp4"


@pytest.mark.django_db
def test_the_same_file_twice_is_refused_as_a_duplicate(any_storage, portfolio, upload):
    data = samples.pdf_minimal()
    upload(portfolio, data, "rapport.pdf")

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, data, "copie du rapport.pdf")

    assert caught.value.code == "duplicate"
    assert "déjà dans le portefeuille" in caught.value.message
    assert EvidenceItem.objects.count() == 1


@pytest.mark.django_db
def test_the_same_photo_twice_is_a_duplicate_even_after_re_encoding(
    local_storage, portfolio, upload
):
    data = samples.jpeg_with_gps()
    upload(portfolio, data, "photo.jpg")

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, data, "photo-bis.jpg")

    assert caught.value.code == "duplicate"


@pytest.mark.django_db
def test_a_file_that_would_exceed_the_portfolio_quota_is_refused(
    any_storage, portfolio, upload, settings
):
    first = samples.pdf_minimal()
    second = samples.pdf_minimal(pages=2)
    settings.PREUVES_PORTFOLIO_QUOTA_BYTES = len(first) + len(second) - 1
    upload(portfolio, first, "un.pdf")

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, second, "deux.pdf")

    assert caught.value.code == "quota"
    assert "espace du portefeuille" in caught.value.message
    assert EvidenceItem.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "name"),
    [(samples.jpeg_with_gps, "photo.jpg"), (lambda: samples.png(metadata=True), "capture.png")],
)
def test_no_exif_or_gps_survives_in_the_stored_image(any_storage, portfolio, upload, make, name):
    original = make()

    item = upload(portfolio, original, name)

    stored = stored_bytes(item.file.name)
    assert stored != original
    assert b"GPS" not in stored and b"Jeanne Candidate" not in stored
    assert b"12 rue de la Paix" not in stored and b"xmpmeta" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert len(exif) == 0
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert item.thumbnail.name.startswith("thumbnails/")
    with Image.open(io.BytesIO(stored_bytes(item.thumbnail.name))) as thumbnail:
        assert max(thumbnail.size) <= 320
        assert len(thumbnail.getexif()) == 0
    assert item.thumbnail_type in {"image/jpeg", "image/png"}


@pytest.mark.django_db
def test_the_uploaded_name_is_cleaned_and_kept_only_as_metadata(local_storage, portfolio, upload):
    item = upload(portfolio, samples.pdf_minimal(), "../../etc/rap\u202eport.pdf")

    assert item.original_name == "report.pdf".replace("report", "rapport")
    assert ".." not in item.file.name and "rapport" not in item.file.name


@pytest.mark.django_db
def test_an_unreachable_virus_scanner_holds_the_file_as_pending(
    local_storage, portfolio, upload, settings
):
    from tests.conftest import free_port

    settings.PREUVES_VIRUS_SCANNER = f"clamd://127.0.0.1:{free_port()}"

    item = upload(portfolio, samples.pdf_minimal(), "rapport.pdf")

    assert item.scan_status == ScanStatus.PENDING
    assert item.get_scan_status_display() == "En attente d'analyse"
    assert not item.is_submittable


@pytest.mark.django_db
def test_an_infected_file_is_refused_and_not_stored(local_storage, portfolio, upload, monkeypatch):
    class Infected:
        def scan(self, fileobj):
            return ScanResult("infected", "Eicar-Test-Signature")

    monkeypatch.setattr(uploads, "virus_scanner", Infected)

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, samples.pdf_minimal(), "rapport.pdf")

    assert caught.value.code == "infected"
    assert "virus" in caught.value.message
    assert all_stored(local_storage) == []


@pytest.mark.django_db
def test_a_clean_scan_is_recorded(local_storage, portfolio, upload, monkeypatch):
    class Clean:
        def scan(self, fileobj):
            assert fileobj.read(5) == b"%PDF-"  # the scanner sees the content
            return ScanResult("clean")

    monkeypatch.setattr(uploads, "virus_scanner", Clean)

    assert upload(portfolio, samples.pdf_minimal(), "rapport.pdf").scan_status == "clean"


@pytest.mark.django_db
def test_storage_down_gives_a_french_message_and_no_row(
    any_storage, portfolio, upload, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(type(any_storage), "save", broken)

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, samples.pdf_minimal(), "rapport.pdf")

    assert caught.value.code == "storage_unavailable"
    assert "réessayez" in caught.value.message
    assert not EvidenceItem.objects.exists()


@pytest.mark.django_db
def test_thumbnail_storage_failure_removes_the_image_already_stored(
    local_storage, portfolio, upload, monkeypatch
):
    real_save = type(local_storage).save

    def save(self, name, content, max_length=None):
        if name.startswith("thumbnails/"):
            raise OSError("disk full")
        return real_save(self, name, content, max_length)

    monkeypatch.setattr(type(local_storage), "save", save)

    with pytest.raises(PortfolioError):
        upload(portfolio, samples.png(), "capture.png")

    assert all_stored(local_storage) == []


@pytest.mark.django_db
def test_a_database_failure_after_storing_leaves_no_orphan(
    any_storage, portfolio, upload, monkeypatch
):
    stored = []
    real_save = type(any_storage).save

    def save(self, name, content, max_length=None):
        stored.append(real_save(self, name, content, max_length))
        return stored[-1]

    def failing_create(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(type(any_storage), "save", save)
    monkeypatch.setattr(EvidenceItem.objects, "create", failing_create)

    with pytest.raises(DatabaseError):
        upload(portfolio, samples.png(), "capture.png")

    assert len(stored) == 2  # the image and its thumbnail were stored ...
    assert not any(any_storage.exists(name) for name in stored)  # ... and removed


@pytest.mark.django_db
def test_at_least_one_competency_of_the_bloc_is_required(local_storage, portfolio, upload):
    with pytest.raises(PortfolioError) as none:
        upload(portfolio, samples.pdf_minimal(), "a.pdf", competencies=[])
    other_bloc = portfolio.enrolment.cohort.title.blocs.get(number=2).competencies.first()
    with pytest.raises(PortfolioError) as foreign:
        upload(portfolio, samples.pdf_minimal(), "a.pdf", competencies=[other_bloc])

    assert none.value.field == foreign.value.field == "competencies"
    assert all_stored(local_storage) == []


@pytest.mark.django_db
def test_only_the_candidate_may_upload(local_storage, portfolio, upload):
    from tests.factories import UserFactory

    other = UserFactory(roles=["candidat"])

    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, samples.pdf_minimal(), "a.pdf", actor=other)

    assert caught.value.code == "forbidden"


@pytest.mark.django_db
def test_update_and_remove_change_the_draft_and_are_audited(
    local_storage, portfolio, upload, candidate, django_capture_on_commit_callbacks
):
    item = upload(portfolio, samples.pdf_minimal(), "a.pdf")
    competencies = list(portfolio.bloc.competencies.order_by("order")[:2])

    services.evidence_update(
        item=item, actor=candidate, title="Nouveau titre", competencies=competencies
    )
    item.refresh_from_db()
    assert item.title == "Nouveau titre"
    assert set(item.competencies.all()) == set(competencies)

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(item=item, actor=candidate)
    assert not EvidenceItem.objects.exists()
    assert not local_storage.exists(item.file.name)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"evidence.upload", "evidence.update", "evidence.remove"} <= actions
