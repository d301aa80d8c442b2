"""Who may do what in tutoring, continuous assessment, attendance, jury sessions and results.

Views and services ask these functions; none of them writes anything.
"""

from accounts.models import Role, TrainingLink
from workflow.access import is_centre_staff
from workflow.models import JuryMember, JurySession

VOTING_ROLES = (
    JuryMember.Role.PRESIDENT,
    JuryMember.Role.PROFESSIONAL,
    JuryMember.Role.CCI_REPRESENTATIVE,
)


def is_tutor_of(user, enrolment) -> bool:
    """Return True when ``user`` is the company tutor of that enrolment."""
    return (
        user.is_authenticated
        and user.has_role(Role.TUTEUR)
        and enrolment.tutor_id is not None
        and enrolment.tutor_id == user.pk
    )


def trainer_may_mark(user, *, module, cohort) -> bool:
    """Return True when ``user`` trains that module to that cohort (a training link)."""
    return (
        user.is_authenticated
        and user.has_role(Role.FORMATEUR)
        and TrainingLink.objects.filter(trainer=user, module=module, cohort=cohort).exists()
    )


def jury_seat(user, session) -> JuryMember | None:
    """Return the seat ``user`` holds on ``session``, or None."""
    if not user.is_authenticated or not user.has_role(Role.JURY):
        return None
    return JuryMember.objects.filter(session=session, user=user).first()


def is_voting_member(user, session) -> bool:
    seat = jury_seat(user, session)
    return seat is not None and seat.role in VOTING_ROLES


def is_president(user, session) -> bool:
    seat = jury_seat(user, session)
    return seat is not None and seat.role == JuryMember.Role.PRESIDENT


def session_may_read(user, session) -> bool:
    """Return True for the centre's staff and the members of that session."""
    return is_centre_staff(user) or jury_seat(user, session) is not None


def accommodations_may_read(user, enrolment) -> bool:
    """Return True for the staff and the president of a jury the candidate goes before."""
    if is_centre_staff(user):
        return True
    if not user.is_authenticated or not user.has_role(Role.JURY):
        return False
    return JuryMember.objects.filter(
        user=user,
        role=JuryMember.Role.PRESIDENT,
        session__candidates__enrolment=enrolment,
    ).exists()


def candidate_history_may_read(user, enrolment) -> bool:
    """Return True for the staff and the president of a jury the candidate goes before."""
    return accommodations_may_read(user, enrolment)


def candidate_may_see_results(user, session) -> bool:
    return session.state == JurySession.State.PUBLISHED and user.is_authenticated
