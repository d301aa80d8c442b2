"""A number longer than Decimal's precision (a stuck key, a pasted identifier) typed in a CC
cell is refused with its French message, not a 500; ``format_decimal`` writes any number."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.fields import format_decimal
from accounts.models import Role, TrainingLink
from tests.factories import EnrolmentFactory, UserFactory
from workflow.models import CCMark

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


def test_format_decimal_writes_a_number_longer_than_the_precision():
    assert format_decimal(Decimal(HUGE)) == HUGE
    assert format_decimal(Decimal("1E+3")) == "1000"


@pytest.fixture
def setting():
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    return enrolment, module, trainer


def test_a_huge_number_in_a_cell_is_refused_in_json(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_grid_cell", args=[enrolment.cohort_id, module.pk])
    data = {"enrolment": enrolment.pk, "label": "1", "sur": 20, "value": HUGE, "version": 0}
    answer = client.post(url, data)
    assert answer.status_code == 400
    assert "entre 0 et 20" in answer.json()["error"]
    assert not CCMark.objects.exists()


def test_a_huge_number_in_the_grid_without_javascript_is_shown_as_a_problem(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    data = {"col-0": "1", "sur-0": "20", f"c-{enrolment.pk}-0": HUGE}
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "entre 0 et 20" in answer.content.decode()
    assert not CCMark.objects.exists()
