"""Dates enforced (issue 12): the jury sits before it deliberates, results are published on time
or with a reason, a candidate joins a session inside their window or with a derogation, and the
5 years to retake a bloc count from the session where it failed. The clock moves through
``audit.clock`` (the ``jury_timeline`` fixture)."""

from datetime import date, datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    JurySessionFactory,
    StaffFactory,
)
from tests.workflow.jury.helpers import (  # noqa: F401
    JURY_EVENING,
    PARIS,
    clock_move,
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    session_with_candidate,
    staff,
)
from workflow.centre import dashboard
from workflow.errors import WorkflowError
from workflow.jury import deliberation, results, retakes, sessions, soutenances
from workflow.models import JuryDecision, JurySession, RetakeRegistration, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]

# The factory session: 15/03/2027, last exam 01/03/2027, so results are due by 12/04/2027.
RESULTS_DUE = datetime(2027, 4, 12, 17, 0, tzinfo=PARIS)
RESULTS_LATE = datetime(2027, 4, 13, 9, 0, tzinfo=PARIS)


def composed_session():
    """Return (session, members, staff, enrolment): composed, one soutenance at 9:00 for 45 min."""
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=datetime(2027, 3, 15, 9, 0, tzinfo=PARIS),
        base_minutes=45,
    )
    return session, members, actor, enrolment


def closed_session():
    session, members, actor, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    return session, members, actor, enrolment


def page(client, user, name, session, data=None):
    client.force_login(user)
    url = reverse(name, args=[session.pk])
    if data is None:
        return client.get(url)
    return client.post(url, data, follow=True)


# --- Deliberation: not before the session's day, nor before its last soutenance ----------


def test_the_deliberation_does_not_open_before_the_sessions_day():
    session, members, _actor, _enrolment = composed_session()
    with pytest.raises(WorkflowError, match="Le jury se réunit le 15/03/2027") as refused:
        deliberation.jury_deliberation_open(actor=members["president"], session=session)
    assert "ouverture de la délibération" in refused.value.message
    clock_move(datetime(2027, 3, 14, 23, 59, tzinfo=PARIS))
    with pytest.raises(WorkflowError, match="15/03/2027"):
        deliberation.jury_deliberation_open(actor=members["president"], session=session)
    session.refresh_from_db()
    assert session.state == JurySession.State.COMPOSED


def test_the_deliberation_does_not_open_before_the_last_soutenance_ends():
    session, members, _actor, _enrolment = composed_session()
    clock_move(datetime(2027, 3, 15, 9, 30, tzinfo=PARIS))
    with pytest.raises(WorkflowError, match="se termine le 15/03/2027 à 09 h 45"):
        deliberation.jury_deliberation_open(actor=members["president"], session=session)
    clock_move(datetime(2027, 3, 15, 9, 45, tzinfo=PARIS))
    opened = deliberation.jury_deliberation_open(actor=members["president"], session=session)
    assert opened.state == JurySession.State.DELIBERATING


def test_the_open_button_before_the_session_says_when_it_becomes_possible(client):
    session, members, _actor, _enrolment = composed_session()
    response = page(client, members["president"], "jury:session_open", session, {"confirmed": "1"})
    assert response.status_code == 200
    assert "Le jury se réunit le 15/03/2027" in response.content.decode()
    session.refresh_from_db()
    assert session.state == JurySession.State.COMPOSED


