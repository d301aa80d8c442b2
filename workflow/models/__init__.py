"""The workflow's records, one module per domain; Django finds them all through this package."""

from workflow.models.evaluation import Assignment, CriterionScore, Reconciliation, Scoring
from workflow.models.jury import (
    Accommodation,
    FraudReport,
    JuryDecision,
    JuryMember,
    JurySession,
    RetakeRegistration,
    SessionCandidate,
    Soutenance,
    SoutenanceScore,
)
from workflow.models.marks import (
    AbsenceRecord,
    BlocExamMark,
    CCMark,
    MemoireWrittenMark,
    TutorEvaluation,
    TutorScore,
)

__all__ = [
    "AbsenceRecord",
    "Accommodation",
    "Assignment",
    "BlocExamMark",
    "CCMark",
    "CriterionScore",
    "FraudReport",
    "JuryDecision",
    "JuryMember",
    "JurySession",
    "MemoireWrittenMark",
    "Reconciliation",
    "RetakeRegistration",
    "Scoring",
    "SessionCandidate",
    "Soutenance",
    "SoutenanceScore",
    "TutorEvaluation",
    "TutorScore",
]
