"""Sponsored cycles (RULES.md §6): an establishment's first two cohorts are sponsored, and a jury
with such a cohort among its candidates sits only with an observer from the sponsor."""

import pytest

from tests.factories import CohortFactory, EstablishmentFactory, JuryUserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
)
from workflow.errors import WorkflowError
from workflow.jury import sessions
from workflow.models import JuryMember, JurySession, SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def sponsor():
    return EstablishmentFactory(name="CCI Formation Grenoble")


@pytest.fixture
def sponsored_enrolment(sponsor):
    cohort = CohortFactory(establishment=EstablishmentFactory(), sponsor=sponsor)
    return ready_enrolment(cohort=cohort)


def _observer(employer):
    return JuryUserFactory(employer=employer)


def test_a_sponsored_cohort_needs_an_observer_from_its_sponsor_to_compose(
    sponsor, sponsored_enrolment
):
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=sponsored_enrolment)
    problems = sessions.composition_problems(session)
    assert any("parrain" in problem and sponsor.name in problem for problem in problems)
    with pytest.raises(WorkflowError, match="observateur de cet établissement parrain"):
        sessions.jury_session_compose(actor=actor, session=session)
    session.refresh_from_db()
    assert session.state == JurySession.State.PLANNED

    sessions.jury_member_add(
        actor=actor, session=session, user=_observer(sponsor), role=JuryMember.Role.OBSERVER
    )
    assert sessions.composition_problems(session) == []
    sessions.jury_session_compose(actor=actor, session=session)
    session.refresh_from_db()
    assert session.state == JurySession.State.COMPOSED


def test_an_observer_from_another_establishment_does_not_stand_for_the_sponsor(
    sponsor, sponsored_enrolment
):
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=sponsored_enrolment)
    stranger = EstablishmentFactory(name="CCI Formation Annecy")
    JuryMember.objects.create(
        session=session, user=_observer(stranger), role=JuryMember.Role.OBSERVER
    )
    problems = " ".join(sessions.composition_problems(session))
    assert "parrain" in problems
    with pytest.raises(WorkflowError):
        sessions.jury_session_compose(actor=actor, session=session)


def test_an_unsponsored_session_composes_without_an_observer():
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=ready_enrolment())
    assert sessions.composition_problems(session) == []
    sessions.jury_session_compose(actor=actor, session=session)


def test_a_sponsored_candidate_is_refused_on_a_composed_session_without_the_observer(
    sponsor, sponsored_enrolment
):
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=ready_enrolment())
    sessions.jury_session_compose(actor=actor, session=session)
    with pytest.raises(WorkflowError, match="parrain") as refused:
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=sponsored_enrolment)
    assert "Rouvrez la composition" in refused.value.message
    assert not SessionCandidate.objects.filter(enrolment=sponsored_enrolment).exists()

    sessions.jury_session_reopen_composition(actor=actor, session=session, reason="Parrainage")
    sessions.jury_member_add(
        actor=actor, session=session, user=_observer(sponsor), role=JuryMember.Role.OBSERVER
    )
    sessions.jury_session_compose(actor=actor, session=session)
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=sponsored_enrolment)
    assert SessionCandidate.objects.filter(session=session, enrolment=sponsored_enrolment).exists()
