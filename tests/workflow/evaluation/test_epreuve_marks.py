"""Per-épreuve marks: independent examiners, the grid's bounds, the bloc's sum, corrections."""

from decimal import Decimal

import pytest

from accounts.models import Enrolment
from audit.models import AuditEvent
from tests.factories import (
    AccompanimentFactory,
    ConflictDeclarationFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    TrainingLinkFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import staff as staff_of
from workflow.errors import WorkflowError
from workflow.evaluation.epreuve_marks import (
    epreuve_examiner_assign,
    epreuve_mark_reopen,
    epreuve_mark_save,
    epreuve_mark_submit,
)
from workflow.marks.exam_marks import bloc_exam_mark_enter
from workflow.models import BlocExamMark, EpreuveMark

pytestmark = pytest.mark.django_db


def epreuves_enrolment(**kwargs):
    return EnrolmentFactory(route=Enrolment.Route.EPREUVES, **kwargs)


def epreuves_of(enrolment, number):
    return list(enrolment.cohort.title.blocs.get(number=number).epreuves.order_by("order"))


def assign(enrolment, epreuve, examiner=None, actor=None):
    return epreuve_examiner_assign(
        actor=actor or staff_of(),
        enrolment=enrolment,
        epreuve=epreuve,
        examiner=examiner or EvaluatorFactory(),
    )


def criteria(mark):
    return list(mark.grid_version.criteria.order_by("order"))


def fill(mark, total=None, *, submit=True):
    """Give ``mark``'s grid ``total`` points (all by default), greedily, then submit it."""
    remaining = Decimal(mark.epreuve.points if total is None else total)
    points = {}
    for criterion in criteria(mark):
        points[criterion.pk] = min(criterion.max_points, remaining)
        remaining -= points[criterion.pk]
    assert remaining == 0
    epreuve_mark_save(actor=mark.examiner, mark=mark, points=points, comment="Copie correcte.")
    if submit:
        return epreuve_mark_submit(actor=mark.examiner, mark=mark)
    return mark


# --- Assignment -----------------------------------------------------------------------------


def test_the_staff_assign_an_examiner_on_the_epreuves_current_grid_which_freezes():
    enrolment = epreuves_enrolment()
    epreuve = epreuves_of(enrolment, 1)[1]
    mark = assign(enrolment, epreuve)
    assert mark.state == EpreuveMark.State.DRAFT
    assert mark.grid_version.grid.epreuve == epreuve
    assert mark.grid_version.is_frozen
    assert mark.grid_version.total_points == epreuve.points == 50
    assert AuditEvent.objects.filter(action="epreuve_mark.assign").count() == 1


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("trainer", "A formé ce candidat"),
        ("accompanist", "A accompagné ce candidat"),
        ("tutor", "Est le tuteur de ce candidat"),
        ("employer", "Travaille pour l'entreprise du candidat"),
        ("conflict", "A déclaré un conflit d'intérêts"),
    ],
)
def test_an_examiner_linked_to_the_candidate_is_refused_with_the_reason(link, reason):
    enrolment = epreuves_enrolment()
    examiner = EvaluatorFactory()
    if link == "trainer":
        TrainingLinkFactory(trainer=examiner, cohort=enrolment.cohort)
    elif link == "accompanist":
        AccompanimentFactory(accompanist=examiner, candidate=enrolment.candidate)
    elif link == "tutor":
        enrolment.tutor = examiner
        enrolment.save()
    elif link == "employer":
        examiner.employer = enrolment.company
        examiner.save()
    else:
        ConflictDeclarationFactory(evaluator=examiner, candidate=enrolment.candidate)
    with pytest.raises(WorkflowError) as refused:
        assign(enrolment, epreuves_of(enrolment, 2)[0], examiner)
    assert reason in refused.value.message
    assert not EpreuveMark.objects.exists()


