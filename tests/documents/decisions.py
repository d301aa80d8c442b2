"""Record a rules-engine decision as the jury branch stores it, without running a session."""

import json

from django.utils import timezone

from rules import engine
from tests.factories import EnrolmentFactory
from tests.rules.rncp36390 import TITLE
from workflow.jury.results import CandidateFile, decision_snapshot
from workflow.models import JuryDecision


def case_json(case: engine.Case) -> str:
    """Return a case as ``decide`` documents write it, marks as exact strings."""
    return json.dumps(
        {
            "blocs": {
                number: {"cc": str(b.cc), "exam": str(b.exam), "presented": b.presented}
                for number, b in case.blocs.items()
            },
            "practice": {
                "written": str(case.practice.written),
                "oral": str(case.practice.oral),
                "tutor": str(case.practice.tutor),
                "presented": case.practice.presented,
                "absence_pct": str(case.practice.absence_pct),
            },
            "fraud": case.fraud,
        }
    )


def stored_decision(
    session, case: engine.Case, recorder, *, enrolment=None, outcome=None, validated=None,
    motive="",
) -> JuryDecision:  # fmt: skip
    """Record the engine's decision for ``case``; ``outcome``/``validated`` make the jury's own."""
    enrolment = enrolment or EnrolmentFactory(cohort__title=session.title)
    decision = engine.decide(case, TITLE)
    inputs = json.loads(case_json(case))
    file = CandidateFile(enrolment=enrolment, case=case, inputs=inputs, fraud=case.fraud)
    snapshot = decision_snapshot(decision, file)
    return JuryDecision.objects.create(
        session=session,
        enrolment=enrolment,
        computed=snapshot,
        outcome=outcome or snapshot["outcome"],
        validated_blocs=snapshot["validated_blocs"] if validated is None else validated,
        override_motive=motive,
        fraud=case.fraud,
        recorded_by=recorder,
        recorded_at=timezone.now(),
    )
