"""Adopting the computed decisions records them only against the counts the president was
shown: a confirmed POST without them, or with unreadable ones, records nothing."""

from html import unescape

import pytest
from django.urls import reverse

from tests.workflow.jury.helpers import fast_passwords, jury_timeline  # noqa: F401
from tests.workflow.jury.test_adopt_decisions import session_of_five  # noqa: F401
from workflow.models import JuryDecision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.mark.parametrize(
    "expected", [None, "", "total:deux", "total", "total:²", "total:" + "9" * 5000]
)
def test_a_confirmed_adoption_without_readable_counts_records_nothing(
    client,
    session_of_five,  # noqa: F811
    expected,
):
    session = session_of_five["session"]
    client.force_login(session_of_five["president"])
    url = reverse("jury:deliberation", args=[session.pk])
    data = {"action": "adopt", "confirmed": "1"}
    if expected is not None:
        data["expected"] = expected
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert JuryDecision.objects.filter(session=session).count() == 1
    assert "rien n'a été enregistré" in unescape(response.content.decode())
