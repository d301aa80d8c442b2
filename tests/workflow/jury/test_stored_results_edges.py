"""The deliberation screen's stored results at their edges: a closing elsewhere, a frozen
session's filters, a référentiel edit, every jury member following the jobs, a closing job run
twice at once, the audit chain after a bulk closing, outsiders.

Each test checks that the stored result (or the screen's list built from it) agrees with what
the decision's inputs say at that moment (an independent review wrote them failing first).
"""

from datetime import date
from decimal import Decimal

import pytest

from portfolio.models import Portfolio
from rules import engine
from tests.factories import JurySessionFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
)
from tests.workflow.jury.test_stored_results import deliberating_session
from workflow.jury import computed, deliberation, results
from workflow.models import CCMark, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def test_closing_a_session_marks_stale_the_later_session_that_carries_its_blocs():
    """Session A validates blocs 1, 3, 4; session B (later, open) must carry them once A is
    closed. B's stored result was computed before A closed and nothing marks it stale."""
    enrolment = ready_enrolment()
    Portfolio.objects.filter(enrolment=enrolment, bloc__number=2).update(agreed_mark=Decimal(10))
    first, members, _actor, _ = session_with_candidate(enrolment)
    later = JurySessionFactory(date=date(2027, 12, 15), last_exam_date=date(2027, 12, 1))
    SessionCandidate.objects.create(session=later, enrolment=enrolment)
    computed.session_results_refresh(later)

    deliberation.jury_deliberation_close(actor=members["president"], session=first, confirm=True)
    computed.session_results_refresh(later)  # what the deliberation screen does first

    live = results.candidate_file(enrolment=enrolment, session=later)
    assert live.carried == ("1", "3", "4")
    expected = results.decision_snapshot(results.computed_decision(live), live)
    stored = SessionCandidate.objects.get(session=later, enrolment=enrolment)
    # Before A closed, B's file lacked a soutenance (incomplete); now its practice and blocs
    # 1, 3, 4 come from A's decision: the screen still shows it incomplete.
    assert (stored.computed_outcome, stored.missing) == (expected["outcome"], [])


def test_a_closed_sessions_incomplete_filter_lists_no_candidate_with_a_decision():
    """A decision recorded while the stored result was stale (never refreshed afterwards) keeps
    the stale result after closing: the frozen session lists the decided candidate as
    incomplete."""
    enrolment = ready_enrolment()
    session, members, _actor = deliberating_session([enrolment])
    mark = CCMark.objects.filter(enrolment=enrolment).first()
    mark.delete()
    computed.session_results_refresh(session)  # the screen shows the file as incomplete
    mark.pk = None
    mark.save()  # the trainer enters the missing mark
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=enrolment,
        outcome=results.computed_decision(
            results.candidate_file(enrolment=enrolment, session=session)
        ).outcome,
        validated_blocs=["1", "2", "3", "4"],
        motive="Décision du jury",
    )
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)

    listed = computed.deliberation_entries(session, show="incomplete")
    assert [e.enrolment_id for e in listed] == []


def test_a_referentiel_change_marks_the_stored_results_stale():
    """The bloc's validation threshold is an input of the decision (title_rules); an admin edit
    of the bloc leaves every stored result fresh."""
    enrolment = ready_enrolment()
    session, _members, _actor = deliberating_session([enrolment])
    computed.session_results_refresh(session)
    bloc = enrolment.cohort.title.blocs.get(number=1)
    bloc.validation_on_20 = Decimal(19)
    bloc.save()
    assert SessionCandidate.objects.get(session=session, enrolment=enrolment).stale
    # A module's CC points and the title's numbers are inputs too.
    for instance in (bloc.modules.filter(cc_points__gt=0).first(), enrolment.cohort.title):
        computed.session_results_refresh(session)
        assert not SessionCandidate.objects.get(session=session, enrolment=enrolment).stale
        instance.save()
        assert SessionCandidate.objects.get(session=session, enrolment=enrolment).stale


def test_every_jury_member_shown_the_refresh_job_may_follow_it(monkeypatch):
    """The deliberation screen of a big session shows the refresh job's progress to whoever
    views it, but the job belongs to the first viewer: the president, shown the progress bar,
    polls its status and gets a 404."""
    from django.test import Client
    from django.urls import reverse

    from jobs.models import Job
    from workflow.jury import closing

    monkeypatch.setattr(closing, "INLINE_REFRESH_LIMIT", 0)
    enrolment = ready_enrolment()
    session, members, _actor = deliberating_session([enrolment])
    # A member opened the screen first: the refresh job is theirs, still running.
    job = Job.objects.create(
        kind=closing.RESULTS_REFRESH,
        key=closing.results_refresh_key(session.pk),
        establishment=session.establishment,
        requested_by=members["pro1"],
        params={"session": session.pk},
    )
    client = Client()
    client.force_login(members["president"])
    page = client.get(reverse("jury:deliberation", args=[session.pk]))
    assert page.context["refresh_job"] == job
    status = reverse("jobs:status", args=[job.pk])
    assert status in page.content.decode()
    assert client.get(status).status_code == 200


