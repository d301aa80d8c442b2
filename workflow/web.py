"""What the workflow's screens share: who is staff, what they may do on an object of their
establishment, a candidate's own enrolments, and running one service with a message for the
user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from accounts.access import Duty, is_centre_staff, staff_may
from accounts.models import Enrolment, Role
from workflow.errors import WorkflowError


def staff_only(user):
    """Refuse (403) anyone but the centre's staff."""
    if not is_centre_staff(user):
        raise PermissionDenied


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


def attempt_form(request, form, action, success: str) -> bool:
    """Run ``action(cleaned_data)`` if ``form`` is valid; report success, or show the
    WorkflowError on the form, beside each field it names. Return True on success.

    ``form`` has ``add_workflow_error`` (``workflow.evaluation.forms.AccessibleFormMixin``).
    """
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except WorkflowError as error:
        form.add_workflow_error(error)
        return False
    messages.success(request, success)
    return True


def own_enrolments(user):
    """Return the candidate's own enrolments; refuse (403) anyone who is not a candidate."""
    if not user.has_role(Role.CANDIDAT):
        raise PermissionDenied
    return (
        Enrolment.objects.filter(candidate=user)
        .select_related("cohort__title")
        .order_by("-cohort__training_start", "cohort__name", "pk")
    )
