"""The CC grid without JavaScript: a cell name whose numbers are not ids (« ² », thousands of
digits) is left out, never a 500."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.models import Role, TrainingLink
from tests.factories import EnrolmentFactory, UserFactory
from workflow.models import CCMark

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["c-²-0", "c-{pk}-²", "c-" + "9" * 5000 + "-0", "c-{pk}-" + "9" * 5000]
)
def test_a_cell_name_that_is_not_an_id_is_left_out(client, name):
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    data = {"col-0": "1", "sur-0": "20", name.format(pk=enrolment.pk): "12"}
    form = "application/x-www-form-urlencoded"  # multipart caps a field name's length
    assert client.post(url, urlencode(data), content_type=form).status_code == 302
    assert not CCMark.objects.exists()
