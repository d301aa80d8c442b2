"""Attendance: absences recorded by the staff, and the unjustified share of training time.

Recording or removing an absence is an evaluation duty on the candidate's establishment.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from rules import cc
from workflow.errors import WorkflowError
from workflow.models import AbsenceRecord


def absence_record(
    *,
    actor,
    enrolment,
    date: date,
    hours: Decimal,
    justified: bool,
    justification: str = "",
    note: str = "",
) -> AbsenceRecord:
    """Record training time a candidate missed, justified (with its kind) or not."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre saisit les absences."))
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        raise WorkflowError(_("Le nombre d'heures doit être un nombre.")) from None
    if not hours.is_finite() or hours <= 0 or hours > 24:
        raise WorkflowError(_("Le nombre d'heures doit être compris entre 0 et 24."))
    if justified and not justification:
        raise WorkflowError(_("Indiquez le justificatif d'une absence justifiée."))
    if not justified and justification:
        raise WorkflowError(_("Une absence injustifiée n'a pas de justificatif."))
    if not enrolment.cohort.training_start <= date <= enrolment.effective_training_end:
        raise WorkflowError(_("La date est en dehors de la période de formation."))
    with transaction.atomic():
        Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        # One record per day and kind (justified or not): the unique key decides between
        # simultaneous entries, and the losers read the winner's row instead of failing.
        record, created = AbsenceRecord.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            date=date,
            justified=justified,
            defaults={
                "hours": hours,
                "justification": justification,
                "note": note,
                "recorded_by": actor,
                "recorded_at": clock.now(),
            },
        )
        if not created:
            if record.hours == hours and record.justification == justification:
                return record
            raise WorkflowError(
                _(
                    "Une absence %(kind)s de %(hours)s h est déjà enregistrée le %(date)s : "
                    "supprimez-la puis saisissez le total de la journée."
                )
                % {
                    "kind": _("justifiée") if justified else _("injustifiée"),
                    "hours": record.hours.normalize(),
                    "date": date.strftime("%d/%m/%Y"),
                }
            )
        audit_record(
            actor=actor,
            action="absence.record",
            obj=record,
            candidate=enrolment.candidate,
            after={
                "date": date.isoformat(),
                "hours": str(hours),
                "justified": justified,
                "justification": justification,
            },
        )
    return record


def absence_delete(*, actor, record, reason: str) -> None:
    """Remove an absence entered by mistake (staff, with a reason kept in the audit trail)."""
    if not staff_may(actor, record, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre modifie les absences."))
    if not reason.strip():
        raise WorkflowError(_("Indiquez pourquoi cette absence est supprimée."))
    with transaction.atomic():
        record = AbsenceRecord.objects.select_for_update().get(pk=record.pk)
        audit_record(
            actor=actor,
            action="absence.delete",
            obj=record,
            candidate=record.enrolment.candidate,
            before={"date": record.date.isoformat(), "hours": str(record.hours)},
            reason=reason,
        )
        record.delete()


def unjustified_hours_by_enrolment(enrolments) -> dict[int, Decimal]:
    """Return the unjustified hours of ``enrolments`` (ids or a queryset of ids), in one query;
    an enrolment without any is left out."""
    rows = (
        AbsenceRecord.objects.filter(enrolment__in=enrolments, justified=False)
        .values("enrolment")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {row["enrolment"]: Decimal(row["total"] or 0) for row in rows}


def unjustified_hours(enrolment) -> Decimal:
    return unjustified_hours_by_enrolment([enrolment.pk]).get(enrolment.pk, Decimal(0))


def absence_pct_of(hours: Decimal, cohort) -> Decimal:
    """Return unjustified hours / the cohort's training hours × 100, as the engine computes it."""
    return cc.absence_share_pct(hours, cohort.training_hours)


def unjustified_absence_pct(enrolment) -> Decimal:
    """Return the candidate's unjustified share of training time, as the engine computes it."""
    return absence_pct_of(unjustified_hours(enrolment), enrolment.cohort)
