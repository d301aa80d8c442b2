"""The workflow's records, one module per domain; Django finds them all through this package."""

from workflow.models.admission import Exemption
from workflow.models.epreuves import EpreuveMark, EpreuvePaper, EpreuveScore
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
    AssiduityDecision,
    BlocExamMark,
    CCMark,
    MemoireWrittenMark,
    TutorEvaluation,
    TutorScore,
)
from workflow.models.second_chances import (
    FalsificationSanction,
    JustifiedAbsenceRetake,
    PracticeRetake,
    Redoublement,
)
from workflow.models.sittings import (
    EpreuveAttendance,
    EpreuveConvocation,
    EpreuveSitting,
    attendance_absent,
)
from workflow.models.subjects import ExamSubject

__all__ = [
    "AbsenceRecord",
    "Accommodation",
    "AssiduityDecision",
    "Assignment",
    "BlocExamMark",
    "CCMark",
    "CriterionScore",
    "EpreuveAttendance",
    "EpreuveConvocation",
    "EpreuveSitting",
    "FalsificationSanction",
    "EpreuveMark",
    "EpreuvePaper",
    "EpreuveScore",
    "ExamSubject",
    "Exemption",
    "FraudReport",
    "JuryDecision",
    "JustifiedAbsenceRetake",
    "JuryMember",
    "JurySession",
    "MemoireWrittenMark",
    "PracticeRetake",
    "Reconciliation",
    "Redoublement",
    "RetakeRegistration",
    "Scoring",
    "SessionCandidate",
    "Soutenance",
    "SoutenanceScore",
    "TutorEvaluation",
    "TutorScore",
    "attendance_absent",
]
