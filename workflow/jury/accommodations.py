"""Disability accommodations (RULES.md §5): recorded by the staff, applied by scheduling."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.trail import audit_record
from portfolio.models import Portfolio
from portfolio.windows import window_bounds
from workflow.errors import WorkflowError
from workflow.models import Accommodation


def accommodation_record(*, actor, enrolment, kind: str, details: str = "") -> Accommodation:
    """Record an accommodation granted to a candidate (or update its details)."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(
            _("Seul le responsable du processus d'évaluation enregistre les aménagements.")
        )
    if kind not in Accommodation.Kind.values:
        raise WorkflowError(_("Aménagement inconnu."))
    with transaction.atomic():
        accommodation, created = Accommodation.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            kind=kind,
            defaults={"details": details, "recorded_by": actor, "recorded_at": clock.now()},
        )
        before = None if created else {"details": accommodation.details}
        if not created:
            if accommodation.details == details:
                return accommodation
            accommodation.details = details
            accommodation.recorded_by, accommodation.recorded_at = actor, clock.now()
            accommodation.save()
        audit_record(
            actor=actor,
            action="accommodation.record",
            obj=accommodation,
            candidate=enrolment.candidate,
            before=before,
            after={"kind": kind, "details": details},
        )
    return accommodation


def accommodation_remove(*, actor, accommodation, reason: str) -> None:
    if not staff_may(actor, accommodation, Duty.EVALUATION):
        raise WorkflowError(
            _("Seul le responsable du processus d'évaluation retire un aménagement.")
        )
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif du retrait."))
    with transaction.atomic():
        accommodation = Accommodation.objects.select_for_update().get(pk=accommodation.pk)
        audit_record(
            actor=actor,
            action="accommodation.remove",
            obj=accommodation,
            candidate=accommodation.enrolment.candidate,
            before={"kind": accommodation.kind, "details": accommodation.details},
            reason=reason,
        )
        accommodation.delete()


def has_extra_time(enrolment) -> bool:
    return Accommodation.objects.filter(
        enrolment=enrolment, kind=Accommodation.Kind.EXTRA_TIME
    ).exists()


def accommodations_texts(enrolments) -> dict[int, list[str]]:
    """Return, by enrolment id, each of their accommodations as a French line (one query)."""
    texts = {e.pk: [] for e in enrolments}
    for a in Accommodation.objects.filter(enrolment__in=list(texts)).order_by("pk"):
        texts[a.enrolment_id].append(
            f"{a.get_kind_display()}" + (f" : {a.details}" if a.details else "")
        )
    return texts


def accommodations_text(enrolment) -> list[str]:
    """Return each accommodation as a French line, for the convocation."""
    return accommodations_texts([enrolment])[enrolment.pk]


def portfolio_window_extend(*, actor, portfolio, until: date, accommodation) -> Portfolio:
    """Extend a portfolio's window beyond the regular 6 months, for an accommodation."""
    if not staff_may(actor, portfolio, Duty.EVALUATION):
        raise WorkflowError(_("Seul le responsable du processus d'évaluation prolonge un délai."))
    if accommodation.enrolment_id != portfolio.enrolment_id:
        raise WorkflowError(_("Cet aménagement ne concerne pas ce candidat."))
    # The regular window: the cohort's, or a retake's own up to its evaluation date.
    opens, closes = window_bounds(
        training_end=portfolio.enrolment.effective_training_end,
        retake_registered_on=portfolio.retake_registered_on,
        retake_evaluation_date=portfolio.retake_evaluation_date,
    )
    if opens <= until <= closes:
        raise WorkflowError(
            _("Cette date est déjà dans la période normale de présentation : pas de prolongation.")
        )
    if until < closes:
        raise WorkflowError(_("Une prolongation ne peut que reculer la fin de la période."))
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        if portfolio.state not in (Portfolio.State.DRAFT, Portfolio.State.RETURNED):
            raise WorkflowError(_("Ce portefeuille n'est plus en cours de constitution."))
        before = {
            "window_extended_until": portfolio.window_extended_until.isoformat()
            if portfolio.window_extended_until
            else None,
            "extension_reason": portfolio.extension_reason,
        }
        portfolio.window_extended_until = until
        portfolio.extension_reason = _("Aménagement pour handicap : %(kind)s") % {
            "kind": accommodation.get_kind_display()
        }
        portfolio.save(update_fields=["window_extended_until", "extension_reason"])
        audit_record(
            actor=actor,
            action="portfolio.window_extend",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before=before,
            after={
                "window_extended_until": until.isoformat(),
                "extension_reason": portfolio.extension_reason,
            },
            reason=portfolio.extension_reason,
        )
    return portfolio
