"""Falsification of results (RULES.md §4): a 10-year ban from the network's diplomas.

The sanction is recorded against the candidate (not one enrolment) with its date; every
registration — an imported enrolment, a jury session, a retake of any kind, a repeated year —
asks ``falsification_ban_check`` first and is refused with the reason and the end of the ban.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.trail import audit_record
from rules import eligibility
from workflow.errors import WorkflowError, refuse_future_date
from workflow.models import FalsificationSanction


def falsification_ban(candidate, *, on: date) -> eligibility.Eligibility:
    """Return whether ``candidate`` may register on ``on``: refused within 10 years of a
    falsification sanction (the latest one counts)."""
    latest = (
        FalsificationSanction.objects.filter(candidate=candidate)
        .order_by("-sanctioned_on")
        .values_list("sanctioned_on", flat=True)
        .first()
    )
    if latest is None:
        return eligibility.Eligibility(True, _("Aucune sanction pour falsification."), None)
    return eligibility.falsification_ban(sanction_date=latest, on=on)


def falsification_bans(candidate_ids, *, on: date) -> dict[int, eligibility.Eligibility]:
    """Return the refusal of each banned candidate among ``candidate_ids`` (one query)."""
    latest: dict[int, date] = {}
    for candidate_id, day in FalsificationSanction.objects.filter(
        candidate_id__in=list(candidate_ids)
    ).values_list("candidate_id", "sanctioned_on"):
        latest[candidate_id] = max(day, latest.get(candidate_id, day))
    bans = {
        candidate_id: eligibility.falsification_ban(sanction_date=day, on=on)
        for candidate_id, day in latest.items()
    }
    return {candidate_id: ban for candidate_id, ban in bans.items() if not ban}


def falsification_ban_check(candidate, *, on: date | None = None) -> None:
    """Raise a WorkflowError with the reason and its dates if ``candidate`` is banned."""
    answer = falsification_ban(candidate, on=on or clock.today())
    if not answer:
        raise WorkflowError(
            _("%(candidate)s ne peut pas être inscrit : %(reason)s")
            % {"candidate": candidate, "reason": answer.reason}
        )


def falsification_sanction_record(
    *, actor, enrolment, sanctioned_on: date, facts: str
) -> FalsificationSanction:
    """Record the falsification sanction decided against the candidate, with its date."""
    if not staff_may(actor, enrolment, Duty.CERTIFICATION):
        raise WorkflowError(
            _(
                "Seul le responsable du processus de certification de l'établissement enregistre "
                "une sanction pour falsification."
            )
        )
    facts = (facts or "").strip()
    if not facts:
        raise WorkflowError(
            _("Décrivez les résultats falsifiés."), field_errors={"facts": [_("Obligatoire.")]}
        )
    refuse_future_date(sanctioned_on, field="sanctioned_on", today=clock.today())
    with transaction.atomic():
        sanction = FalsificationSanction.objects.create(
            candidate=enrolment.candidate,
            establishment=enrolment.cohort.establishment,
            sanctioned_on=sanctioned_on,
            facts=facts,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        ban = eligibility.falsification_ban(sanction_date=sanctioned_on, on=sanctioned_on)
        audit_record(
            actor=actor,
            action="falsification.sanction",
            obj=sanction,
            candidate=enrolment.candidate,
            after={
                "sanctioned_on": sanctioned_on.isoformat(),
                "ban_ends": ban.key_date.isoformat(),
            },
            reason=facts,
        )
    return sanction