def test_closing_and_publishing_never_precede_the_sessions_day(client):
    # A clock set back after the deliberation opened: closing and publishing keep to the dates.
    session, members, actor, _enrolment = session_with_candidate()
    clock_move(datetime(2027, 3, 14, 18, 0, tzinfo=PARIS))
    with pytest.raises(WorkflowError, match="clôture de la délibération"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
    response = page(
        client,
        members["president"],
        "jury:deliberation",
        session,
        {"action": "close", "confirmed": "1"},
    )
    assert response.status_code == 200
    assert "Le jury se réunit le 15/03/2027" in response.content.decode()
    clock_move(JURY_EVENING)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    clock_move(datetime(2027, 3, 14, 18, 0, tzinfo=PARIS))
    with pytest.raises(WorkflowError, match="publication des résultats"):
        deliberation.jury_results_publish(actor=actor, session=session)
    response = page(
        client, actor, "jury:staff_session", session, {"action": "publish", "confirmed": "1"}
    )
    assert response.status_code == 200
    assert "Le jury se réunit le 15/03/2027" in response.content.decode()
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED


# --- Publication: 6 weeks after the last exam, later only with a reason ------------------


def test_publication_on_the_last_day_needs_no_reason():
    session, _members, actor, _enrolment = closed_session()
    clock_move(RESULTS_DUE)
    published = deliberation.jury_results_publish(actor=actor, session=session)
    assert published.state == JurySession.State.PUBLISHED
    assert published.late_publication_reason == ""
    assert not results.publication_status(published, on=RESULTS_DUE.date())["published_late"]


def test_a_late_publication_needs_a_reason_kept_on_the_session_and_in_the_audit():
    session, _members, actor, _enrolment = closed_session()
    clock_move(RESULTS_LATE)
    with pytest.raises(WorkflowError, match="au plus tard le 12/04/2027") as refused:
        deliberation.jury_results_publish(actor=actor, session=session, late_reason="  ")
    assert refused.value.field_errors == {
        "late_reason": ["Indiquez le motif de la publication tardive."]
    }
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    published = deliberation.jury_results_publish(
        actor=actor, session=session, late_reason="Recours sur une note d'épreuve, instruit."
    )
    assert published.state == JurySession.State.PUBLISHED
    assert published.late_publication_reason == "Recours sur une note d'épreuve, instruit."
    event = AuditEvent.objects.get(action="jury_session.publish", object_id=session.pk)
    assert event.reason == "Recours sur une note d'épreuve, instruit."
    assert results.publication_status(published, on=RESULTS_LATE.date())["published_late"]


@pytest.mark.parametrize("where", ["jury:staff_session", "jury:deliberation"])
def test_the_publish_form_asks_for_the_reason_only_when_late(client, where):
    session, members, actor, _enrolment = closed_session()
    user = actor if where == "jury:staff_session" else members["president"]
    assert 'name="late_reason"' not in page(client, user, where, session).content.decode()
    clock_move(RESULTS_LATE)
    assert 'name="late_reason"' in page(client, user, where, session).content.decode()
    response = page(
        client, user, where, session, {"action": "publish", "late_reason": "", "confirmed": "1"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Indiquez le motif de la publication tardive." in body
    assert 'id="id_late_reason_error"' in body
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    posted = {"action": "publish", "late_reason": "Jury reporté (grève)"}
    response = page(client, user, where, session, posted)
    assert "Publier les résultats ?" in response.content.decode()  # the summary, not done
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    response = page(client, user, where, session, {**posted, "confirmed": "1"})
    assert "Résultats publiés." in response.content.decode()
    session.refresh_from_db()
    assert session.late_publication_reason == "Jury reporté (grève)"
    body = page(client, actor, "jury:staff_session", session).content.decode()
    assert "publiée en retard" in body and "Jury reporté (grève)" in body


def test_the_dashboard_shows_overdue_publications_to_their_establishment_only(client):
    session, _members, actor, _enrolment = closed_session()
    elsewhere = JurySessionFactory(establishment=EstablishmentFactory(name="CCI Grenoble"))
    JurySession.objects.filter(pk=elsewhere.pk).update(state=JurySession.State.CLOSED)
    clock_move(RESULTS_DUE)
    assert list(dashboard.overdue_publications()) == []
    clock_move(RESULTS_LATE)
    assert list(dashboard.overdue_publications()) == [session, elsewhere]
    assert list(dashboard.overdue_publications([session.establishment_id])) == [session]
    client.force_login(actor)
    response = client.get(reverse("jury:staff_dashboard"))
    assert [item["session"] for item in response.context["overdue_publications"]] == [session]
    body = response.content.decode()
    assert "Résultats en retard de publication" in body
    assert "résultats à publier au plus tard le 12/04/2027" in body
    # Once published (late, with its reason) the session is no longer overdue.
    deliberation.jury_results_publish(actor=actor, session=session, late_reason="Recours")
    assert list(dashboard.overdue_publications([session.establishment_id])) == []


# --- A candidate joins a session inside their window, or with a derogation ---------------


def test_a_portfolio_candidate_past_their_window_needs_a_derogation():
    # The cohort's training ended 30/06/2026: the window closed on 30/12/2026.
    enrolment = ready_enrolment(training_end=None)
    session, _members, actor = seated_session()
    with pytest.raises(WorkflowError, match="s'est terminée le 30/12/2026") as refused:
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    assert "Le jury du 15/03/2027 est hors de la période" in refused.value.message
    assert "Bloc(s) 1, 2, 3, 4" in refused.value.message
    assert "derogation" in refused.value.field_errors
    assert not SessionCandidate.objects.exists()
    entry = sessions.jury_candidate_add(
        actor=actor, session=session, enrolment=enrolment, derogation=" Congé maternité. "
    )
    assert entry.derogation_reason == "Congé maternité."
    assert entry.derogation_by == actor
    event = AuditEvent.objects.get(action="jury_session.candidate_add")
    assert event.reason == "Congé maternité."
    assert event.after["outside_window"]


def test_a_portfolio_candidate_before_their_window_is_refused():
    # Training ended 31/01/2027: the window opens on 30/04/2027, after the session.
    enrolment = ready_enrolment(training_end=date(2027, 1, 31))
    session, _members, actor = seated_session()
    with pytest.raises(WorkflowError, match="à partir de 3 mois .* soit le 30/04/2027"):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)


def test_inside_the_window_no_derogation_is_recorded():
    session, _members, actor = seated_session()
    entry = sessions.jury_candidate_add(
        actor=actor, session=session, enrolment=ready_enrolment(), derogation="inutile"
    )
    assert entry.derogation_reason == "" and entry.derogation_by is None


def test_an_extension_granted_on_the_portfolios_counts_for_the_session():
    enrolment = ready_enrolment(training_end=None)
    enrolment.portfolios.update(window_extended_until=date(2027, 3, 31))
    session, _members, actor = seated_session()
    entry = sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    assert entry.derogation_reason == ""


def test_the_epreuves_route_has_no_window():
    # RULES.md sets a window for the portfolio only; an épreuves candidate joins any session.
    enrolment = ready_enrolment(training_end=None, route="epreuves")
    session, _members, actor = seated_session()
    assert sessions.candidate_window_problems(enrolment, session) == []
    assert sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)


def test_the_session_page_asks_for_the_derogation_and_shows_it(client):
    enrolment = ready_enrolment(training_end=None)
    session, _members, actor = seated_session()
    data = {"action": "candidate", "enrolment": enrolment.pk, "derogation": ""}
    response = page(client, actor, "jury:staff_session", session, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "hors de la période de présentation" in body
    assert "Hors période : indiquez le motif de la dérogation." in body
    assert not SessionCandidate.objects.exists()
    data["derogation"] = "Formation prolongée par l'employeur"
    response = page(client, actor, "jury:staff_session", session, data)
    body = response.content.decode()
    assert "Candidat inscrit à la session." in body
    assert "dérogation au délai" in body and "Formation prolongée par l&#x27;employeur" in body


# --- Retakes: 5 years from the session where the bloc failed -----------------------------


def _decided(enrolment, on: date, validated: list[str]) -> JuryDecision:
    session = JurySessionFactory(
        establishment=enrolment.cohort.establishment, date=on, last_exam_date=on
    )
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.PUBLISHED)
    return JuryDecision.objects.create(
        session=session,
        enrolment=enrolment,
        computed={},
        outcome="partial",
        validated_blocs=validated,
        recorded_by=StaffFactory(),
        recorded_at=datetime.combine(on, datetime.min.time(), PARIS),
    )


@pytest.fixture
def failed_bloc_2_then_decided_again():
    """Bloc 2 failed at the jury of 15/03/2027; a jury of 15/03/2028 validated bloc 4 only."""
    enrolment = EnrolmentFactory(cohort=CohortFactory())
    _decided(enrolment, date(2027, 3, 15), ["1", "3"])
    _decided(enrolment, date(2028, 3, 15), ["1", "3", "4"])
    return enrolment, enrolment.cohort.title.blocs.get(number=2)


def test_the_retake_window_counts_from_the_session_where_the_bloc_failed(
    failed_bloc_2_then_decided_again,
):
    enrolment, bloc = failed_bloc_2_then_decided_again
    evaluation = date(2032, 9, 1)
    allowed = retakes.bloc_retake_eligibility(
        enrolment=enrolment, bloc=bloc, evaluation_date=evaluation, on=date(2032, 3, 15)
    )
    assert allowed
    refused = retakes.bloc_retake_eligibility(
        enrolment=enrolment, bloc=bloc, evaluation_date=evaluation, on=date(2032, 3, 16)
    )
    assert not refused
    assert "compté depuis le jury du 15/03/2027" in refused.reason
    assert "a expiré le 15/03/2032" in refused.reason


def test_a_retake_registered_five_years_and_a_day_after_the_failure_is_refused(
    failed_bloc_2_then_decided_again,
):
    enrolment, bloc = failed_bloc_2_then_decided_again
    actor = staff(enrolment.cohort.establishment)
    clock_move(datetime(2032, 3, 16, 10, 0, tzinfo=PARIS))
    with pytest.raises(WorkflowError, match="a expiré le 15/03/2032"):
        retakes.bloc_retake_register(
            actor=actor, enrolment=enrolment, bloc=bloc, evaluation_date=date(2032, 9, 1)
        )
    clock_move(datetime(2032, 3, 15, 10, 0, tzinfo=PARIS))
    registration = retakes.bloc_retake_register(
        actor=actor, enrolment=enrolment, bloc=bloc, evaluation_date=date(2032, 9, 1)
    )
    # The registration follows the decision where the bloc failed.
    assert registration.decision.session.date == date(2027, 3, 15)


def test_the_retake_form_says_the_window_has_expired(client, failed_bloc_2_then_decided_again):
    enrolment, bloc = failed_bloc_2_then_decided_again
    clock_move(datetime(2032, 3, 16, 10, 0, tzinfo=PARIS))
    client.force_login(staff(enrolment.cohort.establishment))
    response = client.post(
        reverse("jury:staff_candidate", args=[enrolment.pk]),
        {"action": "retake", "retake-bloc": bloc.pk, "retake-evaluation_date": "2032-09-01"},
        follow=True,
    )
    assert response.status_code == 200
    assert "compté depuis le jury du 15/03/2027" in response.content.decode()
    assert not RetakeRegistration.objects.exists()
