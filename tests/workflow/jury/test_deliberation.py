"""Deliberation: the engine's decision from the recorded marks, overrides, closing, results."""

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent, Notification
from portfolio.models import Portfolio
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import deliberation, results
from workflow.marks.assiduity import assiduity_decide
from workflow.marks.attendance import absence_record, unjustified_absence_pct
from workflow.models import JuryDecision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def _row(session):
    (row,) = results.session_rows(session)
    return row


def test_the_computed_decision_comes_from_the_recorded_marks():
    session, _members, _actor, enrolment = session_with_candidate()
    row = _row(session)
    snapshot = row.snapshot
    assert row.file.missing == []
    # Blocs at 60 % of 750, practice 80 + 45 + 50 = 175: 625 points, the title.
    assert snapshot["outcome"] == "total"
    assert Decimal(snapshot["points_total"]) == Decimal(625)
    assert snapshot["blocs"]["1"]["on_20_display"] == "12"
    assert Decimal(snapshot["practice"]["points"]) == Decimal(175)
    assert snapshot["validated_blocs"] == ["1", "2", "3", "4"]
    assert snapshot["tutor_penalty_pct"] == "0"
    assert any("Certification totale" in reason for reason in snapshot["reasons"])


def test_unjustified_absences_flow_into_the_tutor_penalty():
    enrolment = ready_enrolment()
    actor = staff()
    start = enrolment.cohort.training_start
    for day in range(4):  # 4 × 5.82 h = 23.28 h of 588 h: 3.95…% → 10 %
        absence_record(
            actor=actor,
            enrolment=enrolment,
            date=start.replace(day=day + 2),
            hours=Decimal("5.82"),
            justified=False,
        )
    absence_record(
        actor=actor,
        enrolment=enrolment,
        date=start.replace(day=10),
        hours=Decimal(7),
        justified=True,
        justification="medical",
    )
    assert unjustified_absence_pct(enrolment) > Decimal("2.5")
    session, _members, _actor, _ = session_with_candidate(enrolment)
    snapshot = _row(session).snapshot
    # Proposed, not applied until the pedagogical team agrees (RULES.md §3).
    assert snapshot["penalty_pending"] is True
    assert snapshot["tutor_penalty_pct"] == "0"
    assert any("en attente" in reason for reason in snapshot["reasons"])
    assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    snapshot = _row(session).snapshot
    assert snapshot["penalty_pending"] is False
    assert snapshot["tutor_penalty_pct"] == "10"
    assert Decimal(snapshot["practice"]["tutor_after_penalty"]) == Decimal(45)
    assert Decimal(snapshot["points_total"]) == Decimal(620)


def test_more_than_ten_percent_unjustified_refers_the_case_to_the_jury():
    enrolment = ready_enrolment()
    absence_record(
        actor=staff(),
        enrolment=enrolment,
        date=enrolment.cohort.training_start,
        hours=Decimal(24),
        justified=False,
    )
    for day in range(2, 5):
        absence_record(
            actor=staff(),
            enrolment=enrolment,
            date=enrolment.cohort.training_start.replace(day=day),
            hours=Decimal(24),
            justified=False,
        )
    assiduity_decide(actor=staff(), enrolment=enrolment, agree=True)
    session, members, _actor, _ = session_with_candidate(enrolment)
    snapshot = _row(session).snapshot
    assert snapshot["referred_to_jury"] is True
    assert snapshot["tutor_penalty_pct"] is None
    with pytest.raises(WorkflowError, match="renvoyé au jury"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
    with pytest.raises(WorkflowError, match="motif"):
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolment,
            outcome="total",
            validated_blocs=["1", "2", "3", "4"],
        )
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=enrolment,
        outcome="total",
        validated_blocs=["1", "2", "3", "4"],
        motive="Absences liées à un déménagement, règlement intérieur appliqué",
    )
    assert (
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        ).state
        == "closed"
    )


