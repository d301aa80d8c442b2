from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portefeuilles et mémoires")

    def ready(self):
        from portfolio import checks  # noqa: F401  (registers the system checks)
