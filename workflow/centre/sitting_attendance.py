"""Attendance on the exam day: who sat the épreuve, who was absent and with what justification.

Recorded by the responsable du processus d'évaluation (``Duty.EVALUATION``) from the moment the
épreuve starts, one line per candidate and sitting, corrected with a reason, every change
audited. An absence, justified or not, makes the bloc non-presented for the decision
(``bloc_exam_mark_enter(..., presented=False)``); a justified one keeps its kind and date, from
which a retake is offered (RULES.md §4).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.trail import audit_record
from rules import eligibility
from workflow.centre.sittings import sitting_candidates
from workflow.errors import WorkflowError
from workflow.marks.exam_marks import bloc_exam_mark_enter
from workflow.models import BlocExamMark, EpreuveAttendance, EpreuveMark, EpreuveSitting

Status = EpreuveAttendance.Status


def _facts(status: str, kind: str, day: date | None) -> dict:
    """Return the line's values, refusing an incomplete or impossible justification."""
    if status not in Status.values:
        raise WorkflowError(
            _("Choisissez présent, absent justifié ou absent non justifié."),
            field_errors={"status": [_("Choisissez une présence.")]},
        )
    if status != Status.ABSENT_JUSTIFIED:
        return {"status": status, "justification_kind": "", "justification_date": None}
    errors = {}
    if kind not in EpreuveAttendance.Justification.values:
        errors["justification_kind"] = [
            _(
                "Une absence justifiée indique son justificatif : certificat médical, arrêt "
                "de travail ou cas de force majeure."
            )
        ]
    if day is None:
        errors["justification_date"] = [_("Indiquez la date du justificatif.")]
    elif day > clock.today():
        errors["justification_date"] = [
            _("Le justificatif ne peut pas être daté après aujourd'hui (%(today)s).")
            % {"today": eligibility.fr_date(clock.today())}
        ]
    if errors:
        raise WorkflowError(
            _("Absence justifiée non enregistrée : complétez le justificatif."),
            field_errors=errors,
        )
    return {"status": status, "justification_kind": kind, "justification_date": day}


def _audited(values: dict) -> dict:
    day = values["justification_date"]
    return {**values, "justification_date": day.isoformat() if day else None}


def attendance_record(
    *,
    actor,
    sitting: EpreuveSitting,
    enrolment,
    status: str,
    justification_kind: str = "",
    justification_date: date | None = None,
    reason: str = "",
) -> EpreuveAttendance:
    """Record (or correct, with a ``reason``) whether the candidate sat the épreuve."""
    if not staff_may(actor, sitting, Duty.EVALUATION):
        raise WorkflowError(
            _("Seul le responsable du processus d'évaluation enregistre les présences.")
        )
    values = _facts(status, justification_kind, justification_date)
    if clock.now() < sitting.starts_at:
        starts = timezone.localtime(sitting.starts_at)
        raise WorkflowError(
            _(
                "L'épreuve commence le %(day)s à %(time)s : les présences s'enregistrent à "
                "partir de cette heure-là."
            )
            % {"day": eligibility.fr_date(starts.date()), "time": starts.strftime("%H h %M")}
        )
    if not sitting_candidates(sitting).filter(pk=enrolment.pk).exists():
        raise WorkflowError(_("Ce candidat ne passe pas cette épreuve."))
    with transaction.atomic():
        sitting = (
            EpreuveSitting.objects.select_for_update().select_related("epreuve").get(pk=sitting.pk)
        )
        if values["status"] in EpreuveAttendance.ABSENT and _marked(sitting, enrolment):
            raise WorkflowError(
                _(
                    "Le correcteur a remis la note de ce candidat à l'épreuve %(code)s : il ne "
                    "peut pas y être noté absent. Si la note est une erreur, rouvrez-la d'abord "
                    "depuis les notes d'épreuves."
                )
                % {"code": sitting.epreuve.code}
            )
        record = EpreuveAttendance.objects.filter(sitting=sitting, enrolment=enrolment).first()
        before = None
        if record is not None:
            before = {
                "status": record.status,
                "justification_kind": record.justification_kind,
                "justification_date": record.justification_date,
            }
            if before == values:
                return record
            if not reason.strip():
                raise WorkflowError(
                    _("La présence est déjà saisie : indiquez le motif de la correction."),
                    field_errors={"reason": [_("Indiquez le motif de la correction.")]},
                )
            for key, value in values.items():
                setattr(record, key, value)
            record.recorded_by, record.recorded_at = actor, clock.now()
            record.save()
        else:
            record = EpreuveAttendance.objects.create(
                sitting=sitting,
                enrolment=enrolment,
                recorded_by=actor,
                recorded_at=clock.now(),
                **values,
            )
        audit_record(
            actor=actor,
            action="epreuve_attendance.record",
            obj=record,
            candidate=enrolment.candidate,
            before=None if before is None else _audited(before),
            after={"epreuve": sitting.epreuve.code, **_audited(values)},
            reason=reason.strip(),
        )
        _bloc_follow(actor, sitting, enrolment, absent=record.absent)
    return record


def _marked(sitting, enrolment) -> bool:
    """Return whether an examiner submitted the candidate's mark for the sitting's épreuve (the
    sittings are the first attempt's)."""
    return EpreuveMark.objects.filter(
        enrolment=enrolment,
        epreuve=sitting.epreuve,
        attempt=1,
        state=EpreuveMark.State.SUBMITTED,
    ).exists()


def _bloc_follow(actor, sitting, enrolment, *, absent: bool) -> None:
    """Make the bloc non-presented on an absence; on a correction to present, take back the
    non-presentation when no other épreuve of the bloc records an absence."""
    bloc = sitting.epreuve.bloc
    if bloc is None:
        return
    if absent:
        bloc_exam_mark_enter(
            actor=actor, enrolment=enrolment, bloc=bloc, points=None, presented=False
        )
        return
    if EpreuveAttendance.objects.filter(
        enrolment=enrolment, sitting__epreuve__bloc=bloc, status__in=EpreuveAttendance.ABSENT
    ).exists():
        return
    mark = (
        BlocExamMark.objects.select_for_update()
        .filter(enrolment=enrolment, bloc=bloc, attempt=1, presented=False, points=None)
        .first()
    )
    if mark is None:
        return
    audit_record(
        actor=actor,
        action="bloc_exam_mark.non_presented_withdraw",
        obj=mark,
        candidate=enrolment.candidate,
        before={"points": None, "presented": False},
        reason=_("Présence corrigée à l'épreuve %(code)s.") % {"code": sitting.epreuve.code},
    )
    mark.delete()


def attendance_by_enrolment(sitting) -> dict[int, EpreuveAttendance]:
    """Return the sitting's attendance lines by enrolment id (one query)."""
    return {a.enrolment_id: a for a in EpreuveAttendance.objects.filter(sitting=sitting)}
