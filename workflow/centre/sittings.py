"""The épreuves route's exam calendar: each épreuve's sitting for a cohort, and the candidates'
convocations to it, at least one month ahead (RULES.md §6).

Organising the évaluations is the responsable du processus d'évaluation's (``Duty.EVALUATION``):
they schedule and change a cohort's sittings and send the convocations. A remote sitting needs
the certifier's agreement, recorded with the sitting (who, when, its reference). Each candidate
is convoked for the épreuve's duration with the extra third when it is granted (RULES.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Cohort, Enrolment
from audit import clock, ics
from audit.notifications import notify_many
from audit.trail import audit_event, audit_record, audit_record_many
from referentiel.models import Epreuve
from rules import eligibility
from workflow.errors import WorkflowError
from workflow.jury.accommodations import accommodations_texts
from workflow.jury.agenda import ConvocationStatus, convocation_last_day
from workflow.models import Accommodation, EpreuveAttendance, EpreuveConvocation, EpreuveSitting


def _require_evaluation(actor, target) -> None:
    if not staff_may(actor, target, Duty.EVALUATION):
        raise WorkflowError(
            _(
                "Seul le responsable du processus d'évaluation de l'établissement organise les "
                "épreuves de ses promotions."
            )
        )


def sitting_candidates(sitting_or_cohort):
    """Return the candidates of the épreuves route who sit the cohort's épreuves, by name; for
    a sitting, only those enrolled for its bloc (no bloc listed: the whole title)."""
    cohort_id = getattr(sitting_or_cohort, "cohort_id", None) or sitting_or_cohort.pk
    enrolments = Enrolment.objects.filter(cohort_id=cohort_id, route=Enrolment.Route.EPREUVES)
    bloc_id = getattr(getattr(sitting_or_cohort, "epreuve", None), "bloc_id", None)
    if bloc_id is not None:
        enrolments = enrolments.filter(Q(blocs__isnull=True) | Q(blocs=bloc_id))
    return enrolments.select_related("candidate").order_by(
        "candidate__last_name", "candidate__first_name", "pk"
    )


def convocation_deadline(sitting) -> date:
    """Return the last day a convocation to ``sitting`` may be sent (one month before)."""
    return convocation_last_day(_exam_day(sitting))


def _exam_day(sitting) -> date:
    return timezone.localdate(sitting.starts_at)


# --- Schedule ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SittingFacts:
    """What the staff give for a sitting; the remote fields only for a remote one."""

    starts_at: datetime
    base_minutes: int
    room: str
    remote: bool = False
    remote_agreed_by: str = ""
    remote_agreed_on: date | None = None
    remote_agreement_reference: str = ""

    def problems(self) -> dict[str, list[str]]:
        """Return the fields to fix, each with its French message (empty when valid)."""
        errors: dict[str, list[str]] = {}
        if self.base_minutes is None or self.base_minutes <= 0:
            errors["base_minutes"] = [_("La durée de l'épreuve doit être positive, en minutes.")]
        if not self.room.strip():
            errors["room"] = [
                _("Indiquez la salle (ou, à distance, le lien ou le moyen de connexion).")
            ]
        if self.remote:
            missing = _("À distance, l'accord du certificateur est obligatoire : indiquez-le.")
            if not self.remote_agreed_by.strip():
                errors["remote_agreed_by"] = [missing]
            if self.remote_agreed_on is None:
                errors["remote_agreed_on"] = [missing]
            elif self.remote_agreed_on > clock.today():
                errors["remote_agreed_on"] = [
                    _("L'accord du certificateur ne peut pas être daté dans le futur.")
                ]
            if not self.remote_agreement_reference.strip():
                errors["remote_agreement_reference"] = [missing]
        return errors

    def values(self) -> dict:
        remote = self.remote
        return {
            "starts_at": self.starts_at,
            "base_minutes": self.base_minutes,
            "room": self.room.strip(),
            "remote": remote,
            "remote_agreed_by": self.remote_agreed_by.strip() if remote else "",
            "remote_agreed_on": self.remote_agreed_on if remote else None,
            "remote_agreement_reference": self.remote_agreement_reference.strip() if remote else "",
        }


def _audited(values: dict) -> dict:
    return {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in values.items()
    }


def _check(facts: SittingFacts) -> None:
    problems = facts.problems()
    if problems:
        raise WorkflowError(
            _("Passage non enregistré : corrigez les champs signalés."), field_errors=problems
        )
    if timezone.localdate(facts.starts_at) < clock.today():
        raise WorkflowError(
            _("Une épreuve se programme à une date à venir."),
            field_errors={"day": [_("Choisissez une date à partir d'aujourd'hui.")]},
        )


def sitting_schedule(*, actor, cohort: Cohort, epreuve: Epreuve, facts: SittingFacts):
    """Schedule ``epreuve`` for ``cohort``'s épreuves-route candidates; return the sitting."""
    _require_evaluation(actor, cohort)
    if epreuve.title_id != cohort.title_id:
        raise WorkflowError(_("Cette épreuve n'appartient pas au titre de cette promotion."))
    _check(facts)
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        if EpreuveSitting.objects.filter(cohort=cohort, epreuve=epreuve).exists():
            raise WorkflowError(
                _("L'épreuve %(code)s est déjà programmée pour cette promotion : modifiez-la.")
                % {"code": epreuve.code}
            )
        sitting = EpreuveSitting.objects.create(
            cohort=cohort,
            epreuve=epreuve,
            scheduled_by=actor,
            scheduled_at=clock.now(),
            **facts.values(),
        )
        audit_record(
            actor=actor,
            action="epreuve_sitting.schedule",
            obj=sitting,
            after={"epreuve": epreuve.code, **_audited(facts.values())},
        )
    return sitting


