"""The centre's evaluation screens and services, per establishment.

Two establishments each hold a file in every state an action needs. Another establishment's
file is the same 404 as a missing one; lists hold only the establishment's own rows; an auditor
and a responsable de certification read and cannot act; the responsable d'évaluation acts on
their establishment only; a national administrator acts everywhere.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from portfolio.models import Memoire, Portfolio
from tests.factories import (
    STAFF_ROLES,
    AssignmentFactory,
    CohortFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    MemoireFactory,
    PortfolioFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, due, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation import assignments, screening
from workflow.evaluation import scoring as grading
from workflow.evaluation.policy import available_actions
from workflow.models import Assignment, Reconciliation, Scoring

pytestmark = pytest.mark.django_db

P = Portfolio.State
GRENOBLE = "CCI Formation Grenoble"


@dataclass
class Files:
    submitted: Portfolio
    admissible: Portfolio
    evaluated: Portfolio
    reconciliation: Portfolio
    memoire: Memoire
    proposed: Assignment
    completed: Assignment


def files_of(establishment, staff) -> Files:
    """Build one file per state the centre acts on, in ``establishment``'s cohort."""
    cohort = CohortFactory(establishment=establishment)

    def portfolio(state, **fields):
        return PortfolioFactory(enrolment__cohort=cohort, state=state, **fields)

    reconciliation = portfolio(P.ADMISSIBLE)
    first = assign_and_accept(reconciliation, EvaluatorFactory(), staff)
    score(first, Decimal("60"))
    second = assign_and_accept(refresh(reconciliation), EvaluatorFactory(), staff, rank=2)
    score(second, Decimal("75.25"))
    assert refresh(reconciliation).state == P.RECONCILIATION
    return Files(
        submitted=portfolio(P.SUBMITTED),
        admissible=portfolio(P.ADMISSIBLE),
        evaluated=portfolio(P.EVALUATED, agreed_mark=Decimal("120")),
        reconciliation=refresh(reconciliation),
        memoire=MemoireFactory(enrolment__cohort=cohort),
        proposed=AssignmentFactory(portfolio=portfolio(P.ASSIGNED)),
        completed=refresh(first),
    )


@pytest.fixture
def lyon():
    return EstablishmentFactory()


@pytest.fixture
def grenoble():
    return EstablishmentFactory(name=GRENOBLE)


@pytest.fixture
def lyon_staff(lyon):
    return UserFactory(roles=STAFF_ROLES, roles__establishment=lyon)


@pytest.fixture
def grenoble_staff(grenoble):
    return UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble)


@pytest.fixture
def lyon_files(lyon, lyon_staff):
    return files_of(lyon, lyon_staff)


@pytest.fixture
def grenoble_files(grenoble, grenoble_staff):
    return files_of(grenoble, grenoble_staff)


@pytest.fixture
def people(lyon, lyon_staff, grenoble_staff):
    return {
        "lyon_staff": lyon_staff,
        "grenoble_staff": grenoble_staff,
        "lyon_evaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=lyon
        ),
        "lyon_certification": UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=lyon
        ),
        "auditor": UserFactory(roles=[Role.AUDITEUR]),
        "administrator": UserFactory(roles=[Role.ADMINISTRATEUR]),
    }


def _assign(files):
    return {"evaluator": EvaluatorFactory().pk, "due_date": due().isoformat()}


# name: (file, POST data, audit action the success leaves, GET allowed)
ACTIONS = {
    "staff-declare-admissible": ("submitted", lambda f: {}, "portfolio.declare_admissible", False),
    "staff-return": (
        "submitted",
        lambda f: {"reason": "Ajoutez la procédure signée."},
        "portfolio.return",
        True,
    ),
    "staff-assign-portfolio": ("admissible", _assign, "assignment.create", True),
    "staff-assign-memoire": ("memoire", _assign, "assignment.create", True),
    "staff-reconcile": (
        "reconciliation",
        lambda f: {"method": "second", "justification": "La seconde notation est étayée."},
        "portfolio.reconcile",
        True,
    ),
    "staff-mark-ready": ("evaluated", lambda f: {}, "portfolio.mark_ready_for_jury", False),
    "staff-reassign": (
        "proposed",
        lambda f: {**_assign(f), "reason": "Évaluateur indisponible."},
        "assignment.create",
        True,
    ),
    "staff-withdraw": (
        "proposed",
        lambda f: {"reason": "Évaluateur indisponible."},
        "assignment.withdraw",
        True,
    ),
    "staff-reopen": (
        "completed",
        lambda f: {"reason": "Un critère a été oublié."},
        "scoring.reopen",
        True,
    ),
}
PAGES = {"staff-portfolio": "submitted"}
LISTS = ["workflow:staff-portfolios", "workflow:staff-memoires"]


