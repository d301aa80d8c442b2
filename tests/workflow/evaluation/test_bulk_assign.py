"""Assigning evaluators to a selection of files: the plan writes nothing, the confirmation
assigns each row through the service, refusals come with their reasons, another
establishment's ids are refused and listed, and only the centre's evaluation staff may act."""

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from portfolio.models import Portfolio
from tests.factories import (
    AssignmentFactory,
    CohortFactory,
    ConflictDeclarationFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    MemoireFactory,
    PortfolioFactory,
    StaffFactory,
    UserFactory,
)
from tests.workflow.helpers import due
from workflow.models import Assignment

pytestmark = pytest.mark.django_db

URL = reverse("workflow:staff-bulk-portfolios")
P = Portfolio.State


def _post(client, ids, **extra):
    return client.post(URL, {"ids": [str(i) for i in ids], **extra})


@pytest.fixture
def files(db):
    return [PortfolioFactory(state=P.ADMISSIBLE) for _ in range(4)]


@pytest.fixture
def pool(db):
    return [EvaluatorFactory(last_name=f"Évaluateur{i}") for i in range(2)]


def test_the_plan_spreads_the_selection_over_the_least_loaded_and_writes_nothing(
    client, staff, files, pool
):
    client.force_login(staff)
    before = Assignment.objects.count(), AuditEvent.objects.count()
    response = _post(client, [f.pk for f in files])
    assert response.status_code == 200
    plan = response.context["plan"]
    assert not plan.refusals
    suggested = [p.suggested for p in plan.proposals]
    assert suggested.count(pool[0]) == 2 and suggested.count(pool[1]) == 2
    assert (Assignment.objects.count(), AuditEvent.objects.count()) == before
    assert all(refreshed.state == P.ADMISSIBLE for refreshed in Portfolio.objects.all())


def test_the_plan_refuses_with_reasons(client, staff, pool):
    client.force_login(staff)
    assigned = AssignmentFactory(evaluator=pool[0]).portfolio
    submitted = PortfolioFactory(state=P.SUBMITTED)
    lonely = PortfolioFactory(state=P.ADMISSIBLE)
    for evaluator in pool:
        ConflictDeclarationFactory(evaluator=evaluator, candidate=lonely.enrolment.candidate)
    response = _post(client, [assigned.pk, submitted.pk, lonely.pk])
    reasons = {r.label.split(" — ")[0]: r.reason for r in response.context["plan"].refusals}
    assert "Déjà affecté" in reasons[assigned.enrolment.candidate.get_full_name()]
    assert "N'attend pas d'évaluateur" in reasons[submitted.enrolment.candidate.get_full_name()]
    assert "Aucun évaluateur indépendant" in reasons[lonely.enrolment.candidate.get_full_name()]
    assert not response.context["plan"].proposals
    assert "lignes refusées" in response.content.decode()


def test_confirming_assigns_each_row_with_the_chosen_evaluator_and_audits_each(
    client, staff, files, pool
):
    client.force_login(staff)
    choices = {f"evaluateur-{f.pk}": str(pool[1].pk) for f in files}
    response = _post(
        client, [f.pk for f in files], step="confirm", due_date=due().isoformat(), **choices
    )
    assert response.status_code == 200
    assert len(response.context["report"].done) == 4
    assert set(Assignment.objects.values_list("evaluator", flat=True)) == {pool[1].pk}
    assert Portfolio.objects.filter(state=P.ASSIGNED).count() == 4
    assert AuditEvent.objects.filter(action="assignment.create").count() == 4


def test_a_row_refused_at_confirmation_leaves_the_others_done(client, staff, files, pool):
    client.force_login(staff)
    ConflictDeclarationFactory(evaluator=pool[0], candidate=files[0].enrolment.candidate)
    choices = {f"evaluateur-{f.pk}": str(pool[0].pk) for f in files}
    response = _post(
        client, [f.pk for f in files], step="confirm", due_date=due().isoformat(), **choices
    )
    report = response.context["report"]
    assert len(report.done) == 3
    assert "conflit d'intérêts" in report.refusals[0].reason
    assert Assignment.objects.count() == 3


def test_a_past_due_date_is_refused_in_french_and_assigns_nothing(client, staff, files, pool):
    client.force_login(staff)
    response = _post(client, [files[0].pk], step="confirm", due_date="2000-01-01")
    assert "postérieure à aujourd" in response.content.decode()
    assert not Assignment.objects.exists()


