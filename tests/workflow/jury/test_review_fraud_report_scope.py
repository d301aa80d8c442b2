"""Deliberation: a fraud report posted by id must be one of this session's candidates; another
session's report (another centre's candidate) or a malformed id is a 404, never its summary."""

from datetime import date

import pytest
from django.urls import reverse

from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    session_with_candidate,
)
from workflow.jury import fraud
from workflow.models import FraudReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def _report(actor, enrolment):
    return fraud.fraud_report_record(
        actor=actor,
        enrolment=enrolment,
        occurred_on=date(2027, 3, 15),
        facts="Téléphone",
        signature=FraudReport.Signature.COUNTERSIGNED,
    )


@pytest.mark.parametrize("action", ["fraud_confirm", "fraud_dismiss"])
def test_another_sessions_fraud_report_is_not_found_nor_named(client, action):
    session, members, _actor, _enrolment = session_with_candidate()
    _other, _m, other_actor, other_enrolment = session_with_candidate()
    report = _report(other_actor, other_enrolment)
    client.force_login(members["president"])
    url = reverse("jury:deliberation", args=[session.pk])
    response = client.post(url, {"action": action, "report": report.pk})
    assert response.status_code == 404
    assert other_enrolment.candidate.last_name not in response.content.decode()
    report.refresh_from_db()
    assert report.state == FraudReport.State.RECORDED


@pytest.mark.parametrize("value", ["abc", "", "1.5", "²", "9" * 5000])
def test_a_malformed_fraud_report_id_is_not_found(client, value):
    session, members, _actor, _enrolment = session_with_candidate()
    client.force_login(members["president"])
    url = reverse("jury:deliberation", args=[session.pk])
    for action in ("fraud_confirm", "fraud_dismiss"):
        response = client.post(url, {"action": action, "report": value})
        assert response.status_code == 404
