"""Who belongs to which establishment's staff, and what they may do there.

Every staff decision goes through this module. The certifier's national administrators act on
every establishment; its auditors read every establishment and change nothing; the two
responsables of the règlement act on the establishments where they hold the role:

- ``Duty.EVALUATION``: screening, assignments, marks, attendance, accommodations, tutors;
- ``Duty.CERTIFICATION``: jury sessions and composition, deliberation, publication, documents,
  exports;
- ``Duty.MANAGE``: the centre's back office (cohorts, people, imports, invitations), either
  responsable;
- ``Duty.READ``: any of the above, or the auditor.

Objects find their establishment through ``establishment_path`` on their model, so that lists
are filtered with ``staff_scope(queryset, user)`` and single objects fetched with
``staff_object_or_404``: another establishment's object answers the same 404 as a missing one.
"""

from __future__ import annotations

import enum
from functools import reduce

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from accounts.models import Role


class Duty(enum.Enum):
    READ = "read"
    MANAGE = "manage"
    EVALUATION = "evaluation"
    CERTIFICATION = "certification"


_DUTY_ROLES = {
    Duty.READ: (Role.RESPONSABLE_EVALUATION, Role.RESPONSABLE_CERTIFICATION),
    Duty.MANAGE: (Role.RESPONSABLE_EVALUATION, Role.RESPONSABLE_CERTIFICATION),
    Duty.EVALUATION: (Role.RESPONSABLE_EVALUATION,),
    Duty.CERTIFICATION: (Role.RESPONSABLE_CERTIFICATION,),
}


class _Everywhere:
    """Every establishment (the certifier's view)."""

    def __contains__(self, establishment_id) -> bool:
        return True

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "EVERYWHERE"


EVERYWHERE = _Everywhere()


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_certifier(user) -> bool:
    """Return True for the certifier's national administrators and auditors."""
    return _active(user) and (user.has_role(Role.ADMINISTRATEUR) or user.has_role(Role.AUDITEUR))


def is_centre_staff(user) -> bool:
    """Return True for anyone who may open the staff screens (scoped by ``staff_scope``)."""
    return _active(user) and (
        is_certifier(user)
        or user.has_role(Role.RESPONSABLE_EVALUATION)
        or user.has_role(Role.RESPONSABLE_CERTIFICATION)
    )


def staff_establishments(user, duty: Duty = Duty.READ):
    """Return the ids of the establishments where ``user`` has ``duty``, or ``EVERYWHERE``."""
    if not _active(user):
        return frozenset()
    if user.has_role(Role.ADMINISTRATEUR):
        return EVERYWHERE
    if duty is Duty.READ and user.has_role(Role.AUDITEUR):
        return EVERYWHERE
    return reduce(
        frozenset.union,
        (user.role_establishments(role) for role in _DUTY_ROLES[duty]),
        frozenset(),
    )


def establishment_of(obj) -> int | None:
    """Return the id of the establishment ``obj`` belongs to, following its model's path."""
    path = _path(type(obj))
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def staff_may(user, obj, duty: Duty = Duty.READ) -> bool:
    """Return True when ``user`` has ``duty`` on the establishment ``obj`` belongs to."""
    establishments = staff_establishments(user, duty)
    if establishments is EVERYWHERE:
        return True
    # Nowhere: no need to follow ``obj``'s path (a query per row on a list).
    return bool(establishments) and establishment_of(obj) in establishments


def staff_may_any(user, duty: Duty = Duty.READ) -> bool:
    """Return True when ``user`` has ``duty`` in at least one establishment."""
    return bool(staff_establishments(user, duty))


def staff_scope(queryset, user, duty: Duty = Duty.READ):
    """Return the rows of ``queryset`` that belong to establishments where ``user`` has ``duty``."""
    establishments = staff_establishments(user, duty)
    if establishments is EVERYWHERE:
        return queryset
    path = _path(queryset.model)
    if not establishments:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": establishments})


def staff_object_or_404(queryset, user, duty: Duty = Duty.READ, **lookup):
    """Return the one object ``lookup`` finds within ``user``'s scope; 404 otherwise."""
    try:
        return staff_scope(queryset, user, duty).get(**lookup)
    except queryset.model.DoesNotExist as missing:
        raise Http404 from missing


def _path(model) -> str:
    path = getattr(model, "establishment_path", None)
    if path is None:
        raise ImproperlyConfigured(f"{model.__name__} declares no establishment_path.")
    return path


def confirmed(request) -> bool:
    """Return True when an irreversible action's POST carries the confirmation of its dialog
    (``static/js/confirm.js``); the view otherwise shows the summary and does nothing."""
    return request.POST.get("confirmed") == "1"
