from datetime import timedelta

from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import clock
from portfolio import bucket as s3

# Kept versions of a deleted or replaced object: a month to notice a mistake and get the
# object back, short enough that the deletions of `manage.py retention` take effect for good
# within weeks, not a year later (PREUVES_RETENTION_DAYS counts from the exam, not this).
NONCURRENT_DAYS = 30
ABORT_AFTER_DAYS = 2


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Configure le compartiment S3 : gestion des versions, règle de cycle de vie qui "
            "abandonne les envois multiparties incomplets et supprime les anciennes versions "
            "(fusionnée par identifiant avec les règles existantes). --check vérifie sans rien "
            "changer (code de sortie 1 si le compartiment n'est pas configuré) ; "
            "--abort-incomplete-older-than abandonne lui-même les envois incomplets, pour les "
            "stockages sans règles de cycle de vie."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=gettext_lazy("Vérifier sans rien changer ; code 1 si non configuré."),
        )
        parser.add_argument(
            "--abort-after-days",
            type=positive,
            default=ABORT_AFTER_DAYS,
            help=gettext_lazy(
                "Jours après lesquels S3 abandonne un envoi multipartie incomplet (défaut : 2)."
            ),
        )
        parser.add_argument(
            "--noncurrent-days",
            type=positive,
            default=NONCURRENT_DAYS,
            help=gettext_lazy(
                "Jours pendant lesquels une version remplacée ou supprimée est gardée "
                "(défaut : 30)."
            ),
        )
        parser.add_argument(
            "--abort-incomplete-older-than",
            type=positive,
            metavar="HEURES",
            help=gettext_lazy(
                "Seulement abandonner les envois multiparties commencés il y a plus de "
                "HEURES heures (pour les stockages sans règles de cycle de vie)."
            ),
        )

    def handle(self, *args, check=False, abort_incomplete_older_than=None, **options):
        found = s3.s3_bucket(default_storage)
        if found is None:
            self.stdout.write(
                _(
                    "Stockage local (DJANGO_STORAGE=local) : rien à configurer, ni versions ni "
                    "envois multiparties."
                )
            )
            return
        client, bucket = found
        try:
            if abort_incomplete_older_than is not None:
                self.abort_old_uploads(client, bucket, abort_incomplete_older_than)
            elif check:
                self.check_bucket(client, bucket)
            else:
                self.setup(client, bucket, options["abort_after_days"], options["noncurrent_days"])
        except ClientError as error:
            raise CommandError(
                _(
                    "Le stockage a refusé l'opération sur %(bucket)s : %(error)s. Sans règles "
                    "de cycle de vie, lancez chaque jour python manage.py storage_setup "
                    "--abort-incomplete-older-than 24 (docs/backups.md)."
                )
                % {"bucket": bucket, "error": error}
            ) from error

    def setup(self, client, bucket, abort_after_days, noncurrent_days):
        result = s3.bucket_setup(
            client, bucket, abort_after_days=abort_after_days, noncurrent_days=noncurrent_days
        )
        if result.versioning_was == "Enabled":
            line = _("Compartiment %(bucket)s : gestion des versions déjà activée.")
        else:
            line = _("Compartiment %(bucket)s : gestion des versions activée.")
        self.stdout.write(line % {"bucket": bucket})
        describe = {
            s3.ABORT_RULE_ID: _("envois multiparties incomplets abandonnés après %(days)s jour(s)")
            % {"days": abort_after_days},
            s3.NONCURRENT_RULE_ID: _("versions non courantes supprimées après %(days)s jour(s)")
            % {"days": noncurrent_days},
        }
        for ids, state in (
            (result.added, _("ajoutée")),
            (result.updated, _("mise à jour")),
            (result.unchanged, _("déjà en place")),
        ):
            for rule_id in ids:
                self.stdout.write(
                    _("Règle %(id)s (%(what)s) : %(state)s.")
                    % {"id": rule_id, "what": describe[rule_id], "state": state}
                )
        if result.kept:
            self.stdout.write(
                _("%(count)s autre(s) règle(s) du compartiment conservée(s) : %(ids)s.")
                % {"count": len(result.kept), "ids": ", ".join(result.kept)}
            )
        self.stdout.write(self.style.SUCCESS(_("Compartiment configuré.")))

    def check_bucket(self, client, bucket):
        state = s3.bucket_state(client, bucket)
        self.stdout.write(
            _("Gestion des versions : %(status)s.")
            % {"status": _("activée") if state.versioning == "Enabled" else _("non activée")}
        )
        if state.abort_after_days is None:
            line = _("Abandon des envois multiparties incomplets : aucune règle.")
        else:
            line = _("Abandon des envois multiparties incomplets : après %(days)s jour(s).")
        self.stdout.write(line % {"days": state.abort_after_days})
        if state.noncurrent_days is None:
            line = _("Suppression des versions non courantes : aucune règle.")
        else:
            line = _("Suppression des versions non courantes : après %(days)s jour(s).")
        self.stdout.write(line % {"days": state.noncurrent_days})
        if not state.configured:
            raise CommandError(
                _("Compartiment %(bucket)s non configuré : lancez python manage.py storage_setup.")
                % {"bucket": bucket}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Compartiment %(bucket)s configuré.") % {"bucket": bucket})
        )

    def abort_old_uploads(self, client, bucket, hours):
        aborted, kept = s3.abort_incomplete_uploads(
            client, bucket, now=clock.now(), older_than=timedelta(hours=hours)
        )
        for upload in aborted:
            self.stdout.write(
                _("abandonné : %(key)s (commencé le %(at)s)")
                % {"key": upload.key, "at": upload.initiated.isoformat()}
            )
        self.stdout.write(
            _(
                "%(aborted)s envoi(s) multipartie(s) incomplet(s) abandonné(s), %(kept)s "
                "commencé(s) depuis moins de %(hours)s heure(s) conservé(s)."
            )
            % {"aborted": len(aborted), "kept": len(kept), "hours": hours}
        )
