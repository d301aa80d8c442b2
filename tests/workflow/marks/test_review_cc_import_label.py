"""CC import: an evaluation name longer than the grid's (60 characters) is an error of its line
in the preview, not a database error (PostgreSQL) at confirmation."""

import pytest

from accounts.models import TrainingLink
from tests.factories import EnrolmentFactory, UserFactory
from workflow.marks import cc_import

pytestmark = pytest.mark.django_db


def test_an_evaluation_name_too_long_is_an_error_of_its_line():
    enrolment = EnrolmentFactory()
    cohort = enrolment.cohort
    module = cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
    content = (
        f"email;note;sur;evaluation\n{enrolment.candidate.email};12;20;{'x' * 61}\n"
    ).encode()
    preview = cc_import.cc_import_preview(
        actor=trainer, module=module, cohort=cohort, content=content, filename="notes.csv"
    )
    assert not preview.ok and not preview.changes
    assert [(e.line, e.column) for e in preview.errors] == [(2, "evaluation")]
    assert "60" in preview.errors[0].message
