"""Who may enter marks: the tutor of an enrolment, the trainer of a module and cohort."""

from __future__ import annotations

from accounts.access import Duty, staff_may
from accounts.models import Role, TrainingLink


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


def cc_may_enter(user, *, module, cohort) -> bool:
    """Return True when ``user`` may enter the module's CC marks for that cohort: its trainer,
    or the staff with the evaluation duty on the cohort's establishment."""
    return trainer_may_mark(user, module=module, cohort=cohort) or staff_may(
        user, cohort, Duty.EVALUATION
    )
