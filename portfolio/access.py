"""Who may read a candidate's files. Every view and download asks these functions.

The candidate, the staff of the candidate's establishment and the certifier's national
administrators and auditors are decided here. The
readers the workflow grants (an evaluator holding an accepted assignment on that very version,
the jury members of the candidate's session) are decided by ``workflow.evaluation.access`` and
``workflow.jury.access``; ``workflow.apps`` registers them here at start-up, since this package
sits below the workflow and never imports it. With no grant registered, nobody else reads.
"""

from collections.abc import Callable

from accounts.access import staff_may
from portfolio.models import EvidenceItem, Memoire, Portfolio

# Each grant answers ``grant(user, portfolio=…)`` or ``grant(user, memoire=…)`` with a bool.
ReadGrant = Callable[..., bool]
_read_grants: list[ReadGrant] = []


def read_grant_register(grant: ReadGrant) -> None:
    """Let ``grant`` admit more readers of portfolios and mémoires (registered once)."""
    if grant not in _read_grants:
        _read_grants.append(grant)


def _granted(user, **target) -> bool:
    return any(grant(user, **target) for grant in _read_grants)


def portfolio_readable_by(user, portfolio: Portfolio) -> bool:
    """Return True for the candidate, the accepted evaluator, the session's jury and the staff
    of the candidate's establishment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if portfolio.enrolment.candidate_id == user.pk:
        return True
    if staff_may(user, portfolio):
        return True
    return _granted(user, portfolio=portfolio)


def evidence_readable_by(user, item: EvidenceItem) -> bool:
    return portfolio_readable_by(user, item.portfolio)


def memoire_readable_by(user, memoire: Memoire) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if memoire.enrolment.candidate_id == user.pk:
        return True
    if staff_may(user, memoire):
        return True
    return _granted(user, memoire=memoire)


def portfolio_editable_by(user, portfolio: Portfolio) -> bool:
    """Return True when ``user`` is the candidate and the version is an open draft."""
    return (
        getattr(user, "is_authenticated", False)
        and portfolio.enrolment.candidate_id == user.pk
        and portfolio.is_editable
    )