def url(name, files, key):
    return reverse(f"workflow:{name}", args=[getattr(files, key).pk])


def snapshot():
    """Everything an evaluation action could change."""
    return (
        AuditEvent.objects.count(),
        list(Portfolio.objects.values_list("pk", "state", "is_active", "agreed_mark")),
        list(Memoire.objects.values_list("pk", "state")),
        list(Assignment.objects.values_list("pk", "state")),
        list(Scoring.objects.values_list("pk", "state")),
        Reconciliation.objects.count(),
    )


# --- Another establishment's file ----------------------------------------------------------


@pytest.mark.parametrize("name", [*ACTIONS, *PAGES])
def test_another_establishments_file_is_not_found(client, name, lyon_files, grenoble_staff):
    key, data, _action, get_allowed = ACTIONS.get(name) or (PAGES[name], None, None, True)
    client.force_login(grenoble_staff)
    before = snapshot()
    target = url(name, lyon_files, key)
    missing = reverse(f"workflow:{name}", args=[999_999])
    if get_allowed:
        assert client.get(target).status_code == 404
        assert client.get(missing).status_code == 404
    if data is not None:
        assert client.post(target, data(lyon_files)).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", LISTS)
def test_lists_hold_only_the_establishments_own_files(
    client, name, lyon_files, grenoble_files, people
):
    lyon_pks = _listed_pks(lyon_files, name)
    grenoble_pks = _listed_pks(grenoble_files, name)
    for who, sees, hidden in [
        ("lyon_staff", lyon_pks, grenoble_pks),
        ("grenoble_staff", grenoble_pks, lyon_pks),
        ("lyon_certification", lyon_pks, grenoble_pks),
        ("auditor", lyon_pks | grenoble_pks, set()),
        ("administrator", lyon_pks | grenoble_pks, set()),
    ]:
        client.force_login(people[who])
        page = client.get(reverse(name), {"etat": ""}).content.decode()
        attribute = "data-memoire" if "memoires" in name else "data-portfolio"
        for pk in sees:
            assert f'{attribute}="{pk}"' in page, (who, pk)
        for pk in hidden:
            assert f'{attribute}="{pk}"' not in page, (who, pk)


def _listed_pks(files, name) -> set[int]:
    if "memoires" in name:
        return {files.memoire.pk}
    return {
        p.pk for p in (files.submitted, files.admissible, files.evaluated, files.reconciliation)
    } | {files.proposed.portfolio_id}


# --- Readers without the evaluation duty ---------------------------------------------------


@pytest.mark.parametrize("who", ["auditor", "lyon_certification"])
def test_readers_see_the_pages_without_any_button(client, who, lyon_files, people):
    client.force_login(people[who])
    for name in LISTS:
        page = client.get(reverse(name), {"etat": ""})
        assert page.status_code == 200
        assert 'class="button' not in page.content.decode().split("<table", 1)[-1], name
    for key in ("submitted", "reconciliation", "evaluated"):
        page = client.get(url("staff-portfolio", lyon_files, key))
        assert page.status_code == 200
        content = page.content.decode()
        assert "data-read-only" in content
        for name in ACTIONS:
            assert reverse(f"workflow:{name}", args=[lyon_files.submitted.pk]) not in content


@pytest.mark.parametrize("who", ["auditor", "lyon_certification"])
@pytest.mark.parametrize("name", ACTIONS)
def test_readers_cannot_act(client, who, name, lyon_files, people):
    key, data, _action, get_allowed = ACTIONS[name]
    client.force_login(people[who])
    before = snapshot()
    target = url(name, lyon_files, key)
    if get_allowed:
        assert client.get(target).status_code == 403
    assert client.post(target, data(lyon_files)).status_code == 403
    assert snapshot() == before


