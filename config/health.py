"""Health endpoints for load balancers and orchestrators.

``/healthz`` says the process answers (liveness): nothing is read, so a busy database never
makes an orchestrator kill a healthy application process. ``/readyz`` says whether this
instance can serve (readiness): the database answers, the object store is reachable, the virus
scanner answers PING, and a worker showed a sign of life recently (jobs/heartbeat.py). A load
balancer sends traffic only to ready instances.

Both answer before the host check and the HTTPS redirect (the middleware sits first), with no
session, no cookie and no authentication; they say which check failed, never why (the reason
goes to the log, with the request's ID).
"""

import json
import logging
import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse
from storages.backends.s3 import S3Storage

from jobs.heartbeat import workers_alive
from portfolio.scanning import ClamdScanner, NoScanner, scanner_from_url

logger = logging.getLogger(__name__)

OK, FAILED, OFF = "ok", "failed", "off"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_storage() -> str:
    if isinstance(default_storage, S3Storage):
        client = default_storage.connection.meta.client
        client.head_bucket(Bucket=default_storage.bucket_name)
        return OK
    location = str(default_storage.location)
    if os.path.isdir(location) and os.access(location, os.W_OK | os.X_OK):
        return OK
    # The local folder is made at the first upload: its parent must let it be made.
    parent = os.path.dirname(location.rstrip(os.sep))
    return OK if not os.path.exists(location) and os.access(parent, os.W_OK) else FAILED


def check_scanner() -> str:
    scanner = scanner_from_url(settings.PREUVES_VIRUS_SCANNER)
    if isinstance(scanner, NoScanner):
        return OFF  # chosen explicitly: PREUVES_VIRUS_SCANNER=none
    if not isinstance(scanner, ClamdScanner):
        return FAILED
    scanner.timeout = float(settings.PREUVES_READYZ_TIMEOUT)
    return OK if scanner.ping() else FAILED


def check_worker() -> str:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.endswith("ImmediateBackend"):
        return OFF  # jobs run inline, in the request: no worker to wait for
    return OK if workers_alive() else FAILED


CHECKS = {
    "database": check_database,
    "storage": check_storage,
    "scanner": check_scanner,
    "worker": check_worker,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; return whether all passed and each one's outcome."""
    outcomes = {}
    for name, check in CHECKS.items():
        if name == "worker" and outcomes["database"] == FAILED:
            # The workers' signs of life are in the database: without it none can be seen.
            outcomes[name] = FAILED
            continue
        try:
            outcomes[name] = check()
        except Exception:  # noqa: BLE001 - any failure of a dependency makes the instance unready
            logger.warning("Readiness check %s failed", name, exc_info=True)
            outcomes[name] = FAILED
            if name == "database":
                connection.close()  # the next request connects afresh
    ready = FAILED not in outcomes.values()
    return ready, outcomes


def _answer(body: str, status: int, content_type: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def healthz(request) -> HttpResponse:
    return _answer("ok\n", 200, "text/plain; charset=utf-8")


def readyz(request) -> HttpResponse:
    ready, outcomes = readiness()
    body = json.dumps({"status": "ready" if ready else "unready", "checks": outcomes})
    return _answer(body + "\n", 200 if ready else 503, "application/json")


ENDPOINTS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer GET and HEAD on /healthz and /readyz before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return endpoint(request)
