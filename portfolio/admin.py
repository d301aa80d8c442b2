from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin, person_search
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio


@admin.register(Portfolio)
class PortfolioAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "bloc", "attempt", "version", "state", "is_active", "submitted_at"]
    list_filter = ["state", "is_active", "bloc", "attempt", "enrolment__cohort"]
    search_fields = person_search("enrolment__candidate")
    list_select_related = ["enrolment__candidate", "bloc"]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "portfolio", "kind", "size", "scan_status", "uploaded_at"]
    list_filter = ["kind", "scan_status", "portfolio__bloc"]
    search_fields = person_search("portfolio__enrolment__candidate")
    list_select_related = ["portfolio__enrolment__candidate", "portfolio__bloc"]
    exclude = ["file", "thumbnail"]


@admin.register(Memoire)
class MemoireAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "subject", "attempt", "version", "state", "submitted_at"]
    list_filter = ["state", "is_active", "enrolment__cohort"]
    search_fields = person_search("enrolment__candidate")
    list_select_related = ["enrolment__candidate"]
    exclude = ["file"]


@admin.register(Manifest)
class ManifestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "digest", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["digest__startswith"]
