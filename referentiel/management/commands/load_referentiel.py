from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from referentiel.loader import DEFAULT_DATA_FILE, load_title, read_data


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Charge (ou met à jour) le référentiel d'un titre depuis son fichier de données JSON. "
            "Peut être relancée sans risque."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_DATA_FILE))

    def handle(self, *args, path, **options):
        with transaction.atomic():
            title = load_title(read_data(Path(path)))
        self.stdout.write(
            _(
                "Référentiel RNCP %(code)s chargé : %(blocs)s blocs, %(modules)s modules, "
                "%(competencies)s compétences."
            )
            % {
                "code": title.code,
                "blocs": title.blocs.count(),
                "modules": sum(b.modules.count() for b in title.blocs.all()),
                "competencies": sum(b.competencies.count() for b in title.blocs.all()),
            }
        )
