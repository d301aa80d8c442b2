from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.services.rescan import rescan_held_files
from portfolio.tasks import rescan_held_files_task


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Analyse de nouveau les fichiers en attente d'analyse ou jamais analysés, quand "
            "l'antivirus répond (à lancer régulièrement, par exemple toutes les 15 minutes)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=gettext_lazy("Confier l'analyse au worker des tâches au lieu de la faire ici."),
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = rescan_held_files_task.enqueue()
            self.stdout.write(_("Analyse confiée au worker (tâche %(id)s).") % {"id": result.id})
            return
        report = rescan_held_files()
        if not report.scanner_configured:
            self.stdout.write(
                _("Aucun antivirus configuré (PREUVES_VIRUS_SCANNER) : rien n'a été analysé.")
            )
            return
        self.stdout.write(
            _(
                "%(checked)d fichier(s) analysé(s) : %(clean)d sain(s), %(infected)d infecté(s), "
                "%(held)d toujours en attente, %(unreadable)d illisible(s)."
            )
            % {
                "checked": report.checked,
                "clean": report.clean,
                "infected": len(report.infected),
                "held": report.still_held,
                "unreadable": report.unreadable,
            }
        )
        for name in report.infected:
            self.stdout.write(_("Infecté : %(name)s") % {"name": name})
        if report.scanner_down:
            raise CommandError(
                _("L'antivirus ne répond pas : les fichiers restants seront analysés plus tard.")
            )
