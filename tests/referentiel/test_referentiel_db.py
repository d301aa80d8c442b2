"""The référentiel in the database: migrated, idempotent, general, with versioned grids."""

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from referentiel.loader import even_split, load_title, read_data
from referentiel.models import Bloc, Competency, Grid, GridVersion, Module, Title
from referentiel.services import grid_revise, grid_version_freeze

pytestmark = pytest.mark.django_db


def test_migration_loads_rncp_36390_with_the_numbers_of_the_rules():
    title = Title.objects.get(code="36390")
    assert (title.total_points, title.pass_points) == (1000, 500)
    assert (
        title.practice_written_points,
        title.practice_oral_points,
        title.practice_tutor_points,
    ) == (125, 75, 50)
    assert title.practice_minimum_on_20 == Decimal("10")
    blocs = list(title.blocs.order_by("number"))
    assert [(b.hours, b.cc_points, b.exam_points) for b in blocs] == [
        (Decimal("210"), 100, 150),
        (Decimal("147"), 70, 105),
        (Decimal("133"), 70, 105),
        (Decimal("98"), 60, 90),
    ]
    assert {b.minimum_on_20 for b in blocs} == {Decimal("8")}
    assert {b.validation_on_20 for b in blocs} == {Decimal("10")}
    assert Module.objects.filter(bloc__title=title).count() == 23
    assert Competency.objects.filter(bloc__title=title).count() == 32


def test_sums_of_modules_and_parts_are_consistent():
    title = Title.objects.get(code="36390")
    for bloc in title.blocs.all():
        assert sum(m.cc_points for m in bloc.modules.all()) == bloc.cc_points
        assert sum(e.points for e in bloc.epreuves.all()) == bloc.exam_points
    parts = sum(b.points for b in title.blocs.all()) + title.practice_points
    assert parts == title.total_points == 1000


def test_every_competency_has_evaluation_criteria_from_the_source():
    c = Competency.objects.get(code="C.1.1.1")
    labels = [criterion.label for criterion in c.criteria.all()]
    assert "Pertinence et qualité de la procédure élaborée" in labels
    assert not Competency.objects.filter(criteria__isnull=True).exists()


def test_loading_twice_changes_nothing():
    counts = [m.objects.count() for m in (Title, Bloc, Module, Competency, Grid, GridVersion)]
    call_command("load_referentiel", verbosity=0)
    assert [
        m.objects.count() for m in (Title, Bloc, Module, Competency, Grid, GridVersion)
    ] == counts


def test_a_made_up_title_with_three_blocs_loads():
    data = copy.deepcopy(read_data())
    data["code"] = "99999"
    data["name"] = "Titre imaginaire"
    data["blocs"] = data["blocs"][:3]
    data["total_points"] = sum(b["cc_points"] + b["exam_points"] for b in data["blocs"]) + 250
    title = load_title(data)
    assert title.blocs.count() == 3
    assert Grid.objects.filter(title=title, kind="portfolio").count() == 3
    assert Title.objects.get(code="36390").blocs.count() == 4


@pytest.mark.parametrize("total,parts", [(150, 10), (105, 4), (50, 3), (75, 7), (10, 1)])
def test_even_split_sums_exactly(total, parts):
    shares = even_split(total, parts)
    assert len(shares) == parts
    assert sum(shares) == Decimal(total)
    assert max(shares) - min(shares) <= Decimal("0.01")


def test_default_grids_sum_to_the_points_at_stake():
    for grid in Grid.objects.filter(title__code="36390"):
        assert grid.current_version().total_points == grid.points, grid.name
    assert Grid.objects.get(title__code="36390", kind="tutor").points == 50
    assert Grid.objects.get(title__code="36390", kind="soutenance").points == 75


def _criteria(points):
    return [{"label": "Qualité", "max_points": points - 5}, {"label": "Forme", "max_points": 5}]


def test_an_unused_grid_version_is_edited_in_place():
    grid = Grid.objects.get(title__code="36390", kind="tutor")
    version = grid_revise(grid=grid, criteria=_criteria(50), note="Deux critères")
    assert version.number == 1
    assert [c.label for c in version.criteria.all()] == ["Qualité", "Forme"]


def test_a_frozen_grid_version_is_kept_and_an_edit_makes_a_new_one():
    grid = Grid.objects.get(title__code="36390", kind="soutenance")
    first = grid.current_version()
    first_labels = [c.label for c in first.criteria.all()]
    grid_version_freeze(version=first)
    second = grid_revise(grid=grid, criteria=_criteria(75))
    assert second.number == 2
    first.refresh_from_db()
    assert [c.label for c in first.criteria.all()] == first_labels
    assert grid.current_version() == second


def test_a_grid_revision_must_sum_to_the_points_at_stake():
    grid = Grid.objects.get(title__code="36390", kind="memoire")
    with pytest.raises(ValidationError, match="totalisent 120"):
        grid_revise(grid=grid, criteria=_criteria(120))
