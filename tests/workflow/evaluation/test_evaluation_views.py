"""The evaluation screens: who may open them, and the journey through them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from portfolio.models import Memoire, Portfolio
from tests.factories import (
    AssignmentFactory,
    EvaluatorFactory,
    EvidenceItemFactory,
    MemoireFactory,
    PortfolioFactory,
    TrainingLinkFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, due, points_for_total, refresh, score
from workflow.evaluation.assignments import evaluator_assign
from workflow.evaluation.policy import available_actions
from workflow.evaluation.scoring import scoring_save, scoring_submit
from workflow.models import Assignment, Scoring

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    ("workflow:staff-portfolios", False),
    ("workflow:staff-memoires", False),
    ("workflow:staff-portfolio", True),
    ("workflow:staff-return", True),
    ("workflow:staff-assign-portfolio", True),
    ("workflow:staff-reconcile", True),
]


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.EVALUATEUR, Role.TUTEUR, Role.JURY])
def test_staff_screens_are_forbidden_to_other_roles(client, role, submitted):
    client.force_login(UserFactory(roles=[role]))
    for name, with_pk in STAFF_URLS:
        url = reverse(name, args=[submitted.pk] if with_pk else [])
        assert client.get(url).status_code == 403, name
    url = reverse("workflow:staff-declare-admissible", args=[submitted.pk])
    assert client.post(url).status_code == 403
    assert refresh(submitted).state == Portfolio.State.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    response = client.get(reverse("workflow:staff-portfolios"))
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.TUTEUR, Role.RESPONSABLE_CERTIFICATION])
def test_the_evaluator_queue_is_forbidden_to_other_roles(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("workflow:queue")).status_code == 403


def test_another_evaluators_assignment_is_not_found(client):
    assignment = AssignmentFactory()
    client.force_login(EvaluatorFactory())
    for name in ("assignment-respond", "scoring", "scoring-submit"):
        assert client.get(reverse(f"workflow:{name}", args=[assignment.pk])).status_code == 404


def test_no_file_is_shown_before_acceptance(client, admissible, staff, evaluator):
    EvidenceItemFactory(portfolio=admissible, title="Procédure achats signée")
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    client.force_login(evaluator)
    assert client.get(reverse("workflow:scoring", args=[assignment.pk])).status_code == 404
    page = client.get(reverse("workflow:assignment-respond", args=[assignment.pk]))
    assert page.status_code == 200
    assert "Procédure achats signée" not in page.content.decode()
    assert "conflit d&#x27;intérêts" in page.content.decode()


def test_the_queue_shows_the_evaluators_files_with_filters(client, evaluator, staff):
    proposed = AssignmentFactory(evaluator=evaluator)
    done = AssignmentFactory(evaluator=evaluator, state=Assignment.State.COMPLETED)
    AssignmentFactory()  # someone else's
    client.force_login(evaluator)
    page = client.get(reverse("workflow:queue")).content.decode()
    assert f'data-assignment="{proposed.pk}"' in page and f'data-assignment="{done.pk}"' in page
    assert page.count("data-assignment=") == 2
    page = client.get(reverse("workflow:queue"), {"filtre": "a_accepter"}).content.decode()
    assert f'data-assignment="{proposed.pk}"' in page
    assert f'data-assignment="{done.pk}"' not in page
    assert reverse("workflow:assignment-respond", args=[proposed.pk]) in page


def test_the_journey_from_screening_to_a_submitted_scoring(client, submitted, staff, evaluator):
    item = EvidenceItemFactory(portfolio=submitted, title="Tableau de bord mensuel")
    client.force_login(staff)
    listing = client.get(reverse("workflow:staff-portfolios")).content.decode()
    assert f'data-portfolio="{submitted.pk}"' in listing
    assert "Déclarer recevable" in listing
    client.post(reverse("workflow:staff-declare-admissible", args=[submitted.pk]))
    assert refresh(submitted).state == Portfolio.State.ADMISSIBLE

    page = client.get(reverse("workflow:staff-assign-portfolio", args=[submitted.pk]))
    assert "suggestion" in page.content.decode()
    response = client.post(
        reverse("workflow:staff-assign-portfolio", args=[submitted.pk]),
        {"evaluator": evaluator.pk, "due_date": due().isoformat()},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()

    client.force_login(evaluator)
    url = reverse("workflow:assignment-respond", args=[assignment.pk])
    page = client.post(url, {"action": "accept"})
    assert "Cochez la déclaration" in page.content.decode()
    response = client.post(url, {"action": "accept", "accept-declare": "on"})
    assert response["Location"] == reverse("workflow:scoring", args=[assignment.pk])

    page = client.get(response["Location"]).content.decode()
    assert "Tableau de bord mensuel" in page
    assert 'id="running-total"' in page and "js/grid.js" in page
    scoring = Scoring.objects.get()
    criteria = list(scoring.grid_version.criteria.all())
    data = {"overall_comment": "Très bon portefeuille.", "action": "draft"}
    for c in criteria:
        data[f"points_{c.pk}"] = str(c.max_points)
        data[f"comment_{c.pk}"] = ""
    data[f"evidence_{criteria[0].pk}"] = [item.pk]
    data[f"points_{criteria[1].pk}"] = "0"
    response = client.post(reverse("workflow:scoring", args=[assignment.pk]), data)
    assert response.status_code == 302
    data["action"] = "review"
    response = client.post(reverse("workflow:scoring", args=[assignment.pk]), data)
    assert response["Location"] == reverse("workflow:scoring-submit", args=[assignment.pk])
    summary = client.get(response["Location"]).content.decode()
    assert "commentaire est obligatoire" in summary
    assert escape(criteria[1].label) in summary

    data[f"comment_{criteria[1].pk}"] = "Aucune preuve pour ce critère."
    client.post(reverse("workflow:scoring", args=[assignment.pk]), data)
    response = client.post(reverse("workflow:scoring-submit", args=[assignment.pk]))
    assert response.status_code == 302
    portfolio = refresh(submitted)
    expected = sum((c.max_points for c in criteria[2:]), criteria[0].max_points)
    assert portfolio.agreed_mark == expected
    assert list(refresh(scoring).scores.get(criterion=criteria[0]).evidence.all()) == [item]


def test_points_beyond_the_maximum_show_an_error_on_the_field(client, admissible, staff, evaluator):
    assignment = assign_and_accept(admissible, evaluator, staff)
    criterion = assignment.scoring.grid_version.criteria.first()
    client.force_login(evaluator)
    page = client.post(
        reverse("workflow:scoring", args=[assignment.pk]),
        {f"points_{criterion.pk}": "999", "action": "draft"},
    ).content.decode()
    assert f'id="id_points_{criterion.pk}_error"' in page
    assert f'aria-describedby="id_points_{criterion.pk}_error' in page
    assert 'aria-invalid="true"' in page


def test_a_refused_assignment_is_explained_on_the_page(client, admissible, staff):
    trainer = EvaluatorFactory()
    TrainingLinkFactory(trainer=trainer, cohort=admissible.enrolment.cohort)
    client.force_login(staff)
    page = client.get(reverse("workflow:staff-assign-portfolio", args=[admissible.pk]))
    assert "A formé ce candidat" in page.content.decode()
    page = client.post(
        reverse("workflow:staff-assign-portfolio", args=[admissible.pk]),
        {"evaluator": trainer.pk, "due_date": due().isoformat()},
    ).content.decode()
    assert 'id="evaluator-error"' in page and "Affectation refusée" in page
    assert refresh(admissible).state == Portfolio.State.ADMISSIBLE


def test_the_second_evaluator_never_sees_the_first_scoring(
    client, admissible, staff, evaluator, second_evaluator
):
    first = assign_and_accept(admissible, evaluator, staff)
    scoring = first.scoring

    scoring_save(
        scoring=scoring,
        actor=evaluator,
        overall_comment="Commentaire-secret-du-premier",
        scores=points_for_total(scoring.grid_version.criteria.all(), Decimal("60")),
    )
    scoring_submit(scoring=scoring, actor=evaluator)
    second = assign_and_accept(refresh(admissible), second_evaluator, staff, rank=2)
    client.force_login(second_evaluator)
    page = client.get(reverse("workflow:scoring", args=[second.pk])).content.decode()
    assert "Commentaire-secret-du-premier" not in page
    assert evaluator.get_full_name() not in page
    assert client.get(reverse("workflow:scoring", args=[first.pk])).status_code == 404


def test_staff_reconcile_through_the_page(client, admissible, staff, evaluator, second_evaluator):
    score(assign_and_accept(admissible, evaluator, staff), 60)
    score(assign_and_accept(refresh(admissible), second_evaluator, staff, rank=2), 110)
    client.force_login(staff)
    url = reverse("workflow:staff-reconcile", args=[admissible.pk])
    page = client.get(url).content.decode()
    assert "60" in page and "110" in page
    page = client.post(url, {"method": "agreed", "justification": "Après échange."})
    assert "Saisissez la note arrêtée" in page.content.decode()
    response = client.post(url, {"method": "first", "justification": "Seconde trop indulgente."})
    assert response.status_code == 302
    assert refresh(admissible).agreed_mark == Decimal("60")


def test_staff_assign_a_memoire_from_its_list(client, staff, evaluator):
    memoire = MemoireFactory(state=Memoire.State.SUBMITTED)
    client.force_login(staff)
    page = client.get(reverse("workflow:staff-memoires")).content.decode()
    assert reverse("workflow:staff-assign-memoire", args=[memoire.pk]) in page
    client.post(
        reverse("workflow:staff-assign-memoire", args=[memoire.pk]),
        {"evaluator": evaluator.pk, "due_date": due().isoformat()},
    )
    assert refresh(memoire).state == Memoire.State.ASSIGNED


def test_home_links_each_role_to_its_screens(client, staff, evaluator):
    client.force_login(evaluator)
    assert reverse("workflow:queue") in client.get(reverse("accounts:home")).content.decode()
    client.force_login(staff)
    page = client.get(reverse("accounts:home")).content.decode()
    assert (
        reverse("workflow:staff-portfolios") in page
        and 'data-role="responsable_evaluation"' in page
    )


def test_available_actions_follow_the_state_and_the_role(admissible, staff, evaluator, submitted):
    assert [a.name for a in available_actions(staff, submitted)] == [
        "declare_admissible",
        "return",
    ]
    assert available_actions(evaluator, submitted) == []
    assert [a.name for a in available_actions(staff, admissible)] == ["assign"]
    assignment = evaluator_assign(
        target=admissible, evaluator=evaluator, actor=staff, due_date=due()
    )
    assert [a.name for a in available_actions(evaluator, assignment)] == ["respond"]
    assert [a.name for a in available_actions(staff, assignment)] == ["reassign", "withdraw"]
    assert available_actions(EvaluatorFactory(), assignment) == []
    accepted = assign_and_accept(
        PortfolioFactory(state=Portfolio.State.ADMISSIBLE), evaluator, staff
    )
    assert [a.name for a in available_actions(evaluator, accepted)] == ["score"]
    score(accepted, 120)
    accepted = refresh(accepted)
    assert available_actions(evaluator, accepted) == []
    assert [a.name for a in available_actions(staff, accepted)] == ["reopen"]
    assert [a.name for a in available_actions(staff, accepted.portfolio)] == ["mark_ready"]
