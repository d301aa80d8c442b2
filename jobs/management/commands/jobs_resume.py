"""Enqueue again the background jobs a crash left queued or running (run at worker start)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from jobs.services import STALE_AFTER, jobs_resume


class Command(BaseCommand):
    help = (
        "Remet en file les travaux en arrière-plan laissés en attente, ou en cours sans signe de "
        "vie depuis --stale-after secondes (processus de travail arrêté)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help="secondes sans signe de vie au-delà desquelles un travail en cours est repris "
            "(0 quand aucun autre processus de travail ne tourne)",
        )

    def handle(self, *args, stale_after: int, **options):
        ids = jobs_resume(stale_after=timedelta(seconds=stale_after))
        self.stdout.write(f"{len(ids)} travail(s) remis en file.")
