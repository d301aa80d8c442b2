from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portfolio.services import stored_name_in_use
from portfolio.services.uploads import CANDIDATE_FOLDERS as FOLDERS  # noqa: F401 - tests
from portfolio.services.uploads import stored_file_folders


def stored_names(storage, folder: str):
    """Yield every object name under ``folder`` (recursively)."""
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from stored_names(storage, f"{folder}/{directory}")


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Supprime les fichiers stockés qu'aucune ligne de la base ne référence (plus vieux "
            "qu'une heure : un envoi en cours n'est pas touché)."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("Lister sans rien supprimer.")
        )
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help=gettext_lazy("Âge minimal (défaut : 60)."),
        )

    def handle(self, *args, dry_run=False, min_age_minutes=60, **options):
        storage = default_storage
        limit = timezone.now() - timedelta(minutes=min_age_minutes)
        orphans = 0
        for folder in stored_file_folders():
            for name in stored_names(storage, folder):
                if stored_name_in_use(name):
                    continue
                if storage.get_modified_time(name) > limit:
                    continue
                orphans += 1
                if dry_run:
                    self.stdout.write(_("orphelin : %(name)s") % {"name": name})
                else:
                    storage.delete(name)
                    self.stdout.write(_("supprimé : %(name)s") % {"name": name})
        if dry_run:
            summary = _("%(count)s fichier(s) orphelin(s) à supprimer.")
        else:
            summary = _("%(count)s fichier(s) orphelin(s) supprimé(s).")
        self.stdout.write(summary % {"count": orphans})
