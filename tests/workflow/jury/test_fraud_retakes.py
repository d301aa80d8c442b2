"""Fraud, retakes and accommodations."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit import clock
from audit.models import Notification
from portfolio.models import Portfolio
from tests.factories import DraftPortfolioFactory, JurySessionFactory, JuryUserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import accommodations, deliberation, fraud, results, retakes, sessions
from workflow.jury.access import accommodations_may_read
from workflow.models import Accommodation, FraudReport, JuryDecision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def _report(enrolment, signature="countersigned"):
    return fraud.fraud_report_record(
        actor=staff(),
        enrolment=enrolment,
        occurred_on=date(2027, 3, 1),
        facts="Documents non autorisés pendant l'épreuve du bloc 3",
        signature=signature,
    )


def test_a_fraud_report_needs_staff_facts_and_the_signature_status():
    session, members, actor, enrolment = session_with_candidate()
    with pytest.raises(WorkflowError, match="responsable du processus d.évaluation"):
        fraud.fraud_report_record(
            actor=members["president"],
            enrolment=enrolment,
            occurred_on=date(2027, 3, 1),
            facts="x",
            signature="refused",
        )
    with pytest.raises(WorkflowError, match="contresigné"):
        _report(enrolment, signature="")
    assert _report(enrolment, signature="refused").state == FraudReport.State.RECORDED


def test_confirmed_fraud_invalidates_the_session_and_keeps_no_bloc():
    session, members, actor, enrolment = session_with_candidate()
    report = _report(enrolment)
    with pytest.raises(WorkflowError, match="président"):
        fraud.fraud_report_confirm(actor=members["pro1"], report=report, session=session)
    fraud.fraud_report_confirm(actor=members["president"], report=report, session=session)
    assert set(enrolment.portfolios.values_list("state", flat=True)) == {"invalidated"}
    assert enrolment.memoires.get().state == "invalidated"
    (row,) = results.session_rows(session)
    assert row.snapshot["outcome"] == "none"
    assert row.snapshot["validated_blocs"] == []
    with pytest.raises(WorkflowError, match="fraude est établie"):
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolment,
            outcome="partial",
            validated_blocs=["1"],
            motive="clémence",
        )
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    assert JuryDecision.objects.get(enrolment=enrolment).fraud is True
    assert Notification.objects.filter(template="fraud_confirmed").count() == 1


def test_after_fraud_a_retake_waits_six_months(monkeypatch):
    session, members, actor, enrolment = session_with_candidate()
    fraud.fraud_report_confirm(
        actor=members["president"], report=_report(enrolment), session=session
    )
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    bloc = enrolment.cohort.title.blocs.get(number=1)
    refused = retakes.bloc_retake_eligibility(
        enrolment=enrolment, bloc=bloc, evaluation_date=date(2028, 3, 1), on=date(2027, 9, 14)
    )
    assert not refused and "6 mois" in refused.reason
    allowed = retakes.bloc_retake_eligibility(
        enrolment=enrolment, bloc=bloc, evaluation_date=date(2028, 3, 1), on=date(2027, 9, 15)
    )
    assert allowed


def _partial(monkeypatch):
    """Return a closed session where bloc 2 was not validated."""
    enrolment = ready_enrolment()
    Portfolio.objects.filter(enrolment=enrolment, bloc__number=2).update(agreed_mark=Decimal(10))
    session, members, actor, _ = session_with_candidate(enrolment)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    decision = JuryDecision.objects.get(enrolment=enrolment)
    assert decision.validated_blocs == ["1", "3", "4"]
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(datetime(2027, 6, 1, 12, 0)))
    return enrolment, session, actor


def test_a_non_validated_bloc_is_retaken_once_as_a_new_attempt(monkeypatch):
    enrolment, _session, actor = _partial(monkeypatch)
    bloc2 = enrolment.cohort.title.blocs.get(number=2)
    registration = retakes.bloc_retake_register(
        actor=actor, enrolment=enrolment, bloc=bloc2, evaluation_date=date(2027, 12, 1)
    )
    assert registration.attempt == 2
    new = Portfolio.objects.get(enrolment=enrolment, bloc=bloc2, attempt=2)
    assert new.state == "draft"
    with pytest.raises(WorkflowError, match="un seul rattrapage"):
        retakes.bloc_retake_register(
            actor=actor, enrolment=enrolment, bloc=bloc2, evaluation_date=date(2027, 12, 1)
        )


def test_a_bloc_the_candidate_is_not_enrolled_for_is_not_retaken(monkeypatch):
    enrolment, _session, actor = _partial(monkeypatch)
    blocs = enrolment.cohort.title.blocs
    # Enrolled, after the decision, for blocs 1, 3 and 4 only (the title bloc by bloc).
    enrolment.blocs.set([blocs.get(number=n) for n in (1, 3, 4)])
    with pytest.raises(WorkflowError, match="n'est pas inscrit au bloc 2"):
        retakes.bloc_retake_register(
            actor=actor,
            enrolment=enrolment,
            bloc=blocs.get(number=2),
            evaluation_date=date(2027, 12, 1),
        )
    assert not Portfolio.objects.filter(enrolment=enrolment, attempt=2).exists()


def test_a_validated_bloc_is_never_retaken(monkeypatch):
    enrolment, _session, actor = _partial(monkeypatch)
    with pytest.raises(WorkflowError, match="validé"):
        retakes.bloc_retake_register(
            actor=actor,
            enrolment=enrolment,
            bloc=enrolment.cohort.title.blocs.get(number=1),
            evaluation_date=date(2027, 12, 1),
        )


def test_retake_registration_closes_four_months_before_the_evaluation(monkeypatch):
    enrolment, _session, actor = _partial(monkeypatch)
    with pytest.raises(WorkflowError, match="4 mois avant"):
        retakes.bloc_retake_register(
            actor=actor,
            enrolment=enrolment,
            bloc=enrolment.cohort.title.blocs.get(number=2),
            evaluation_date=date(2027, 9, 30),
        )


def test_the_retake_keeps_the_tutor_mark_and_carries_validated_blocs(monkeypatch):
    enrolment, first_session, actor = _partial(monkeypatch)
    bloc2 = enrolment.cohort.title.blocs.get(number=2)
    retakes.bloc_retake_register(
        actor=actor, enrolment=enrolment, bloc=bloc2, evaluation_date=date(2027, 12, 1)
    )
    Portfolio.objects.filter(enrolment=enrolment, bloc=bloc2, attempt=2).delete()
    DraftPortfolioFactory(
        enrolment=enrolment, bloc=bloc2, attempt=2, state="ready_for_jury", agreed_mark=80
    )
    session = JurySessionFactory(date=date(2027, 12, 15), last_exam_date=date(2027, 12, 1))
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.carried == ("1", "3", "4")
    assert file.inputs["practice"]["tutor"] == "50.00"
    decision = results.computed_decision(file)
    assert results.final_validated_blocs(decision, file) == ["1", "2", "3", "4"]


# --- Accommodations ------------------------------------------------------------------------


def test_accommodations_are_recorded_by_staff_and_read_by_staff_and_president_only():
    session, members, actor, enrolment = session_with_candidate()
    with pytest.raises(WorkflowError, match="responsable du processus d.évaluation"):
        accommodations.accommodation_record(
            actor=members["president"], enrolment=enrolment, kind="extra_time"
        )
    accommodations.accommodation_record(
        actor=actor, enrolment=enrolment, kind="secretary", details="Lecture des consignes"
    )
    assert accommodations.accommodations_text(enrolment) == [
        "Secrétaire (lecture, écriture sous dictée) : Lecture des consignes"
    ]
    assert accommodations_may_read(actor, enrolment)
    assert accommodations_may_read(members["president"], enrolment)
    for other in (members["pro1"], members["cci"], enrolment.candidate, JuryUserFactory()):
        assert not accommodations_may_read(other, enrolment)


def test_the_convocation_states_the_accommodations():
    enrolment = ready_enrolment()
    actor = staff()
    accommodations.accommodation_record(actor=actor, enrolment=enrolment, kind="interpreter")
    from tests.workflow.jury.helpers import seated_session

    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    sessions.jury_convocations_send(actor=actor, session=session)
    notification = Notification.objects.get(template="convocation")
    assert notification.context["accommodations"] == ["Interprète"]


def test_the_portfolio_window_is_extended_for_an_accommodation_with_that_reason():
    enrolment = ready_enrolment(training_end=None)  # the cohort's: 30/06/2026
    actor = staff()
    accommodation = accommodations.accommodation_record(
        actor=actor, enrolment=enrolment, kind=Accommodation.Kind.EXTRA_TIME
    )
    portfolio = DraftPortfolioFactory(
        enrolment=enrolment, bloc=enrolment.cohort.title.blocs.get(number=1), attempt=3
    )
    with pytest.raises(WorkflowError, match="période normale"):
        accommodations.portfolio_window_extend(
            actor=actor, portfolio=portfolio, until=date(2026, 11, 1), accommodation=accommodation
        )
    portfolio = accommodations.portfolio_window_extend(
        actor=actor, portfolio=portfolio, until=date(2027, 2, 28), accommodation=accommodation
    )
    assert portfolio.window_extended_until == date(2027, 2, 28)
    assert portfolio.extension_reason.startswith("Aménagement pour handicap : Tiers-temps")
