"""The mémoire's written mark entered by the staff (a mémoire marked outside the application)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Enrolment
from audit.models import AuditEvent
from portfolio.models import Memoire
from tests.factories import (
    DraftMemoireFactory,
    DraftPortfolioFactory,
    EnrolmentFactory,
    EvaluatorFactory,
    UserFactory,
)
from tests.workflow.helpers import assign_and_accept, score
from tests.workflow.jury.helpers import (  # noqa: F401
    READY_TRAINING_END,
    fast_passwords,
    fill_cc,
    jury_timeline,
    session_with_candidate,
    staff,
    submit_tutor,
)
from workflow.errors import WorkflowError
from workflow.jury import results
from workflow.marks.exam_marks import memoire_written_mark_enter
from workflow.marks.written import memoire_written_mark
from workflow.models import MemoireWrittenMark

pytestmark = pytest.mark.django_db

ROLES = ["candidat", "tuteur", "formateur", "jury", "evaluateur"]


def _assigned_memoire(enrolment=None):
    return DraftMemoireFactory(
        enrolment=enrolment or EnrolmentFactory(), state=Memoire.State.ASSIGNED
    )


def _enter(memoire, points, actor=None):
    return memoire_written_mark_enter(actor=actor or staff(), memoire=memoire, points=points)


# --- The service ---------------------------------------------------------------------------


def test_the_staff_enter_the_written_mark_and_the_memoire_is_written_marked():
    memoire = _assigned_memoire()
    actor = staff()
    record = _enter(memoire, Decimal("87.5"), actor=actor)
    assert record.points == Decimal("87.5") and record.entered_by == actor
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.WRITTEN_MARKED
    assert memoire_written_mark(memoire) == Decimal("87.5")
    event = AuditEvent.objects.get(action="memoire.written_mark")
    assert event.actor == actor and event.candidate == memoire.enrolment.candidate
    assert event.before == {"state": "assigned"}
    assert event.after == {"state": "written_marked", "points": "87.5"}


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_enter_the_written_mark(role):
    memoire = _assigned_memoire()
    with pytest.raises(WorkflowError) as refused:
        _enter(memoire, Decimal(80), actor=UserFactory(roles=[role]))
    assert refused.value.message == "Seul le personnel du centre saisit la note du mémoire."
    assert not MemoireWrittenMark.objects.exists()


@pytest.mark.parametrize("points", ["0", "125"])
def test_the_bounds_zero_and_125_are_accepted(points):
    assert _enter(_assigned_memoire(), Decimal(points)).points == Decimal(points)


@pytest.mark.parametrize("points", [Decimal("-0.5"), Decimal("125.25"), None])
def test_a_mark_out_of_range_is_refused(points):
    memoire = _assigned_memoire()
    with pytest.raises(WorkflowError) as refused:
        _enter(memoire, points)
    assert refused.value.message == "La note du mémoire doit être comprise entre 0 et 125."
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.ASSIGNED and not MemoireWrittenMark.objects.exists()


@pytest.mark.parametrize("state", [s for s in Memoire.State.values if s != Memoire.State.ASSIGNED])
def test_the_mark_is_entered_only_once_the_memoire_is_assigned(state):
    memoire = DraftMemoireFactory(enrolment=EnrolmentFactory(), state=state)
    with pytest.raises(WorkflowError, match="une fois le mémoire affecté"):
        _enter(memoire, Decimal(80))
    assert not MemoireWrittenMark.objects.exists()


def test_a_second_entry_is_refused():
    memoire = _assigned_memoire()
    _enter(memoire, Decimal(80))
    with pytest.raises(WorkflowError, match="Écrit noté"):
        _enter(memoire, Decimal(90))
    assert MemoireWrittenMark.objects.get().points == Decimal(80)


def test_an_evaluators_submitted_scoring_prevails_over_the_entered_mark():
    memoire = DraftMemoireFactory(enrolment=EnrolmentFactory(), state=Memoire.State.SUBMITTED)
    assignment = assign_and_accept(memoire, EvaluatorFactory(), staff())
    _enter(memoire, Decimal(60))
    score(assignment, Decimal(100))
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.WRITTEN_MARKED
    assert memoire_written_mark(memoire) == Decimal(100)


@pytest.mark.usefixtures("jury_timeline")
def test_the_entered_mark_reaches_the_computed_decision():
    enrolment = EnrolmentFactory(
        route=Enrolment.Route.PORTEFEUILLE, training_end=READY_TRAINING_END
    )
    for bloc in enrolment.cohort.title.blocs.all():
        DraftPortfolioFactory(
            enrolment=enrolment,
            bloc=bloc,
            state="ready_for_jury",
            agreed_mark=Decimal(bloc.exam_points) * Decimal("0.6"),
        )
    _enter(_assigned_memoire(enrolment), Decimal("93.75"))
    fill_cc(enrolment)
    submit_tutor(enrolment)
    session, members, actor, enrolment = session_with_candidate(enrolment)
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.complete, file.missing
    assert file.inputs["practice"]["written"] == "93.75"
    oral, tutor = (Decimal(file.inputs["practice"][k]) for k in ("oral", "tutor"))
    assert results.computed_decision(file).practice.points == Decimal("93.75") + oral + tutor


# --- The staff screen ------------------------------------------------------------------------


def _post(client, user, enrolment, points):
    client.force_login(user)
    return client.post(
        reverse("jury:staff_candidate", args=[enrolment.pk]),
        {"action": "memoire", "memoire-points": points},
    )


def test_the_staff_screen_offers_the_mark_while_the_memoire_is_assigned(client):
    memoire = _assigned_memoire()
    client.force_login(staff())
    url = reverse("jury:staff_candidate", args=[memoire.enrolment.pk])
    body = client.get(url).content.decode()
    assert 'name="memoire-points"' in body and "sur 125" in body
    _enter(memoire, Decimal(70))
    body = client.get(url).content.decode()
    assert 'name="memoire-points"' not in body
    assert "Écrit noté — note de l'écrit : 70,00/125" in body


def test_the_staff_enter_the_written_mark_on_the_candidate_screen(client):
    memoire = _assigned_memoire()
    response = _post(client, staff(), memoire.enrolment, "101.5")
    assert response.status_code == 302
    assert MemoireWrittenMark.objects.get(memoire=memoire).points == Decimal("101.5")
    page = client.get(response.url)
    assert "Note écrite du mémoire enregistrée." in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_post_the_written_mark(client, role):
    memoire = _assigned_memoire()
    response = _post(client, UserFactory(roles=[role]), memoire.enrolment, "80")
    assert response.status_code == 403
    assert not MemoireWrittenMark.objects.exists()


@pytest.mark.parametrize(
    ("points", "error"),
    [
        ("126", "La note du mémoire doit être comprise entre 0 et 125."),
        ("-1", "supérieure ou égale à 0"),
        ("quatre-vingts", "Saisissez un nombre"),
        ("", "Ce champ est obligatoire"),
    ],
)
def test_a_bad_written_mark_shows_a_french_error_and_saves_nothing(client, points, error):
    memoire = _assigned_memoire()
    page = _post(client, staff(), memoire.enrolment, points)
    assert page.status_code == 200
    assert error in page.content.decode()
    assert not MemoireWrittenMark.objects.exists()
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.ASSIGNED


def test_a_candidate_without_a_memoire_gets_an_error(client):
    enrolment = EnrolmentFactory()
    page = _post(client, staff(), enrolment, "80")
    assert page.status_code == 200
    assert "Ce candidat n&#x27;a pas de mémoire." in page.content.decode()
    assert not MemoireWrittenMark.objects.exists()
