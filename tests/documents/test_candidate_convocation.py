"""A candidate opens their own convocation from « Mes documents » and from its e-mail; no one
else does (404)."""

from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import PARIS, ready_enrolment, seated_session
from workflow.jury import sessions, soutenances
from workflow.models import JurySession, SessionCandidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def convoked(candidate_entry):
    JurySession.objects.filter(pk=candidate_entry.session_id).update(
        state=JurySession.State.COMPOSED
    )
    candidate_entry.session.refresh_from_db()
    return candidate_entry


def url(entry) -> str:
    return reverse("documents:convocation", args=[entry.session_id, entry.enrolment_id])


def test_the_candidate_gets_their_own_convocation_then_downloads_it(client, convoked):
    client.force_login(convoked.enrolment.candidate)
    page = client.get(url(convoked))
    assert page.status_code == 200
    assert "Ce document n'a pas encore été établi." in page.content.decode()
    issued = client.post(url(convoked))
    assert issued.status_code == 302 and "/documents/piece/" in issued["Location"]
    download = client.get(url(convoked))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    mine = client.get(reverse("documents:mine")).content.decode()
    assert "Convocation" in mine and "CONV-" in mine


def test_mes_documents_lists_a_convocation_not_yet_issued_with_its_button(client, convoked):
    client.force_login(convoked.enrolment.candidate)
    mine = client.get(reverse("documents:mine")).content.decode()
    assert f'action="{url(convoked)}"' in mine
    assert "Obtenir" in mine


def test_a_planned_session_has_no_convocation_yet(client, candidate_entry):
    client.force_login(candidate_entry.enrolment.candidate)
    assert client.get(url(candidate_entry)).status_code == 404
    assert client.post(url(candidate_entry)).status_code == 404


def test_another_candidate_gets_404_for_the_convocation(client, convoked):
    other = EnrolmentFactory(cohort=convoked.enrolment.cohort)
    SessionCandidate.objects.create(session=convoked.session, enrolment=other)
    client.force_login(other.candidate)
    assert client.get(url(convoked)).status_code == 404
    assert client.post(url(convoked)).status_code == 404


def test_staff_of_another_centre_get_404(client, convoked):
    from tests.factories import STAFF_ROLES, EstablishmentFactory

    outsider = UserFactory(
        roles=STAFF_ROLES, roles__establishment=EstablishmentFactory(name="CCI Grenoble")
    )
    client.force_login(outsider)
    assert client.get(url(convoked)).status_code == 404


def test_the_convocation_email_links_to_it_and_carries_an_ics(
    settings, django_capture_on_commit_callbacks
):
    settings.PREUVES_SITE_URL = "https://preuves.exemple.fr"
    enrolment = ready_enrolment()
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=datetime(2027, 3, 15, 10, 30, tzinfo=PARIS),
        base_minutes=45,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sessions.jury_convocations_send(actor=actor, session=session)
    message = mail.outbox[-1]
    link = (
        f"https://preuves.exemple.fr/documents/sessions/{session.pk}/convocation/{enrolment.pk}.pdf"
    )
    assert link in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name == "convocation.ics" and mimetype == "text/calendar"
    assert "DTSTART;TZID=Europe/Paris:20270315T103000\r\n" in content
    assert f"UID:convocation-{session.pk}-{enrolment.pk}@preuves\r\n" in content