def sitting_update(*, actor, sitting: EpreuveSitting, facts: SittingFacts) -> EpreuveSitting:
    """Change a sitting's date, duration or room while nobody is convoked to it yet."""
    _require_evaluation(actor, sitting)
    _check(facts)
    with transaction.atomic():
        sitting = EpreuveSitting.objects.select_for_update().get(pk=sitting.pk)
        if sitting.convocations.exists():
            raise WorkflowError(
                _(
                    "Des convocations à cette épreuve sont déjà parties : elle ne se modifie "
                    "plus. Pour un report, programmez l'épreuve d'une autre promotion ou "
                    "contactez le certificateur."
                )
            )
        values = facts.values()
        before = {key: getattr(sitting, key) for key in values}
        if before == values:
            return sitting
        for key, value in values.items():
            setattr(sitting, key, value)
        sitting.save()
        audit_record(
            actor=actor,
            action="epreuve_sitting.update",
            obj=sitting,
            before=_audited(before),
            after=_audited(values),
        )
    return sitting


# --- Convocations ------------------------------------------------------------------------------


def extra_time_ids(enrolments) -> set[int]:
    """Return the ids of the enrolments granted the extra third (one query)."""
    return set(
        Accommodation.objects.filter(
            enrolment__in=list(enrolments), kind=Accommodation.Kind.EXTRA_TIME
        ).values_list("enrolment_id", flat=True)
    )


def candidate_minutes(sitting, enrolment, extra_ids: set[int]) -> int:
    """Return the candidate's duration: the épreuve's, with the extra third when granted."""
    return eligibility.accommodated_minutes(
        sitting.base_minutes, extra_time=enrolment.pk in extra_ids
    )


def convocation_path(sitting, enrolment) -> str:
    """Return the path of the candidate's convocation (PDF) to the sitting."""
    return reverse("documents:sitting_convocation", args=[sitting.pk, enrolment.pk])


def sitting_event(sitting, enrolment, minutes: int) -> ics.Event:
    """Return the calendar event of the candidate's convocation to ``sitting`` (the same UID in
    the e-mail's attachment and in the candidate's feed)."""
    url = f"{settings.PREUVES_SITE_URL}{convocation_path(sitting, enrolment)}"
    return ics.Event(
        uid=f"epreuve-{sitting.pk}-{enrolment.pk}@preuves",
        summary=_("Épreuve %(code)s (RNCP 36390)") % {"code": sitting.epreuve.code},
        start=sitting.starts_at,
        end=sitting.ends_at(minutes),
        location=sitting.room,
        description=_("Votre convocation : %(url)s\nMunissez-vous d'une pièce d'identité.")
        % {"url": url},
        url=url,
    )


