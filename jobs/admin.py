from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "state", "done", "total", "attempts", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("establishment",)
    search_fields = ("key",)
    readonly_fields = [field.name for field in Job._meta.fields]
