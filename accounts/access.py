"""Who belongs to the centre's staff, from the roles a person holds."""

from __future__ import annotations

from accounts.models import Role


def is_centre_staff(user) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.RESPONSABLE) or user.has_role(Role.ADMINISTRATEUR)
    )
