"""The evaluator's autosave: an ``expected`` evidence list that is not a list of ids (a number of
thousands of digits) is a conflict answered in JSON, never a 500."""

import pytest
from django.urls import reverse

from tests.factories import EvidenceItemFactory

pytestmark = pytest.mark.django_db


def test_an_unreadable_expected_evidence_list_is_a_conflict(client, accepted, evaluator):
    item = EvidenceItemFactory(portfolio=accepted.portfolio)
    first = accepted.scoring.grid_version.criteria.first()
    client.force_login(evaluator)
    answer = client.post(
        reverse("workflow:scoring-field", args=[accepted.pk]),
        {"field": f"evidence_{first.pk}", "value": [item.pk], "expected": "9" * 5000},
    )
    assert answer.status_code == 409
    assert answer.json()["conflict"] is True
    assert not accepted.scoring.scores.get(criterion=first).evidence.exists()


def test_a_superscript_in_the_expected_evidence_list_is_a_conflict(client, accepted, evaluator):
    item = EvidenceItemFactory(portfolio=accepted.portfolio)
    first = accepted.scoring.grid_version.criteria.first()
    client.force_login(evaluator)
    answer = client.post(
        reverse("workflow:scoring-field", args=[accepted.pk]),
        {"field": f"evidence_{first.pk}", "value": [item.pk], "expected": "²"},
    )
    assert answer.status_code == 409
