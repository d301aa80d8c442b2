"""`make prod-smoke`: start the production topology on this machine and go through it over HTTPS.

nginx (deploy/nginx.conf) in front of two gunicorn instances, one worker, PostgreSQL, an S3
endpoint (moto's server) and clamd (scripts/smoke_stack.py); then the journey: sign in, upload
a clean file and an infected one, download through a signed S3 URL, a job done by the worker,
the sign-in throttle per client address behind the proxy, one session across both instances,
slow uploads that outlast the workers' timeout while the site keeps answering, and /readyz
following the database, the scanner and the worker as they stop and come back.

Prints one line per check and exits 1 naming the failed checks. ``--stop scanner`` stops clamd
before the journey (tests/scripts/test_prod_smoke.py shows the smoke then fails).
"""

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.smoke_journey import Journey  # noqa: E402
from scripts.smoke_stack import Stack, StackError  # noqa: E402

CANDIDATE = "candidat@demo.preuves.fr"
SECOND_CANDIDATE = "candidat.02@demo.preuves.fr"
STAFF = "responsable@demo.preuves.fr"
LOOKUP = """
import json
from django.urls import reverse
from portfolio.models import Portfolio
from workflow.models import JurySession
portfolio = Portfolio.objects.filter(
    enrolment__candidate__email="%s", is_active=True, state="draft"
).order_by("bloc__number").first()
session = JurySession.objects.filter(state="published").order_by("pk").first()
print(json.dumps({
    "portfolio": portfolio.pk,
    "competencies": list(portfolio.bloc.competencies.values_list("pk", flat=True)[:1]),
    "export": reverse("documents:session_results_export", args=[session.pk, "csv"]),
}))
"""


class Report:
    """One line per check; the failed ones named again at the end."""

    def __init__(self):
        self.failed: list[str] = []
        self.lock = threading.Lock()

    def check(self, name: str, action) -> bool:
        started = time.monotonic()
        try:
            detail = action()
        except Exception as error:  # noqa: BLE001 - every failure becomes a named line
            with self.lock:
                self.failed.append(name)
            reason = str(error) or type(error).__name__
            if not isinstance(error, AssertionError | StackError):
                reason = f"{type(error).__name__}: {reason}"
                traceback.print_exc(file=sys.stderr)
            print(f"FAIL {name}: {reason}", flush=True)
            return False
        elapsed = time.monotonic() - started
        print(f"ok   {name}{f' ({detail})' if detail else ''} [{elapsed:.1f} s]", flush=True)
        return True


def start(stack: Stack, report: Report) -> bool:
    steps = [
        ("PostgreSQL started (own cluster)", lambda: _postgresql(stack)),
        ("S3 endpoint started (moto's server, bucket created)", stack.s3_start),
        ("clamd started with the EICAR-only signatures", stack.clamd_start),
        ("migrations applied, référentiel and demo centre loaded", lambda: _load(stack)),
        ("static files collected", lambda: stack.manage("collectstatic", "--no-input") and None),
        ("gunicorn instance 1 started", lambda: stack.app_start("app1")),
        ("gunicorn instance 2 started", lambda: stack.app_start("app2")),
        ("worker started (jobs_resume, jobs_worker)", stack.worker_start),
        ("self-signed certificate made", stack.certificate_make),
        ("nginx started with deploy/nginx.conf", stack.nginx_start),
    ]
    return all(report.check(name, step) for name, step in steps)


def _postgresql(stack: Stack) -> None:
    stack.postgresql_init()
    stack.postgresql_start()
    stack.database_create()


def _load(stack: Stack) -> None:
    stack.manage("migrate", "--no-input")
    stack.manage("load_referentiel")
    stack.manage("demo")


def lookup(stack: Stack) -> dict:
    return json.loads(stack.manage("shell", "-c", LOOKUP % CANDIDATE).strip().splitlines()[-1])


def run(stack: Stack, report: Report, *, stop: str | None) -> None:
    if not start(stack, report):
        return
    facts = lookup(stack)
    if stop == "scanner":
        report.check("scanner stopped on purpose (--stop scanner)", stack.clamd_stop)
    journey = Journey(stack, facts)
    report.check("/healthz through nginx", journey.healthz)
    report.check("/readyz ready (database, storage, scanner, worker)", journey.readyz_ready)
    report.check("plain HTTP redirected to HTTPS", journey.https_redirect)
    report.check("candidate signs in over HTTPS", lambda: journey.sign_in(CANDIDATE))
    report.check("clean file uploaded and scanned", journey.upload_clean)
    report.check("EICAR file refused by the scanner", journey.upload_infected)
    report.check("file downloaded through a signed S3 URL", journey.download_signed)
    report.check("background job done by the worker", lambda: journey.job_by_worker(STAFF))
    report.check(
        "5 failed sign-ins from one address do not block another",
        lambda: journey.throttle_per_address(SECOND_CANDIDATE),
    )
    report.check("one session across both instances", journey.session_on_both_instances)
    report.check("request ID in nginx's, gunicorn's and the app's logs", journey.request_ids)
    report.check(
        "an upload slower than the worker timeout succeeds", journey.slow_upload_outlasts_timeout
    )
    report.check("12 slow uploads, a page still answers within 2 s", journey.twelve_slow_uploads)
    report.check("/readyz unready while the scanner is stopped", journey.readyz_without_scanner)
    report.check("/readyz ready again when the scanner is back", journey.readyz_scanner_back)
    report.check("/readyz unready while the database is stopped", journey.readyz_without_database)
    report.check("/readyz ready again when the database is back", journey.readyz_database_back)
    report.check("/readyz unready without a worker's heartbeat", journey.readyz_without_worker)
    report.check("/readyz ready again when a worker runs", journey.readyz_worker_back)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stop", choices=["scanner"], help="stop a service before the journey")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and its logs")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="preuves-smoke-"))
    workdir.chmod(0o755)  # PostgreSQL runs as its own user and must reach its folder
    stack = Stack(workdir)
    report = Report()
    started = time.monotonic()
    try:
        run(stack, report, stop=args.stop)
    finally:
        left = stack.stop_all()
        report.check("everything started is stopped", lambda: _nothing_left(left))
    elapsed = time.monotonic() - started
    if args.keep or report.failed:
        print(f"logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if report.failed:
        print(f"prod-smoke FAILED ({len(report.failed)}): {'; '.join(report.failed)}")
        return 1
    print(f"prod-smoke passed in {elapsed:.0f} s")
    return 0


def _nothing_left(left: list[str]) -> None:
    assert not left, ", ".join(left)


if __name__ == "__main__":
    sys.exit(main())
