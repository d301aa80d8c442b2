"""Changes to the référentiel's grids. A grid version that has scored anything is frozen."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit import clock
from referentiel.models import Grid, GridCriterion, GridVersion


def grid_version_freeze(*, version: GridVersion) -> GridVersion:
    """Mark ``version`` as used: from now on an edit makes a new version."""
    if version.frozen_at is None:
        GridVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=clock.now()
        )
        version.refresh_from_db(fields=["frozen_at"])
    return version


@transaction.atomic
def grid_revise(*, grid: Grid, criteria: list[dict], note: str = "") -> GridVersion:
    """Replace the grid's criteria: in place while unused, as a new version once frozen.

    Each criterion is a dict with ``label``, ``max_points`` and optionally ``indicators`` and
    ``competencies``. The maxima must sum to the points at stake.
    """
    if not criteria:
        raise ValidationError(_("Une grille doit avoir au moins un critère."))
    total = sum((Decimal(str(c["max_points"])) for c in criteria), Decimal(0))
    if total != grid.points:
        raise ValidationError(
            _("Les critères totalisent %(total)s points au lieu de %(points)s.")
            % {"total": total, "points": grid.points}
        )
    current = GridVersion.objects.select_for_update().filter(grid=grid).order_by("-number").first()
    if current is None or current.is_frozen:
        version = GridVersion.objects.create(
            grid=grid, number=(current.number + 1) if current else 1, note=note
        )
    else:
        version = current
        version.note = note or version.note
        version.save(update_fields=["note"])
        version.criteria.all().delete()
    for order, data in enumerate(criteria):
        criterion = GridCriterion.objects.create(
            version=version,
            order=order,
            label=data["label"],
            indicators=data.get("indicators", ""),
            max_points=Decimal(str(data["max_points"])),
        )
        criterion.competencies.set(data.get("competencies", []))
    return version
