from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin, person_search
from surveys.models import FollowUp, SurveyWave


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "establishment", "certified_on", "consent", "confirmed_at"]
    list_filter = ["consent", "certified_on"]
    search_fields = person_search("enrolment__candidate")
    list_select_related = ["enrolment__candidate", "enrolment__cohort", "establishment"]


@admin.register(SurveyWave)
class SurveyWaveAdmin(ReadOnlyAdmin):
    """The surveys and their answers; the link's nonce and digest are never shown."""

    list_display = ["follow_up", "months", "due_on", "messages_sent", "answered_at", "status"]
    list_filter = ["months", "due_on", "answered_at"]
    search_fields = person_search("follow_up__enrolment__candidate")
    list_select_related = ["follow_up__enrolment__candidate"]
    exclude = ["nonce", "token_digest"]
