from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_base import ReadOnlyAdmin, person_search
from audit.labels import ACTIONS, Kind, action_label, codes_of_kind
from audit.models import AuditEvent, Notification


class KindFilter(admin.SimpleListFilter):
    """Narrow the trail to one kind of action, named as on the history pages."""

    title = _("type d'action")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return Kind.choices

    def queryset(self, request, queryset):
        if self.value() == Kind.OTHER:
            return queryset.exclude(action__in=list(ACTIONS))
        if self.value():
            return queryset.filter(action__in=codes_of_kind(self.value()))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action_words", "actor", "candidate", "object_repr", "reason"]
    list_filter = [KindFilter, "at"]
    search_fields = person_search("candidate")
    list_select_related = ["actor", "candidate"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, event):
        return action_label(event.action)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["template", "recipient", "created_at", "sent_at"]
    list_filter = ["template", "sent_at"]
    search_fields = person_search("recipient")
    list_select_related = ["recipient"]
