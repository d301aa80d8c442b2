from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents officiels, exports, imports et archives")

    def ready(self):
        from documents.jobs import documents_jobs_register

        documents_jobs_register()