def test_someone_without_the_evaluator_role_is_refused():
    enrolment = epreuves_enrolment()
    with pytest.raises(WorkflowError, match="n'a pas le rôle d'évaluateur"):
        assign(enrolment, epreuves_of(enrolment, 2)[0], UserFactory(roles=["formateur"]))


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_only_the_centre_staff_assign_examiners(role):
    enrolment = epreuves_enrolment()
    with pytest.raises(WorkflowError, match="Seul le personnel du centre"):
        assign(enrolment, epreuves_of(enrolment, 2)[0], actor=UserFactory(roles=[role]))


def test_another_establishments_staff_may_not_assign():
    enrolment = epreuves_enrolment()
    other = staff_of(EstablishmentFactory(name="CCI Ailleurs"))
    with pytest.raises(WorkflowError, match="Seul le personnel du centre"):
        assign(enrolment, epreuves_of(enrolment, 2)[0], actor=other)


def test_a_portfolio_candidate_has_no_epreuves():
    enrolment = EnrolmentFactory(route=Enrolment.Route.PORTEFEUILLE)
    with pytest.raises(WorkflowError, match="portefeuille de preuves"):
        assign(enrolment, epreuves_of(enrolment, 2)[0])


def test_a_draft_changes_examiner_and_loses_the_former_draft_points():
    enrolment = epreuves_enrolment()
    mark = fill(assign(enrolment, epreuves_of(enrolment, 2)[1]), 20, submit=False)
    other = EvaluatorFactory()
    mark = assign(enrolment, mark.epreuve, other)
    assert mark.examiner == other and not mark.scores.exists()
    with pytest.raises(WorkflowError, match="ne vous est pas confiée"):
        epreuve_mark_save(actor=EpreuveMark.objects.get().assigned_by, mark=mark, points={})


# --- The grid -------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [Decimal(0), Decimal(45), Decimal("11.5")])
def test_a_submitted_mark_is_its_grids_sum_from_zero_to_the_maximum(total):
    enrolment = epreuves_enrolment()
    mark = fill(assign(enrolment, epreuves_of(enrolment, 2)[1]), total)
    assert mark.state == EpreuveMark.State.SUBMITTED
    assert mark.total == total
    assert Decimal(AuditEvent.objects.get(action="epreuve_mark.submit").after["total"]) == total


def test_a_french_decimal_is_read():
    enrolment = epreuves_enrolment()
    mark = assign(enrolment, epreuves_of(enrolment, 4)[0])
    first = criteria(mark)[0]
    epreuve_mark_save(actor=mark.examiner, mark=mark, points={first.pk: "11,5"})
    assert mark.scores.get().points == Decimal("11.5")


def test_a_criterion_above_its_maximum_is_refused_and_nothing_is_saved():
    enrolment = epreuves_enrolment()
    mark = assign(enrolment, epreuves_of(enrolment, 2)[1])
    first, second = criteria(mark)[:2]
    with pytest.raises(WorkflowError, match="comprise entre 0 et"):
        epreuve_mark_save(
            actor=mark.examiner,
            mark=mark,
            points={first.pk: "1", second.pk: first.max_points + Decimal("0.01")},
        )
    assert not mark.scores.exists()


def test_an_incomplete_grid_is_not_submitted():
    enrolment = epreuves_enrolment()
    mark = assign(enrolment, epreuves_of(enrolment, 2)[1])
    epreuve_mark_save(actor=mark.examiner, mark=mark, points={criteria(mark)[0].pk: "3"})
    with pytest.raises(WorkflowError, match="note manquante"):
        epreuve_mark_submit(actor=mark.examiner, mark=mark)
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.DRAFT


def test_another_evaluator_may_not_fill_the_grid():
    enrolment = epreuves_enrolment()
    mark = assign(enrolment, epreuves_of(enrolment, 2)[1])
    with pytest.raises(WorkflowError, match="ne vous est pas confiée"):
        epreuve_mark_save(actor=EvaluatorFactory(), mark=mark, points={})
    with pytest.raises(WorkflowError, match="ne vous est pas confiée"):
        epreuve_mark_submit(actor=EvaluatorFactory(), mark=mark)


