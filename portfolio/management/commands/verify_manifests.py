from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portfolio.manifests import manifest_verify
from portfolio.models import Manifest


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
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
                self.stderr.write(_("ÉCHEC %(problem)s") % {"problem": problem})
        self.stdout.write(
            _(
                "%(manifests)s manifeste(s), %(files)s fichier(s) vérifié(s), "
                "%(problems)s problème(s)."
            )
            % {"manifests": manifests, "files": files, "problems": len(problems)}
        )
        if problems:
            raise CommandError(
                _("%(count)s fichier(s) manquant(s) ou modifié(s) depuis leur dépôt.")
                % {"count": len(problems)}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Tous les fichiers correspondent à leur manifeste."))
        )
