"""The project's one clock: every date and timestamp is read here, so tests move it in one place."""

from datetime import date

from django.utils import timezone


def now():
    """Return the current time; the one seam tests move."""
    return timezone.now()


def today() -> date:
    """Return the current local date, from the same seam as ``now``."""
    return timezone.localdate(now())
