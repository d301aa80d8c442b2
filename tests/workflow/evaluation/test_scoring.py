"""Scoring on the grid: bounds, required comments, evidence links, drafts, freezing."""

from decimal import Decimal

import pytest

from referentiel.services import grid_revise
from tests.factories import EvidenceItemFactory
from tests.workflow.helpers import refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.scoring import scoring_problems, scoring_save, scoring_submit
from workflow.models import Scoring

pytestmark = pytest.mark.django_db


def criteria(assignment):
    return list(assignment.scoring.grid_version.criteria.all())


def test_the_grid_is_the_blocs_portfolio_grid_out_of_its_exam_points(accepted, admissible):
    grid = accepted.scoring.grid_version.grid
    assert (grid.kind, grid.bloc, grid.points) == ("portfolio", admissible.bloc, 150)
    assert sum(c.max_points for c in criteria(accepted)) == Decimal(150)


def test_a_draft_may_be_partial_and_keeps_its_total(accepted, evaluator):
    first = criteria(accepted)[0]
    scoring = scoring_save(
        scoring=accepted.scoring,
        actor=evaluator,
        overall_comment="",
        scores={first.pk: {"points": Decimal("3.25"), "comment": "", "evidence": []}},
    )
    scoring = refresh(scoring)
    assert (scoring.state, scoring.total) == (Scoring.State.DRAFT, Decimal("3.25"))
    assert scoring.scores.get(criterion=first).points == Decimal("3.25")


@pytest.mark.parametrize("points", ["-1", "1000", "abc", "1.005"])
def test_points_out_of_bounds_are_refused_on_their_field(accepted, evaluator, points):
    first = criteria(accepted)[0]
    with pytest.raises(WorkflowError) as refused:
        scoring_save(
            scoring=accepted.scoring,
            actor=evaluator,
            overall_comment="",
            scores={first.pk: {"points": points, "comment": "", "evidence": []}},
        )
    assert f"points_{first.pk}" in refused.value.field_errors
    assert refresh(accepted.scoring).scores.get(criterion=first).points is None


def test_the_maximum_itself_is_accepted(accepted, evaluator):
    first = criteria(accepted)[0]
    scoring_save(
        scoring=accepted.scoring,
        actor=evaluator,
        overall_comment="",
        scores={first.pk: {"points": first.max_points, "comment": "", "evidence": []}},
    )
    assert refresh(accepted.scoring).total == first.max_points


def test_a_comment_is_required_under_half_the_points_at_submission(accepted, evaluator):
    rows = criteria(accepted)
    scores = {c.pk: {"points": c.max_points, "comment": "", "evidence": []} for c in rows}
    low, half = rows[0], rows[1]
    scores[low.pk]["points"] = low.max_points / 2 - Decimal("0.01")
    scores[half.pk]["points"] = half.max_points / 2
    scoring = scoring_save(
        scoring=accepted.scoring, actor=evaluator, overall_comment="Bien.", scores=scores
    )
    problems = scoring_problems(scoring)
    assert list(problems) == [f"comment_{low.pk}"]
    with pytest.raises(WorkflowError) as refused:
        scoring_submit(scoring=scoring, actor=evaluator)
    assert f"comment_{low.pk}" in refused.value.field_errors
    assert refresh(scoring).state == Scoring.State.DRAFT


def test_every_criterion_and_the_overall_comment_are_required_to_submit(accepted, evaluator):
    problems = scoring_problems(accepted.scoring)
    assert len(problems) == len(criteria(accepted)) + 1
    assert "overall_comment" in problems


def test_evidence_of_the_portfolio_can_be_linked_to_a_criterion(accepted, evaluator, admissible):
    mine = EvidenceItemFactory(portfolio=admissible)
    other = EvidenceItemFactory()
    first = criteria(accepted)[0]
    with pytest.raises(WorkflowError) as refused:
        scoring_save(
            scoring=accepted.scoring,
            actor=evaluator,
            overall_comment="",
            scores={first.pk: {"points": 1, "comment": "", "evidence": [other.pk]}},
        )
    assert f"evidence_{first.pk}" in refused.value.field_errors
    scoring_save(
        scoring=accepted.scoring,
        actor=evaluator,
        overall_comment="",
        scores={first.pk: {"points": 1, "comment": "", "evidence": [mine.pk]}},
    )
    assert list(accepted.scoring.scores.get(criterion=first).evidence.all()) == [mine]


def test_only_the_evaluator_may_save_or_submit(accepted, staff, second_evaluator):
    for user in (staff, second_evaluator, accepted.portfolio.enrolment.candidate):
        with pytest.raises(WorkflowError, match="pas la vôtre"):
            scoring_save(scoring=accepted.scoring, actor=user, overall_comment="", scores={})
        with pytest.raises(WorkflowError, match="pas la vôtre"):
            scoring_submit(scoring=accepted.scoring, actor=user)


def test_a_submitted_scoring_is_frozen(accepted, evaluator):
    scoring = score(accepted, 120)
    with pytest.raises(WorkflowError, match="n'est plus modifiable"):
        scoring_save(scoring=scoring, actor=evaluator, overall_comment="Autre", scores={})
    with pytest.raises(WorkflowError, match="n'est plus modifiable"):
        scoring_submit(scoring=scoring, actor=evaluator)
    assert refresh(scoring).overall_comment == "Dossier solide dans l'ensemble."


def test_a_used_grid_is_frozen_and_a_revision_makes_a_new_version(accepted):
    version = accepted.scoring.grid_version
    assert refresh(version).is_frozen
    rows = [{"label": c.label, "max_points": c.max_points} for c in version.criteria.all()]
    new = grid_revise(grid=version.grid, criteria=rows, note="Révision")
    assert new.pk != version.pk and new.number == version.number + 1
    assert refresh(accepted.scoring).grid_version == version
