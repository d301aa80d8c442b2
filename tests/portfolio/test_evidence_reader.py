"""Reading a file in the page (beside the scoring grid): the same readers as a download, audited,
inline with a closed policy, only for kinds safe to show, on local storage and on S3."""

import pytest
import samples
from django.urls import reverse

from audit.models import AuditEvent
from portfolio.viewer import viewer_kind
from tests.factories import EnrolmentFactory, EstablishmentFactory, UserFactory
from tests.portfolio.test_downloads import assignment

pytestmark = pytest.mark.django_db


def read(client, user, item):
    client.force_login(user)
    return client.get(reverse("portfolio:evidence_read", args=[item.pk]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def pdf(local_storage, portfolio, upload):
    return upload(portfolio, samples.pdf_minimal(), "procédure d'achat.pdf")


@pytest.fixture
def reader(pdf):
    evaluator = UserFactory(roles=["evaluateur"])
    assignment(pdf.portfolio, evaluator, accepted=True)
    return evaluator


def test_the_accepted_evaluator_reads_a_pdf_inline_and_it_is_audited(client, pdf, reader):
    response = read(client, reader, pdf)

    assert response.status_code == 200
    assert body(response) == samples.pdf_minimal()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    event = AuditEvent.objects.get(action="evidence.download")
    assert (event.actor, event.after["inline"]) == (reader, True)


@pytest.mark.parametrize("role", ["candidat", "formateur", "tuteur", "evaluateur", "jury"])
def test_every_other_reader_gets_the_404_of_an_unknown_file_and_nothing_is_audited(
    client, pdf, role
):
    other = UserFactory(roles=[role])
    if role == "evaluateur":
        assignment(
            EnrolmentFactory().portfolios.create(bloc=pdf.portfolio.bloc), other, accepted=True
        )
    refused = read(client, other, pdf)
    unknown = client.get(reverse("portfolio:evidence_read", args=[pdf.pk + 1000]))

    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


def test_staff_of_another_centre_and_an_evaluator_not_yet_accepted_are_refused(client, pdf):
    evaluator = UserFactory(roles=["evaluateur"])
    assignment(pdf.portfolio, evaluator, accepted=False)
    stranger = UserFactory(
        roles=["responsable_evaluation"],
        roles__establishment=EstablishmentFactory(name="Autre centre"),
    )

    assert read(client, evaluator, pdf).status_code == 404
    assert read(client, stranger, pdf).status_code == 404


def test_the_candidates_tutor_is_refused(client, pdf):
    assert read(client, pdf.portfolio.enrolment.tutor, pdf).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type"),
    [
        (samples.png, "schéma.png", "image", "image/png"),
        (samples.jpeg, "photo.jpg", "image", "image/jpeg"),
        (samples.mp3, "entretien.mp3", "audio", "audio/mpeg"),
        (samples.m4a, "entretien.m4a", "audio", "audio/mp4"),
        (samples.mp4, "démonstration.mp4", "video", "video/mp4"),
    ],
)
def test_images_audio_and_video_are_read_inline_with_their_type(
    client, local_storage, portfolio, upload, candidate, data, name, kind, content_type
):
    item = upload(portfolio, data(), name)
    assert viewer_kind(item) == kind

    response = read(client, candidate, item)

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")


def test_an_office_file_is_only_downloaded(client, local_storage, portfolio, upload, candidate):
    item = upload(portfolio, samples.docx(), "rapport.docx")

    assert viewer_kind(item) is None
    assert read(client, candidate, item).status_code == 404
    client.force_login(candidate)
    assert client.get(reverse("portfolio:evidence_download", args=[item.pk])).status_code == 200


def test_a_pdf_not_checked_by_the_current_checks_is_only_downloaded(client, pdf, candidate):
    pdf.checks_version = 0
    pdf.save(update_fields=["checks_version"])

    assert read(client, candidate, pdf).status_code == 404


def test_an_infected_file_is_never_read(client, pdf, candidate):
    pdf.scan_status = "infected"
    pdf.save(update_fields=["scan_status"])

    assert read(client, candidate, pdf).status_code == 403


def test_on_s3_a_pdf_is_streamed_from_this_site_for_the_in_page_reader(
    client, s3_storage, portfolio, upload, candidate
):
    item = upload(portfolio, samples.pdf_minimal(), "rapport final.pdf")

    response = read(client, candidate, item)

    # Streamed, not redirected: PDF.js fetches it from this origin (connect-src 'self').
    assert response.status_code == 200
    assert body(response) == samples.pdf_minimal()
    assert response["Content-Disposition"].startswith("inline;")
    assert AuditEvent.objects.filter(action="evidence.download").count() == 1


def test_on_s3_an_image_redirects_to_a_signed_inline_url(
    client, s3_storage, portfolio, upload, candidate
):
    item = upload(portfolio, samples.png(), "schéma.png")

    response = read(client, candidate, item)

    assert response.status_code == 302
    assert "response-content-disposition=inline" in response["Location"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_memoire_is_read_inline_by_its_candidate_only(client, local_storage, memoire):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portfolio.services import memoire_upload

    candidate = memoire.enrolment.candidate
    memoire_upload(
        memoire=memoire,
        actor=candidate,
        uploaded_file=SimpleUploadedFile("mémoire.pdf", samples.pdf_minimal()),
        subject="La fonction achats",
    )
    url = reverse("portfolio:memoire_read", args=[memoire.pk])
    client.force_login(candidate)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(roles=["candidat"]))
    assert client.get(url).status_code == 404
