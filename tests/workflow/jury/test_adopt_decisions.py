"""Adopting the computed decisions of every unflagged candidate without one, in one confirmed
action: flagged, decided and incomplete candidates untouched, stale results recomputed first,
one audit line each, a bounded number of queries whatever the session's size."""

import math
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from demo.bulk import dataset_build
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
)
from tests.workflow.jury.test_stored_results import deliberating_session, make_incomplete
from workflow.errors import WorkflowError
from workflow.jury import computed, confirmations, deliberation
from workflow.models import CCMark, JuryDecision, JurySession, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def session_of_five():
    """A deliberating session: two plain candidates, one decided by the jury, one near a
    threshold, one incomplete."""
    plain = [ready_enrolment(), ready_enrolment()]
    decided, near, incomplete = ready_enrolment(), ready_enrolment(), ready_enrolment()
    session, members, actor = deliberating_session([*plain, decided, near, incomplete])
    make_incomplete(incomplete)
    computed.session_results_refresh(session)
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=decided,
        outcome="partial",
        validated_blocs=["1", "2"],
        motive="Soutenance fragile",
    )
    computed.session_results_refresh(session)
    SessionCandidate.objects.filter(session=session, enrolment=near).update(near_threshold=True)
    return {
        "session": session,
        "president": members["president"],
        "plain": plain,
        "decided": decided,
        "near": near,
        "incomplete": incomplete,
    }


def test_only_the_unflagged_candidates_without_a_decision_get_the_computed_one(session_of_five):
    world = session_of_five
    session = world["session"]
    assert computed.adoptable_counts(session) == {"total": 2}
    count = deliberation.jury_decisions_adopt(
        actor=world["president"], session=session, expected={"total": 2}
    )
    assert count == 2
    decisions = {d.enrolment_id: d for d in JuryDecision.objects.filter(session=session)}
    assert set(decisions) == {e.pk for e in world["plain"]} | {world["decided"].pk}
    kept = decisions[world["decided"].pk]
    assert (kept.outcome, kept.validated_blocs, kept.override_motive) == (
        "partial",
        ["1", "2"],
        "Soutenance fragile",
    )
    for enrolment in world["plain"]:
        adopted = decisions[enrolment.pk]
        assert adopted.outcome == "total" and adopted.validated_blocs == ["1", "2", "3", "4"]
        assert not adopted.is_override and adopted.recorded_by == world["president"]
    events = AuditEvent.objects.filter(action="jury_decision.adopt")
    assert sorted(e.candidate_id for e in events) == sorted(e.candidate_id for e in world["plain"])
    assert all(e.after["outcome"] == "total" and e.actor == world["president"] for e in events)


def test_a_stale_result_is_recomputed_before_it_is_adopted(session_of_five):
    world = session_of_five
    session, first = world["session"], world["plain"][0]
    mark = CCMark.objects.filter(enrolment=first).first()
    mark.mark = Decimal(20)
    mark.save()
    assert SessionCandidate.objects.get(session=session, enrolment=first).stale
    deliberation.jury_decisions_adopt(
        actor=world["president"], session=session, expected={"total": 2}
    )
    adopted = JuryDecision.objects.get(session=session, enrolment=first)
    fresh = SessionCandidate.objects.get(session=session, enrolment=first)
    assert not fresh.stale
    assert adopted.computed["points_total"] == fresh.computed["points_total"]
    assert adopted.computed["inputs"]["cc_modules"] == fresh.computed["inputs"]["cc_modules"]


def test_counts_that_changed_since_the_confirmation_record_nothing(session_of_five):
    world = session_of_five
    session = world["session"]
    make_incomplete(world["plain"][0])  # stale, and incomplete once recomputed
    with pytest.raises(WorkflowError, match="ont changé depuis l'affichage"):
        deliberation.jury_decisions_adopt(
            actor=world["president"], session=session, expected={"total": 2}
        )
    assert JuryDecision.objects.filter(session=session).count() == 1
    assert not AuditEvent.objects.filter(action="jury_decision.adopt").exists()


