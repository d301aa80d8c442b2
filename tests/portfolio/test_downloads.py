"""Downloads: who may read a candidate's files, the headers, the audit trail."""

import datetime as dt
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
import samples
from django.urls import reverse

from audit.models import AuditEvent
from portfolio import access
from portfolio.services import memoire_upload
from tests.factories import (
    STAFF_ROLES,
    EnrolmentFactory,
    EstablishmentFactory,
    UserFactory,
    rncp_title,
)
from workflow.evaluation.access import evaluator_may_read
from workflow.jury.access import jury_may_read_file
from workflow.models import Assignment, JuryMember, JurySession, SessionCandidate


def download(client, user, item, **params):
    client.force_login(user)
    return client.get(reverse("portfolio:evidence_download", args=[item.pk]), params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def item(local_storage, portfolio, upload):
    return upload(portfolio, samples.pdf_minimal(), "procédure d'achat.pdf")


def assignment(portfolio, evaluator, *, accepted: bool) -> Assignment:
    staff = UserFactory(roles=STAFF_ROLES)
    record = Assignment.objects.create(
        portfolio=portfolio,
        evaluator=evaluator,
        assigned_by=staff,
        assigned_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        due_date=dt.date(2026, 11, 1),
    )
    if accepted:
        record.accept()
        record.save()
    return record


def jury_seat(user, enrolment) -> JurySession:
    session = JurySession.objects.create(
        title=rncp_title(),
        establishment=EstablishmentFactory(),
        date=dt.date(2027, 1, 20),
        place="Lyon",
    )
    JuryMember.objects.create(session=session, user=user, role=JuryMember.Role.PROFESSIONAL)
    if enrolment is not None:
        SessionCandidate.objects.create(session=session, enrolment=enrolment)
    return session


@pytest.mark.django_db
def test_the_candidate_downloads_their_file_as_an_attachment_and_it_is_audited(
    client, item, candidate
):
    response = download(client, candidate, item)

    assert response.status_code == 200
    assert body(response) == samples.pdf_minimal()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''proc%C3%A9dure" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Frame-Options"] == "DENY"
    event = AuditEvent.objects.get(action="evidence.download")
    assert (event.actor, event.object_id, event.candidate) == (candidate, str(item.pk), candidate)


@pytest.mark.django_db
def test_the_preview_is_inline_and_frameable_by_this_site_only(client, item, candidate):
    response = download(client, candidate, item, apercu="1")

    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Its own policy: no script, but the PDF viewer's plugin frame allowed (Chromium blocks a
    # PDF drawn under object-src 'none').
    parts = [part.split() for part in response["Content-Security-Policy"].split(";")]
    policy = {words[0]: words[1:] for words in parts if words}
    assert policy["script-src"] == ["'none'"] and policy["object-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


@pytest.mark.django_db
def test_a_document_that_cannot_be_previewed_is_always_an_attachment(
    client, local_storage, portfolio, upload, candidate
):
    docx = upload(portfolio, samples.docx(), "procédure.docx")

    response = download(client, candidate, docx, apercu="1")

    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "roles",
    [["responsable_evaluation"], ["responsable_certification"], ["administrateur"], ["auditeur"]],
)
def test_centre_staff_and_the_certifier_may_read(client, item, roles):
    establishment = item.portfolio.enrolment.cohort.establishment
    user = UserFactory(roles=roles, roles__establishment=establishment)
    assert download(client, user, item).status_code == 200


@pytest.mark.django_db
def test_an_evaluator_may_read_only_after_accepting_the_assignment(client, item):
    evaluator = UserFactory(roles=["evaluateur"])
    proposed = assignment(item.portfolio, evaluator, accepted=False)
    assert download(client, evaluator, item).status_code == 404

    proposed.accept()
    proposed.save()

    assert download(client, evaluator, item).status_code == 200


@pytest.mark.django_db
def test_a_jury_member_may_read_only_the_candidates_of_their_session(client, item):
    member = UserFactory(roles=["jury"])
    jury_seat(member, None)
    assert download(client, member, item).status_code == 404

    jury_seat(member, item.portfolio.enrolment)

    assert download(client, member, item).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["candidat", "formateur", "tuteur", "evaluateur", "jury"])
def test_everyone_else_gets_the_same_404_as_for_an_unknown_file(client, item, role):
    other = UserFactory(roles=[role])
    if role == "evaluateur":
        assignment(
            EnrolmentFactory().portfolios.create(bloc=item.portfolio.bloc), other, accepted=True
        )

    refused = download(client, other, item)
    client.force_login(other)
    unknown = client.get(reverse("portfolio:evidence_download", args=[item.pk + 1000]))

    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    assert not AuditEvent.objects.filter(action="evidence.download").exists()


