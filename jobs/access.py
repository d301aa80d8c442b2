"""Who may follow a job: the person who started it, and the staff of its establishment."""

from accounts.access import Duty, staff_may


def job_may_see(user, job) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return job.requested_by_id == user.pk or staff_may(user, job, Duty.READ)
