"""The tutor's 50-point grid as typed: French numbers, a draft that keeps every valid value, the
per-field autosave, and the final submission behind its confirmation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import fast_passwords, staff  # noqa: F401
from workflow.jury.forms import SoutenanceForm
from workflow.marks import tutoring
from workflow.marks.forms import TutorGridForm
from workflow.models import TutorEvaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation():
    return tutoring.tutor_evaluation_invite(actor=staff(), enrolment=EnrolmentFactory())


def criteria(evaluation):
    return list(evaluation.grid_version.criteria.all())


def page(evaluation):
    return reverse("jury:tutor_evaluation", args=[evaluation.pk])


def autosave(client, evaluation, field, value, expected=""):
    return client.post(
        reverse("jury:tutor_field", args=[evaluation.pk]),
        {"field": field, "value": value, "expected": expected},
    )


@pytest.mark.parametrize("form_class", [TutorGridForm, SoutenanceForm])
def test_grid_forms_read_a_comma_and_write_their_bounds_the_french_way(evaluation, form_class):
    first = criteria(evaluation)[0]
    bound = f"{first.max_points.normalize():f}".replace(".", ",")
    ok = form_class({f"c{first.pk}": "1,5"}, criteria=[first])
    too_much = form_class({f"c{first.pk}": f"{bound}1"}, criteria=[first])
    unreadable = form_class({f"c{first.pk}": "1.234,5"}, criteria=[first])

    assert ok.is_valid() and ok.points() == {first.pk: Decimal("1.5")}
    assert too_much.errors[f"c{first.pk}"] == [f"Saisissez au plus {bound}."]
    assert unreadable.errors[f"c{first.pk}"][0].startswith("Saisissez un nombre")
    assert ok.fields[f"c{first.pk}"].help_text == f"sur {bound}"


def test_a_draft_with_one_bad_value_keeps_the_others_and_lists_it_at_the_top(client, evaluation):
    rows = criteria(evaluation)
    bad = rows[0]
    data = {"action": "save", "comment": "Très investi"}
    data |= {f"c{c.pk}": "1,5" for c in rows}
    data[f"c{bad.pk}"] = "douze"
    client.force_login(evaluation.tutor)

    response = client.post(page(evaluation), data)

    assert response.status_code == 400
    evaluation.refresh_from_db()
    saved = {s.criterion_id: s.points for s in evaluation.scores.all()}
    assert saved == {c.pk: Decimal("1.5") for c in rows if c != bad}
    assert evaluation.comment == "Très investi"
    html = response.content.decode()
    assert html.index("data-error-summary") < html.index('id="tutor-grid"')
    assert f'href="#id_c{bad.pk}"' in html
    assert 'value="douze"' in html


def test_autosave_saves_one_mark_and_clears_a_blanked_one(client, evaluation):
    first = criteria(evaluation)[0]
    client.force_login(evaluation.tutor)

    saved = autosave(client, evaluation, f"c{first.pk}", "2,5")
    cleared = autosave(client, evaluation, f"c{first.pk}", "", expected="2.5")

    assert saved.json() == {"ok": True, "field": f"c{first.pk}", "saved": "2.5", "total": "2,5"}
    assert cleared.json()["total"] == "0"
    assert not evaluation.scores.exists()


def test_autosave_refuses_a_bad_value_and_a_conflict(client, evaluation):
    first = criteria(evaluation)[0]
    client.force_login(evaluation.tutor)
    autosave(client, evaluation, f"c{first.pk}", "2")

    bad = autosave(client, evaluation, f"c{first.pk}", "-1", expected="2")
    conflict = autosave(client, evaluation, f"c{first.pk}", "3", expected="1")

    assert (bad.status_code, bad.json()["error"]) == (400, "Saisissez au moins 0.")
    assert conflict.status_code == 409
    assert evaluation.scores.get().points == Decimal(2)


def test_autosave_is_refused_to_another_tutor_and_to_other_roles(client, evaluation):
    first = criteria(evaluation)[0]
    for user, status in (
        (UserFactory(roles=["tuteur"]), 404),
        (evaluation.enrolment.candidate, 403),
        (UserFactory(roles=["evaluateur"]), 403),
    ):
        client.force_login(user)
        assert autosave(client, evaluation, f"c{first.pk}", "1").status_code == status
    assert not evaluation.scores.exists()


def test_a_submitted_grid_refuses_autosave(client, evaluation):
    points = {c.pk: c.max_points for c in criteria(evaluation)}
    tutoring.tutor_evaluation_save(actor=evaluation.tutor, evaluation=evaluation, points=points)
    tutoring.tutor_evaluation_submit(actor=evaluation.tutor, evaluation=evaluation)
    first = criteria(evaluation)[0]
    client.force_login(evaluation.tutor)

    response = autosave(client, evaluation, f"c{first.pk}", "0", expected=str(first.max_points))

    assert response.status_code == 400
    assert "ne peut plus être modifiée" in response.json()["error"]


def test_the_submission_asks_for_confirmation_with_the_total_then_submits(client, evaluation):
    points = {c.pk: c.max_points for c in criteria(evaluation)}
    tutoring.tutor_evaluation_save(actor=evaluation.tutor, evaluation=evaluation, points=points)
    client.force_login(evaluation.tutor)

    asked = client.post(page(evaluation), {"action": "submit"})

    evaluation.refresh_from_db()
    assert evaluation.state == TutorEvaluation.State.IN_PROGRESS
    html = asked.content.decode()
    assert "Remettre définitivement" in html and "50</span> sur 50" in html
    assert "devient définitive" in html

    done = client.post(page(evaluation), {"action": "submit", "confirmed": "1"})

    evaluation.refresh_from_db()
    assert done.status_code == 302
    assert (evaluation.state, evaluation.total) == (TutorEvaluation.State.SUBMITTED, Decimal(50))


def test_an_incomplete_grid_is_not_submitted_and_says_why(client, evaluation):
    first = criteria(evaluation)[0]
    tutoring.tutor_evaluation_save(
        actor=evaluation.tutor, evaluation=evaluation, points={first.pk: Decimal(1)}
    )
    client.force_login(evaluation.tutor)
    response = client.post(page(evaluation), {"action": "submit", "confirmed": "1"})

    assert response.status_code == 400
    assert "non notés" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.state == TutorEvaluation.State.IN_PROGRESS
