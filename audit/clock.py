"""The project's one clock: every date and timestamp of the application is read here (the
sign-in throttle keeps a thin ``now`` that calls it), so tests move time in one place."""

from datetime import date

from django.utils import timezone


def now():
    """Return the current time; the one seam tests move."""
    return timezone.now()


def today() -> date:
    """Return the current local date, from the same seam as ``now``."""
    return timezone.localdate(now())
