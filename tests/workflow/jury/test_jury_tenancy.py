"""Tenancy of the jury services: each action needs its duty in the object's establishment."""

from datetime import date

import pytest

from tests.factories import (
    STAFF_ROLES,
    CohortFactory,
    EstablishmentFactory,
    JurySessionFactory,
    JuryUserFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    session_with_candidate,
)
from workflow.errors import WorkflowError
from workflow.jury import accommodations, deliberation, fraud, sessions
from workflow.models import Accommodation, FraudReport, JuryMember, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def grenoble():
    return EstablishmentFactory(name="CCI Formation Grenoble")


@pytest.fixture
def grenoble_staff(grenoble):
    return UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble)


def _only(role, establishment):
    return UserFactory(roles=[role], roles__establishment=establishment)


def test_another_establishments_staff_may_not_organise_a_session(grenoble_staff):
    session, _members, _actor = seated_session()
    with pytest.raises(WorkflowError, match="certification"):
        sessions.jury_member_add(
            actor=grenoble_staff, session=session, user=JuryUserFactory(), role="professional"
        )
    with pytest.raises(WorkflowError, match="certification"):
        sessions.jury_member_remove(actor=grenoble_staff, member=session.members.first())
    with pytest.raises(WorkflowError, match="certification"):
        sessions.jury_candidate_add(
            actor=grenoble_staff, session=session, enrolment=ready_enrolment()
        )
    with pytest.raises(WorkflowError, match="certification"):
        sessions.jury_session_compose(actor=grenoble_staff, session=session)
    with pytest.raises(WorkflowError, match="certification"):
        sessions.jury_session_create(
            actor=grenoble_staff, title=session.title, establishment=session.establishment,
            date=date(2027, 6, 1), place="Lyon",
        )  # fmt: skip
    session.refresh_from_db()
    assert session.state == JurySession.State.PLANNED
    assert session.members.count() == 4 and not session.candidates.exists()


def test_a_candidate_joins_only_a_session_of_their_establishment(grenoble):
    session, _members, actor = seated_session()
    other = ready_enrolment(cohort=CohortFactory(establishment=grenoble))
    admin = UserFactory(roles=["administrateur"])
    with pytest.raises(WorkflowError, match="établissement de cette session"):
        sessions.jury_candidate_add(actor=admin, session=session, enrolment=other)


def test_publication_and_opening_need_the_certification_duty(grenoble_staff):
    session, members, actor, enrolment = session_with_candidate()
    lyon = session.establishment
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    for refused in (grenoble_staff, _only("responsable_evaluation", lyon), _auditor()):
        with pytest.raises(WorkflowError, match="certification"):
            deliberation.jury_results_publish(actor=refused, session=session)
    deliberation.jury_results_publish(
        actor=_only("responsable_certification", lyon), session=session
    )
    session.refresh_from_db()
    assert session.state == JurySession.State.PUBLISHED


def test_opening_by_another_establishments_staff_is_refused(grenoble_staff):
    session, _members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=ready_enrolment())
    sessions.jury_session_compose(actor=actor, session=session)
    with pytest.raises(WorkflowError, match="certification"):
        deliberation.jury_deliberation_open(actor=grenoble_staff, session=session)


def _auditor():
    return UserFactory(roles=["auditeur"])


def test_accommodations_and_fraud_reports_need_the_evaluation_duty(grenoble_staff):
    enrolment = ready_enrolment()
    lyon = enrolment.cohort.establishment
    for refused in (grenoble_staff, _only("responsable_certification", lyon), _auditor()):
        with pytest.raises(WorkflowError, match="évaluation"):
            accommodations.accommodation_record(
                actor=refused, enrolment=enrolment, kind="extra_time"
            )
        with pytest.raises(WorkflowError, match="évaluation"):
            fraud.fraud_report_record(
                actor=refused, enrolment=enrolment, occurred_on=date(2026, 5, 1),
                facts="Antisèche", signature=FraudReport.Signature.COUNTERSIGNED,
            )  # fmt: skip
    assert not Accommodation.objects.exists() and not FraudReport.objects.exists()
    evaluation = _only("responsable_evaluation", lyon)
    accommodation = accommodations.accommodation_record(
        actor=evaluation, enrolment=enrolment, kind="extra_time"
    )
    with pytest.raises(WorkflowError, match="évaluation"):
        accommodations.accommodation_remove(
            actor=grenoble_staff, accommodation=accommodation, reason="Erreur"
        )
    accommodations.accommodation_record(
        actor=UserFactory(roles=["administrateur"]), enrolment=enrolment, kind="breaks"
    )
    assert Accommodation.objects.count() == 2


def test_the_jury_pool_stays_national(grenoble):
    """A Grenoble juror sits on a Lyon session: the pool is the network's."""
    session = JurySessionFactory()
    actor = UserFactory(roles=STAFF_ROLES)
    juror = JuryUserFactory(employer=grenoble)
    sessions.jury_member_add(actor=actor, session=session, user=juror, role="professional")
    assert JuryMember.objects.filter(session=session, user=juror).exists()
