"""Container healthchecks of deploy/compose.yaml (the application image has no curl).

    python deploy/healthcheck.py app      exit 0 when this container's gunicorn answers /healthz
    python deploy/healthcheck.py worker   exit 0 when the app's /readyz finds a live worker

Standard library only, and no Django: a check must not load the settings or open a connection.
"""

import json
import sys
import urllib.error
import urllib.request

APP_HEALTH_URL = "http://127.0.0.1:8000/healthz"
# Compose's service name for the application (deploy/compose.yaml).
APP_READY_URL = "http://app:8000/readyz"
TIMEOUT_SECONDS = 5


def passed(check) -> bool:
    """Whether one entry of /readyz's ``checks`` reports success (config/health.py: "ok")."""
    return check == "ok"


def readiness() -> dict:
    """Return /readyz's JSON body, whether it answered 200 (ready) or 503 (something failed)."""
    try:
        with urllib.request.urlopen(APP_READY_URL, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code != 503:
            raise
        return json.load(error)


def app_ok() -> bool:
    with urllib.request.urlopen(APP_HEALTH_URL, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.status == 200


def worker_ok() -> bool:
    # Only the workers' own check: a store or scanner outage is not the worker's fault.
    return passed(readiness().get("checks", {}).get("worker"))


def main(argv: list[str]) -> int:
    checks = {"app": app_ok, "worker": worker_ok}
    if len(argv) != 2 or argv[1] not in checks:
        print(f"usage: {argv[0]} app|worker", file=sys.stderr)
        return 2
    try:
        ok = checks[argv[1]]()
    except (OSError, ValueError) as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 1
    if not ok:
        print(f"{argv[1]}: not healthy", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
