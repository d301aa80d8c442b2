from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Journal d'audit et notifications")

    def ready(self):
        from audit.indexes import register_pattern_ops

        register_pattern_ops()
