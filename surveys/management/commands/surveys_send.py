"""Send the placement surveys due today; run daily (cron or the worker's scheduler)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.sending import surveys_send


class Command(BaseCommand):
    help = gettext_lazy(
        "Ouvre le suivi d'insertion des certifiés dont les résultats sont publiés, puis envoie "
        "les enquêtes à 6, 12 et 24 mois et leurs relances dues aujourd'hui (une seule fois "
        "chacune, même lancé deux fois)."
    )

    def handle(self, *args, **options):
        report = surveys_send()
        self.stdout.write(
            _(
                "%(opened)d suivi(s) ouvert(s), %(invitations)d enquête(s) et %(reminders)d "
                "relance(s) envoyée(s)."
            )
            % {
                "opened": report.opened,
                "invitations": report.invitations,
                "reminders": report.reminders,
            }
        )
