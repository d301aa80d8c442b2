"""The exam calendar's attendance and the per-épreuve marks never contradict each other: no
mark is submitted for an épreuve where the candidate is recorded absent, and no absence is
recorded where the examiner has submitted the mark."""

import pytest

from tests.factories import CohortFactory
from tests.workflow.centre.test_exam_day import EXAM_START, at, candidate, scheduled
from tests.workflow.evaluation.test_epreuve_marks import assign, fill
from tests.workflow.jury.helpers import staff
from workflow.centre import sitting_attendance
from workflow.errors import WorkflowError
from workflow.evaluation.epreuve_marks import epreuve_mark_submit
from workflow.models import BlocExamMark, EpreuveMark

pytestmark = pytest.mark.django_db


def _record(sitting, enrolment, status, **kwargs):
    with at(EXAM_START):
        return sitting_attendance.attendance_record(
            actor=staff(), sitting=sitting, enrolment=enrolment, status=status, **kwargs
        )


def test_a_mark_is_not_submitted_for_an_epreuve_the_candidate_missed():
    sitting = scheduled(CohortFactory())
    enrolment = candidate(sitting.cohort)
    _record(sitting, enrolment, "absent_unjustified")
    mark = fill(assign(enrolment, sitting.epreuve), submit=False)
    with pytest.raises(WorkflowError) as refused:
        epreuve_mark_submit(actor=mark.examiner, mark=mark)
    assert sitting.epreuve.code in refused.value.message
    assert "absent" in refused.value.message
    assert EpreuveMark.objects.get().state == EpreuveMark.State.DRAFT
    assert BlocExamMark.objects.get().presented is False
    # Once the attendance is corrected (with a reason), the mark goes in.
    _record(sitting, enrolment, "present", reason="Erreur de ligne sur la feuille.")
    epreuve_mark_submit(actor=mark.examiner, mark=mark)
    assert EpreuveMark.objects.get().state == EpreuveMark.State.SUBMITTED


def test_an_absence_is_not_recorded_where_the_mark_was_submitted():
    sitting = scheduled(CohortFactory())
    enrolment = candidate(sitting.cohort)
    _record(sitting, enrolment, "present")
    fill(assign(enrolment, sitting.epreuve))
    with pytest.raises(WorkflowError) as refused:
        _record(sitting, enrolment, "absent_unjustified", reason="Correction.")
    assert "rouvrez-la" in refused.value.message
    assert sitting.attendances.get().status == "present"
    assert not BlocExamMark.objects.filter(presented=False).exists()


def test_a_draft_mark_does_not_stop_an_absence():
    sitting = scheduled(CohortFactory())
    enrolment = candidate(sitting.cohort)
    fill(assign(enrolment, sitting.epreuve), submit=False)
    _record(sitting, enrolment, "absent_unjustified")
    assert BlocExamMark.objects.get().presented is False
