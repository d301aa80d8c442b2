"""Jury sessions: composition refusals, candidates, soutenances and every session transition."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import TrainingLink
from audit.models import AuditEvent
from tests.factories import (
    EstablishmentFactory,
    JurySessionFactory,
    JuryUserFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import (  # noqa: F401
    JURY_EVENING,
    clock_move,
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    session_with_candidate,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import deliberation, sessions, soutenances
from workflow.models import Accommodation, JuryMember, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def test_staff_create_a_planned_session_and_others_may_not():
    title = JurySessionFactory.build().title
    establishment = EstablishmentFactory()
    session = sessions.jury_session_create(
        actor=staff(),
        title=title,
        establishment=establishment,
        date=date(2027, 3, 15),
        place="CCI Lyon",
        last_exam_date=date(2027, 3, 1),
    )
    assert session.state == JurySession.State.PLANNED
    with pytest.raises(WorkflowError, match="responsable du processus de certification"):
        sessions.jury_session_create(
            actor=JuryUserFactory(),
            title=title,
            establishment=establishment,
            date=date(2027, 3, 15),
            place="CCI Lyon",
        )


def test_a_regular_jury_is_composed():
    session, _members, actor = seated_session()
    session = sessions.jury_session_compose(actor=actor, session=session)
    assert session.state == JurySession.State.COMPOSED
    assert AuditEvent.objects.filter(action="jury_session.compose", object_id=session.pk).exists()


@pytest.mark.parametrize(
    ("remove", "add"),
    [
        ("president", None),
        ("pro1", None),
        ("cci", None),
        (None, JuryMember.Role.PRESIDENT),
        (None, JuryMember.Role.PROFESSIONAL),
        (None, JuryMember.Role.CCI_REPRESENTATIVE),
    ],
)
def test_a_composition_that_is_not_exactly_the_regular_one_is_refused(remove, add):
    session, members, actor = seated_session()
    if remove:
        JuryMember.objects.get(session=session, user=members[remove]).delete()
    if add:
        sessions.jury_member_add(actor=actor, session=session, user=JuryUserFactory(), role=add)
    with pytest.raises(WorkflowError, match="exactement 1 président"):
        sessions.jury_session_compose(actor=actor, session=session)
    session.refresh_from_db()
    assert session.state == JurySession.State.PLANNED


def test_a_member_with_less_than_a_year_in_the_target_jobs_is_refused():
    session, _members, actor = seated_session()
    novice = JuryUserFactory(years_in_target_jobs=Decimal("0.5"))
    with pytest.raises(WorkflowError, match="au moins 1 an"):
        sessions.jury_member_add(
            actor=actor, session=session, user=novice, role=JuryMember.Role.PROFESSIONAL
        )


def test_a_member_inactive_for_more_than_three_years_is_refused():
    session, _members, actor = seated_session()
    inactive = JuryUserFactory(last_active_in_target_jobs=date(2024, 3, 14))
    with pytest.raises(WorkflowError, match="plus de 3 ans"):
        sessions.jury_member_add(
            actor=actor, session=session, user=inactive, role=JuryMember.Role.PROFESSIONAL
        )


def test_a_member_who_became_ineligible_is_caught_at_composition():
    session, members, actor = seated_session()
    members["pro2"].last_active_in_target_jobs = date(2020, 1, 1)
    members["pro2"].save()
    with pytest.raises(WorkflowError, match="plus de 3 ans"):
        sessions.jury_session_compose(actor=actor, session=session)


def test_a_cci_representative_who_trained_a_candidate_is_refused():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    TrainingLink.objects.create(
        trainer=members["cci"],
        cohort=enrolment.cohort,
        module=enrolment.cohort.title.blocs.get(number=2).modules.first(),
    )
    with pytest.raises(WorkflowError, match="ne doit pas avoir formé"):
        sessions.jury_session_compose(actor=actor, session=session)


def test_a_candidate_trained_by_the_cci_representative_may_not_join_a_composed_jury():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_session_compose(actor=actor, session=session)
    TrainingLink.objects.create(
        trainer=members["cci"],
        cohort=enrolment.cohort,
        module=enrolment.cohort.title.blocs.get(number=1).modules.first(),
    )
    with pytest.raises(WorkflowError, match="a formé ce candidat"):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)


def test_an_observer_must_come_from_the_sponsoring_establishment():
    session, _members, actor = seated_session()
    sponsor = EstablishmentFactory()
    enrolment = ready_enrolment(cohort__sponsor=sponsor)
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    stranger = JuryUserFactory()
    sessions.jury_member_add(
        actor=actor, session=session, user=stranger, role=JuryMember.Role.OBSERVER
    )
    with pytest.raises(WorkflowError, match="établissement parrain"):
        sessions.jury_session_compose(actor=actor, session=session)
    JuryMember.objects.filter(user=stranger).delete()
    sessions.jury_member_add(
        actor=actor,
        session=session,
        user=JuryUserFactory(employer=sponsor),
        role=JuryMember.Role.OBSERVER,
    )
    assert sessions.jury_session_compose(actor=actor, session=session).state == "composed"


def test_a_candidate_whose_files_are_not_ready_may_not_join():
    enrolment = ready_enrolment()
    portfolio = enrolment.portfolios.get(bloc__number=3)
    type(portfolio).objects.filter(pk=portfolio.pk).update(state="under_evaluation")
    session, _members, actor = seated_session()
    with pytest.raises(WorkflowError, match="Bloc 3"):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)


def test_a_candidate_without_a_submitted_tutor_evaluation_may_not_join():
    enrolment = ready_enrolment()
    enrolment.tutor_evaluations.update(state="in_progress")
    session, _members, actor = seated_session()
    with pytest.raises(WorkflowError, match="tuteur"):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)


def test_soutenance_scheduling_gives_one_third_extra_time_when_granted():
    enrolment = ready_enrolment()
    Accommodation.objects.create(
        enrolment=enrolment,
        kind=Accommodation.Kind.EXTRA_TIME,
        recorded_by=staff(),
        recorded_at=timezone.now(),
    )
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    soutenance = soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=timezone.make_aware(datetime(2027, 3, 15, 10, 0)),
        base_minutes=45,
    )
    assert soutenance.duration_minutes == 60
    assert soutenance.memoire.state == "soutenance_scheduled"


def test_convocations_go_out_once_at_least_a_month_ahead(django_capture_on_commit_callbacks):
    from audit.models import Notification

    enrolment = ready_enrolment()
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sessions.jury_convocations_send(actor=actor, session=session) == 1
        assert sessions.jury_convocations_send(actor=actor, session=session) == 0
    assert len(callbacks) == 1
    assert (
        Notification.objects.filter(template="convocation", recipient=enrolment.candidate).count()
        == 1
    )


def test_convocations_less_than_a_month_ahead_are_refused_with_the_reason():
    today = timezone.localdate()
    session, _members, actor = seated_session(date=today + timedelta(days=20), last_exam_date=today)
    sessions.jury_session_compose(actor=actor, session=session)
    with pytest.raises(WorkflowError, match="au moins un mois avant"):
        sessions.jury_convocations_send(actor=actor, session=session)


def test_only_voting_members_of_the_session_mark_the_soutenance():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    soutenance = soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=timezone.make_aware(datetime(2027, 3, 15, 9, 0)),
        base_minutes=45,
    )
    points = {c.pk: c.max_points for c in soutenance.grid_version.criteria.all()}
    clock_move(datetime(2027, 3, 15, 8, 59, tzinfo=soutenance.starts_at.tzinfo))
    with pytest.raises(WorkflowError, match="ne peut être notée, ni le candidat déclaré absent"):
        soutenances.soutenance_mark(actor=members["cci"], soutenance=soutenance, presented=False)
    clock_move(JURY_EVENING)  # the soutenance has taken place
    for intruder in (JuryUserFactory(), actor, enrolment.candidate):
        with pytest.raises(WorkflowError, match="membres votants"):
            soutenances.soutenance_mark(actor=intruder, soutenance=soutenance, points=points)
    soutenance = soutenances.soutenance_mark(
        actor=members["cci"], soutenance=soutenance, points=points
    )
    assert soutenance.total == Decimal(75)
    soutenance.memoire.refresh_from_db()
    assert soutenance.memoire.state == "soutenance_marked"
    with pytest.raises(WorkflowError, match="déjà notée"):
        soutenances.soutenance_mark(actor=members["pro1"], soutenance=soutenance, points=points)


# --- Session transitions ------------------------------------------------------------------


def test_opening_the_deliberation_locks_the_tutor_evaluations():
    session, members, actor, enrolment = session_with_candidate()
    assert session.state == JurySession.State.DELIBERATING
    assert enrolment.tutor_evaluations.get().state == "locked"


def test_a_professional_member_may_not_open_the_deliberation():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    with pytest.raises(WorkflowError, match="président"):
        deliberation.jury_deliberation_open(actor=members["pro1"], session=session)


def test_a_planned_session_cannot_open_deliberation_close_or_publish():
    session, members, actor = seated_session()
    with pytest.raises(WorkflowError, match="Planifiée"):
        deliberation.jury_deliberation_open(actor=members["president"], session=session)
    with pytest.raises(WorkflowError, match="Planifiée"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
    with pytest.raises(WorkflowError, match="Planifiée"):
        deliberation.jury_results_publish(actor=actor, session=session)


def test_a_composed_session_reopens_its_composition_with_a_reason_and_refuses_members_before():
    session, members, actor = seated_session()
    sessions.jury_session_compose(actor=actor, session=session)
    with pytest.raises(WorkflowError, match="Jury constitué"):
        sessions.jury_member_add(
            actor=actor, session=session, user=JuryUserFactory(), role="observer"
        )
    with pytest.raises(WorkflowError, match="pourquoi"):
        sessions.jury_session_reopen_composition(actor=actor, session=session, reason="")
    session = sessions.jury_session_reopen_composition(
        actor=actor, session=session, reason="Un professionnel indisponible"
    )
    assert session.state == JurySession.State.PLANNED


def test_only_the_president_closes_and_only_with_confirmation():
    session, members, actor, _enrolment = session_with_candidate()
    for other in (members["pro1"], members["cci"], actor):
        with pytest.raises(WorkflowError, match="président"):
            deliberation.jury_deliberation_close(actor=other, session=session, confirm=True)
    with pytest.raises(WorkflowError, match="Confirmez"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=False
        )
    session = deliberation.jury_deliberation_close(
        actor=members["president"], session=session, confirm=True
    )
    assert session.state == JurySession.State.CLOSED
    with pytest.raises(WorkflowError, match="Close"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )


def test_publication_by_staff_or_president_only_after_closing():
    session, members, actor, _enrolment = session_with_candidate()
    with pytest.raises(WorkflowError, match="En délibération"):
        deliberation.jury_results_publish(actor=actor, session=session)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    with pytest.raises(WorkflowError, match="publie"):
        deliberation.jury_results_publish(actor=members["pro1"], session=session)
    with pytest.raises(WorkflowError, match="publie"):
        deliberation.jury_results_publish(actor=UserFactory(roles=["formateur"]), session=session)
    session = deliberation.jury_results_publish(actor=members["president"], session=session)
    assert session.state == JurySession.State.PUBLISHED
    with pytest.raises(WorkflowError, match="publiés"):
        deliberation.jury_results_publish(actor=actor, session=session)
