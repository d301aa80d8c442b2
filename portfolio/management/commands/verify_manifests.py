from django.core.management.base import BaseCommand, CommandError

from portfolio.manifests import manifest_verify
from portfolio.models import Manifest


class Command(BaseCommand):
    help = (
        "Vérifie chaque fichier de chaque portefeuille ou mémoire déposé contre son manifeste "
        "(présence, taille, SHA-256). Code de sortie 1 si un fichier manque ou a été modifié."
    )

    def handle(self, *args, **options):
        manifests = 0
        files = 0
        problems = []
        for manifest in Manifest.objects.order_by("pk").iterator():
            manifests += 1
            checked, found = manifest_verify(manifest)
            files += checked
            problems.extend(found)
            for problem in found:
                self.stderr.write(f"ÉCHEC {problem}")
        self.stdout.write(
            f"{manifests} manifeste(s), {files} fichier(s) vérifié(s), {len(problems)} problème(s)."
        )
        if problems:
            raise CommandError(
                f"{len(problems)} fichier(s) manquant(s) ou modifié(s) depuis leur dépôt."
            )
        self.stdout.write(self.style.SUCCESS("Tous les fichiers correspondent à leur manifeste."))
