"""Who may read a candidate's files. Every view and download asks these functions."""

from accounts.models import Role
from portfolio.models import EvidenceItem, Memoire, Portfolio
from workflow.access import evaluator_may_read, is_centre_staff, jury_may_read


def _is_administrator(user) -> bool:
    return user.has_role(Role.ADMINISTRATEUR)


def portfolio_readable_by(user, portfolio: Portfolio) -> bool:
    """Return True for the candidate, the accepted evaluator, the session's jury and staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if portfolio.enrolment.candidate_id == user.pk:
        return True
    if is_centre_staff(user) or _is_administrator(user):
        return True
    if evaluator_may_read(user, portfolio=portfolio):
        return True
    return jury_may_read(user, enrolment=portfolio.enrolment)


def evidence_readable_by(user, item: EvidenceItem) -> bool:
    return portfolio_readable_by(user, item.portfolio)


def memoire_readable_by(user, memoire: Memoire) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if memoire.enrolment.candidate_id == user.pk:
        return True
    if is_centre_staff(user) or _is_administrator(user):
        return True
    if evaluator_may_read(user, memoire=memoire):
        return True
    return jury_may_read(user, enrolment=memoire.enrolment)


def portfolio_editable_by(user, portfolio: Portfolio) -> bool:
    """Return True when ``user`` is the candidate and the version is an open draft."""
    return (
        getattr(user, "is_authenticated", False)
        and portfolio.enrolment.candidate_id == user.pk
        and portfolio.is_editable
    )