def test_an_eliminatory_bloc_is_shown_with_its_reason():
    enrolment = ready_enrolment()
    portfolio = enrolment.portfolios.get(bloc__number=2)
    Portfolio.objects.filter(pk=portfolio.pk).update(agreed_mark=Decimal("27.99"))
    session, _members, _actor, _ = session_with_candidate(enrolment)
    snapshot = _row(session).snapshot
    # 42 CC + 27.99 = 69.99/175, just under 8/20.
    assert snapshot["blocs"]["2"]["eliminatory"] is True
    assert snapshot["outcome"] == "partial"
    assert snapshot["validated_blocs"] == ["1", "3", "4"]
    assert any("Bloc 2 : 7,99/20, note éliminatoire" in r for r in snapshot["reasons"])


def test_a_missing_mark_is_listed_and_blocks_the_closing():
    session, members, _actor, enrolment = session_with_candidate()
    enrolment.cc_marks.filter(module__code="M3.1").delete()
    row = _row(session)
    assert row.snapshot is None
    assert any("Bloc 3 : contrôle continu incomplet" in m for m in row.file.missing)
    with pytest.raises(WorkflowError, match="Clôture impossible"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )


def test_the_jury_overrides_with_a_motive_and_both_decisions_are_kept():
    session, members, _actor, enrolment = session_with_candidate()
    with pytest.raises(WorkflowError, match="motif"):
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolment,
            outcome="partial",
            validated_blocs=["1", "2"],
        )
    with pytest.raises(WorkflowError, match="président"):
        deliberation.jury_decision_record(
            actor=members["pro1"],
            session=session,
            enrolment=enrolment,
            outcome="partial",
            validated_blocs=["1", "2"],
            motive="x",
        )
    with pytest.raises(WorkflowError, match="tous les blocs"):
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolment,
            outcome="total",
            validated_blocs=["1"],
            motive="x",
        )
    decision = deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=enrolment,
        outcome="partial",
        validated_blocs=["1", "2"],
        motive="Le jury souverain retient deux blocs",
    )
    assert decision.is_override
    assert decision.computed["outcome"] == "total"
    assert AuditEvent.objects.filter(action="jury_decision.override").count() == 1


def test_closing_freezes_every_result():
    session, members, _actor, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    decision = JuryDecision.objects.get(session=session, enrolment=enrolment)
    assert decision.outcome == "total" and not decision.is_override
    assert set(enrolment.portfolios.values_list("state", flat=True)) == {"decided"}
    assert enrolment.tutor_evaluations.get().state == "locked"
    # A mark changed afterwards no longer changes the frozen result.
    enrolment.cc_marks.update(mark=Decimal(0))
    assert results.session_rows(session)[0].snapshot["outcome"] == "total"
    with pytest.raises(WorkflowError):
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolment,
            outcome="none",
            validated_blocs=[],
            motive="trop tard",
        )


def test_marks_are_hidden_from_the_candidate_until_publication():
    session, members, actor, enrolment = session_with_candidate()
    assert not results.marks_disclosed(enrolment)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    assert not results.marks_disclosed(enrolment)
    assert list(results.published_decisions(enrolment)) == []
    deliberation.jury_results_publish(actor=actor, session=session)
    assert results.marks_disclosed(enrolment)
    assert results.published_decisions(enrolment).get().outcome == "total"


def test_results_are_notified_once_and_only_after_commit(django_capture_on_commit_callbacks):
    session, members, actor, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deliberation.jury_results_publish(actor=actor, session=session)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [enrolment.candidate.email]
    assert "résultats" in mail.outbox[0].subject.lower()
    assert Notification.objects.get(template="results_published").sent_at is not None


def test_nothing_is_notified_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    session, members, actor, _enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            from django.db import transaction

            with transaction.atomic():
                deliberation.jury_results_publish(actor=actor, session=session)
                raise RuntimeError("rollback")
    assert callbacks == []
    assert mail.outbox == []
    session.refresh_from_db()
    assert session.state == "closed"


def test_publication_deadline_warns_from_four_weeks_and_flags_overdue():
    session, members, _actor, _enrolment = session_with_candidate()
    last = session.last_exam_date
    early = results.publication_status(session, on=last + timezone.timedelta(days=10))
    assert not early["warning"] and not early["overdue"]
    assert early["deadline"] == last + timezone.timedelta(weeks=6)
    warned = results.publication_status(session, on=last + timezone.timedelta(weeks=4))
    assert warned["warning"] and not warned["overdue"]
    late = results.publication_status(session, on=last + timezone.timedelta(weeks=6, days=1))
    assert late["overdue"]
