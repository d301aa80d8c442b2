"""The one error type a workflow service raises: a French message the user can act on."""

from django.utils.translation import gettext_lazy as _


class WorkflowError(Exception):
    """A business rule refused the action.

    ``message`` says why and what to do, in French. ``reasons`` lists several causes when there
    are several (an assignment refused for two independence problems); ``field_errors`` maps a
    form field name to its messages so that a view can show each error beside its field.
    """

    def __init__(self, message, *, reasons=None, field_errors=None):
        super().__init__(str(message))
        self.message = str(message)
        self.reasons = [str(r) for r in (reasons or [])]
        self.field_errors = {k: [str(m) for m in v] for k, v in (field_errors or {}).items()}

    def __str__(self):
        return self.message


STALE_MESSAGE = _(
    "Quelqu'un d'autre vient de modifier ce dossier : rechargez la page pour voir son état "
    "actuel, puis recommencez si l'action est toujours possible."
)


def refuse_future_date(day, *, field: str, today) -> None:
    """Raise a WorkflowError naming ``field`` when ``day`` (a recorded fact) is after today."""
    if day > today:
        raise WorkflowError(
            _("Cette date ne peut pas être dans le futur (aujourd'hui : %(d)s).")
            % {"d": today.strftime("%d/%m/%Y")},
            field_errors={field: [_("Date future.")]},
        )
