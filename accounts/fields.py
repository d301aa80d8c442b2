"""Form fields shared by every role's forms: numbers typed the French way."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Spaces people type or paste inside a number: space, no-break space, narrow no-break space.
_SPACES = re.compile(r"[ \u00a0\u202f]")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_decimal(text: str) -> Decimal | None:
    """Return the number typed in ``text`` (« 11,5 », « 11.5 », « 1 234,5 ») or None if empty.

    A comma or a dot is the decimal separator; spaces inside are ignored. Anything else, or both
    a comma and a dot, raises ``ValueError``: « 1.234,5 » is refused rather than guessed.
    """
    cleaned = _SPACES.sub("", str(text)).strip()
    if not cleaned:
        return None
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(text) from error


def format_decimal(value) -> str:
    """Return ``value`` with a decimal comma and no trailing zeros: 11,5 ; 15 ; 12,25."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        # Not quantize(): it fails on a number longer than the context's 28 digits.
        return f"{number.to_integral_value():f}"
    return f"{number.normalize():f}".replace(".", ",")


class FrenchDecimalInput(forms.TextInput):
    """A text box for a number: the decimal keypad on phones, the value shown with a comma.

    Not ``type="number"``: a browser in another language drops or rewrites « 11,5 »."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, str):
            return value
        return format_decimal(value) or None


class FrenchDecimalField(forms.DecimalField):
    """A DecimalField that reads « 11,5 » as 11.5 and says what to type when it cannot."""

    widget = FrenchDecimalInput
    default_error_messages = {
        "invalid": _("Saisissez un nombre, avec une virgule pour les décimales : 11,5."),
        "max_decimal_places": _("Saisissez au plus %(max)s chiffres après la virgule."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The bounds are written the French way in the messages: « au plus 10 », « 7,5 ».
        for validator in self.validators:
            if isinstance(validator, validators.MaxValueValidator):
                validator.message = _("Saisissez au plus %(limit)s.") % {
                    "limit": format_decimal(validator.limit_value)
                }
            elif isinstance(validator, validators.MinValueValidator):
                validator.message = _("Saisissez au moins %(limit)s.") % {
                    "limit": format_decimal(validator.limit_value)
                }

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max for a NumberInput; a text box takes none of them.
        return forms.Field.widget_attrs(self, widget)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            number = value
        else:
            try:
                number = parse_decimal(str(value))
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is None:
            return None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number
