"""The session page: a member id that is not a number is a 404, not a 500."""

import pytest
from django.urls import reverse

from tests.workflow.jury.helpers import fast_passwords, jury_timeline  # noqa: F401
from tests.workflow.jury.test_session_dates import composed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.mark.parametrize("value", ["abc", "", "1.5", "²", "9" * 5000])
def test_removing_a_member_with_a_malformed_id_is_not_found(client, value):
    session, _members, actor, _enrolment = composed_session()
    client.force_login(actor)
    url = reverse("jury:staff_session", args=[session.pk])
    response = client.post(url, {"action": "remove_member", "member": value})
    assert response.status_code == 404
