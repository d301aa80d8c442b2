"""French formatting for documents: 12,5 ; 28 novembre 2026 ; 12,5/20."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rules.wording import shown, shown_up

register = template.Library()


@register.filter
def fr_decimal(value) -> str:
    """Return the shown figure of a number (``rules.wording.shown``: truncated to 2 decimals,
    never across a threshold) with a decimal comma: 12,5 ; 196 ; 15,68 ; 499,99."""
    return _french(value, shown)


def _french(value, rule) -> str:
    """Return ``rule(value)`` (a display rule of ``rules.wording``) with a decimal comma and no
    trailing zeros: 12,5 rather than 12,50; 196, not 196,00. Not a number: as it is."""
    if value is None or value == "":
        return "—"
    try:
        number = rule(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    with translation.override("fr"):
        return formats.number_format(number, use_l10n=True)


@register.filter
def fr_share(value) -> str:
    """Return a share judged against "at most" bounds (an absence share) rounded up to 2
    decimals, so that it never reads as a band it exceeds: 2,51 for 2.5083."""
    return _french(value, shown_up)


@register.filter
def sur20(value) -> str:
    """Return a mark on 20: 12,5/20. A string is taken as already formatted (the engine's)."""
    if value is None or value == "":
        return "—"
    shown = value if isinstance(value, str) and "," in value else fr_decimal(value)
    return f"{shown}/20"


@register.filter
def fr_date(value) -> str:
    """Return a date in words: 28 novembre 2026 (a date-time in the local time zone)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    elif not isinstance(value, date):
        return str(value)
    with translation.override("fr"):
        return formats.date_format(value, "j F Y")


@register.filter
def fr_datetime(value) -> str:
    """Return a date-time in words: 28 novembre 2026 à 14 h 30."""
    if not value:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    with translation.override("fr"):
        return _("%(date)s à %(hour)s h %(minute)s") % {
            "date": formats.date_format(value, "j F Y"),
            "hour": f"{value:%H}",
            "minute": f"{value:%M}",
        }
