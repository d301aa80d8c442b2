"""Who may do what in jury sessions: seats and votes, accommodations, a candidate's history
(shown on the centre's screens), and the jury's read grant on a candidate's files.

Views and services ask these functions; none of them writes anything.
"""

from accounts.access import Duty, staff_may
from accounts.models import Role
from workflow.models import JuryMember, SessionCandidate

VOTING_ROLES = (
    JuryMember.Role.PRESIDENT,
    JuryMember.Role.PROFESSIONAL,
    JuryMember.Role.CCI_REPRESENTATIVE,
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
    """Return True for the staff of the session's establishment and the session's members."""
    return staff_may(user, session, Duty.READ) or jury_seat(user, session) is not None


def accommodations_readable(user, enrolments) -> set[int]:
    """Return the ids of the ``enrolments`` whose accommodations ``user`` may read: those of the
    staff's establishments, and those of the candidates of a jury ``user`` presides (one query
    for a whole page)."""
    readable = {e.pk for e in enrolments if staff_may(user, e, Duty.READ)}
    others = [e.pk for e in enrolments if e.pk not in readable]
    if others and user.is_authenticated and user.has_role(Role.JURY):
        readable |= set(
            SessionCandidate.objects.filter(
                enrolment__in=others,
                session__members__user=user,
                session__members__role=JuryMember.Role.PRESIDENT,
            ).values_list("enrolment_id", flat=True)
        )
    return readable


def accommodations_may_read(user, enrolment) -> bool:
    """Return True for the staff of the candidate's establishment and the president of a jury
    the candidate goes before."""
    return enrolment.pk in accommodations_readable(user, [enrolment])


def candidate_history_may_read(user, enrolment) -> bool:
    """Return True for the establishment's staff and the president of the candidate's jury."""
    return accommodations_may_read(user, enrolment)


def jury_may_read(user, *, enrolment) -> bool:
    """Return True when ``user`` sits on a jury session that the candidate is in."""
    if not user.is_authenticated or not user.has_role(Role.JURY):
        return False
    return JuryMember.objects.filter(user=user, session__candidates__enrolment=enrolment).exists()


def jury_may_read_file(user, *, portfolio=None, memoire=None) -> bool:
    """Return True when ``user`` sits on a session of the file's candidate (a read grant)."""
    target = portfolio if portfolio is not None else memoire
    return target is not None and jury_may_read(user, enrolment=target.enrolment)
