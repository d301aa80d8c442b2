"""Who may follow a job: the person who started it, the staff of its establishment, and whoever
an upper package grants it to (the jury members of the session a jury job works on)."""

from collections.abc import Callable

from accounts.access import Duty, staff_may

_GRANTS: list[Callable] = []


def job_read_grant_register(grant: Callable) -> None:
    """Let ``grant(user, job) -> bool`` admit more followers (from an ``AppConfig.ready``)."""
    if grant not in _GRANTS:
        _GRANTS.append(grant)


def job_may_see(user, job) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if job.requested_by_id == user.pk or staff_may(user, job, Duty.READ):
        return True
    return any(grant(user, job) for grant in _GRANTS)
