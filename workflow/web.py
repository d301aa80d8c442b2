"""What the workflow's screens share: who is staff, the staff's objects within their
establishments, a candidate's own enrolments, and running one service with a message for the
user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from accounts.access import Duty, is_centre_staff, staff_may, staff_object_or_404
from accounts.models import Enrolment, Role
from workflow.errors import WorkflowError


def staff_only(user):
    """Refuse (403) anyone but the centre's staff."""
    if not is_centre_staff(user):
        raise PermissionDenied


def staff_object(user, queryset, duty: Duty = Duty.READ, **lookup):
    """Return the object ``lookup`` finds among those ``user`` may see with ``duty``.

    Another establishment's object answers the same 404 as a missing one.
    """
    return staff_object_or_404(queryset, user, duty, **lookup)


def require_duty(user, obj, duty: Duty) -> None:
    """Refuse (403) a member of the staff who may read ``obj`` but not act on it with ``duty``
    (an auditor, the other responsable, an establishment where they hold no such role)."""
    if not staff_may(user, obj, duty):
        raise PermissionDenied


def attempt(request, action, success: str):
    """Run ``action``; report success or the WorkflowError's message. Return True on success."""
    try:
        action()
    except WorkflowError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def own_enrolments(user):
    """Return the candidate's own enrolments; refuse (403) anyone who is not a candidate."""
    if not user.has_role(Role.CANDIDAT):
        raise PermissionDenied
    return Enrolment.objects.filter(candidate=user).select_related("cohort__title")
