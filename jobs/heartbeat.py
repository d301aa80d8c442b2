"""Workers' signs of life, for the readiness check.

``manage.py jobs_worker`` runs django-tasks' database worker and, beside it, a thread that
records a :class:`~jobs.models.WorkerHeartbeat` every ``PREUVES_WORKER_HEARTBEAT_SECONDS``;
``/readyz`` counts a worker alive while its last sign is younger than
``PREUVES_WORKER_STALE_SECONDS``. The thread beats while a long job runs (the process is alive
and will take the next job); a process that died or froze stops beating.
"""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection

from audit import clock
from jobs.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
# Signs older than this are deleted by the beating workers (a stopped worker's row stays that
# long, for the operator to see when it stopped).
FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_record(*, worker: str, started_at) -> None:
    now = clock.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()


def workers_alive() -> bool:
    """Return whether some worker showed a sign of life within the stale delay."""
    since = clock.now() - timedelta(seconds=settings.PREUVES_WORKER_STALE_SECONDS)
    return WorkerHeartbeat.objects.filter(beat_at__gte=since).exists()


class HeartbeatThread(threading.Thread):
    """Record the process's heartbeat now, then every ``interval`` seconds until stopped."""

    def __init__(self, interval: float):
        super().__init__(name="preuves-heartbeat", daemon=True)
        self.interval = interval
        self.worker = worker_name()
        self.started_at = clock.now()
        self.stopping = threading.Event()

    def first_beat(self) -> None:
        """Record the first sign of life, in the caller's thread, before the worker starts."""
        heartbeat_record(worker=self.worker, started_at=self.started_at)

    def beat(self) -> None:
        try:
            close_old_connections()
            heartbeat_record(worker=self.worker, started_at=self.started_at)
        except Exception:  # noqa: BLE001 - a failed beat is logged; the next one tries again
            logger.warning("Worker heartbeat not recorded", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            self.beat()

    def stop(self) -> None:
        self.stopping.set()
