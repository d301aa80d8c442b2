"""What the workflow's screens share: who is staff, what they may do on an object of their
establishment, a candidate's own enrolments, and running one service with a message for the
user."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from accounts.access import Duty, is_centre_staff, staff_may
from accounts.fields import format_decimal
from accounts.models import Enrolment, Role
from workflow.errors import WorkflowError
from workflow.grids import FieldConflict

_ID = re.compile(r"[0-9]{1,18}")


def posted_id(value) -> int | None:
    """Return the id a form sent (``request.POST.get(...)``), or None when it is not one: « abc »,
    « ² », or thousands of digits that ``int()`` and the database refuse."""
    return int(value) if isinstance(value, str) and _ID.fullmatch(value) else None


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


def autosave_field(request, form, save) -> JsonResponse:
    """Answer a grid's autosave of one field (``static/js/grid.js``) in JSON.

    The POST names the ``field`` of ``form`` and its ``value`` (several for checkboxes) and the
    value the page last saw (``expected``); ``form``'s field reads the value, then
    ``save(name, value, expected)`` saves it and returns (saved value, new total). A bad value is
    a 400 with its French message; a value saved from another window since is a 409.
    """
    name = request.POST.get("field", "")
    if name not in form.fields:
        unknown = _("Champ inconnu : rechargez la page.")
        return JsonResponse({"ok": False, "field": name, "error": unknown}, status=400)
    field = form.fields[name]
    many = getattr(field.widget, "allow_multiple_selected", False)
    raw = request.POST.getlist("value") if many else request.POST.get("value", "")
    try:
        value = field.clean(raw)
        saved, total = save(name, value, request.POST.get("expected"))
    except ValidationError as error:
        message = " ".join(error.messages)
        return JsonResponse({"ok": False, "field": name, "error": message}, status=400)
    except WorkflowError as error:
        conflict = isinstance(error, FieldConflict)
        message = " ".join(error.field_errors.get(name, [])) or error.message
        return JsonResponse(
            {"ok": False, "field": name, "error": message, "conflict": conflict},
            status=409 if conflict else 400,
        )
    return JsonResponse({"ok": True, "field": name, "saved": saved, "total": format_decimal(total)})
