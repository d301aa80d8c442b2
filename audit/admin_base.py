"""Admin bases: lists that stay fast at a national scale, and read-only records.

Every change to a portfolio, an assignment, a mark or a decision goes through a service that
checks the actor, locks, audits and notifies; the admin shows these records, never edits them.
"""

from django.contrib import admin


class ScaledListMixin:
    """Changelist settings for tables of tens of thousands of rows (issue 14).

    Pages of 50; no second ``COUNT(*)`` of the whole table when a filter or a search narrows the
    list. Each admin adds ``list_select_related`` for what its rows show, so that a page costs
    the same number of queries whatever the table's size.
    """

    list_per_page = 50
    show_full_result_count = False


class ListAdmin(ScaledListMixin, admin.ModelAdmin):
    pass


def person_search(path: str = "") -> list[str]:
    """Search the person at ``path`` by the start of their last name or e-mail address.

    Both columns carry an index on their upper-case value (accounts.User), which the
    case-insensitive prefix search uses; a search inside the text would read the whole table.
    """
    prefix = f"{path}__" if path else ""
    return [f"^{prefix}last_name", f"^{prefix}email"]


class ReadOnlyAdmin(ListAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
