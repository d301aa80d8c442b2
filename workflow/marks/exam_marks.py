"""Marks the staff enter: épreuves marks (épreuves route) and the mémoire's written mark.

Entering them is an evaluation duty on the candidate's establishment (``Duty.EVALUATION``).
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.trail import audit_record
from portfolio.models import Memoire
from workflow.admission import enrolled_bloc_ids
from workflow.errors import WorkflowError
from workflow.models import BlocExamMark, MemoireWrittenMark


def bloc_exam_mark_enter(
    *, actor, enrolment, bloc, points: Decimal | None, presented: bool = True, attempt: int = 1
) -> BlocExamMark:
    """Enter a bloc's épreuves mark (or the candidate's non-presentation)."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre saisit les notes d'épreuves."))
    return bloc_exam_mark_write(
        actor=actor,
        enrolment=enrolment,
        bloc=bloc,
        points=points,
        presented=presented,
        attempt=attempt,
    )


def bloc_exam_mark_write(
    *, actor, enrolment, bloc, points: Decimal | None, presented: bool = True, attempt: int = 1
) -> BlocExamMark:
    """Write a bloc's épreuves mark, audited, whoever causes it; the caller checked the right.

    ``bloc_exam_mark_enter`` (the staff) and the sum of the épreuve marks
    (``workflow.evaluation.epreuve_marks``, the examiner who submits the last one) write here.
    """
    if bloc.pk not in enrolled_bloc_ids(enrolment):
        raise WorkflowError(
            _(
                "Ce candidat n'est pas inscrit au bloc %(n)s : ajoutez le bloc à son admission "
                "avant d'en saisir la note."
            )
            % {"n": bloc.number}
        )
    if presented:
        if points is None or points < 0 or points > bloc.exam_points:
            raise WorkflowError(
                _("La note d'épreuves doit être comprise entre 0 et %(max)s.")
                % {"max": bloc.exam_points}
            )
    else:
        points = None
    with transaction.atomic():
        # Simultaneous first entries meet on the unique key: get_or_create's savepoint turns the
        # losers' failed inserts into a read (and lock) of the winner's row.
        record, created = BlocExamMark.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            bloc=bloc,
            attempt=attempt,
            defaults={
                "points": points,
                "presented": presented,
                "entered_by": actor,
                "entered_at": clock.now(),
            },
        )
        before = None
        if not created:
            before = {
                "points": None if record.points is None else str(record.points),
                "presented": record.presented,
            }
            if record.presented == presented and _same_points(record.points, points):
                return record
            record.points, record.presented = points, presented
            record.entered_by, record.entered_at = actor, clock.now()
            record.save()
        audit_record(
            actor=actor,
            action="bloc_exam_mark.enter",
            obj=record,
            candidate=enrolment.candidate,
            before=before,
            after={"points": None if points is None else str(points), "presented": presented},
        )
    return record


def _same_points(stored: Decimal | None, entered: Decimal | None) -> bool:
    if stored is None or entered is None:
        return stored is None and entered is None
    return stored == Decimal(entered)


def memoire_written_mark_enter(*, actor, memoire, points: Decimal) -> MemoireWrittenMark:
    """Enter the mémoire's written mark (/125) and move it to « écrit noté »."""
    if not staff_may(actor, memoire, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre saisit la note du mémoire."))
    maximum = memoire.enrolment.cohort.title.practice_written_points
    if points is None or points < 0 or points > maximum:
        raise WorkflowError(
            _("La note du mémoire doit être comprise entre 0 et %(max)s.") % {"max": maximum}
        )
    with transaction.atomic():
        memoire = Memoire.objects.select_for_update().get(pk=memoire.pk)
        if memoire.state != Memoire.State.ASSIGNED:
            raise WorkflowError(
                _("Mémoire « %(s)s » : la note écrite se saisit une fois le mémoire affecté.")
                % {"s": memoire.get_state_display()}
            )
        record = MemoireWrittenMark.objects.create(
            memoire=memoire, points=points, entered_by=actor, entered_at=clock.now()
        )
        memoire.mark_written()
        # Marked outside the application, by the centre's own procedure: the mark is settled.
        memoire.agreed_mark = points
        memoire.save()
        audit_record(
            actor=actor,
            action="memoire.written_mark",
            obj=memoire,
            candidate=memoire.enrolment.candidate,
            before={"state": Memoire.State.ASSIGNED},
            after={"state": memoire.state, "points": str(points)},
        )
    return record
