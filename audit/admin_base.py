"""Admin pages for records that only services may change.

Every change to a portfolio, an assignment, a mark or a decision goes through a service that
checks the actor, locks, audits and notifies; the admin shows these records, never edits them.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