@pytest.mark.django_db
def test_the_candidates_own_tutor_may_not_read(client, item):
    assert download(client, item.portfolio.enrolment.tutor, item).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client, item):
    response = client.get(reverse("portfolio:evidence_download", args=[item.pk]))

    assert response.status_code == 302 and "next=" in response["Location"]


# DJANGO_AWS_QUERYSTRING_EXPIRE unset: config/settings.py's default, 300 s; set: its value.
@pytest.mark.django_db
@pytest.mark.parametrize(("s3_querystring_expire", "expires"), [(None, "300"), ("120", "120")])
def test_on_s3_the_download_redirects_to_a_short_signed_url_with_the_headers(
    client, s3_storage, portfolio, upload, candidate, expires
):
    item = upload(portfolio, samples.pdf_minimal(), "rapport final.pdf")

    response = download(client, candidate, item, apercu="1")

    assert response.status_code == 302
    assert response["X-Content-Type-Options"] == "nosniff"
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["response-content-disposition"][0].startswith("inline;")
    assert query["response-content-type"] == ["application/pdf"]
    assert query["X-Amz-Expires"] == [expires]
    with urllib.request.urlopen(response["Location"]) as signed:
        assert signed.read() == samples.pdf_minimal()
        assert signed.headers["Content-Disposition"].startswith("inline;")
    assert AuditEvent.objects.filter(action="evidence.download").count() == 1


@pytest.mark.django_db
def test_the_thumbnail_is_served_to_the_entitled_only(client, local_storage, portfolio, upload):
    photo = upload(portfolio, samples.jpeg_with_gps(), "photo.jpg")
    url = reverse("portfolio:evidence_thumbnail", args=[photo.pk])

    client.force_login(portfolio.enrolment.candidate)
    mine = client.get(url)
    client.force_login(UserFactory(roles=["candidat"]))
    foreign = client.get(url)

    assert mine.status_code == 200 and mine["Content-Type"] in {"image/jpeg", "image/png"}
    assert mine["Content-Disposition"].startswith("inline;")
    assert foreign.status_code == 404


@pytest.mark.django_db
def test_the_memoire_is_read_by_its_candidate_and_not_by_another(
    client, local_storage, memoire, candidate
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    memoire_upload(
        memoire=memoire,
        actor=candidate,
        uploaded_file=SimpleUploadedFile("mémoire.pdf", samples.pdf_minimal()),
        subject="Sujet",
    )
    url = reverse("portfolio:memoire_download", args=[memoire.pk])

    client.force_login(candidate)
    mine = client.get(url)
    client.force_login(UserFactory(roles=["candidat"]))
    foreign = client.get(url)

    assert mine.status_code == 200 and body(mine) == samples.pdf_minimal()
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert foreign.status_code == 404
    assert AuditEvent.objects.filter(action="memoire.download").count() == 1


def test_the_workflow_registers_its_two_read_grants_at_start_up():
    assert access._read_grants == [evaluator_may_read, jury_may_read_file]


@pytest.mark.django_db
def test_without_the_workflow_grants_only_the_candidate_and_the_staff_read(
    client, item, monkeypatch
):
    evaluator = UserFactory(roles=["evaluateur"])
    assignment(item.portfolio, evaluator, accepted=True)
    member = UserFactory(roles=["jury"])
    jury_seat(member, item.portfolio.enrolment)
    monkeypatch.setattr(access, "_read_grants", [])

    assert download(client, evaluator, item).status_code == 404
    assert download(client, member, item).status_code == 404
    assert download(client, item.portfolio.enrolment.candidate, item).status_code == 200
    assert download(client, UserFactory(roles=STAFF_ROLES), item).status_code == 200

    access.read_grant_register(evaluator_may_read)
    access.read_grant_register(evaluator_may_read)  # registered once only
    assert access._read_grants == [evaluator_may_read]
    assert download(client, evaluator, item).status_code == 200
    assert download(client, member, item).status_code == 404


@pytest.mark.django_db
def test_a_pdf_stored_before_the_current_checks_is_never_shown_inline(client, item, candidate):
    type(item).objects.filter(pk=item.pk).update(checks_version=0)
    item.refresh_from_db()

    response = download(client, candidate, item, apercu="1")

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_an_uploaded_pdf_records_the_checks_it_passed(item):
    from portfolio.filetypes import CHECKS_VERSION

    assert item.checks_version == CHECKS_VERSION
