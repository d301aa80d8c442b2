"""The jury's president dismisses a fraud report: who may, when, what is kept, and the screen."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent, Notification
from portfolio.models import Portfolio
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    session_with_candidate,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import deliberation, fraud, results, sessions
from workflow.models import FraudReport, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]

REASON = "Le surveillant a confondu le candidat avec son voisin."


def _report(enrolment):
    return fraud.fraud_report_record(
        actor=staff(),
        enrolment=enrolment,
        occurred_on=date(2027, 3, 1),
        facts="Téléphone allumé pendant l'épreuve du bloc 2",
        signature="countersigned",
    )


def _dismiss(report, session, actor, reason=REASON):
    return fraud.fraud_report_dismiss(actor=actor, report=report, session=session, reason=reason)


def _state(report):
    return FraudReport.objects.get(pk=report.pk).state


# --- The service ---------------------------------------------------------------------------


def test_the_president_dismisses_the_report_and_the_audit_keeps_the_reason():
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    president = members["president"]
    dismissed = _dismiss(report, session, president)
    report.refresh_from_db()
    assert report.state == dismissed.state == FraudReport.State.DISMISSED
    assert report.session == session
    assert report.decided_by == president and report.decided_at is not None
    event = AuditEvent.objects.get(action="fraud_report.dismiss")
    assert event.actor == president and event.candidate == enrolment.candidate
    assert event.before == {"state": "recorded"}
    assert event.after == {"state": "dismissed"}
    assert event.reason == REASON


def test_a_dismissed_report_invalidates_nothing_and_the_decision_is_computed_as_usual():
    session, members, actor, enrolment = session_with_candidate()
    _dismiss(_report(enrolment), session, members["president"])
    assert Portfolio.State.INVALIDATED not in enrolment.portfolios.values_list("state", flat=True)
    assert enrolment.memoires.get().state != "invalidated"
    assert not Notification.objects.filter(template="fraud_confirmed").exists()
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.fraud is False
    assert results.computed_decision(file).outcome == "total"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_report_is_not_dismissed_without_a_reason(reason):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    with pytest.raises(WorkflowError) as refused:
        _dismiss(report, session, members["president"], reason=reason)
    assert refused.value.message == "Indiquez pourquoi la fraude n'est pas retenue."
    assert _state(report) == FraudReport.State.RECORDED


@pytest.mark.parametrize("who", ["pro1", "pro2", "cci", "staff", "other_president"])
def test_only_this_sessions_president_dismisses(who):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    user = {
        **members,
        "staff": actor,
        "other_president": seated_session()[1]["president"],
    }[who]
    with pytest.raises(WorkflowError) as refused:
        _dismiss(report, session, user)
    assert refused.value.message == "Le président du jury statue sur la fraude."
    assert _state(report) == FraudReport.State.RECORDED
    assert not AuditEvent.objects.filter(action="fraud_report.dismiss").exists()


def test_a_report_is_dismissed_only_during_the_deliberation():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    report = _report(enrolment)
    for advance in (None, lambda: sessions.jury_session_compose(actor=actor, session=session)):
        if advance:
            advance()
        with pytest.raises(WorkflowError, match="pendant la délibération"):
            _dismiss(report, session, members["president"])
    assert JurySession.objects.get(pk=session.pk).state == JurySession.State.COMPOSED
    assert _state(report) == FraudReport.State.RECORDED


def test_a_report_is_not_dismissed_once_the_deliberation_is_closed():
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    with pytest.raises(WorkflowError, match="pendant la délibération"):
        _dismiss(report, session, members["president"])
    assert _state(report) == FraudReport.State.RECORDED


def test_a_report_on_a_candidate_of_another_session_is_refused():
    session, members, actor, enrolment = session_with_candidate()
    report = _report(ready_enrolment())
    with pytest.raises(WorkflowError, match="n'est pas inscrit à cette session"):
        _dismiss(report, session, members["president"])
    assert _state(report) == FraudReport.State.RECORDED


def test_the_jury_rules_on_a_report_only_once():
    session, members, actor, enrolment = session_with_candidate()
    president = members["president"]
    dismissed, confirmed = _report(enrolment), _report(enrolment)
    _dismiss(dismissed, session, president)
    fraud.fraud_report_confirm(actor=president, report=confirmed, session=session)
    for report in (dismissed, confirmed):
        with pytest.raises(WorkflowError, match="déjà statué"):
            _dismiss(report, session, president)
    with pytest.raises(WorkflowError, match="déjà statué"):
        fraud.fraud_report_confirm(actor=president, report=dismissed, session=session)
    assert _state(dismissed) == FraudReport.State.DISMISSED
    assert _state(confirmed) == FraudReport.State.CONFIRMED


# --- The deliberation screen ------------------------------------------------------------------


def _post(client, user, session, report, **data):
    client.force_login(user)
    return client.post(
        reverse("jury:deliberation", args=[session.pk]),
        {"action": "fraud_dismiss", "report": report.pk, **data},
    )


def test_the_president_dismisses_a_report_on_the_deliberation_screen(client):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    client.force_login(members["president"])
    url = reverse("jury:deliberation", args=[session.pk])
    body = client.get(url).content.decode()
    assert f'name="report" value="{report.pk}"' in body and 'value="fraud_dismiss"' in body
    response = _post(client, members["president"], session, report, reason=REASON)
    assert response.status_code == 302 and response.url == url
    assert _state(report) == FraudReport.State.DISMISSED
    assert AuditEvent.objects.get(action="fraud_report.dismiss").reason == REASON
    body = client.get(url).content.decode()
    assert "Procès-verbal écarté." in body
    assert f'name="report" value="{report.pk}"' not in body


def test_without_a_reason_the_screen_says_why_and_keeps_the_report(client):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    response = _post(client, members["president"], session, report, reason="")
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "Indiquez pourquoi la fraude n&#x27;est pas retenue." in body
    assert _state(report) == FraudReport.State.RECORDED


@pytest.mark.parametrize("who", ["pro1", "cci", "staff"])
def test_only_the_president_may_post_a_dismissal(client, who):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    user = {**members, "staff": actor}[who]
    assert _post(client, user, session, report, reason=REASON).status_code == 403
    assert _state(report) == FraudReport.State.RECORDED


def test_a_president_of_another_session_may_not_post_a_dismissal(client):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    outsider = seated_session()[1]["president"]
    assert _post(client, outsider, session, report, reason=REASON).status_code == 403
    assert _state(report) == FraudReport.State.RECORDED


def test_an_unknown_report_is_not_found(client):
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    client.force_login(members["president"])
    response = client.post(
        reverse("jury:deliberation", args=[session.pk]),
        {"action": "fraud_dismiss", "report": report.pk + 1000, "reason": REASON},
    )
    assert response.status_code == 404
    assert _state(report) == FraudReport.State.RECORDED
