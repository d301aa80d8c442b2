"""A candidate enrolled for some blocs only sits and is marked on those blocs' épreuves: the
sitting's list leaves them out of another bloc's épreuve, and no examiner is assigned there."""

import pytest

from tests.factories import CohortFactory
from tests.workflow.centre.test_exam_day import candidate, scheduled
from tests.workflow.evaluation.test_epreuve_marks import assign
from workflow.centre.sittings import sitting_candidates
from workflow.errors import WorkflowError
from workflow.models import EpreuveMark

pytestmark = pytest.mark.django_db


def test_a_sitting_lists_only_the_candidates_enrolled_for_its_bloc():
    sitting = scheduled(CohortFactory())  # an épreuve of bloc 1
    title_blocs = sitting.cohort.title.blocs
    whole_title = candidate(sitting.cohort)
    bloc_1 = candidate(sitting.cohort)
    bloc_1.blocs.set([title_blocs.get(number=1), title_blocs.get(number=2)])
    bloc_4 = candidate(sitting.cohort)
    bloc_4.blocs.set([title_blocs.get(number=4)])
    assert set(sitting_candidates(sitting)) == {whole_title, bloc_1}
    # The cohort's list (no sitting) still names every épreuves-route candidate, once.
    assert sorted(e.pk for e in sitting_candidates(sitting.cohort)) == sorted(
        e.pk for e in (whole_title, bloc_1, bloc_4)
    )


def test_no_examiner_is_assigned_on_a_bloc_the_candidate_does_not_sit():
    sitting = scheduled(CohortFactory())
    enrolment = candidate(sitting.cohort)
    enrolment.blocs.set([sitting.cohort.title.blocs.get(number=4)])
    with pytest.raises(WorkflowError) as refused:
        assign(enrolment, sitting.epreuve)
    assert "n'est pas inscrit au bloc 1" in refused.value.message
    assert not EpreuveMark.objects.exists()
