"""Inviting every account without a password sends e-mails that cannot be recalled: the POST
is refused until confirmed, and answers with how many e-mails would leave."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation
from tests.centres.helpers import responsable
from tests.centres.test_views import _passwordless_candidate
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_inviting_everyone_is_confirmed_with_the_number_of_emails(
    client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    for _ in range(2):
        _passwordless_candidate(cohort)
    client.force_login(responsable())
    url = reverse("centres:invitations_send_all")
    data = {"establishment": cohort.establishment_id}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'a encore été fait" in body and 'name="confirmed" value="1"' in body
    assert "2 e-mail(s)" in body
    assert not mail.outbox and not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "confirmed": "1"}, follow=True)
    assert "2 invitations envoyées" in response.content.decode()
    assert len(mail.outbox) == 2
