"""The evaluator's grid as typed: French numbers, a draft that keeps every valid value beside an
invalid one, and the per-field autosave with its permissions and its conflict check."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.fields import format_decimal
from tests.factories import EstablishmentFactory, EvaluatorFactory, UserFactory
from tests.workflow.helpers import refresh, score
from workflow.evaluation.forms import ReconcileForm, ScoringForm

pytestmark = pytest.mark.django_db


def criteria(assignment):
    return list(assignment.scoring.grid_version.criteria.all())


def grid_form(assignment, data):
    return ScoringForm(data, scoring=assignment.scoring, evidence_items=[])


# ------------------------------------------------------------------------------------ the form


@pytest.mark.parametrize(("typed", "read"), [("11,5", "11.5"), ("12,25", "12.25"), ("7", "7")])
def test_points_are_read_with_a_decimal_comma(accepted, typed, read):
    first = criteria(accepted)[0]
    form = grid_form(accepted, {f"points_{first.pk}": typed})

    assert form.is_valid(), form.errors
    assert form.scores()[first.pk]["points"] == Decimal(read)


@pytest.mark.parametrize("typed", ["1.234,5", "11,5,5", "douze", "1e3"])
def test_an_unreadable_number_is_refused_in_french(accepted, typed):
    first = criteria(accepted)[0]
    form = grid_form(accepted, {f"points_{first.pk}": typed})

    assert not form.is_valid()
    assert form.errors[f"points_{first.pk}"] == [
        "Saisissez un nombre, avec une virgule pour les décimales : 11,5."
    ]


def test_the_bound_is_written_the_french_way(accepted):
    first = criteria(accepted)[0]
    form = grid_form(accepted, {f"points_{first.pk}": format_decimal(first.max_points + 1)})

    assert not form.is_valid()
    bound = format_decimal(first.max_points)
    assert form.errors[f"points_{first.pk}"] == [f"Saisissez au plus {bound}."]
    assert form.fields[f"points_{first.pk}"].help_text == f"sur {bound}"
    assert ".00" not in str(form[f"points_{first.pk}"])


def test_the_agreed_mark_of_a_reconciliation_reads_a_comma_and_says_its_bound():
    form = ReconcileForm(
        {"method": "agreed", "agreed_mark": "101,5", "justification": "Écart"}, out_of=150
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["agreed_mark"] == Decimal("101.5")

    form = ReconcileForm(
        {"method": "agreed", "agreed_mark": "150,5", "justification": "Écart"}, out_of=150
    )
    assert form.errors["agreed_mark"] == ["Saisissez au plus 150."]
    assert "Sur 150" in str(form.fields["agreed_mark"].help_text)


# ----------------------------------------------------------------------- the draft (whole form)


def test_a_draft_with_one_bad_value_keeps_every_valid_one_and_lists_the_bad_one_at_the_top(
    client, accepted, evaluator
):
    rows = criteria(accepted)
    bad = rows[1]
    data = {"action": "draft", "overall_comment": "Bon dossier"}
    for criterion in rows:
        data[f"points_{criterion.pk}"] = "1,5"
        data[f"comment_{criterion.pk}"] = f"Commentaire {criterion.pk}"
    data[f"points_{bad.pk}"] = "1.234,5"
    valid_values = len(data) - 2  # the action and the bad value
    client.force_login(evaluator)

    response = client.post(reverse("workflow:scoring", args=[accepted.pk]), data)

    assert response.status_code == 400
    scoring = refresh(accepted.scoring)
    saved = {s.criterion_id: s for s in scoring.scores.all()}
    kept = [scoring.overall_comment == "Bon dossier"]
    for criterion in rows:
        kept.append(saved[criterion.pk].comment == f"Commentaire {criterion.pk}")
        if criterion != bad:
            kept.append(saved[criterion.pk].points == Decimal("1.5"))
    assert kept.count(True) == valid_values >= 9
    assert saved[bad.pk].points is None
    assert scoring.total == Decimal("1.5") * (len(rows) - 1)
    page = response.content.decode()
    summary = page.index("data-error-summary")
    assert summary < page.index('id="scoring-form"')
    assert f'href="#id_points_{bad.pk}"' in page[summary:]
    assert "Saisissez un nombre, avec une virgule pour les décimales" in page
    # The bad value stays in its box, to be corrected rather than typed again.
    assert 'value="1.234,5"' in page


def test_a_saved_draft_shows_its_points_with_a_comma(client, accepted, evaluator):
    first = criteria(accepted)[0]
    client.force_login(evaluator)
    client.post(
        reverse("workflow:scoring", args=[accepted.pk]),
        {f"points_{first.pk}": "11,5" if first.max_points >= 12 else "1,5", "action": "draft"},
    )
    page = client.get(reverse("workflow:scoring", args=[accepted.pk])).content.decode()

    assert 'value="11,5"' in page or 'value="1,5"' in page
    assert ".00" not in page.split('id="scoring-form"')[1].split("</form>")[0]


# -------------------------------------------------------------------------------- autosave


def autosave(client, assignment, field, value, expected=""):
    return client.post(
        reverse("workflow:scoring-field", args=[assignment.pk]),
        {"field": field, "value": value, "expected": expected},
    )


def test_autosave_saves_one_field_and_answers_its_saved_value_and_the_total(
    client, accepted, evaluator
):
    first, second = criteria(accepted)[:2]
    client.force_login(evaluator)

    response = autosave(client, accepted, f"points_{first.pk}", "1,25")
    autosave(client, accepted, f"comment_{second.pk}", "Preuve solide")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "field": f"points_{first.pk}",
        "saved": "1.25",
        "total": "1,25",
    }
    rows = {s.criterion_id: s for s in refresh(accepted.scoring).scores.all()}
    assert rows[first.pk].points == Decimal("1.25")
    assert rows[second.pk].comment == "Preuve solide"


def test_autosave_refuses_a_bad_value_with_its_french_message_and_keeps_the_saved_one(
    client, accepted, evaluator
):
    first = criteria(accepted)[0]
    client.force_login(evaluator)
    autosave(client, accepted, f"points_{first.pk}", "2")

    response = autosave(client, accepted, f"points_{first.pk}", "999", expected="2")

    assert response.status_code == 400
    assert response.json()["error"] == f"Saisissez au plus {format_decimal(first.max_points)}."
    assert refresh(accepted.scoring).scores.get(criterion=first).points == Decimal(2)


def test_autosave_refuses_to_overwrite_a_value_saved_from_another_window(
    client, accepted, evaluator
):
    first = criteria(accepted)[0]
    client.force_login(evaluator)
    autosave(client, accepted, f"points_{first.pk}", "2", expected="")  # the other tab

    response = autosave(client, accepted, f"points_{first.pk}", "3", expected="")

    assert response.status_code == 409
    assert response.json()["conflict"] is True
    assert "autre fenêtre" in response.json()["error"]
    assert refresh(accepted.scoring).scores.get(criterion=first).points == Decimal(2)


def test_autosave_of_evidence_links_and_of_the_overall_comment(client, accepted, evaluator):
    from tests.factories import EvidenceItemFactory

    item = EvidenceItemFactory(portfolio=accepted.portfolio)
    first = criteria(accepted)[0]
    client.force_login(evaluator)

    linked = autosave(client, accepted, f"evidence_{first.pk}", [item.pk])
    comment = autosave(client, accepted, "overall_comment", "Dossier complet")

    assert linked.json()["saved"] == str(item.pk)
    assert comment.status_code == 200
    scoring = refresh(accepted.scoring)
    assert list(scoring.scores.get(criterion=first).evidence.all()) == [item]
    assert scoring.overall_comment == "Dossier complet"


def test_autosave_of_an_unknown_field_is_refused(client, accepted, evaluator):
    client.force_login(evaluator)
    assert autosave(client, accepted, "points_999999", "1").status_code == 400


def test_autosave_is_refused_to_everyone_but_the_assigned_evaluator(client, accepted):
    first = criteria(accepted)[0]
    candidate = accepted.portfolio.enrolment.candidate
    other_centre = UserFactory(
        roles=["responsable_evaluation"],
        roles__establishment=EstablishmentFactory(name="Autre centre"),
    )
    for user, status in (
        (EvaluatorFactory(), 404),
        (candidate, 403),
        (other_centre, 403),
    ):
        client.force_login(user)
        assert autosave(client, accepted, f"points_{first.pk}", "1").status_code == status
    assert refresh(accepted.scoring).scores.get(criterion=first).points is None


def test_a_submitted_grid_refuses_autosave(client, accepted, evaluator):
    score(accepted, 60)
    first = criteria(accepted)[0]
    before = refresh(accepted.scoring).scores.get(criterion=first).points
    client.force_login(evaluator)

    response = autosave(client, accepted, f"points_{first.pk}", "0", expected=str(before))

    assert response.status_code == 400
    assert "plus modifiable" in response.json()["error"]
    assert refresh(accepted.scoring).scores.get(criterion=first).points == before


def test_autosave_answers_only_post(client, accepted, evaluator):
    client.force_login(evaluator)
    url = reverse("workflow:scoring-field", args=[accepted.pk])
    assert client.get(url).status_code == 405
