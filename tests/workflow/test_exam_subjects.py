"""Confidential national subjects: the certifier uploads, the responsables of the evaluation
process read them from 0 h on the épreuve's day (Paris time), nobody else; all audited."""

from datetime import datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role, UserRole
from audit import clock
from audit.models import AuditEvent
from portfolio.filetypes import CHECKS_VERSION
from portfolio.models import ScanStatus
from referentiel.models import Epreuve
from tests.centres.helpers import auditor, other_establishment, responsable
from tests.factories import EnrolmentFactory, EstablishmentFactory, UserFactory
from tests.portfolio.samples import pdf_minimal
from workflow.errors import WorkflowError
from workflow.evaluation import subjects
from workflow.models import ExamSubject

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
STARTS = datetime(2027, 5, 12, 9, 0, tzinfo=PARIS)
EVE_LAST_MINUTE = datetime(2027, 5, 11, 23, 59, tzinfo=PARIS)
DAY_MIDNIGHT = datetime(2027, 5, 12, 0, 0, tzinfo=PARIS)
DAY_AFTER = datetime(2027, 5, 13, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def media(local_storage):
    return local_storage


@pytest.fixture
def at():
    """Move the application's clock: ``at(moment)`` (a week before the épreuve until then)."""
    moment = [datetime(2027, 5, 5, 10, 0, tzinfo=PARIS)]
    with mock.patch.object(clock, "now", lambda: moment[0]):
        yield lambda when: moment.__setitem__(0, when)


def certifier():
    return UserFactory(roles=[Role.ADMINISTRATEUR])


def evaluation_responsable(establishment=None):
    user = UserFactory()
    UserRole.objects.create(
        user=user,
        role=Role.RESPONSABLE_EVALUATION,
        establishment=establishment or EstablishmentFactory(),
    )
    return user


def certification_responsable():
    user = UserFactory()
    UserRole.objects.create(
        user=user, role=Role.RESPONSABLE_CERTIFICATION, establishment=EstablishmentFactory()
    )
    return user


def epreuve(code="B2-E2"):
    return Epreuve.objects.get(title__code="36390", code=code)


def upload(actor=None, *, name="sujet.pdf", part="subject", data=None):
    return subjects.subject_upload(
        actor=actor or certifier(),
        epreuve=epreuve(),
        part=part,
        starts_at=STARTS,
        uploaded_file=SimpleUploadedFile(name, data or pdf_minimal()),
    )


# --- Services -----------------------------------------------------------------------------


def test_the_certifier_uploads_a_subject_and_it_is_audited():
    subject = upload()
    assert (subject.version, subject.is_current, subject.kind) == (1, True, "pdf")
    assert subject.file.name.startswith("sujets/")
    event = AuditEvent.objects.get(action="subject.upload")
    assert event.after["epreuve"] == "B2-E2" and event.after["sha256"] == subject.sha256


def test_a_subject_is_stored_like_every_checked_file():
    subject = upload(name="Sujet B2 (national).pdf")
    assert subject.original_name == "Sujet B2 (national).pdf"
    assert subject.checks_version == CHECKS_VERSION
    assert subject.content_type == "application/pdf"
    assert subject.file.storage.exists(subject.file.name)


def test_a_row_that_cannot_be_written_leaves_no_stored_file(media):
    with mock.patch.object(subjects, "audit_record", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            upload()
    assert not ExamSubject.objects.exists()
    assert [path for path in Path(media.location).rglob("*") if path.is_file()] == []


def test_replacing_a_subject_adds_a_version_and_keeps_the_earlier_one():
    first = upload()
    second = upload(name="sujet-corrige.pdf", data=pdf_minimal(2))
    first.refresh_from_db()
    assert (first.is_current, second.version, second.is_current) == (False, 2, True)
    assert AuditEvent.objects.get(action="subject.replace").before["version"] == 1


@pytest.mark.parametrize(
    "who", [auditor, certification_responsable, evaluation_responsable, responsable]
)
def test_only_the_certifier_uploads(who):
    with pytest.raises(WorkflowError, match="Seul le certificateur"):
        upload(who())
    assert not ExamSubject.objects.exists()


def test_a_file_refused_by_the_checks_is_explained_and_nothing_is_kept():
    with pytest.raises(WorkflowError) as refused:
        upload(name="sujet.pdf", data=b"not a pdf at all")
    assert refused.value.field_errors["file"]
    assert not ExamSubject.objects.exists()


def test_release_is_midnight_paris_on_the_day_of_the_epreuve(at):
    subject = upload()
    assert subjects.release_at(subject) == DAY_MIDNIGHT
    reader = evaluation_responsable()
    at(EVE_LAST_MINUTE)
    assert not subjects.subject_may_read(reader, subject)
    assert list(subjects.subjects_released(reader)) == []
    at(DAY_MIDNIGHT)
    assert subjects.subject_may_read(reader, subject)
    assert list(subjects.subjects_released(reader)) == [subject]
    at(DAY_AFTER)
    assert subjects.subject_may_read(reader, subject)
    assert list(subjects.subjects_released(reader)) == [subject]


def test_a_replaced_version_is_no_longer_given_to_the_responsables(at):
    first = upload()
    second = upload(data=pdf_minimal(2))
    at(DAY_MIDNIGHT)
    reader = evaluation_responsable()
    first.refresh_from_db()
    assert not subjects.subject_may_read(reader, first)
    assert list(subjects.subjects_released(reader)) == [second]


# --- Screens ------------------------------------------------------------------------------


def download(client, subject):
    return client.get(reverse("workflow:subject-download", args=[subject.pk]))


def test_the_download_edges_through_the_screen_with_every_access_audited(client, at):
    subject = upload()
    reader = evaluation_responsable()
    at(EVE_LAST_MINUTE)
    client.force_login(reader)  # after each move of the clock: sessions expire when idle
    assert download(client, subject).status_code == 403
    assert (
        client.get(reverse("workflow:subjects-available")).content.decode().count("Télécharger")
        == 0
    )
    at(DAY_MIDNIGHT)
    page = client.get(reverse("workflow:subjects-available")).content.decode()
    assert "Télécharger sujet.pdf" in page
    response = download(client, subject)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    at(DAY_AFTER)
    client.force_login(reader)
    assert download(client, subject).status_code == 200
    actions = list(
        AuditEvent.objects.filter(actor=reader).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["subject.refused", "subject.download", "subject.download"]


def test_a_subject_found_infected_later_is_refused_with_the_french_page_and_no_download_line(
    client, at
):
    subject = upload()
    ExamSubject.objects.filter(pk=subject.pk).update(scan_status=ScanStatus.INFECTED)
    reader = evaluation_responsable()
    at(DAY_MIDNIGHT)
    client.force_login(reader)
    response = download(client, subject)
    assert response.status_code == 403
    assert "antivirus" in response.content.decode()
    assert not AuditEvent.objects.filter(action="subject.download").exists()


def other_staff(enrolment):
    return UserFactory(
        roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=enrolment.cohort.establishment
    )


@pytest.mark.parametrize(
    "who", ["candidate", "tutor", "evaluator", "trainer", "auditor", "certification", "jury"]
)
def test_nobody_else_reads_a_subject_even_on_the_day(client, at, who):
    subject = upload()
    enrolment = EnrolmentFactory()
    user = {
        "candidate": lambda: enrolment.candidate,
        "tutor": lambda: enrolment.tutor,
        "evaluator": lambda: UserFactory(roles=[Role.EVALUATEUR]),
        "trainer": lambda: UserFactory(roles=[Role.FORMATEUR]),
        "auditor": auditor,
        "certification": lambda: other_staff(enrolment),
        "jury": lambda: UserFactory(roles=[Role.JURY]),
    }[who]()
    at(DAY_AFTER)
    client.force_login(user)
    assert download(client, subject).status_code == 403
    assert client.get(reverse("workflow:subjects-available")).status_code == 403
    assert client.get(reverse("workflow:subjects-manage")).status_code == 403
    assert AuditEvent.objects.filter(actor=user, action="subject.refused").count() == 1


def test_every_centres_responsable_gets_it_on_the_day_and_none_before(client, at):
    subject = upload()
    at(EVE_LAST_MINUTE)
    for establishment in (EstablishmentFactory(), other_establishment()):
        client.force_login(evaluation_responsable(establishment))
        assert download(client, subject).status_code == 403


def test_the_certifier_uploads_lists_and_replaces_through_the_screen(client):
    client.force_login(certifier())
    url = reverse("workflow:subjects-manage")
    response = client.post(
        url,
        {
            "epreuve": epreuve().pk,
            "part": "grid",
            "starts_at": "2027-05-12T09:00",
            "file": SimpleUploadedFile("grille.pdf", pdf_minimal()),
        },
    )
    assert response.status_code == 302
    subject = ExamSubject.objects.get()
    assert subject.starts_at == STARTS and subject.part == "grid"
    page = client.get(url).content.decode()
    assert "grille.pdf" in page and "en vigueur" in page
    response = client.post(
        reverse("workflow:subject-replace", args=[subject.pk]),
        {"file": SimpleUploadedFile("grille-v2.pdf", pdf_minimal(2))},
    )
    assert response.status_code == 302
    assert ExamSubject.objects.get(is_current=True).version == 2


def test_a_bad_upload_gets_a_french_message_on_its_field(client):
    client.force_login(certifier())
    response = client.post(
        reverse("workflow:subjects-manage"),
        {
            "epreuve": epreuve().pk,
            "part": "subject",
            "starts_at": "12/05/2027",
            "file": SimpleUploadedFile("sujet.pdf", b"nothing"),
        },
    )
    assert response.status_code == 200
    assert "Saisissez une date et une heure valides" in response.content.decode()
    assert not ExamSubject.objects.exists()


def test_the_lists_cost_the_same_queries_at_two_sizes(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ExamSubjectFactory

    admin = certifier()
    client.force_login(admin)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for url in (reverse("workflow:subjects-manage"), reverse("workflow:subjects-available")):
        ExamSubjectFactory.create_batch(2, is_current=False)
        count(url)
        small = count(url)
        ExamSubjectFactory.create_batch(20, is_current=False)
        assert count(url) == small
