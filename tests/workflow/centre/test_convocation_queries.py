"""Convoking a sitting or a jury session costs the same queries for 3 candidates as for 40:
one insert for the convocations, one for the e-mails, one for the audit lines (a cohort of
hundreds is convoked in one confirmed action without a query per candidate)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent, Notification
from tests.factories import (
    AccommodationFactory,
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    MemoireFactory,
    SessionCandidateFactory,
    SoutenanceFactory,
)
from tests.workflow.centre.test_exam_day import LAST_DAY_TO_CONVOKE, at, candidate, scheduled
from tests.workflow.jury.helpers import PARIS, fast_passwords, seated_session, staff  # noqa: F401
from workflow.centre import sittings
from workflow.jury import agenda, sessions
from workflow.models import EpreuveConvocation, JurySession

pytestmark = pytest.mark.django_db

SIZES = (3, 40)


def sitting_send_queries(size: int) -> int:
    sitting = scheduled(CohortFactory())
    enrolments = [candidate(sitting.cohort) for _ in range(size)]
    for enrolment in enrolments[::3]:
        AccommodationFactory(enrolment=enrolment, kind="extra_time", details="")
    actor = staff()
    with at(LAST_DAY_TO_CONVOKE), CaptureQueriesContext(connection) as queries:
        assert sittings.sitting_convocations_send(actor=actor, sitting=sitting) == size
    assert EpreuveConvocation.objects.filter(sitting=sitting).count() == size
    assert (
        Notification.objects.filter(key__startswith=f"epreuve-convocation:{sitting.pk}:").count()
        == size
    )
    lines = AuditEvent.objects.filter(action="epreuve_convocation.send", object_id=str(sitting.pk))
    assert {line.candidate_id for line in lines} == {e.candidate_id for e in enrolments}
    extra = EpreuveConvocation.objects.filter(sitting=sitting, enrolment__in=enrolments[::3])
    assert {c.duration_minutes for c in extra} == {240}
    return len(queries)


def test_convoking_a_sitting_costs_the_same_queries_at_two_sizes():
    small, large = (sitting_send_queries(size) for size in SIZES)
    assert small == large, (small, large)


def jury_send_queries(size: int) -> int:
    session, _members, actor = seated_session(date=datetime(2027, 6, 30, tzinfo=PARIS).date())
    enrolments = [EnrolmentFactory() for _ in range(size)]
    for enrolment in enrolments:
        SessionCandidateFactory(session=session, enrolment=enrolment)
    for enrolment in enrolments[::2]:
        SoutenanceFactory(session=session, memoire=MemoireFactory(enrolment=enrolment))
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.COMPOSED)
    with (
        at(datetime(2027, 5, 1, 10, 0, tzinfo=PARIS)),
        CaptureQueriesContext(connection) as queries,
    ):
        assert sessions.jury_convocations_send(actor=actor, session=session) == size
    notifications = Notification.objects.filter(key__startswith=f"convocation:{session.pk}:")
    assert notifications.count() == size
    timed = [n for n in notifications if n.context["soutenance_time"]]
    assert len(timed) == len(enrolments[::2])
    lines = AuditEvent.objects.filter(action="convocation.send", object_id=str(session.pk))
    assert lines.count() == size
    with at(datetime(2027, 5, 1, 10, 0, tzinfo=PARIS)):
        assert sessions.jury_convocations_send(actor=actor, session=session) == 0
    assert lines.count() == size
    return len(queries)


def test_convoking_a_jury_session_costs_the_same_queries_at_two_sizes():
    small, large = (jury_send_queries(size) for size in SIZES)
    assert small == large, (small, large)


def test_a_jury_session_shows_who_was_not_convoked_in_time(client):
    # The jury sits on 30/06/2027: convocations go by 30/05/2027. Two candidates convoked on
    # time, a third added afterwards: after the last day, the page names one owed.
    establishment = EstablishmentFactory()
    session, _members, actor = seated_session(
        establishment=establishment, date=datetime(2027, 6, 30, tzinfo=PARIS).date()
    )
    for _ in range(2):
        SessionCandidateFactory(session=session, enrolment=EnrolmentFactory())
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.COMPOSED)
    session.refresh_from_db()
    with at(datetime(2027, 5, 30, 17, 0, tzinfo=PARIS)):
        assert sessions.jury_convocations_send(actor=actor, session=session) == 2
        SessionCandidateFactory(session=session, enrolment=EnrolmentFactory())
        on_time = agenda.session_convocation_status(session)
    assert (on_time.deadline, on_time.owed, on_time.late) == (date(2027, 5, 30), 1, False)
    reader = staff(establishment)
    with at(datetime(2027, 5, 31, 9, 0, tzinfo=PARIS)):
        late = agenda.session_convocation_status(session)
        client.force_login(reader)
        response = client.get(reverse("jury:staff_session", args=[session.pk]))
        page = response.content.decode()
    assert (late.owed, late.late) == (1, True)
    assert "Convocations au plus tard le 30 mai 2027" in page
    assert "1 non convoqué(s) à temps" in page
