"""Issued PDFs: rendered in French, recorded with their hash, checked later, served to the right
people only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from documents import issuance, services
from documents.models import IssuedDocument
from tests.documents.conftest import pdf_text, response_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_convocation_states_the_session_in_french_with_its_reference(candidate_entry, staff):
    document = services.convocation_issue(entry=candidate_entry, actor=staff)
    content = document.file.read()
    text = pdf_text(content)
    assert "Convocation" in text
    assert "Anaïs Légaré" in text
    assert "28 novembre 2026" in text
    assert "5 mars 1998" in text
    assert "Salle Lumière, 32 quai Perrache, Lyon" in text
    assert document.reference.startswith("CONV-")
    assert f"Réf. {document.reference}" in text
    assert document.short_digest in text
    assert "Page 1 sur 1" in text
    assert "CCI Formation" in text  # the centre's name in the page header
    import hashlib

    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert AuditEvent.objects.filter(action="document_issued", object_id=str(document.pk)).exists()


def test_the_same_facts_give_back_the_same_document_and_new_facts_a_new_one(candidate_entry, staff):
    first = services.convocation_issue(entry=candidate_entry, actor=staff)
    again = services.convocation_issue(entry=candidate_entry, actor=staff)
    assert again.pk == first.pk
    session = candidate_entry.session
    session.place = "Salle Saône, Villeurbanne"
    session.save()
    candidate_entry.refresh_from_db()
    moved = services.convocation_issue(entry=candidate_entry, actor=staff)
    assert moved.pk != first.pk and moved.reference != first.reference
    assert "Salle Saône, Villeurbanne" in pdf_text(moved.file.read())


def test_references_follow_each_other_by_kind_and_year():
    allocate = issuance.reference_allocate
    assert allocate(kind="proces_verbal", year=2026) == "PV-2026-000001"
    assert allocate(kind="proces_verbal", year=2026) == "PV-2026-000002"
    assert allocate(kind="releve", year=2026) == "RN-2026-000001"
    assert allocate(kind="proces_verbal", year=2027) == "PV-2027-000001"


# --- Verification ------------------------------------------------------------------------


def verify(client, **data):
    return client.post(reverse("documents:verify"), data).context["result"]


def test_an_untouched_copy_is_recognised_by_its_bytes_alone(client, candidate_entry, staff):
    document = services.convocation_issue(entry=candidate_entry, actor=staff)
    client.force_login(staff)
    content = document.file.read()
    result = verify(client, file=SimpleUploadedFile("copie.pdf", content))
    assert result.matches is True and result.document == document
    result = verify(
        client, reference=document.reference.lower(), file=SimpleUploadedFile("c.pdf", content)
    )
    assert result.matches is True


def test_an_altered_copy_or_an_unknown_reference_is_refused(client, candidate_entry, staff):
    document = services.convocation_issue(entry=candidate_entry, actor=staff)
    client.force_login(staff)
    original = document.file.read()
    altered = original[:100] + bytes([original[100] ^ 1]) + original[101:]
    result = verify(client, reference=document.reference, file=SimpleUploadedFile("c.pdf", altered))
    assert result.matches is False and "ne correspond PAS" in result.message
    assert verify(client, file=SimpleUploadedFile("c.pdf", altered)).document is None
    result = verify(client, reference="PV-2026-999999")
    assert result.document is None and "Aucun document" in result.message
    assert verify(client, reference=document.reference).document == document


def test_verification_needs_a_reference_or_a_copy(client, staff):
    client.force_login(staff)
    response = client.post(reverse("documents:verify"), {})
    assert "Indiquez la référence" in response.content.decode()


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.JURY, Role.EVALUATEUR])
def test_only_the_staff_may_use_the_verification_page(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("documents:verify")).status_code == 403


# --- Downloads and access ------------------------------------------------------------------


def test_staff_download_a_convocation_from_the_session_page(client, candidate_entry, staff):
    client.force_login(staff)
    page = client.get(reverse("documents:session", args=[candidate_entry.session_id]))
    url = reverse(
        "documents:convocation", args=[candidate_entry.session_id, candidate_entry.enrolment_id]
    )
    assert f'action="{url}"' in page.content.decode()
    response = client.get(client.post(url).url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Anaïs Légaré" in pdf_text(response_bytes(response))
    document = IssuedDocument.objects.get()
    assert AuditEvent.objects.filter(action="document_downloaded", actor=staff).count() == 1
    assert document.reference in response["Content-Disposition"]


def test_a_candidate_downloads_their_own_convocation_and_nobody_elses(
    client, candidate_entry, staff
):
    document = services.convocation_issue(entry=candidate_entry, actor=staff)
    url = reverse("documents:download", args=[document.reference])
    client.force_login(candidate_entry.enrolment.candidate)
    assert client.get(url).status_code == 200
    assert document.reference in client.get(reverse("documents:mine")).content.decode()
    for intruder in (
        UserFactory(roles=[Role.CANDIDAT]),
        UserFactory(roles=[Role.JURY]),
        UserFactory(roles=[Role.EVALUATEUR]),
        candidate_entry.enrolment.tutor,
    ):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert document.reference not in client.get(reverse("documents:mine")).content.decode()
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.JURY, Role.TUTEUR, Role.FORMATEUR])
def test_only_the_staff_see_a_session_page_or_issue_convocations(client, candidate_entry, role):
    client.force_login(UserFactory(roles=[role]))
    session_id, enrolment_id = candidate_entry.session_id, candidate_entry.enrolment_id
    assert client.get(reverse("documents:session", args=[session_id])).status_code == 403
    # Someone else's convocation does not exist for them (a candidate opens their own only).
    url = reverse("documents:convocation", args=[session_id, enrolment_id])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not IssuedDocument.objects.exists()


def test_rendering_a_pdf_leaves_pillows_truncated_image_check_alone(candidate_entry, staff):
    from PIL import ImageFile

    services.convocation_issue(entry=candidate_entry, actor=staff)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