def test_the_audit_chain_holds_after_a_bulk_closing():
    """Closing writes decisions, portfolio transitions and tutor locks through
    ``audit_record_many``: the chain must verify afterwards (``verify_audit``)."""
    from django.core.management import call_command

    enrolments = [ready_enrolment(exam_ratio=Decimal("0.6")) for _ in range(3)]
    session, members, _actor = deliberating_session(enrolments)
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=enrolments[0],
        outcome="none",
        validated_blocs=[],
        motive="Dossier à revoir",
    )
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    call_command("verify_audit")  # raises CommandError on a broken chain


def test_outsiders_reach_neither_the_deliberation_nor_its_jobs():
    from django.test import Client
    from django.urls import reverse

    from jobs.models import Job
    from tests.factories import EstablishmentFactory, JuryUserFactory
    from tests.workflow.jury.helpers import staff
    from workflow.jury import closing

    enrolment = ready_enrolment()
    session, members, _actor = deliberating_session([enrolment])
    job = Job.objects.create(
        kind=closing.DELIBERATION_CLOSE,
        key=closing.deliberation_close_key(session.pk),
        establishment=session.establishment,
        requested_by=members["president"],
        params={"session": session.pk},
    )
    other = EstablishmentFactory(name="Autre école")
    page = reverse("jury:deliberation", args=[session.pk])
    status = reverse("jobs:status", args=[job.pk])
    for outsider, page_code in ((staff(other), 404), (JuryUserFactory(), 403)):
        client = Client()
        client.force_login(outsider)
        assert client.get(page).status_code == page_code
        assert client.post(page, {"action": "close", "confirmed": "1"}).status_code == page_code
        assert client.get(status).status_code == 404
    assert session.decisions.count() == 0


def test_a_closed_sessions_page_takes_the_same_queries_whatever_its_size():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    counts = []
    for size in (3, 9):
        enrolments = [ready_enrolment(exam_ratio=Decimal("0.6")) for _ in range(size)]
        session, members, _actor = deliberating_session(enrolments)
        deliberation.jury_decision_record(
            actor=members["president"],
            session=session,
            enrolment=enrolments[0],
            outcome="none",
            validated_blocs=[],
            motive="Dossier à revoir",
        )
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
        client = Client()
        client.force_login(members["president"])
        url = reverse("jury:deliberation", args=[session.pk])
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"sort": "-points"}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks; SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("referentiel_reloaded")
def test_a_closing_job_run_twice_at_once_reports_the_closing_done():
    """Two runs of the same closing job (a worker starting ``jobs_resume`` while the first
    run's one long transaction has not beaten the heartbeat for 10 minutes): the second reads
    the state unlocked, waits on the session lock, then fails on "La session est « close »"
    and the job is marked failed although the deliberation was closed."""
    from jobs.models import Job
    from jobs.registry import JobFailed
    from jobs.services import Progress
    from tests.races import run_together
    from workflow.jury import closing

    enrolments = [ready_enrolment(exam_ratio=Decimal("0.6")) for _ in range(3)]
    session, members, _actor = deliberating_session(enrolments)
    job = Job.objects.create(
        kind=closing.DELIBERATION_CLOSE,
        key=closing.deliberation_close_key(session.pk),
        establishment=session.establishment,
        requested_by=members["president"],
        params={"session": session.pk},
    )
    outcome = run_together(
        [lambda: closing.deliberation_close_run(job, Progress(job)) for _ in range(2)]
    )
    assert session.decisions.count() == 3
    assert not any(isinstance(result, JobFailed) for result in outcome), outcome


def test_a_closed_sessions_near_filter_follows_the_frozen_decision():
    """Closing stores the frozen snapshot of every undecided candidate but keeps the old
    ``near_threshold`` column: a candidate whose marks moved away from the threshold before
    closing stays listed as "near" in the frozen session."""
    enrolment = ready_enrolment(exam_ratio=Decimal("0.45"))
    session, members, _actor = deliberating_session([enrolment])
    computed.session_results_refresh(session)
    assert [e.enrolment_id for e in computed.deliberation_entries(session, show="near")] == [
        enrolment.pk
    ]
    for portfolio in Portfolio.objects.filter(enrolment=enrolment, is_active=True):
        portfolio.agreed_mark = Decimal(portfolio.bloc.exam_points)
        portfolio.save()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    entry = SessionCandidate.objects.get(session=session, enrolment=enrolment)
    frozen = session.decisions.get(enrolment=enrolment).computed
    assert entry.computed == frozen
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert not engine.near_threshold(results.computed_decision(file), file.rules)
    assert list(computed.deliberation_entries(session, show="near")) == []


def test_viewing_a_closed_session_starts_no_refresh_job(monkeypatch):
    """Rows left stale at closing stay stale forever (no refresh of a decided session): past the
    inline limit every view of the closed session starts a refresh job that does nothing."""
    from django.test import Client
    from django.urls import reverse

    from jobs.models import Job
    from workflow.jury import closing

    monkeypatch.setattr(closing, "INLINE_REFRESH_LIMIT", 0)
    enrolment = ready_enrolment()
    session, members, _actor = deliberating_session([enrolment])
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=enrolment,
        outcome="none",
        validated_blocs=[],
        motive="Dossier à revoir",
    )  # marks the row stale; nobody views the screen before closing
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    client = Client()
    client.force_login(members["president"])
    assert client.get(reverse("jury:deliberation", args=[session.pk])).status_code == 200
    assert not Job.objects.filter(kind=closing.RESULTS_REFRESH).exists()
