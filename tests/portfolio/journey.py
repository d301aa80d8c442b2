"""What the candidate's timeline tests build: a jury's decision, as the jury would record it."""

from django.utils import timezone

from tests.factories import UserFactory
from workflow.models import JuryDecision


def jury_decision(session, enrolment, outcome=JuryDecision.Outcome.TOTAL, recorded_by=None):
    """Record ``outcome`` for ``enrolment`` at ``session``; return the decision."""
    return JuryDecision.objects.create(
        session=session,
        enrolment=enrolment,
        computed={},
        outcome=outcome,
        recorded_by=recorded_by or UserFactory(),
        recorded_at=timezone.now(),
    )