def test_a_submitted_mark_is_closed_to_the_examiner():
    enrolment = epreuves_enrolment()
    mark = fill(assign(enrolment, epreuves_of(enrolment, 2)[1]))
    with pytest.raises(WorkflowError, match="est remise"):
        epreuve_mark_save(actor=mark.examiner, mark=mark, points={})
    with pytest.raises(WorkflowError, match="est remise"):
        assign(enrolment, mark.epreuve)


# --- The bloc's sum -------------------------------------------------------------------------


def test_the_bloc_mark_waits_for_every_epreuve_then_is_their_sum():
    enrolment = epreuves_enrolment()
    first, second, third = (assign(enrolment, e) for e in epreuves_of(enrolment, 1))
    fill(first, Decimal("11.5"))
    fill(second, 50)
    assert not BlocExamMark.objects.exists()
    fill(third, 0)
    bloc_mark = BlocExamMark.objects.get()
    assert bloc_mark.points == Decimal("61.5") and bloc_mark.presented
    assert bloc_mark.bloc.number == 1 and bloc_mark.attempt == 1
    assert bloc_mark.entered_by == third.examiner


def test_bloc_3s_single_epreuve_is_the_bloc_mark_up_to_the_maximum():
    enrolment = epreuves_enrolment()
    fill(assign(enrolment, epreuves_of(enrolment, 3)[0]))
    assert BlocExamMark.objects.get().points == 105


def test_a_correction_rewrites_the_bloc_mark_audited():
    enrolment = epreuves_enrolment()
    oral, phone = (assign(enrolment, e) for e in epreuves_of(enrolment, 4)[1:])
    computer = assign(enrolment, epreuves_of(enrolment, 4)[0])
    for mark, total in ((computer, 40), (oral, 15), (phone, 5)):
        fill(mark, total)
    assert BlocExamMark.objects.get().points == 60
    epreuve_mark_reopen(actor=staff_of(), mark=oral, reason="Erreur de report d'un critère.")
    assert BlocExamMark.objects.get().points == 60  # kept until the corrected mark is in
    oral.refresh_from_db()
    oral.scores.all().delete()
    fill(oral, 18)
    assert BlocExamMark.objects.get().points == 63
    writes = AuditEvent.objects.filter(action="bloc_exam_mark.enter").order_by("pk")
    assert [(e.before, Decimal(e.after["points"])) for e in writes] == [
        (None, 60),
        ({"points": "60.00", "presented": True}, 63),
    ]
    assert AuditEvent.objects.get(action="epreuve_mark.reopen").reason == (
        "Erreur de report d'un critère."
    )


def test_a_reopening_needs_the_staff_and_a_reason():
    enrolment = epreuves_enrolment()
    mark = fill(assign(enrolment, epreuves_of(enrolment, 3)[0]))
    with pytest.raises(WorkflowError, match="Seul le personnel du centre"):
        epreuve_mark_reopen(actor=mark.examiner, mark=mark, reason="Je me suis trompé.")
    with pytest.raises(WorkflowError, match="Indiquez pourquoi"):
        epreuve_mark_reopen(actor=staff_of(), mark=mark, reason="  ")
    mark.refresh_from_db()
    assert mark.state == EpreuveMark.State.SUBMITTED


def test_a_non_presented_bloc_stays_so_until_every_epreuve_is_marked():
    enrolment = epreuves_enrolment()
    bloc = enrolment.cohort.title.blocs.get(number=2)
    bloc_exam_mark_enter(
        actor=staff_of(), enrolment=enrolment, bloc=bloc, points=None, presented=False
    )
    first, second = (assign(enrolment, e) for e in epreuves_of(enrolment, 2))
    fill(first, 30)
    assert BlocExamMark.objects.get().presented is False
    fill(second, 20)
    bloc_mark = BlocExamMark.objects.get()
    assert bloc_mark.presented and bloc_mark.points == 50
