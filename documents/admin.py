from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin, person_search
from documents.models import CalendarFeed, IssuedDocument, ReferenceCounter


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "enrolment", "session", "issued_at", "file_deleted_at"]
    list_filter = ["kind", "issued_at"]
    search_fields = ["^reference", "sha256__exact"]
    list_select_related = ["enrolment__candidate", "enrolment__cohort", "session"]
    date_hierarchy = "issued_at"


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "year", "last"]
    list_filter = ["prefix", "year"]
    search_fields = ["prefix"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """Who has a private calendar address and when it was last renewed; the token, which opens
    the calendar to whoever holds it, is never shown."""

    list_display = ["user", "renewed_at"]
    list_filter = ["renewed_at"]
    search_fields = person_search("user")
    list_select_related = ["user"]
    fields = ["user", "renewed_at"]
