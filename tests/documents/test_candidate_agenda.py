"""The candidate's private calendar: a token address, revocable, with deadlines and convocations."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from documents.models import CalendarFeed
from tests.factories import DraftPortfolioFactory, MemoireFactory, StaffFactory
from workflow.models import JurySession

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


@pytest.fixture
def convoked(candidate_entry):
    JurySession.objects.filter(pk=candidate_entry.session_id).update(
        state=JurySession.State.COMPOSED
    )
    return candidate_entry


def feed_url(client, user) -> str:
    client.force_login(user)
    client.post(reverse("documents:agenda_renew"))
    return reverse("documents:agenda_feed", args=[CalendarFeed.objects.get(user=user).token])


def test_the_feed_lists_deadlines_as_dates_and_the_convocation_without_a_session(client, convoked):
    enrolment = convoked.enrolment
    DraftPortfolioFactory(enrolment=enrolment)
    MemoireFactory(enrolment=enrolment, state="draft")
    url = feed_url(client, enrolment.candidate)
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = unfold(response.content.decode())
    assert "SUMMARY:Date limite de dépôt du portefeuille du bloc 1" in lines
    assert "DTSTART;VALUE=DATE:20261230" in lines  # training ends 30/06/2026, + 6 months
    assert "SUMMARY:Date limite de dépôt du mémoire" in lines
    assert f"UID:convocation-{convoked.session_id}-{enrolment.pk}@preuves" in lines
    assert "DTSTART;VALUE=DATE:20261128" in lines
    assert "LOCATION:Salle Lumière\\, 32 quai Perrache\\, Lyon" in lines
    # The same events keep their UIDs from one reading to the next.
    again = unfold(client.get(url).content.decode())
    assert [x for x in lines if x.startswith("UID:")] == [x for x in again if x.startswith("UID:")]


def test_renewing_the_address_revokes_the_old_one(client, candidate_entry):
    candidate = candidate_entry.enrolment.candidate
    old = feed_url(client, candidate)
    # Without the dialog's confirmation nothing changes: the page asks first.
    asked = client.post(reverse("documents:agenda_renew"))
    assert asked.status_code == 200 and "Confirmer le remplacement" in asked.content.decode()
    assert client.get(old).status_code == 200
    client.post(reverse("documents:agenda_renew"), {"confirmed": "1"})
    new = reverse("documents:agenda_feed", args=[CalendarFeed.objects.get(user=candidate).token])
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.renew").count() == 1


def test_a_wrong_token_is_a_404(client, db):
    assert client.get(reverse("documents:agenda_feed", args=["nope"])).status_code == 404


def test_the_agenda_page_shows_the_absolute_address_to_its_candidate_only(client, candidate_entry):
    candidate = candidate_entry.enrolment.candidate
    feed_url(client, candidate)
    page = client.get(reverse("documents:agenda")).content.decode()
    token = CalendarFeed.objects.get(user=candidate).token
    assert f"http://testserver/documents/agenda/{token}.ics" in page
    client.force_login(StaffFactory())
    assert client.get(reverse("documents:agenda")).status_code == 403
    assert client.post(reverse("documents:agenda_renew")).status_code == 403
