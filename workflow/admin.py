from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin, person_search
from workflow import models

CANDIDATE_SEARCH = person_search("enrolment__candidate")
# What a row naming an enrolment reads (Enrolment.__str__: the candidate and the cohort).
ENROLMENT_ROW = ["enrolment__candidate", "enrolment__cohort"]
# What a row naming an assignment reads (its evaluator and its portfolio or mémoire).
ASSIGNMENT_ROW = [
    "evaluator",
    "portfolio__enrolment__candidate",
    "portfolio__bloc",
    "memoire__enrolment__candidate",
]


class GridVersionFilter(admin.RelatedFieldListFilter):
    """The grid versions to filter on, named with their grid in the same query."""

    def field_choices(self, field, request, model_admin):
        versions = field.related_model.objects.select_related("grid").order_by("grid_id", "number")
        return [(version.pk, str(version)) for version in versions]


@admin.register(models.Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "rank", "state", "assigned_at", "due_date", "accepted_at"]
    list_filter = ["state", "rank", "due_date"]
    search_fields = person_search("evaluator")
    list_select_related = ASSIGNMENT_ROW


@admin.register(models.Scoring)
class ScoringAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "state", "total", "submitted_at"]
    list_filter = ["state"]
    search_fields = person_search("assignment__evaluator")
    list_select_related = [f"assignment__{path}" for path in ASSIGNMENT_ROW]


@admin.register(models.CriterionScore)
class CriterionScoreAdmin(ReadOnlyAdmin):
    list_display = ["scoring", "criterion", "points"]
    list_filter = ["criterion__version__grid__kind"]
    search_fields = person_search("scoring__assignment__evaluator")
    list_select_related = [
        "criterion",
        *(f"scoring__assignment__{path}" for path in ASSIGNMENT_ROW),
    ]


@admin.register(models.Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = ["portfolio", "method", "first_mark", "second_mark", "agreed_mark", "decided_at"]
    list_filter = ["method"]
    search_fields = person_search("portfolio__enrolment__candidate")
    list_select_related = ["portfolio__enrolment__candidate", "portfolio__bloc"]


class JuryMemberInline(admin.TabularInline):
    model = models.JuryMember
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.JurySession)
class JurySessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "date", "place", "state", "published_at"]
    list_filter = ["state", "establishment"]
    search_fields = ["place"]
    inlines = [JuryMemberInline]


@admin.register(models.JuryMember)
class JuryMemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "session", "role"]
    list_filter = ["role"]
    search_fields = person_search("user")
    list_select_related = ["user", "session"]


@admin.register(models.SessionCandidate)
class SessionCandidateAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "session", "added_at"]
    list_filter = ["session"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "session"]


@admin.register(models.TutorEvaluation)
class TutorEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "tutor", "state", "total", "submitted_at"]
    list_filter = ["state"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "tutor"]


@admin.register(models.TutorScore)
class TutorScoreAdmin(ReadOnlyAdmin):
    list_display = ["evaluation", "criterion", "points"]
    list_filter = [("criterion__version", GridVersionFilter)]
    search_fields = person_search("evaluation__enrolment__candidate")
    list_select_related = ["evaluation__enrolment__candidate", "criterion"]


@admin.register(models.CCMark)
class CCMarkAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "module", "label", "mark", "out_of", "absence"]
    list_filter = ["module__bloc", "module", "absence"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "module"]


@admin.register(models.AbsenceRecord)
class AbsenceRecordAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "date", "hours", "justified", "justification"]
    list_filter = ["justified", "justification"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = ENROLMENT_ROW


@admin.register(models.AssiduityDecision)
class AssiduityDecisionAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "kind", "unjustified_hours", "training_hours", "decided_at"]
    list_filter = ["kind", "decided_at"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = ENROLMENT_ROW


@admin.register(models.Soutenance)
class SoutenanceAdmin(ReadOnlyAdmin):
    list_display = ["memoire", "session", "starts_at", "duration_minutes", "total"]
    list_filter = ["session", "presented"]
    search_fields = person_search("memoire__enrolment__candidate")
    list_select_related = ["memoire__enrolment__candidate", "session"]


@admin.register(models.SoutenanceScore)
class SoutenanceScoreAdmin(ReadOnlyAdmin):
    list_display = ["soutenance", "criterion", "points"]
    list_filter = [("criterion__version", GridVersionFilter)]
    search_fields = person_search("soutenance__memoire__enrolment__candidate")
    list_select_related = ["soutenance__memoire__enrolment__candidate", "criterion"]


@admin.register(models.BlocExamMark)
class BlocExamMarkAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "bloc", "attempt", "points", "presented"]
    list_filter = ["bloc", "presented"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "bloc"]


