"""An evaluation named « ² » (a digit for str.isdigit(), not for int()) keeps the CC grid
readable: its columns sort, the page answers 200."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role, TrainingLink
from tests.factories import EnrolmentFactory, UserFactory
from workflow.marks import cc

pytestmark = pytest.mark.django_db


def test_a_superscript_evaluation_name_does_not_break_the_grid(client):
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    for label in ("²", "2", "10"):
        cc.cc_mark_enter(
            actor=trainer,
            enrolment=enrolment,
            module=module,
            label=label,
            mark=Decimal(12),
            out_of=20,
        )
    client.force_login(trainer)
    response = client.get(reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk]))
    assert response.status_code == 200
    labels = [column.label for _i, column in response.context["columns"]]
    assert labels == ["2", "10", "²"]
