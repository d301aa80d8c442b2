"""Continuous assessment (entry, scaling) and attendance; the import: test_cc_import.py."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import TrainingLink
from audit.models import AuditEvent
from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import fast_passwords, staff  # noqa: F401
from workflow.errors import WorkflowError
from workflow.marks import cc, cc_import
from workflow.marks.attendance import absence_record, unjustified_absence_pct

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    enrolment = EnrolmentFactory()
    cohort = enrolment.cohort
    module = cohort.title.blocs.get(number=1).modules.get(code="M1.1")  # 40 CC points
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
    return enrolment, module, trainer


def test_a_linked_trainer_enters_a_mark_scaled_to_the_module_points(setting):
    enrolment, module, trainer = setting
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(15), out_of=20)
    assert cc.module_cc_points(enrolment, module) == Decimal(30)


def test_an_unjustified_absence_counts_zero_in_the_mean(setting):
    enrolment, module, trainer = setting
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(30), out_of=30)
    cc.cc_mark_enter(
        actor=trainer,
        enrolment=enrolment,
        module=module,
        label="2",
        mark=None,
        out_of=20,
        absence="unjustified",
    )
    assert cc.module_cc_points(enrolment, module) == Decimal(20)


def test_a_trainer_not_linked_to_the_module_and_cohort_is_refused(setting):
    enrolment, module, _trainer = setting
    other = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(
        trainer=other, module=module.bloc.modules.get(code="M1.4"), cohort=enrolment.cohort
    )
    with pytest.raises(WorkflowError, match="n'intervenez pas"):
        cc.cc_mark_enter(
            actor=other, enrolment=enrolment, module=module, mark=Decimal(1), out_of=10
        )
    with pytest.raises(WorkflowError, match="n'intervenez pas"):
        cc_import.cc_import_preview(
            actor=other, module=module, cohort=enrolment.cohort, content=b""
        )


def test_bloc_cc_points_stay_none_until_every_cc_module_has_a_mark(setting):
    enrolment, module, trainer = setting
    bloc = module.bloc
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(10), out_of=20)
    assert cc.bloc_cc_points(enrolment, bloc) is None
    for code in ("M1.4", "M1.6", "M1.7"):
        other = bloc.modules.get(code=code)
        TrainingLink.objects.create(trainer=trainer, module=other, cohort=enrolment.cohort)
        cc.cc_mark_enter(
            actor=trainer, enrolment=enrolment, module=other, mark=Decimal(5), out_of=10
        )
    assert cc.bloc_cc_points(enrolment, bloc) == Decimal(50)


def test_candidates_see_their_cc_marks_as_soon_as_entered(setting):
    enrolment, module, trainer = setting
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(8), out_of=10)
    rows = {row["module"].code: row for row in cc.cc_marks_for_candidate(enrolment)}
    assert rows["M1.1"]["points"] == Decimal(32)
    assert rows["M1.4"]["points"] is None


def test_unjustified_absence_share_uses_the_cohort_hours_and_ignores_justified_absences():
    enrolment = EnrolmentFactory(cohort__training_hours=Decimal(800))
    actor = staff()
    absence_record(
        actor=actor, enrolment=enrolment, date=date(2025, 10, 1), hours=Decimal(20), justified=False
    )
    absence_record(
        actor=actor,
        enrolment=enrolment,
        date=date(2025, 10, 2),
        hours=Decimal(7),
        justified=True,
        justification="sick_leave",
    )
    assert unjustified_absence_pct(enrolment) == Decimal("2.5")


def test_absences_are_recorded_by_staff_only_and_justified_ones_need_their_kind():
    enrolment = EnrolmentFactory()
    with pytest.raises(WorkflowError, match="personnel"):
        absence_record(
            actor=enrolment.tutor,
            enrolment=enrolment,
            date=date(2025, 10, 1),
            hours=Decimal(3),
            justified=False,
        )
    with pytest.raises(WorkflowError, match="justificatif"):
        absence_record(
            actor=staff(),
            enrolment=enrolment,
            date=date(2025, 10, 1),
            hours=Decimal(3),
            justified=True,
        )
    with pytest.raises(WorkflowError, match="période de formation"):
        absence_record(
            actor=staff(),
            enrolment=enrolment,
            date=date(2027, 10, 1),
            hours=Decimal(3),
            justified=False,
        )


def test_the_same_absence_entered_twice_is_kept_once_and_a_different_one_is_refused():
    enrolment = EnrolmentFactory()
    actor = staff()
    day = enrolment.cohort.training_start
    first = absence_record(
        actor=actor, enrolment=enrolment, date=day, hours=Decimal(3), justified=False
    )
    again = absence_record(
        actor=actor, enrolment=enrolment, date=day, hours=Decimal("3.00"), justified=False
    )
    assert again.pk == first.pk
    with pytest.raises(WorkflowError) as refused:
        absence_record(
            actor=actor, enrolment=enrolment, date=day, hours=Decimal(4), justified=False
        )
    assert refused.value.message == (
        f"Une absence injustifiée de 3 h est déjà enregistrée le {day:%d/%m/%Y} : "
        "supprimez-la puis saisissez le total de la journée."
    )
    justified = absence_record(
        actor=actor,
        enrolment=enrolment,
        date=day,
        hours=Decimal(4),
        justified=True,
        justification="medical",
    )
    assert justified.pk != first.pk
    assert AuditEvent.objects.filter(action="absence.record").count() == 2
