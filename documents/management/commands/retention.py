"""Destroy exam material past its retention period, sparing what the law or a claim still needs."""

from django.core.management.base import BaseCommand

from documents import services
from documents.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = (
        "Supprime les fichiers d'examen et anonymise les descriptions des sessions publiées "
        "depuis plus de PREUVES_RETENTION_DAYS jours (au moins un an, délai de recours)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Afficher ce qui serait supprimé sans rien modifier.",
        )

    def handle(self, *args, dry_run=False, **options):
        verdicts = retention_plan(today=services.today())
        for verdict in verdicts:
            counts = verdict.counts
            line = f"{verdict.session} : {verdict.reason}"
            if verdict.due:
                line += (
                    f" {counts['evidence_files']} preuve(s), {counts['memoire_files']} mémoire(s), "
                    f"{counts['documents']} document(s) de {counts['candidates']} candidat(s)"
                    + (" seraient supprimés." if dry_run else " supprimés.")
                )
            self.stdout.write(line)
            for enrolment, reason in verdict.spared:
                self.stdout.write(f"  épargné : {enrolment.candidate} — {reason}")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été modifié.")
            return
        retention_apply(verdicts=verdicts)