def convocations_owed(sitting) -> list:
    """Return the sitting's candidates not convoked yet."""
    sent = EpreuveConvocation.objects.filter(sitting=sitting).values("enrolment_id")
    return list(sitting_candidates(sitting).exclude(pk__in=sent))


def sitting_convocations_send(*, actor, sitting: EpreuveSitting) -> int:
    """Convoke every candidate not convoked yet, at least one month before the épreuve: an
    e-mail with the event attached, and the convocation on record; return how many."""
    _require_evaluation(actor, sitting)
    with transaction.atomic():
        sitting = (
            EpreuveSitting.objects.select_for_update()
            .select_related("epreuve", "cohort")
            .get(pk=sitting.pk)
        )
        answer = eligibility.convocation(exam_date=_exam_day(sitting), sent_on=clock.today())
        if not answer:
            raise WorkflowError(answer.reason)
        owed = convocations_owed(sitting)
        extra_ids = extra_time_ids(owed)
        texts = accommodations_texts(owed)
        today = clock.today()
        # One insert for the convocations, one for the e-mails and one for the audit lines,
        # however many candidates the sitting convokes.
        minutes = {e.pk: candidate_minutes(sitting, e, extra_ids) for e in owed}
        EpreuveConvocation.objects.bulk_create(
            EpreuveConvocation(
                sitting=sitting,
                enrolment=e,
                duration_minutes=minutes[e.pk],
                sent_on=today,
                sent_by=actor,
            )
            for e in owed
        )
        notify_many(
            [
                {
                    "key": f"epreuve-convocation:{sitting.pk}:{e.pk}",
                    "recipient": e.candidate,
                    "template": "epreuve_convocation",
                    "context": _email_context(sitting, e, minutes[e.pk], texts[e.pk]),
                }
                for e in owed
            ]
        )
        object_type = ContentType.objects.get_for_model(EpreuveSitting)
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    action="epreuve_convocation.send",
                    obj=sitting,
                    object_type=object_type,
                    candidate=e.candidate,
                    after={
                        "starts_at": sitting.starts_at.isoformat(),
                        "duration_minutes": minutes[e.pk],
                    },
                )
                for e in owed
            ]
        )
    return len(owed)


def _email_context(sitting, enrolment, minutes: int, accommodations: list[str]) -> dict:
    starts = timezone.localtime(sitting.starts_at)
    return {
        "candidate": str(enrolment.candidate),
        "epreuve": str(sitting.epreuve),
        "date": eligibility.fr_date(starts.date()),
        "start": starts.strftime("%H h %M"),
        "end": timezone.localtime(sitting.ends_at(minutes)).strftime("%H h %M"),
        "duration_minutes": minutes,
        "room": sitting.room,
        "remote": sitting.remote,
        "accommodations": accommodations,
        "path": convocation_path(sitting, enrolment),
        "attachments": [
            {
                "filename": "convocation.ics",
                "content": ics.calendar(
                    [sitting_event(sitting, enrolment, minutes)],
                    name="Convocation",
                    now=clock.now(),
                ),
                "mimetype": "text/calendar",
            }
        ],
    }


# --- Reads for the screens ---------------------------------------------------------------------


def sittings_with_counts(queryset):
    """Annotate each sitting with its candidates (those ``sitting_candidates`` lists: enrolled
    for its bloc or the whole title) and the convocations sent (two subqueries)."""
    candidates = (
        Enrolment.objects.filter(cohort=OuterRef("cohort"), route=Enrolment.Route.EPREUVES)
        .filter(Q(blocs__isnull=True) | Q(blocs=OuterRef("epreuve__bloc")))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return queryset.annotate(
        candidate_count=Coalesce(Subquery(candidates), 0),
        convoked_count=Count("convocations", distinct=True),
        absent_count=Count(
            "attendances",
            filter=Q(attendances__status__in=EpreuveAttendance.ABSENT),
            distinct=True,
        ),
    )


def sitting_convocation_status(sitting) -> ConvocationStatus:
    """Return where the convocations to ``sitting`` stand (annotated by
    ``sittings_with_counts``)."""
    return ConvocationStatus.of_counts(
        exam_date=_exam_day(sitting),
        candidates=sitting.candidate_count,
        convoked=sitting.convoked_count,
    )
