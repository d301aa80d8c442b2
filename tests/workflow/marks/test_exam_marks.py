"""Épreuves marks entered by the staff: who, which bounds, re-entry, and the decision they feed."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrolment
from audit.models import AuditEvent
from tests.factories import DraftMemoireFactory, EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    fill_cc,
    jury_timeline,
    session_with_candidate,
    staff,
    submit_tutor,
)
from workflow.errors import WorkflowError
from workflow.jury import results
from workflow.marks.exam_marks import bloc_exam_mark_enter
from workflow.models import BlocExamMark, MemoireWrittenMark

pytestmark = pytest.mark.django_db


def _epreuves_enrolment():
    return EnrolmentFactory(route=Enrolment.Route.EPREUVES)


def _bloc(enrolment, number=1):
    return enrolment.cohort.title.blocs.get(number=number)


def _enter(enrolment, bloc, points, **kw):
    return bloc_exam_mark_enter(
        actor=kw.pop("actor", None) or staff(), enrolment=enrolment, bloc=bloc, points=points, **kw
    )


# --- The service ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_only_the_centre_staff_enter_an_epreuves_mark(role):
    enrolment = _epreuves_enrolment()
    with pytest.raises(WorkflowError) as refused:
        _enter(enrolment, _bloc(enrolment), Decimal(90), actor=UserFactory(roles=[role]))
    assert refused.value.message == "Seul le personnel du centre saisit les notes d'épreuves."
    assert not BlocExamMark.objects.exists()


def test_an_administrator_may_enter_an_epreuves_mark():
    enrolment = _epreuves_enrolment()
    admin = UserFactory(roles=["administrateur"])
    mark = _enter(enrolment, _bloc(enrolment), Decimal(90), actor=admin)
    assert mark.points == Decimal(90)


@pytest.mark.parametrize("points", ["0", "0.25", "149.75", "150"])
def test_a_mark_between_zero_and_the_blocs_exam_points_is_stored(points):
    enrolment = _epreuves_enrolment()
    bloc = _bloc(enrolment)
    assert bloc.exam_points == 150
    mark = _enter(enrolment, bloc, Decimal(points))
    stored = BlocExamMark.objects.get(pk=mark.pk)
    assert stored.points == Decimal(points) and stored.presented is True
    assert stored.attempt == 1 and stored.entered_at is not None


@pytest.mark.parametrize("points", [Decimal("-0.01"), Decimal("150.01"), Decimal(1000), None])
def test_a_mark_out_of_range_or_missing_is_refused_with_the_maximum(points):
    enrolment = _epreuves_enrolment()
    with pytest.raises(WorkflowError) as refused:
        _enter(enrolment, _bloc(enrolment), points)
    assert refused.value.message == "La note d'épreuves doit être comprise entre 0 et 150."
    assert not BlocExamMark.objects.exists()


def test_the_maximum_is_the_blocs_own_exam_points():
    enrolment = _epreuves_enrolment()
    bloc4 = _bloc(enrolment, 4)
    assert bloc4.exam_points == 90
    assert _enter(enrolment, bloc4, Decimal(90)).points == Decimal(90)
    with pytest.raises(WorkflowError, match="entre 0 et 90"):
        _enter(enrolment, bloc4, Decimal("90.5"))


def test_a_non_presentation_stores_no_points_whatever_was_typed():
    enrolment = _epreuves_enrolment()
    mark = _enter(enrolment, _bloc(enrolment), Decimal(9999), presented=False)
    stored = BlocExamMark.objects.get(pk=mark.pk)
    assert stored.presented is False and stored.points is None
    event = AuditEvent.objects.get(action="bloc_exam_mark.enter")
    assert event.after == {"points": None, "presented": False}


def test_a_re_entry_updates_the_same_row_and_audits_before_and_after():
    enrolment = _epreuves_enrolment()
    bloc = _bloc(enrolment)
    first = _enter(enrolment, bloc, Decimal(80))
    corrector = staff()
    second = _enter(enrolment, bloc, Decimal("95.5"), actor=corrector)
    assert second.pk == first.pk
    stored = BlocExamMark.objects.get()
    assert stored.points == Decimal("95.5") and stored.entered_by == corrector
    created, updated = AuditEvent.objects.filter(action="bloc_exam_mark.enter").order_by("pk")
    assert created.before is None
    assert created.after == {"points": "80", "presented": True}
    assert updated.before == {"points": "80.00", "presented": True}  # as stored
    assert updated.after == {"points": "95.5", "presented": True}
    assert updated.actor == corrector and updated.candidate == enrolment.candidate


def test_a_re_entry_after_a_non_presentation_audits_no_points_before():
    enrolment = _epreuves_enrolment()
    bloc = _bloc(enrolment)
    _enter(enrolment, bloc, None, presented=False)
    _enter(enrolment, bloc, Decimal(70))
    updated = AuditEvent.objects.filter(action="bloc_exam_mark.enter").latest("pk")
    assert updated.before == {"points": None, "presented": False}
    assert updated.after == {"points": "70", "presented": True}


def test_each_attempt_keeps_its_own_mark_and_the_latest_counts():
    enrolment = _epreuves_enrolment()
    bloc = _bloc(enrolment)
    _enter(enrolment, bloc, Decimal(40))
    _enter(enrolment, bloc, Decimal(100), attempt=2)
    _enter(enrolment, bloc, Decimal(45))  # a correction of the first attempt only
    marks = dict(BlocExamMark.objects.values_list("attempt", "points"))
    assert marks == {1: Decimal(45), 2: Decimal(100)}
    assert results.current_exam_mark(enrolment, bloc).points == Decimal(100)


def test_marks_of_two_blocs_are_kept_apart():
    enrolment = _epreuves_enrolment()
    _enter(enrolment, _bloc(enrolment, 1), Decimal(100))
    _enter(enrolment, _bloc(enrolment, 2), Decimal(50))
    assert BlocExamMark.objects.count() == 2
    assert results.current_exam_mark(enrolment, _bloc(enrolment, 1)).points == Decimal(100)


# --- The decision ----------------------------------------------------------------------------


def _ready_epreuves_enrolment(*, ratio=Decimal("0.6")):
    """Return an épreuves-route candidate with every mark entered, ready for a jury."""
    enrolment = _epreuves_enrolment()
    for bloc in enrolment.cohort.title.blocs.all():
        _enter(enrolment, bloc, Decimal(bloc.exam_points) * ratio)
    memoire = DraftMemoireFactory(enrolment=enrolment, state="written_marked")
    MemoireWrittenMark.objects.create(
        memoire=memoire, points=Decimal(80), entered_by=staff(), entered_at=timezone.now()
    )
    fill_cc(enrolment)
    submit_tutor(enrolment)
    return enrolment


@pytest.mark.usefixtures("jury_timeline")
def test_the_entered_marks_reach_the_computed_decision():
    session, members, actor, enrolment = session_with_candidate(_ready_epreuves_enrolment())
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.complete, file.missing
    assert file.inputs["blocs"]["1"] == {
        "cc": "60",
        "exam": "90.00",
        "presented": True,
        "carried": False,
    }
    decision = results.computed_decision(file)
    assert decision.outcome == "total"
    assert decision.bloc("1").passed

    _enter(enrolment, _bloc(enrolment), Decimal(0))
    file = results.candidate_file(enrolment=enrolment, session=session)
    decision = results.computed_decision(file)
    assert not decision.bloc("1").passed
    assert decision.outcome != "total" and "1" not in decision.validated_blocs


@pytest.mark.usefixtures("jury_timeline")
def test_a_non_presentation_reaches_the_decision_as_not_presented():
    session, members, actor, enrolment = session_with_candidate(_ready_epreuves_enrolment())
    _enter(enrolment, _bloc(enrolment, 2), None, presented=False)
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.inputs["blocs"]["2"]["presented"] is False
    decision = results.computed_decision(file)
    assert not decision.bloc("2").presented and not decision.bloc("2").passed


@pytest.mark.usefixtures("jury_timeline")
def test_a_missing_epreuves_mark_leaves_the_file_incomplete():
    session, members, actor, enrolment = session_with_candidate(_ready_epreuves_enrolment())
    BlocExamMark.objects.filter(enrolment=enrolment, bloc__number=3).delete()
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert not file.complete
    assert "Bloc 3 : note d'épreuves non saisie." in file.missing


# --- The staff screen ------------------------------------------------------------------------


def _post_exam(client, user, enrolment, **data):
    client.force_login(user)
    return client.post(
        reverse("jury:staff_candidate", args=[enrolment.pk]),
        {"action": "exam", "exam-bloc": _bloc(enrolment).pk, **data},
        follow=True,
    )


def test_the_candidate_screen_records_a_non_presentation_and_no_longer_takes_points(client):
    enrolment = _epreuves_enrolment()
    page = _post_exam(client, staff(), enrolment, **{"exam-absent": "on"})
    assert "Non-présentation du bloc enregistrée." in page.content.decode()
    mark = BlocExamMark.objects.get()
    assert mark.presented is False and mark.points is None and mark.bloc.number == 1
    # The points are entered per épreuve now: the page leads there.
    assert reverse("workflow:staff-epreuve-marks") in page.content.decode()


def test_a_post_without_the_absence_box_records_nothing(client):
    enrolment = _epreuves_enrolment()
    page = _post_exam(client, staff(), enrolment, **{"exam-points": "120.5"})
    assert "Cochez la case pour enregistrer la non-présentation." in page.content.decode()
    assert not BlocExamMark.objects.exists()


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_other_roles_may_not_enter_an_epreuves_mark(client, role):
    enrolment = _epreuves_enrolment()
    user = UserFactory(roles=[role])
    response = _post_exam(client, user, enrolment, **{"exam-points": "100", "exam-presented": "on"})
    assert response.status_code == 403
    assert not BlocExamMark.objects.exists()
