"""One rule for the marks typed on a national grid, by evaluators, tutors and juries alike."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from workflow.errors import WorkflowError
from workflow.grids import criterion_points, grid_points

CRITERION = SimpleNamespace(pk=7, label="Clarté", max_points=D(15))


def grid(*criteria):
    return SimpleNamespace(criteria=SimpleNamespace(all=lambda: list(criteria)))


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("7,5", D("7.5")),
        ("7.5", D("7.5")),
        ("12,25", D("12.25")),
        ("0", D(0)),
        ("10", D(10)),
        ("9,99", D("9.99")),
        ("9.000", D(9)),
        (D("4.50"), D("4.5")),
        (3, D(3)),
        ("", None),
        (None, None),
    ],
)
def test_a_mark_is_read_with_a_comma_or_a_point(raw, expected):
    assert criterion_points(raw, CRITERION) == expected


@pytest.mark.parametrize(
    "raw,message",
    [
        ("sept", "Saisissez un nombre"),
        ("NaN", "Saisissez un nombre"),
        ("Infinity", "Saisissez un nombre"),
        ("-0.01", "entre 0 et 15"),
        ("15.01", "entre 0 et 15"),
        ("7,505", "Deux décimales au plus"),
        ("0.001", "Deux décimales au plus"),
    ],
)
def test_a_bad_mark_is_refused_with_what_to_fix(raw, message):
    with pytest.raises(ValueError, match=message):
        criterion_points(raw, CRITERION)


def test_a_complete_grid_needs_every_criterion():
    other = SimpleNamespace(pk=8, label="Posture", max_points=D(5))

    assert grid_points(grid(CRITERION, other), {7: "6", "8": "4,5"}, complete=True) == {
        7: D(6),
        8: D("4.5"),
    }
    with pytest.raises(WorkflowError, match="« Posture » : note manquante."):
        grid_points(grid(CRITERION, other), {7: "6"}, complete=True)


def test_a_draft_leaves_blanks_out_and_names_the_criterion_in_error():
    other = SimpleNamespace(pk=8, label="Posture", max_points=D(5))

    assert grid_points(grid(CRITERION, other), {7: "6", 8: ""}, complete=False) == {7: D(6)}
    with pytest.raises(
        WorkflowError, match="« Posture » : La note doit être comprise entre 0 et 5"
    ):
        grid_points(grid(CRITERION, other), {8: "6"}, complete=False)


@pytest.mark.parametrize("complete", [True, False])
def test_a_criterion_of_another_grid_is_refused(complete):
    with pytest.raises(WorkflowError, match="Critère inconnu"):
        grid_points(grid(CRITERION), {7: "5", 99: "1"}, complete=complete)
