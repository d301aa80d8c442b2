"""Fraud (RULES.md §4): the proctor's report, then the jury's finding, which voids the session."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import Memoire, Portfolio
from rules import eligibility
from workflow.errors import WorkflowError
from workflow.jury.access import is_president
from workflow.models import FraudReport, JurySession


def fraud_report_record(
    *, actor, enrolment, occurred_on: date, facts: str, signature: str
) -> FraudReport:
    """Record a fraud report, countersigned by the candidate or marked as refused."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(
            _(
                "Seul le responsable du processus d'évaluation de l'établissement enregistre un "
                "procès-verbal de fraude."
            )
        )
    if not facts.strip():
        raise WorkflowError(_("Décrivez les faits constatés."))
    if signature not in FraudReport.Signature.values:
        raise WorkflowError(
            _("Indiquez si le candidat a contresigné le procès-verbal ou refusé de le signer.")
        )
    with transaction.atomic():
        report = FraudReport.objects.create(
            enrolment=enrolment,
            occurred_on=occurred_on,
            facts=facts.strip(),
            signature=signature,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="fraud_report.record",
            obj=report,
            candidate=enrolment.candidate,
            after={"signature": signature, "occurred_on": occurred_on.isoformat()},
            reason=report.facts,
        )
    return report


def _lock_for_jury(actor, report, session):
    session = JurySession.objects.select_for_update().get(pk=session.pk)
    if not is_president(actor, session):
        raise WorkflowError(_("Le président du jury statue sur la fraude."))
    if session.state != JurySession.State.DELIBERATING:
        raise WorkflowError(_("Le jury statue sur la fraude pendant la délibération."))
    report = FraudReport.objects.select_for_update().get(pk=report.pk)
    if not session.candidates.filter(enrolment=report.enrolment).exists():
        raise WorkflowError(_("Ce candidat n'est pas inscrit à cette session."))
    if report.state != FraudReport.State.RECORDED:
        raise WorkflowError(_("Le jury a déjà statué sur ce procès-verbal."))
    return report, session


def fraud_report_confirm(*, actor, report, session) -> FraudReport:
    """The jury establishes the fraud: the candidate's session is invalidated, no bloc kept."""
    with transaction.atomic():
        report, session = _lock_for_jury(actor, report, session)
        enrolment = report.enrolment
        report.state = FraudReport.State.CONFIRMED
        report.session = session
        report.decided_by, report.decided_at = actor, clock.now()
        report.save()
        for portfolio in (
            Portfolio.objects.select_for_update()
            .filter(enrolment=enrolment, is_active=True)
            .exclude(
                state__in=[
                    Portfolio.State.INVALIDATED,
                    Portfolio.State.WITHDRAWN,
                    Portfolio.State.DECIDED,
                ]
            )
        ):
            before = portfolio.state
            portfolio.invalidate()
            portfolio.save()
            audit_record(
                actor=actor,
                action="portfolio.invalidate",
                obj=portfolio,
                candidate=enrolment.candidate,
                before={"state": before},
                after={"state": portfolio.state},
                reason=_("Fraude établie par le jury"),
            )
        for memoire in (
            Memoire.objects.select_for_update()
            .filter(enrolment=enrolment, is_active=True)
            .exclude(state=Memoire.State.INVALIDATED)
        ):
            before = memoire.state
            memoire.invalidate()
            memoire.save()
            audit_record(
                actor=actor,
                action="memoire.invalidate",
                obj=memoire,
                candidate=enrolment.candidate,
                before={"state": before},
                after={"state": memoire.state},
                reason=_("Fraude établie par le jury"),
            )
        waiting = eligibility.fraud_retake(fraud_decision_date=session.date, on=session.date)
        audit_record(
            actor=actor,
            action="fraud_report.confirm",
            obj=report,
            candidate=enrolment.candidate,
            before={"state": FraudReport.State.RECORDED},
            after={"state": report.state, "session": session.pk},
            reason=waiting.reason,
        )
        notify(
            key=f"fraud_confirmed:{report.pk}",
            recipient=enrolment.candidate,
            template="fraud_confirmed",
            context={
                "candidate": str(enrolment.candidate),
                "retake_from": eligibility.fr_date(waiting.key_date),
            },
        )
    return report


def fraud_report_dismiss(*, actor, report, session, reason: str) -> FraudReport:
    """The jury does not establish the fraud (with a reason)."""
    if not reason.strip():
        raise WorkflowError(_("Indiquez pourquoi la fraude n'est pas retenue."))
    with transaction.atomic():
        report, session = _lock_for_jury(actor, report, session)
        report.state = FraudReport.State.DISMISSED
        report.session = session
        report.decided_by, report.decided_at = actor, clock.now()
        report.save()
        audit_record(
            actor=actor,
            action="fraud_report.dismiss",
            obj=report,
            candidate=report.enrolment.candidate,
            before={"state": FraudReport.State.RECORDED},
            after={"state": report.state},
            reason=reason,
        )
    return report
