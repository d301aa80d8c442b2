"""The unjustified-absence penalty, « après accord préalable de l'équipe pédagogique ».

The rules engine proposes the penalty from the recorded absences (the unjustified share of the
cohort's training time, RULES.md §3); the pedagogical team records, per candidate, its agreement
(the proposed band applies) or a waiver with a reason. The decision's input is the share the
team agreed to sanction: with no agreement, or one made on other absences than those recorded
now, the penalty is pending and the engine applies none, the decision saying so. Recording the
team's decision is the duty that records absences (evaluation, on the candidate's
establishment).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from rules import engine
from rules.wording import fr_number
from workflow.errors import WorkflowError
from workflow.marks.attendance import absence_pct_of, unjustified_hours_by_enrolment
from workflow.models import AssiduityDecision

# The status of a candidate's penalty.
NONE = "none"  # no unjustified absence: nothing to decide
PENDING = "pending"  # proposed, the team has not decided (or decided on other absences)
AGREED = "agreed"  # the proposed band applies
WAIVED = "waived"  # the team waived it, with a reason

STATUS_LABELS = {
    NONE: gettext_lazy("Aucune absence injustifiée"),
    PENDING: gettext_lazy("Pénalité en attente de l'accord de l'équipe pédagogique"),
    AGREED: gettext_lazy("Pénalité appliquée avec l'accord de l'équipe pédagogique"),
    WAIVED: gettext_lazy("Pénalité levée par l'équipe pédagogique"),
}


@dataclass(frozen=True)
class Proposal:
    """The penalty the engine proposes from the absences as they stand."""

    unjustified_hours: Decimal
    training_hours: Decimal
    share_pct: Decimal
    penalty_pct: Decimal | None  # None above the last band: referred to the jury
    referred: bool

    @property
    def needs_decision(self) -> bool:
        return self.unjustified_hours > 0

    def matches(self, record: AssiduityDecision | None) -> bool:
        """Whether ``record`` was made on exactly these absences and this training time."""
        return (
            record is not None
            and record.unjustified_hours == self.unjustified_hours
            and record.training_hours == self.training_hours
        )


@dataclass(frozen=True)
class Assiduity:
    """A candidate's proposal, the team's decision and what the rules engine is given."""

    proposal: Proposal
    record: AssiduityDecision | None
    status: str

    @property
    def agreed_pct(self) -> Decimal:
        """The share the team agreed to sanction (the engine's ``absence_pct``)."""
        return self.proposal.share_pct if self.status == AGREED else Decimal(0)

    @property
    def pending(self) -> bool:
        return self.status == PENDING

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def frozen(self) -> dict:
        """The JSON kept with a decision's inputs."""
        return {
            "status": self.status,
            "unjustified_hours": str(self.proposal.unjustified_hours),
            "training_hours": str(self.proposal.training_hours),
            "proposed_pct": str(self.proposal.share_pct),
            "proposed_penalty_pct": None
            if self.proposal.penalty_pct is None
            else str(self.proposal.penalty_pct),
            "reason": self.record.reason if self.status == WAIVED else "",
        }

    def reason(self) -> str | None:
        """The line the decision's reasons gain (pending or waived), in French."""
        share = fr_number(self.proposal.share_pct, up=True)
        if self.status == PENDING:
            if self.proposal.penalty_pct is None:
                proposed = _("renvoi au jury proposé")
            else:
                proposed = _("pénalité de %(p)s %% sur la note du tuteur proposée") % {
                    "p": fr_number(self.proposal.penalty_pct)
                }
            return _(
                "Pénalité d'assiduité en attente : absence injustifiée de %(share)s %% du temps "
                "de formation (%(proposed)s), non appliquée tant que l'équipe pédagogique n'a "
                "pas donné son accord"
            ) % {"share": share, "proposed": proposed}
        if self.status == WAIVED:
            return _(
                "Pénalité d'assiduité levée par l'équipe pédagogique (absence injustifiée de "
                "%(share)s %% du temps de formation) : %(reason)s"
            ) % {"share": share, "reason": self.record.reason}
        return None


def proposal_of(hours: Decimal, cohort) -> Proposal:
    share = absence_pct_of(hours, cohort)
    penalty, referred = engine.absence_penalty(share)
    return Proposal(
        unjustified_hours=Decimal(hours),
        training_hours=Decimal(cohort.training_hours),
        share_pct=share,
        penalty_pct=penalty,
        referred=referred,
    )


def assiduity_of(proposal: Proposal, record: AssiduityDecision | None) -> Assiduity:
    if not proposal.needs_decision:
        status = NONE
    elif not proposal.matches(record):
        status = PENDING
    else:
        status = AGREED if record.kind == AssiduityDecision.Kind.AGREED else WAIVED
    return Assiduity(proposal=proposal, record=record, status=status)


def assiduity_decisions_by_enrolment(enrolments) -> dict[int, AssiduityDecision]:
    """Return the team's decision of ``enrolments`` (ids or a queryset of ids), in one query."""
    return {
        record.enrolment_id: record
        for record in AssiduityDecision.objects.filter(enrolment__in=enrolments)
    }


def assiduity_by_enrolment(enrolments) -> dict[int, Assiduity]:
    """Return each enrolment's assiduity (enrolments with their cohort loaded), in 2 queries."""
    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    hours = unjustified_hours_by_enrolment(ids)
    records = assiduity_decisions_by_enrolment(ids)
    return {
        e.pk: assiduity_of(proposal_of(hours.get(e.pk, Decimal(0)), e.cohort), records.get(e.pk))
        for e in enrolments
    }


def assiduity_for(enrolment) -> Assiduity:
    return assiduity_by_enrolment([enrolment])[enrolment.pk]


def assiduity_decide(*, actor, enrolment, agree: bool, reason: str = "") -> AssiduityDecision:
    """Record the team's agreement to the proposed penalty, or its waiver with a reason, on the
    absences as they stand now."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(_("Seule l'équipe pédagogique du centre décide de cette pénalité."))
    reason = reason.strip()
    if not agree and not reason:
        raise WorkflowError(_("Indiquez le motif de la levée de la pénalité."))
    with transaction.atomic():
        # The absences are recorded under the same lock: the proposal cannot move meanwhile.
        locked = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
        current = assiduity_for(locked)
        if not current.proposal.needs_decision:
            raise WorkflowError(_("Aucune absence injustifiée : il n'y a pas de pénalité."))
        proposal = current.proposal
        kind = AssiduityDecision.Kind.AGREED if agree else AssiduityDecision.Kind.WAIVED
        before = current.record
        record, _created = AssiduityDecision.objects.update_or_create(
            enrolment=locked,
            defaults={
                "kind": kind,
                "unjustified_hours": proposal.unjustified_hours,
                "training_hours": proposal.training_hours,
                "penalty_pct": proposal.penalty_pct,
                "reason": "" if agree else reason,
                "decided_by": actor,
                "decided_at": clock.now(),
            },
        )
        audit_record(
            actor=actor,
            action="assiduity.agree" if agree else "assiduity.waive",
            obj=record,
            candidate=locked.candidate,
            before=None
            if before is None
            else {
                "kind": before.kind,
                "unjustified_hours": str(before.unjustified_hours),
                "training_hours": str(before.training_hours),
            },
            after={
                "kind": kind,
                "unjustified_hours": str(proposal.unjustified_hours),
                "training_hours": str(proposal.training_hours),
                "share_pct": str(proposal.share_pct),
                "penalty_pct": None if proposal.penalty_pct is None else str(proposal.penalty_pct),
            },
            reason=reason if not agree else "",
        )
    return record
