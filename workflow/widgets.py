"""Form widgets the workflow's screens share."""

from django import forms


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO (``2027-06-15``), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
