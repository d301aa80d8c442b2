"""Who may read what. Views and downloads ask these functions, never their own rules."""

from accounts.models import Role
from workflow.models import Assignment, JuryMember


def is_centre_staff(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.RESPONSABLE) or user.has_role(Role.ADMINISTRATEUR)
    )


def evaluator_may_read(user, *, portfolio=None, memoire=None) -> bool:
    """Return True while ``user`` holds an accepted assignment on that very version."""
    if not user.is_authenticated or not user.has_role(Role.EVALUATEUR):
        return False
    assignments = Assignment.objects.filter(
        evaluator=user,
        state__in=[Assignment.State.ACCEPTED, Assignment.State.COMPLETED],
    )
    if portfolio is not None:
        return assignments.filter(portfolio=portfolio).exists()
    if memoire is not None:
        return assignments.filter(memoire=memoire).exists()
    return False


def jury_may_read(user, *, enrolment) -> bool:
    """Return True when ``user`` sits on a jury session that the candidate is in."""
    if not user.is_authenticated or not user.has_role(Role.JURY):
        return False
    return JuryMember.objects.filter(user=user, session__candidates__enrolment=enrolment).exists()
