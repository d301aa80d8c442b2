from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin
from jobs.models import Job, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("key", "kind", "state", "done", "total", "attempts", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("establishment",)
    readonly_fields = [field.name for field in Job._meta.fields]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("worker", "hostname", "pid", "started_at", "beat_at")
    search_fields = ("worker__startswith",)
    readonly_fields = [field.name for field in WorkerHeartbeat._meta.fields]
