import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from accounts.models import Role
from demo.build import CERTIFIER, DEMO_PASSWORD, demo_accounts, demo_build


def site_url(path: str) -> str:
    """Return the absolute address of ``path`` on the configured site (``PREUVES_SITE_URL``)."""
    return settings.PREUVES_SITE_URL.rstrip("/") + path


class Command(BaseCommand):
    help = (
        "Build the demo network (idempotent) and print one login per role and establishment; "
        "--accounts FILE also writes every demo account as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts",
            metavar="FILE",
            help="Also write every demo account (e-mail, password, name, roles, establishment) "
            "to FILE as JSON.",
        )

    def handle(self, *args, accounts=None, **options):
        # The demo's own notifications would flood the terminal: keep them in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            logins = demo_build()
        self.stdout.write(self.style.SUCCESS(_("Centre de démonstration prêt.")))
        self.stdout.write(
            _("Mot de passe de tous les comptes de démonstration : %(password)s")
            % {"password": DEMO_PASSWORD}
        )
        # The certifier and the national pool first, then each establishment.
        places = sorted(
            dict.fromkeys(where for where, _role, _email in logins), key=lambda w: w is not None
        )
        for where in places:
            self.stdout.write(
                where or _("%(certifier)s et vivier national") % {"certifier": CERTIFIER}
            )
            by_role = {role: email for place, role, email in logins if place == where}
            for role in Role:
                if role in by_role:
                    self.stdout.write(f"  {role.label:<44} {by_role[role]}")
        if accounts:
            Path(accounts).write_text(
                json.dumps(demo_accounts(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            self.stdout.write(
                _("Comptes de démonstration écrits dans %(file)s") % {"file": accounts}
            )
        self.stdout.write(
            _("Ouvrez %(url)s et connectez-vous avec l'un d'eux.") % {"url": site_url("/")}
        )
