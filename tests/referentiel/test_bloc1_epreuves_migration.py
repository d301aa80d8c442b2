"""Migration referentiel 0005: a database with bloc 1's single 150-point épreuve gets the
source's three épreuves; the former grid version is kept as it was, a new one sums to 50."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from referentiel.models import Epreuve, Grid, GridCriterion, GridVersion, Title

pytestmark = pytest.mark.django_db

migration = importlib.import_module("referentiel.migrations.0005_bloc1_three_epreuves")


def _old_shape():
    """Bloc 1 as the data file had it: one épreuve B1-E1 of 150 points, its grid's version 1
    with the bloc's ten criteria, frozen as if it had scored something."""
    title = Title.objects.get(code="36390")
    Epreuve.objects.filter(code__in=["B1-E2", "B1-E3"]).delete()  # their grids cascade
    old = Epreuve.objects.get(code="B1-E1")
    old.name, old.points = "Épreuves du bloc 1 : 1/ rapport ; 2/ et 3/ études de cas", 150
    old.save()
    old.competencies.set(title.blocs.get(number=1).competencies.all())
    grid = Grid.objects.get(epreuve=old)
    grid.points = 150
    grid.save()
    grid.versions.all().delete()
    version = GridVersion.objects.create(grid=grid, number=1, frozen_at=timezone.now())
    for order in range(10):
        GridCriterion.objects.create(
            version=version, order=order, label=f"Critère {order}", max_points=15
        )
    return grid, version


def test_the_single_bloc_1_epreuve_becomes_the_sources_three():
    grid, old_version = _old_shape()

    migration.load(apps, None)

    epreuves = list(Epreuve.objects.filter(bloc__number=1).order_by("order"))
    assert [(e.code, e.points, e.duration) for e in epreuves] == [
        ("B1-E1", 50, ""),
        ("B1-E2", 50, "3 h"),
        ("B1-E3", 50, "3 h"),
    ]
    assert sorted(c.code for c in epreuves[0].competencies.all()) == ["C.1.1.1", "C.1.1.2"]
    grid.refresh_from_db()
    assert grid.points == 50
    versions = list(grid.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    # The used version is untouched; the new one sums to the épreuve's 50 points.
    assert versions[0].pk == old_version.pk and versions[0].is_frozen
    assert versions[0].total_points == Decimal(150)
    assert versions[1].total_points == Decimal(50) and not versions[1].is_frozen
    assert [c.max_points for c in versions[1].criteria.all()] == [Decimal(25), Decimal(25)]
    for code in ("B1-E2", "B1-E3"):
        new_grid = Grid.objects.get(epreuve__code=code)
        assert new_grid.kind == Grid.Kind.EPREUVE and new_grid.points == 50
        assert new_grid.current_version().total_points == Decimal(50)


def test_the_migration_and_the_command_run_again_change_nothing():
    _old_shape()
    migration.load(apps, None)
    counts = (Epreuve.objects.count(), Grid.objects.count(), GridVersion.objects.count())

    migration.load(apps, None)
    call_command("load_referentiel", verbosity=0)

    assert (Epreuve.objects.count(), Grid.objects.count(), GridVersion.objects.count()) == counts
    assert Grid.objects.filter(epreuve__code="B1-E1").count() == 1


def test_every_bloc_s_epreuves_sum_to_its_exam_points_with_a_grid_each():
    title = Title.objects.get(code="36390")
    for bloc in title.blocs.all():
        epreuves = list(bloc.epreuves.all())
        assert sum(e.points for e in epreuves) == bloc.exam_points
        for epreuve in epreuves:
            version = Grid.objects.get(epreuve=epreuve).current_version()
            assert version.total_points == epreuve.points
