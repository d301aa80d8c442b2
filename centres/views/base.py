"""What the back office's screens share: who may open them, pagination, service errors."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.access import Duty, is_centre_staff, staff_may_any
from centres.services import BackOfficeError


def centre_staff(view):
    """Open the view to the centre's staff (either responsable, the certifier); 403 otherwise."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_centre_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def require_manage(user) -> None:
    """Refuse (403) a change to someone who only reads, such as the auditor."""
    if not staff_may_any(user, Duty.MANAGE):
        raise PermissionDenied


def may_manage(user) -> bool:
    return staff_may_any(user, Duty.MANAGE)


def form_error(form, error: BackOfficeError) -> None:
    """Show a service's refusal on its field when the form has it, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
