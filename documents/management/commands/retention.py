"""Destroy exam material past its retention period, sparing what the law or a claim still needs."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import clock
from documents.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = gettext_lazy(
        "Supprime les fichiers d'examen et anonymise les descriptions des sessions publiées "
        "depuis plus de PREUVES_RETENTION_DAYS jours (au moins un an, délai de recours)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Afficher ce qui serait supprimé sans rien modifier."),
        )

    def handle(self, *args, dry_run=False, **options):
        verdicts = retention_plan(today=clock.today())
        for verdict in verdicts:
            counts = verdict.counts
            line = f"{verdict.session} : {verdict.reason}"
            if verdict.due:
                message = (
                    _(
                        "%(evidence)d preuve(s), %(memoires)d mémoire(s), %(documents)d "
                        "document(s) de %(candidates)d candidat(s) seraient supprimés."
                    )
                    if dry_run
                    else _(
                        "%(evidence)d preuve(s), %(memoires)d mémoire(s), %(documents)d "
                        "document(s) de %(candidates)d candidat(s) supprimés."
                    )
                )
                line += " " + message % {
                    "evidence": counts["evidence_files"],
                    "memoires": counts["memoire_files"],
                    "documents": counts["documents"],
                    "candidates": counts["candidates"],
                }
            self.stdout.write(line)
            for enrolment, reason in verdict.spared:
                self.stdout.write(
                    "  "
                    + _("épargné : %(candidate)s — %(reason)s")
                    % {"candidate": enrolment.candidate, "reason": reason}
                )
        if dry_run:
            self.stdout.write(_("Simulation : rien n'a été modifié."))
            return
        retention_apply(verdicts=verdicts)
