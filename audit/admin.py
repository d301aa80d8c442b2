from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin, person_search
from audit.models import AuditEvent, Notification


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "candidate", "object_repr", "reason"]
    list_filter = ["action", "at"]
    search_fields = person_search("candidate")
    list_select_related = ["actor", "candidate"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["template", "recipient", "created_at", "sent_at"]
    list_filter = ["template", "sent_at"]
    search_fields = person_search("recipient")
    list_select_related = ["recipient"]
