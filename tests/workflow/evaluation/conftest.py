"""Fixtures of the evaluation tests."""

import pytest

from tests.workflow.helpers import assign_and_accept


@pytest.fixture
def accepted(admissible, staff, evaluator):
    """Return the evaluator's accepted assignment on an admissible portfolio (a draft scoring)."""
    return assign_and_accept(admissible, evaluator, staff)