def test_another_establishments_ids_are_refused_and_listed_by_number_only(client, staff, pool):
    client.force_login(staff)
    mine = PortfolioFactory(state=P.ADMISSIBLE)
    theirs = PortfolioFactory(
        state=P.ADMISSIBLE,
        enrolment__cohort=CohortFactory(establishment=EstablishmentFactory(name="Ailleurs")),
        enrolment__candidate__last_name="Zorglub",
    )
    response = _post(
        client,
        [mine.pk, theirs.pk],
        step="confirm",
        due_date=due().isoformat(),
        **{f"evaluateur-{mine.pk}": pool[0].pk, f"evaluateur-{theirs.pk}": pool[0].pk},
    )
    report = response.context["report"]
    assert len(report.done) == 1
    assert report.refusals[0].label == f"Ligne n° {theirs.pk}"
    assert "Zorglub" not in response.content.decode()
    assert not Assignment.objects.filter(portfolio=theirs).exists()


def test_the_memoire_list_has_its_own_bulk_assignment(client, staff, pool):
    client.force_login(staff)
    memoire = MemoireFactory()
    response = client.post(
        reverse("workflow:staff-bulk-memoires"),
        {
            "ids": [memoire.pk],
            "step": "confirm",
            "due_date": due().isoformat(),
            f"evaluateur-{memoire.pk}": pool[0].pk,
        },
    )
    assert len(response.context["report"].done) == 1
    assert Assignment.objects.get().memoire == memoire


def test_select_all_on_the_page_takes_the_page_ids(client, staff, files, pool):
    client.force_login(staff)
    response = client.post(URL, {"tout": "1", "page_ids": [f.pk for f in files]})
    assert len(response.context["plan"].proposals) == 4


def test_nothing_selected_goes_back_to_the_list_with_a_message(client, staff):
    client.force_login(staff)
    response = client.post(URL, {}, follow=True)
    assert "Cochez au moins une ligne" in response.content.decode()


@pytest.mark.parametrize(
    "roles", [[Role.EVALUATEUR], [Role.CANDIDAT], [Role.RESPONSABLE_CERTIFICATION]]
)
def test_other_roles_are_refused(client, files, roles):
    client.force_login(UserFactory(roles=roles))
    assert _post(client, [files[0].pk]).status_code == 403
    assert not Assignment.objects.exists()


def test_the_list_offers_the_selection_to_the_evaluation_staff_only(client, files):
    client.force_login(StaffFactory())
    page = client.get(reverse("workflow:staff-portfolios"), {"etat": "admissible"})
    assert 'name="ids"' in page.content.decode()
    assert "Tout sélectionner sur la page" in page.content.decode()
    client.force_login(StaffFactory(roles=[Role.RESPONSABLE_CERTIFICATION]))
    page = client.get(reverse("workflow:staff-portfolios"), {"etat": "admissible"})
    assert 'name="ids"' not in page.content.decode()


# --- Reminders to the overdue evaluators of the selection ------------------------------------

REMIND = reverse("workflow:staff-bulk-portfolios")


def _overdue(**kw):
    from datetime import timedelta

    from django.utils import timezone

    return AssignmentFactory(due_date=timezone.localdate() - timedelta(days=3), **kw)


def test_the_reminder_plan_sends_nothing_and_refuses_files_without_delay(client, staff):
    from audit.models import Notification

    client.force_login(staff)
    late = _overdue()
    on_time = AssignmentFactory()
    response = client.post(
        REMIND, {"bulk": "relancer", "ids": [late.portfolio.pk, on_time.portfolio.pk]}
    )
    assert [a for _t, a in response.context["planned"]] == [late]
    assert response.context["refusals"][0].reason == "Aucune évaluation en retard."
    assert 'data-confirm="remind-dialog"' in response.content.decode()
    assert not Notification.objects.exists()


def test_confirmed_reminders_go_once_a_day_each_audited(client, staff):
    from audit.models import Notification

    client.force_login(staff)
    late = [_overdue(), _overdue()]
    ids = [a.portfolio.pk for a in late]
    response = client.post(REMIND, {"bulk": "relancer", "ids": ids, "confirmed": "1"})
    assert len(response.context["report"].done) == 2
    assert Notification.objects.filter(template="assignment_overdue_evaluator").count() == 2
    assert AuditEvent.objects.filter(action="assignment.remind").count() == 2
    again = client.post(REMIND, {"bulk": "relancer", "ids": ids, "confirmed": "1"}).context[
        "report"
    ]
    assert not again.done and "déjà relancé" in again.refusals[0].reason
    assert Notification.objects.count() == 2


def test_another_establishments_overdue_file_is_refused_and_not_reminded(client, staff):
    from audit.models import Notification

    client.force_login(staff)
    theirs = _overdue(
        portfolio__enrolment__cohort=CohortFactory(establishment=EstablishmentFactory(name="B"))
    )
    report = client.post(
        REMIND, {"bulk": "relancer", "ids": [theirs.portfolio.pk], "confirmed": "1"}
    ).context["report"]
    assert report.refusals[0].label == f"Ligne n° {theirs.portfolio.pk}"
    assert not Notification.objects.exists()
