"""The bulk dataset of the scale benchmark: every decision complete, the counts as announced."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Enrolment, User
from demo.bulk import dataset_build, dataset_close
from demo.bulk_network import EVALUATORS
from portfolio.models import EvidenceItem, Portfolio
from workflow.jury.results import session_rows
from workflow.models import CCMark, JuryDecision, JurySession, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def test_every_candidate_of_every_session_has_a_complete_decision():
    dataset = dataset_build(candidates=30)
    rows = [
        row for pk in dataset.session_ids for row in session_rows(JurySession.objects.get(pk=pk))
    ]
    assert len(rows) == 30
    assert [row.file.missing for row in rows if not row.file.complete] == []
    outcomes = {row.snapshot["outcome"] for row in rows}
    # The ten profiles give every kind of decision, and nothing is referred to the jury.
    assert outcomes == {"total", "partial", "none"}
    assert not any(row.snapshot["referred_to_jury"] for row in rows)


def test_the_counts_are_those_announced():
    dataset = dataset_build(candidates=30)
    enrolments = Enrolment.objects.all()
    assert enrolments.count() == 30 == dataset.counts["candidates"]
    assert enrolments.filter(route=Enrolment.Route.EPREUVES).count() == 6
    assert dataset.counts["cohorts"] == 2  # cohorts of 25
    assert Portfolio.objects.count() == 24 * 4 == dataset.counts["portfolios"]
    assert EvidenceItem.objects.count() == 24 * 10 == dataset.counts["evidence"]
    assert CCMark.objects.count() == 30 * 16
    assert User.objects.filter(user_roles__role="evaluateur").count() == EVALUATORS
    session = JurySession.objects.get(pk=dataset.session_id)
    assert session.state == JurySession.State.DELIBERATING
    assert session.members.count() == 4
    assert SessionCandidate.objects.count() == 30
    assert session.candidates.count() == 25  # cohort 1 in establishment 1, cohort 2 in the other
    assert set(session.candidates.values_list("enrolment__cohort__establishment", flat=True)) == {
        dataset.establishment_id
    }


def _reads_and_updates(context) -> int:
    return sum(1 for query in context if not query["sql"].startswith("INSERT"))


def test_the_build_reads_and_updates_in_as_many_queries_whatever_the_size():
    with CaptureQueriesContext(connection) as small:
        dataset_build(candidates=10)
    with CaptureQueriesContext(connection) as large:
        dataset_build(candidates=60, establishments=3, key=".b")
    # Only the inserts' batches grow with the rows (SQLite takes 999 parameters at most).
    assert _reads_and_updates(large) == _reads_and_updates(small)
    assert len(large) < 2 * len(small)


def test_closing_in_bulk_records_the_decisions_the_engine_computes():
    dataset = dataset_build(candidates=30)
    sessions = JurySession.objects.filter(pk__in=dataset.session_ids)
    computed = {
        row.enrolment.pk: row.snapshot for session in sessions for row in session_rows(session)
    }
    dataset_close(dataset)
    assert set(sessions.values_list("state", flat=True)) == {JurySession.State.CLOSED}
    recorded = {d.enrolment_id: d for d in JuryDecision.objects.all()}
    assert recorded.keys() == computed.keys()
    for pk, snapshot in computed.items():
        assert recorded[pk].computed == snapshot
        assert recorded[pk].outcome == snapshot["outcome"]
    assert not Portfolio.objects.filter(state=Portfolio.State.READY_FOR_JURY).exists()


def test_a_closed_dataset_is_built_in_one_call():
    dataset = dataset_build(candidates=12, closed=True)
    assert JuryDecision.objects.count() == 12
    assert JurySession.objects.get(pk=dataset.session_id).state == JurySession.State.CLOSED
