from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from accounts.models import Role
from demo.build import DEMO_PASSWORD, demo_build


class Command(BaseCommand):
    help = "Build the demo centre (idempotent) and print one login per role."

    def handle(self, *args, **options):
        # The demo's own notifications would flood the terminal: keep them in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            logins = demo_build()
        self.stdout.write(self.style.SUCCESS(_("Centre de démonstration prêt.")))
        self.stdout.write(
            _("Mot de passe de tous les comptes de démonstration : %(password)s")
            % {"password": DEMO_PASSWORD}
        )
        for role in Role:
            if role in logins:
                self.stdout.write(f"  {role.label:<32} {logins[role]}")
        self.stdout.write(
            _("Ouvrez %(url)s et connectez-vous avec l'un d'eux.")
            % {"url": "http://127.0.0.1:8000/"}
        )
