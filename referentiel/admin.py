from django.contrib import admin

from audit.admin_base import ListAdmin
from referentiel.models import (
    Bloc,
    Competency,
    Epreuve,
    EvaluationCriterion,
    Grid,
    GridCriterion,
    GridVersion,
    Module,
    Title,
)


class BlocInline(admin.TabularInline):
    model = Bloc
    extra = 0
    fields = ["number", "short_name", "hours", "cc_points", "exam_points"]


@admin.register(Title)
class TitleAdmin(ListAdmin):
    list_display = ["code", "name", "total_points", "pass_points"]
    list_filter = ["total_points"]
    search_fields = ["code", "name"]
    inlines = [BlocInline]


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Bloc)
class BlocAdmin(ListAdmin):
    list_display = ["__str__", "title", "hours", "cc_points", "exam_points"]
    list_filter = ["title"]
    search_fields = ["name", "short_name"]
    list_select_related = ["title"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(ListAdmin):
    list_display = ["code", "name", "bloc", "hours", "cc_points"]
    list_filter = ["bloc__title", "bloc"]
    search_fields = ["code", "name"]
    list_select_related = ["bloc"]


@admin.register(Competency)
class CompetencyAdmin(ListAdmin):
    list_display = ["code", "short_text", "bloc"]
    list_filter = ["bloc__title", "bloc"]
    search_fields = ["code", "text"]
    list_select_related = ["bloc"]


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(ListAdmin):
    list_display = ["label", "bloc"]
    list_filter = ["bloc"]
    search_fields = ["label", "indicators"]
    list_select_related = ["bloc"]
    filter_horizontal = ["competencies"]


@admin.register(Epreuve)
class EpreuveAdmin(ListAdmin):
    list_display = ["code", "name", "bloc", "points", "duration"]
    list_filter = ["title", "bloc"]
    search_fields = ["code", "name"]
    list_select_related = ["bloc"]
    filter_horizontal = ["competencies"]


class GridVersionInline(admin.TabularInline):
    model = GridVersion
    extra = 0
    fields = ["number", "created_at", "frozen_at", "note"]
    readonly_fields = ["number", "created_at", "frozen_at"]
    can_delete = False


@admin.register(Grid)
class GridAdmin(ListAdmin):
    list_display = ["name", "kind", "bloc", "points"]
    list_filter = ["kind", "title"]
    search_fields = ["name"]
    list_select_related = ["bloc"]
    inlines = [GridVersionInline]


class GridCriterionInline(admin.TabularInline):
    model = GridCriterion
    extra = 0
    fields = ["order", "label", "max_points"]

    def has_change_permission(self, request, obj=None):
        # A frozen version is a record of what was used to score: it cannot change.
        return obj is None or not obj.is_frozen

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(GridVersion)
class GridVersionAdmin(ListAdmin):
    list_display = ["__str__", "number", "created_at", "frozen_at"]
    list_filter = ["grid__kind", "grid__title"]
    search_fields = ["grid__name", "note"]
    list_select_related = ["grid"]
    inlines = [GridCriterionInline]
    readonly_fields = ["frozen_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen


@admin.register(GridCriterion)
class GridCriterionAdmin(ListAdmin):
    list_display = ["label", "version", "max_points"]
    list_filter = ["version__grid__kind", "version__grid__title"]
    search_fields = ["label", "indicators"]
    list_select_related = ["version__grid"]
    autocomplete_fields = ["version"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.version.is_frozen

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.version.is_frozen
