"""The épreuve marks' screens: the examiner's grid (« 11,5 », confirmation), the staff's list per
cohort and épreuve (assignment refusals with their reason, reopening), access and query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    EpreuveMarkFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    TrainingLinkFactory,
    UserFactory,
)
from tests.workflow.evaluation.test_epreuve_marks import assign, epreuves_enrolment, epreuves_of
from tests.workflow.jury.helpers import staff as staff_of
from workflow.models import BlocExamMark, EpreuveMark

pytestmark = pytest.mark.django_db


def bloc_epreuve(enrolment, number, index=0):
    return epreuves_of(enrolment, number)[index]


def assigned():
    enrolment = epreuves_enrolment()
    return assign(enrolment, bloc_epreuve(enrolment, 3))


def grid_post(mark, values, **extra):
    criteria = list(mark.grid_version.criteria.order_by("order"))
    data = {f"c{c.pk}": value for c, value in zip(criteria, values, strict=False)}
    return {**data, "comment": "Copie soignée.", **extra}


# --- The examiner ---------------------------------------------------------------------------


def test_the_examiner_lists_their_epreuves_and_opens_the_grid(client):
    mark = assigned()
    EpreuveMarkFactory()  # another examiner's
    client.force_login(mark.examiner)
    page = client.get(reverse("workflow:examiner-marks")).content.decode()
    assert len(re.findall(r"<tr data-mark=", page)) == 1
    grid = client.get(reverse("workflow:examiner-mark", args=[mark.pk])).content.decode()
    assert "Épreuve B3-E1" in grid and "sur 105 points" in grid.lower()
    assert 'name="action" value="submit"' in grid and "epreuve-submit-dialog" in grid


def test_a_french_decimal_is_saved_from_the_grid(client):
    mark = assigned()
    client.force_login(mark.examiner)
    response = client.post(
        reverse("workflow:examiner-mark", args=[mark.pk]),
        grid_post(mark, ["11,5"], action="save"),
    )
    assert response.status_code == 302
    assert mark.scores.get().points == Decimal("11.5")
    mark.refresh_from_db()
    assert mark.comment == "Copie soignée."


def test_a_value_above_the_criterion_shows_a_french_error_and_keeps_the_valid_ones(client):
    mark = assigned()
    first, second = mark.grid_version.criteria.order_by("order")[:2]
    client.force_login(mark.examiner)
    response = client.post(
        reverse("workflow:examiner-mark", args=[mark.pk]),
        grid_post(mark, ["3", "99"], action="save"),
    )
    assert response.status_code == 400
    assert "Saisissez au plus 17,5." in response.content.decode()
    assert {s.criterion_id: s.points for s in mark.scores.all()} == {first.pk: Decimal(3)}


def test_submitting_asks_for_confirmation_then_writes_the_bloc_sum(client):
    mark = assigned()
    maxima = [c.max_points for c in mark.grid_version.criteria.order_by("order")]
    client.force_login(mark.examiner)
    url = reverse("workflow:examiner-mark", args=[mark.pk])
    values = [str(m).replace(".", ",") for m in maxima]
    unconfirmed = client.post(url, grid_post(mark, values, action="submit"))
    assert "Remettre la note de" in unconfirmed.content.decode()
    assert not mark.scores.exists()
    client.post(url, grid_post(mark, values, action="submit", confirmed="1"))
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.SUBMITTED and mark.total == 105
    assert BlocExamMark.objects.get().points == 105
    closed = client.get(url).content.decode()
    assert "Note de l'épreuve : 105 / 105" in closed
    assert 'value="submit"' not in closed


def test_an_incomplete_submission_names_the_missing_criteria(client):
    mark = assigned()
    client.force_login(mark.examiner)
    response = client.post(
        reverse("workflow:examiner-mark", args=[mark.pk]),
        grid_post(mark, ["4"], action="submit", confirmed="1"),
    )
    assert response.status_code == 400
    assert "Notez ce critère." in response.content.decode()
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.DRAFT and mark.scores.count() == 1


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury"])
def test_other_roles_may_not_open_the_examiners_screens(client, role):
    mark = assigned()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("workflow:examiner-marks")).status_code == 403
    assert client.get(reverse("workflow:examiner-mark", args=[mark.pk])).status_code == 403


def test_another_evaluator_gets_a_404_and_changes_nothing(client):
    mark = assigned()
    client.force_login(EvaluatorFactory())
    url = reverse("workflow:examiner-mark", args=[mark.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, grid_post(mark, ["1"], action="save")).status_code == 404
    assert not mark.scores.exists()


# --- The staff ------------------------------------------------------------------------------


def staff_url(cohort, epreuve):
    return f"{reverse('workflow:staff-epreuve-marks')}?promotion={cohort.pk}&epreuve={epreuve.pk}"


def test_the_staff_assign_an_independent_examiner_from_the_list(client):
    enrolment = epreuves_enrolment()
    epreuve = bloc_epreuve(enrolment, 1, 1)
    examiner = EvaluatorFactory(first_name="Irène", last_name="Correctrice")
    client.force_login(staff_of())
    url = staff_url(enrolment.cohort, epreuve)
    response = client.post(
        url,
        {"action": "assign", "assign-enrolment": enrolment.pk, "assign-examiner": examiner.pk},
        follow=True,
    )
    assert "Correcteur affecté." in response.content.decode()
    assert "Irène Correctrice" in response.content.decode()
    mark = EpreuveMark.objects.get()
    assert (mark.examiner, mark.epreuve, mark.enrolment) == (examiner, epreuve, enrolment)


def test_the_trainer_of_the_cohort_is_refused_with_the_reason(client):
    enrolment = epreuves_enrolment()
    trainer = EvaluatorFactory()
    TrainingLinkFactory(trainer=trainer, cohort=enrolment.cohort)
    client.force_login(staff_of())
    response = client.post(
        staff_url(enrolment.cohort, bloc_epreuve(enrolment, 2)),
        {"action": "assign", "assign-enrolment": enrolment.pk, "assign-examiner": trainer.pk},
    )
    assert response.status_code == 400
    assert "A formé ce candidat (module M1.1" in response.content.decode()
    assert not EpreuveMark.objects.exists()


def test_the_staff_reopen_a_submitted_mark_with_a_reason(client):
    mark = EpreuveMarkFactory(state=EpreuveMark.State.SUBMITTED, total=Decimal(30))
    client.force_login(staff_of())
    url = staff_url(mark.enrolment.cohort, mark.epreuve)
    missing = client.post(url, {"action": "reopen", "mark": mark.pk, "reason": ""})
    assert missing.status_code == 400 and "Le motif est obligatoire." in missing.content.decode()
    client.post(url, {"action": "reopen", "mark": mark.pk, "reason": "Report erroné."})
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.DRAFT


def test_the_auditor_reads_the_list_but_may_not_post(client):
    mark = EpreuveMarkFactory()
    client.force_login(UserFactory(roles=["auditeur"]))
    url = staff_url(mark.enrolment.cohort, mark.epreuve)
    page = client.get(url)
    assert page.status_code == 200 and 'value="assign"' not in page.content.decode()
    answer = client.post(
        url,
        {"action": "assign", "assign-enrolment": mark.enrolment.pk, "assign-examiner": 1},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_other_roles_may_not_open_the_staff_list(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("workflow:staff-epreuve-marks")).status_code == 403


def test_another_establishments_cohort_is_a_404_and_is_not_offered(client):
    mark = EpreuveMarkFactory()
    other = staff_of(EstablishmentFactory(name="CCI Ailleurs"))
    client.force_login(other)
    url = staff_url(mark.enrolment.cohort, mark.epreuve)
    assert client.get(url).status_code == 404
    posted = client.post(url, {"action": "reopen", "mark": mark.pk, "reason": "x"})
    assert posted.status_code == 404
    page = client.get(reverse("workflow:staff-epreuve-marks")).content.decode()
    assert str(mark.enrolment.cohort) not in page


def _list_queries(client, cohort, epreuve) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(staff_url(cohort, epreuve))
    assert response.status_code == 200
    return len(queries)


def _examiner_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workflow:examiner-marks"))
    assert response.status_code == 200
    return len(queries)


def test_both_lists_run_the_same_queries_at_two_sizes(client):
    first = EpreuveMarkFactory()
    cohort, epreuve, examiner = first.enrolment.cohort, first.epreuve, first.examiner
    staff = staff_of()

    def grow(count):
        for _ in range(count):
            EpreuveMarkFactory(
                enrolment=epreuves_enrolment(cohort=cohort), epreuve=epreuve, examiner=examiner
            )
            epreuves_enrolment(cohort=cohort)  # not assigned yet

    grow(2)
    client.force_login(staff)
    small = _list_queries(client, cohort, epreuve)
    client.force_login(examiner)
    small_examiner = _examiner_queries(client)
    grow(12)
    client.force_login(staff)
    assert _list_queries(client, cohort, epreuve) == small
    client.force_login(examiner)
    assert _examiner_queries(client) == small_examiner
