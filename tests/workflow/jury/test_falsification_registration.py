"""The 10-year falsification ban refuses registrations: the candidate import and the jury
session, with the reason and the end of the ban (hand-computed: 01/07/2027 + 10 years)."""

from datetime import date

import pytest

from accounts.models import Enrolment
from documents import services as documents
from tests.documents.test_candidate_import import GOOD_LINES, csv_bytes
from tests.factories import CohortFactory, FalsificationSanctionFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
)
from tests.workflow.jury.second_chance_world import at
from workflow.errors import WorkflowError
from workflow.jury import sessions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("day", "allowed"), [(date(2037, 6, 30), False), (date(2037, 7, 1), True)])
def test_the_candidate_import_refuses_a_banned_candidate_until_the_ban_ends(
    monkeypatch, day, allowed
):
    at(monkeypatch, day)
    anais = UserFactory(email="anais.legare@exemple.fr", birth_date=date(1998, 3, 5))
    FalsificationSanctionFactory(candidate=anais, sanctioned_on=date(2027, 7, 1))
    cohort = CohortFactory(training_start=date(2037, 9, 1), training_end=date(2038, 6, 30))
    report = documents.enrolments_import_check(
        cohort=cohort, filename="promo.csv", content=csv_bytes(*GOOD_LINES)
    )
    if allowed:
        assert report.valid
        return
    (error,) = report.errors
    assert error.line == 2
    assert "« anais.legare@exemple.fr » ne peut pas être inscrit" in error.message
    assert "jusqu'au 01/07/2037" in error.message
    assert not Enrolment.objects.filter(candidate=anais).exists()


@pytest.mark.usefixtures("jury_timeline")
def test_a_banned_candidate_is_not_put_before_a_jury():
    enrolment = ready_enrolment()
    session, _members, actor = seated_session()
    FalsificationSanctionFactory(candidate=enrolment.candidate, sanctioned_on=date(2027, 1, 10))
    with pytest.raises(WorkflowError, match="jusqu'au 10/01/2037"):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    assert not session.candidates.exists()
