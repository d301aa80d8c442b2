"""Run the database worker with a heartbeat (what production and `make run` start)."""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from jobs.heartbeat import HeartbeatThread

logger = logging.getLogger(__name__)
# After the database went away, wait this long before looking for jobs again, doubling up to
# the longest wait while it stays away.
RECONNECT_SECONDS = 1
RECONNECT_MAX_SECONDS = 30


class Command(DbWorkerCommand):
    help = (
        "Exécute les travaux en arrière-plan (db_worker de django-tasks) et enregistre un signe "
        "de vie toutes les PREUVES_WORKER_HEARTBEAT_SECONDS secondes, que /readyz vérifie. "
        "Une base de données momentanément injoignable (redémarrage) ne l'arrête pas."
    )

    def handle(self, *args, **options):
        heartbeat = HeartbeatThread(settings.PREUVES_WORKER_HEARTBEAT_SECONDS)
        heartbeat.first_beat()
        heartbeat.start()
        wait, failed_at = RECONNECT_SECONDS, 0.0
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except (OperationalError, InterfaceError):
                    if time.monotonic() - failed_at > 2 * RECONNECT_MAX_SECONDS:
                        wait = RECONNECT_SECONDS  # a new outage: start again with short waits
                    failed_at = time.monotonic()
                    # django-tasks' worker stops on a lost connection; a restarted database
                    # must not leave the jobs waiting for an operator.
                    logger.warning(
                        "Database unreachable; the worker tries again in %s s", wait, exc_info=True
                    )
                    connections.close_all()
                    time.sleep(wait)
                    wait = min(wait * 2, RECONNECT_MAX_SECONDS)
        finally:
            heartbeat.stop()