def test_only_the_president_adopts_and_only_while_deliberating(session_of_five):
    world = session_of_five
    session = world["session"]
    member = session.members.exclude(user=world["president"]).first().user
    with pytest.raises(WorkflowError, match="président du jury"):
        deliberation.jury_decisions_adopt(actor=member, session=session)
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.CLOSED)
    with pytest.raises(WorkflowError):
        deliberation.jury_decisions_adopt(actor=world["president"], session=session)
    assert JuryDecision.objects.filter(session=session).count() == 1


def test_the_confirmation_says_how_many_and_which_outcomes_and_nothing_happens_without_it(
    client, session_of_five
):
    world = session_of_five
    session = world["session"]
    client.force_login(world["president"])
    url = reverse("jury:deliberation", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Adopter les décisions calculées (2 candidats)" in page
    assert 'name="expected" value="total:2"' in page
    response = client.post(url, {"action": "adopt", "expected": "total:2"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Adopter les décisions calculées ?" in body
    assert "2 candidat(s) sans décision" in body and "Certification totale (titre) : 2" in body
    assert 'name="confirmed" value="1"' in body
    assert JuryDecision.objects.filter(session=session).count() == 1
    response = client.post(url, {"action": "adopt", "expected": "total:2", "confirmed": "1"})
    assert response.status_code == 302
    assert JuryDecision.objects.filter(session=session).count() == 3
    page = client.get(url).content.decode()
    assert "2 décision(s) calculée(s) adoptée(s) par le jury." in page
    assert "Aucun candidat sans décision n'est sans signalement" in page


def test_a_member_who_is_not_president_may_not_adopt(client, session_of_five):
    world = session_of_five
    session = world["session"]
    member = session.members.exclude(user=world["president"]).first().user
    client.force_login(member)
    url = reverse("jury:deliberation", args=[session.pk])
    response = client.post(url, {"action": "adopt", "expected": "total:2", "confirmed": "1"})
    assert response.status_code == 403
    assert JuryDecision.objects.filter(session=session).count() == 1


def _adopt_queries(size: int) -> tuple[int, int]:
    """Return the queries adopting a ``size``-candidate session's decisions takes: those
    besides the inserts, and the inserts (in batches as large as the database takes)."""
    dataset = dataset_build(candidates=size, establishments=1, key=f"-{size}")
    session = JurySession.objects.get(pk=dataset.session_id)
    president = User.objects.get(pk=dataset.president_id)
    computed.session_results_refresh(session)
    _confirmation, counts = confirmations.adopt_confirmation(session)
    adopted = sum(counts.values())
    assert adopted > size // 3  # most of the session is adopted
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        count = deliberation.jury_decisions_adopt(actor=president, session=session, expected=counts)
    assert count == adopted
    assert AuditEvent.objects.filter(action="jury_decision.adopt").count() >= count
    inserts = [q for q in captured if q["sql"].startswith("INSERT")]
    # One insert per table on PostgreSQL; SQLite takes 999 parameters a query, so a few.
    for model, limit in ((JuryDecision, 2000), (AuditEvent, 500)):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        batch = min(limit, connection.ops.bulk_batch_size(fields, [None] * adopted) or limit)
        table = model._meta.db_table
        written = [q for q in inserts if f'INSERT INTO "{table}"' in q["sql"]]
        assert len(written) == math.ceil(adopted / batch), (table, len(written))
    return len(captured) - len(inserts), len(inserts)


@pytest.mark.usefixtures("local_storage")
def test_adopting_five_hundred_decisions_takes_as_many_queries_as_fifty():
    fifty, five_hundred = _adopt_queries(50), _adopt_queries(500)
    assert fifty[0] == five_hundred[0], (fifty, five_hundred)
    if connection.vendor == "postgresql":
        assert fifty == five_hundred
