"""Two examiners submit the last two épreuves of a bloc at the same moment: the bloc's épreuves
mark is written once, with the sum of both (PostgreSQL: the submissions lock the bloc's marks in
one order, so the second waits for the first and sees it submitted)."""

from decimal import Decimal

import pytest

from accounts.models import Enrolment
from audit.models import AuditEvent
from tests.factories import EnrolmentFactory, EvaluatorFactory
from tests.races import needs_row_locks, run_together
from tests.workflow.jury.helpers import staff
from workflow.evaluation.epreuve_marks import (
    epreuve_examiner_assign,
    epreuve_mark_save,
    epreuve_mark_submit,
)
from workflow.models import BlocExamMark

pytestmark = [
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]


def test_the_last_two_epreuves_submitted_together_write_the_bloc_sum_once():
    enrolment = EnrolmentFactory(route=Enrolment.Route.EPREUVES)
    bloc = enrolment.cohort.title.blocs.get(number=2)
    marks = []
    for epreuve, total in zip(bloc.epreuves.order_by("order"), (40, 30), strict=True):
        mark = epreuve_examiner_assign(
            actor=staff(), enrolment=enrolment, epreuve=epreuve, examiner=EvaluatorFactory()
        )
        criteria = list(mark.grid_version.criteria.order_by("order"))
        share = Decimal(total) / epreuve.points
        points = {c.pk: c.max_points * share for c in criteria}
        epreuve_mark_save(actor=mark.examiner, mark=mark, points=points)
        marks.append(mark)

    results = run_together(
        [lambda m=m: epreuve_mark_submit(actor=m.examiner, mark=m) for m in marks]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    bloc_mark = BlocExamMark.objects.get(enrolment=enrolment, bloc=bloc)
    assert bloc_mark.points == 70 and bloc_mark.presented
    assert AuditEvent.objects.filter(action="bloc_exam_mark.enter").count() == 1
