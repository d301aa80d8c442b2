"""Reading the marks typed on a national grid: one rule for evaluators, tutors and juries.

A mark is a number (comma or point as the decimal separator) between 0 and the criterion's
maximum, with 2 decimals at most.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.fields import format_decimal, parse_decimal
from workflow.errors import WorkflowError

HUNDREDTH = Decimal("0.01")
FIELD_CHANGED = _(
    "Ce champ a été enregistré entre-temps depuis une autre fenêtre : rechargez la page pour "
    "voir la valeur enregistrée avant de la modifier."
)


class FieldConflict(WorkflowError):
    """A field of a draft was saved from another window since the page showed it."""


def criterion_points(raw, criterion) -> Decimal | None:
    """Return the mark typed for ``criterion``, or None when left blank.

    Raise ``ValueError`` with a French message saying what to fix.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, Decimal):
        points = raw
    else:
        try:
            points = parse_decimal(str(raw))
        except ValueError:
            points = None
    if points is None or not points.is_finite():
        raise ValueError(_("Saisissez un nombre, par exemple 7,5."))
    if points < 0 or points > criterion.max_points:
        raise ValueError(
            _("La note doit être comprise entre 0 et %(max)s.")
            % {"max": format_decimal(criterion.max_points)}
        )
    if points != points.quantize(HUNDREDTH):  # 7,50 or 7,500 is fine; 7,505 is not
        raise ValueError(_("Deux décimales au plus."))
    return points


def grid_points(version, points: dict, *, complete: bool) -> dict:
    """Return {criterion id: mark} read from ``points`` (keyed by criterion id, int or str).

    With ``complete`` every criterion of the grid ``version`` needs a mark; without, blanks are
    left out (a draft). A key that is not a criterion of this grid is refused.
    """
    criteria = {criterion.pk: criterion for criterion in version.criteria.all()}
    if {str(key) for key in points} - {str(pk) for pk in criteria}:
        raise WorkflowError(_("Critère inconnu pour cette grille."))
    parsed = {}
    for criterion in criteria.values():
        raw = points.get(criterion.pk, points.get(str(criterion.pk)))
        try:
            value = criterion_points(raw, criterion)
        except ValueError as error:
            raise WorkflowError(
                _("« %(label)s » : %(error)s") % {"label": criterion.label, "error": error}
            ) from None
        if value is None:
            if complete:
                raise WorkflowError(
                    _("« %(label)s » : note manquante.") % {"label": criterion.label}
                )
            continue
        parsed[criterion.pk] = value
    return parsed


def plain_number(number) -> str:
    """Return ``number`` as the autosave compares it: « 11.5 », « 10 », or "" for none."""
    return "" if number is None else f"{number.normalize():f}"


def same_value(saved: str, expected, *, number: bool) -> bool:
    """Return whether the value a page last saw (``expected``, as typed) is the saved one."""
    if not number:
        return saved.strip() == str(expected).strip()
    try:
        return saved == plain_number(parse_decimal(str(expected)))
    except ValueError:
        return False
