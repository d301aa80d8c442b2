"""A national session: 5,000 candidates built in bulk, decided in at most 20 queries."""

import math

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.bulk import dataset_build
from workflow.jury import computed, results
from workflow.models import JurySession, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]

CANDIDATES = 5_000


@pytest.fixture
def national_session():
    dataset = dataset_build(candidates=CANDIDATES, establishments=1)
    return JurySession.objects.get(pk=dataset.session_id)


def test_a_five_thousand_candidate_session_is_decided_in_twenty_queries(national_session):
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as reading:
        files = results.candidate_files(national_session)
    assert len(files) == CANDIDATES
    assert len(reading) <= 20, [q["sql"][:120] for q in reading]
    decisions = [results.computed_decision(file) for file in files.values()]
    assert all(decision is not None for decision in decisions)

    with CaptureQueriesContext(connection) as storing:
        assert computed.session_results_refresh(national_session) == CANDIDATES
    # Locking the rows, the inputs, then the stored results in batches (of 500, or fewer when
    # the database takes fewer parameters per query: SQLite).
    entries = list(SessionCandidate.objects.filter(session=national_session)[:1])
    batch = min(
        500, connection.ops.bulk_batch_size(["pk", "pk", *computed.STORED_COLUMNS], entries)
    )
    assert len(storing) <= 2 + 20 + math.ceil(CANDIDATES / batch) + 2, len(storing)
    assert not SessionCandidate.objects.filter(session=national_session, stale=True).exists()
    assert not SessionCandidate.objects.filter(
        session=national_session, computed__isnull=True
    ).exists()
