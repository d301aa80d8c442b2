from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Personnes et organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.lookups import integer_in_register
        from accounts.middleware import idle_clock_start

        integer_in_register()

        user_logged_in.connect(idle_clock_start, dispatch_uid="accounts.idle_clock_start")
