from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from referentiel.loader import DEFAULT_DATA_FILE, load_title, read_data


class Command(BaseCommand):
    help = "Load (or update) a title's référentiel from its JSON data file. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_DATA_FILE))

    def handle(self, *args, path, **options):
        with transaction.atomic():
            title = load_title(read_data(Path(path)))
        self.stdout.write(
            f"Référentiel RNCP {title.code} chargé : {title.blocs.count()} blocs, "
            f"{sum(b.modules.count() for b in title.blocs.all())} modules, "
            f"{sum(b.competencies.count() for b in title.blocs.all())} compétences."
        )