@admin.register(models.EpreuveMark)
class EpreuveMarkAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "epreuve", "attempt", "examiner", "state", "total"]
    list_filter = ["state", "epreuve"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "epreuve", "examiner"]


@admin.register(models.EpreuveScore)
class EpreuveScoreAdmin(ReadOnlyAdmin):
    list_display = ["mark", "criterion", "points"]
    list_filter = [("criterion__version", GridVersionFilter)]
    search_fields = person_search("mark__enrolment__candidate")
    list_select_related = ["mark__enrolment__candidate", "mark__epreuve", "criterion"]


@admin.register(models.EpreuvePaper)
class EpreuvePaperAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "mark", "size", "scan_status", "uploaded_at"]
    list_filter = ["uploaded_at"]
    search_fields = person_search("mark__enrolment__candidate")
    list_select_related = ["mark__enrolment__candidate", "mark__epreuve"]
    exclude = ["file"]


@admin.register(models.MemoireWrittenMark)
class MemoireWrittenMarkAdmin(ReadOnlyAdmin):
    list_display = ["memoire", "points", "entered_by", "entered_at"]
    list_filter = ["entered_at"]
    search_fields = person_search("memoire__enrolment__candidate")
    list_select_related = ["memoire__enrolment__candidate", "entered_by"]


@admin.register(models.JuryDecision)
class JuryDecisionAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "session", "outcome", "fraud", "recorded_at"]
    list_filter = ["outcome", "fraud", "session"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "session"]


@admin.register(models.FraudReport)
class FraudReportAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "occurred_on", "signature", "state", "recorded_at"]
    list_filter = ["state", "signature"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = ENROLMENT_ROW


@admin.register(models.RetakeRegistration)
class RetakeRegistrationAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "bloc", "attempt", "evaluation_date", "registered_on"]
    list_filter = ["bloc"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "bloc"]


@admin.register(models.JustifiedAbsenceRetake)
class JustifiedAbsenceRetakeAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "bloc", "attempt", "justification", "request_date", "retake_date"]
    list_filter = ["justification"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "bloc"]


@admin.register(models.Redoublement)
class RedoublementAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "previous", "request_date", "repeated_blocs"]
    list_filter = ["request_date"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "previous__candidate", "previous__cohort"]


@admin.register(models.PracticeRetake)
class PracticeRetakeAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "experience_start", "experience_end", "registered_on"]
    list_filter = ["registered_on"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = ENROLMENT_ROW


@admin.register(models.FalsificationSanction)
class FalsificationSanctionAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "establishment", "sanctioned_on"]
    list_filter = ["sanctioned_on"]
    search_fields = person_search("candidate")
    list_select_related = ["candidate", "establishment"]


@admin.register(models.Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "practice", "reason", "decided_by", "decided_at"]
    list_filter = ["decided_at"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "decided_by"]


@admin.register(models.ExamSubject)
class ExamSubjectAdmin(ReadOnlyAdmin):
    list_display = ["epreuve", "part", "starts_at", "version", "is_current", "uploaded_by"]
    list_filter = ["part", "is_current"]
    search_fields = ["^epreuve__code"]
    list_select_related = ["epreuve", "uploaded_by"]
    # The file is confidential: it is read only through its audited download.
    exclude = ["file"]


@admin.register(models.Accommodation)
class AccommodationAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "kind", "details", "recorded_at"]
    list_filter = ["kind"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = ENROLMENT_ROW


@admin.register(models.EpreuveSitting)
class EpreuveSittingAdmin(ReadOnlyAdmin):
    list_display = ["epreuve", "cohort", "starts_at", "room", "remote"]
    list_filter = ["remote"]
    search_fields = ["^epreuve__code"]
    list_select_related = ["epreuve", "cohort"]
    date_hierarchy = "starts_at"


@admin.register(models.EpreuveConvocation)
class EpreuveConvocationAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "sitting", "duration_minutes", "sent_on"]
    list_filter = ["sent_on"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "sitting__epreuve", "sitting__cohort"]


@admin.register(models.EpreuveAttendance)
class EpreuveAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "sitting", "status", "justification_kind", "justification_date"]
    list_filter = ["status"]
    search_fields = CANDIDATE_SEARCH
    list_select_related = [*ENROLMENT_ROW, "sitting__epreuve", "sitting__cohort"]