# --- Those who act -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,where",
    [("lyon_evaluation", "lyon"), ("lyon_staff", "lyon"), ("administrator", "grenoble")],
)
@pytest.mark.parametrize("name", ACTIONS)
def test_the_responsable_devaluation_and_the_administrator_act(
    client, who, where, name, lyon_files, grenoble_files, people
):
    files = lyon_files if where == "lyon" else grenoble_files
    key, data, action, get_allowed = ACTIONS[name]
    user = people[who]
    client.force_login(user)
    target = url(name, files, key)
    if get_allowed:
        assert client.get(target).status_code == 200
    response = client.post(target, data(files))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(actor=user, action=action).exists()


def test_the_page_shows_the_buttons_to_the_responsable_devaluation(client, lyon_files, people):
    client.force_login(people["lyon_evaluation"])
    page = client.get(url("staff-portfolio", lyon_files, "submitted")).content.decode()
    assert reverse("workflow:staff-declare-admissible", args=[lyon_files.submitted.pk]) in page
    assert "data-read-only" not in page


# --- The services themselves ---------------------------------------------------------------


def _services(files, user):
    evaluator = EvaluatorFactory()
    return {
        "declare_admissible": lambda: screening.portfolio_declare_admissible(
            portfolio=files.submitted, actor=user
        ),
        "return": lambda: screening.portfolio_return(
            portfolio=files.submitted, actor=user, reason="Compléter."
        ),
        "assign": lambda: assignments.evaluator_assign(
            target=files.memoire, evaluator=evaluator, actor=user, due_date=due()
        ),
        "withdraw": lambda: assignments.assignment_withdraw(
            assignment=files.proposed, actor=user, reason="Indisponible."
        ),
        "reassign": lambda: assignments.evaluator_reassign(
            assignment=files.proposed,
            evaluator=evaluator,
            actor=user,
            due_date=due(),
            reason="Indisponible.",
        ),
        "reconcile": lambda: grading.portfolio_reconcile(
            portfolio=files.reconciliation, actor=user, method="first", justification="Retenue."
        ),
        "reopen": lambda: grading.scoring_reopen(
            scoring=files.completed.scoring, actor=user, reason="Critère oublié."
        ),
        "mark_ready": lambda: grading.portfolio_mark_ready_for_jury(
            portfolio=files.evaluated, actor=user
        ),
    }


SERVICES = [
    "declare_admissible",
    "return",
    "assign",
    "withdraw",
    "reassign",
    "reconcile",
    "reopen",
    "mark_ready",
]


@pytest.mark.parametrize("who", ["grenoble_staff", "auditor", "lyon_certification"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_services_refuse_those_without_the_duty_on_the_file(who, service, lyon_files, people):
    call = _services(lyon_files, people[who])[service]
    before = snapshot()
    with pytest.raises(WorkflowError, match="personnel du centre"):
        call()
    assert snapshot() == before


@pytest.mark.parametrize("service", SERVICES)
def test_the_administrator_runs_the_services_in_any_establishment(service, grenoble_files, people):
    before = snapshot()
    _services(grenoble_files, people["administrator"])[service]()
    assert snapshot() != before


@pytest.mark.parametrize(
    "who,expected",
    [
        ("lyon_evaluation", True),
        ("administrator", True),
        ("auditor", False),
        ("lyon_certification", False),
        ("grenoble_staff", False),
    ],
)
def test_the_actions_offered_follow_the_duty(who, expected, lyon_files, people):
    user = people[who]
    offered = {
        "submitted": available_actions(user, lyon_files.submitted),
        "reconciliation": available_actions(user, lyon_files.reconciliation),
        "evaluated": available_actions(user, lyon_files.evaluated),
        "memoire": available_actions(user, lyon_files.memoire),
        "proposed": available_actions(user, lyon_files.proposed),
        "completed": available_actions(user, lyon_files.completed),
    }
    assert all(bool(actions) is expected for actions in offered.values()), offered
