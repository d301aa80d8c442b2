"""Form widgets the workflow's screens share, and the error summary's links."""

from django import forms


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO (``2027-06-15``), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def error_links(form, labels: dict | None = None) -> list[tuple[str, str, str]]:
    """Return (input id, label, message) for each field in error of ``form``, in field order,
    for the error summary at the top of a page (``components/error_summary.html``).

    ``labels`` names a field better than its own label (« Critère 2, points »); a group of
    checkboxes links to its first box.
    """
    links = []
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        anchor = bound.auto_id
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            anchor += "_0"
        label = (labels or {}).get(name) or bound.label
        links += [(anchor, label, message) for message in form.errors[name]]
    return links


class AutosavedFieldsMixin:
    """A form whose fields the page saves one at a time (``static/js/grid.js``)."""

    def mark_saved(self, values: dict[str, str]) -> None:
        """Give each input its field name and saved value: the autosave sends them, and the
        server refuses a value saved from another window since (a conflict)."""
        for name, field in self.fields.items():
            field.widget.attrs.update({"data-field": name, "data-saved": values.get(name, "")})
