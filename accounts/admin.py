from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import (
    Accompaniment,
    Cohort,
    ConflictDeclaration,
    Enrolment,
    Invitation,
    LoginFailure,
    LoginThrottleLock,
    Organisation,
    TrainingLink,
    User,
    UserRole,
)
from audit.admin_base import ListAdmin, ScaledListMixin, person_search


class UserRoleInline(admin.TabularInline):
    model = UserRole
    fields = ["role", "establishment"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "establishment")


@admin.register(User)
class UserAdmin(ScaledListMixin, BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "last_name", "first_name", "employer", "is_active"]
    list_filter = ["user_roles__role", "user_roles__establishment", "is_active", "is_staff"]
    search_fields = person_search()
    list_select_related = ["employer"]
    autocomplete_fields = ["employer"]
    inlines = [UserRoleInline]
    actions = ["send_invitations"]

    @admin.action(description=_("Envoyer un lien d'invitation (choix du mot de passe)"))
    def send_invitations(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        with transaction.atomic():
            for user in queryset:
                services.invitation_send(user=user, created_by=request.user, base_url=base_url)
        self.message_user(
            request,
            ngettext(
                "%(count)d invitation envoyée.", "%(count)d invitations envoyées.", len(queryset)
            )
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "birth_date", "phone", "employer")}),
        (
            _("Qualification jury"),
            {"fields": ("years_in_target_jobs", "last_active_in_target_jobs")},
        ),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(ListAdmin):
    list_display = ["name", "kind", "city", "certifier", "sponsor", "establishment"]
    list_filter = ["kind", "certifier"]
    search_fields = ["name", "siret", "city"]
    list_select_related = ["certifier", "sponsor", "establishment"]
    autocomplete_fields = ["certifier", "sponsor", "establishment"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["candidate", "company", "tutor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("candidate", "cohort")


@admin.register(Cohort)
class CohortAdmin(ListAdmin):
    list_display = ["name", "establishment", "training_start", "training_end", "training_hours"]
    list_filter = ["establishment", "title"]
    search_fields = ["name"]
    list_select_related = ["establishment"]
    autocomplete_fields = ["establishment", "sponsor"]
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ListAdmin):
    list_display = ["candidate", "cohort", "route", "status", "company", "tutor"]
    list_filter = ["route", "status", "cohort", "company"]
    search_fields = person_search("candidate")
    list_select_related = ["candidate", "cohort", "company", "tutor"]
    autocomplete_fields = ["candidate", "cohort", "company", "tutor"]


@admin.register(TrainingLink)
class TrainingLinkAdmin(ListAdmin):
    list_display = ["trainer", "module", "cohort"]
    list_filter = ["cohort", "module__bloc"]
    search_fields = person_search("trainer")
    list_select_related = ["trainer", "module", "cohort"]
    autocomplete_fields = ["trainer", "module", "cohort"]


@admin.register(Accompaniment)
class AccompanimentAdmin(ListAdmin):
    list_display = ["accompanist", "candidate", "description"]
    list_filter = ["candidate__enrolments__cohort"]
    search_fields = person_search("candidate")
    list_select_related = ["accompanist", "candidate"]
    autocomplete_fields = ["accompanist", "candidate"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ListAdmin):
    list_display = ["evaluator", "candidate", "reason", "declared_at"]
    list_filter = ["declared_at"]
    search_fields = person_search("candidate")
    list_select_related = ["evaluator", "candidate"]
    autocomplete_fields = ["evaluator", "candidate"]


@admin.register(Invitation)
class InvitationAdmin(ListAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    list_filter = ["used_at"]
    search_fields = person_search("user")
    list_select_related = ["user"]
    autocomplete_fields = ["user", "created_by"]
    readonly_fields = ["token_digest"]


@admin.register(LoginFailure)
class LoginFailureAdmin(ListAdmin):
    list_display = ["email", "ip_address", "at"]
    list_filter = ["at"]
    search_fields = ["email", "ip_address"]


@admin.register(LoginThrottleLock)
class LoginThrottleLockAdmin(ListAdmin):
    list_display = ["key", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["key"]


@admin.register(UserRole)
class UserRoleAdmin(ListAdmin):
    list_display = ["user", "role", "establishment"]
    list_filter = ["role", "establishment"]
    list_select_related = ["user", "establishment"]
    search_fields = person_search("user")
    autocomplete_fields = ["user", "establishment"]
