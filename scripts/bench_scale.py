"""Measure every page and heavy operation at several data sizes, on PostgreSQL; print one table.

Run: .venv/bin/python scripts/bench_scale.py [--candidates 10,1000,10000] [--quick]
     [--only NAME[,NAME...]] [--database-url postgres://...] [--timeout SECONDS] [--requests N]

For each size it creates its own database (the name of ``--database-url`` or ``DATABASE_URL``
plus ``_scale_<size>``), migrates it and builds the dataset of ``demo.bulk`` (cohorts of 25, 4
portfolios and 10 evidence items per portfolio-route candidate, 50 evaluators, one jury session
per establishment in deliberation with every mark); the databases are dropped at the end
(``--keep`` keeps them). Then every probe of ``PROBES`` runs at every size, each in a fresh
Python process: the number of SQL queries (counted by a ``connection.execute_wrapper``:
``CaptureQueriesContext`` keeps only the last 9,000, and keeping them all would weigh on the
memory measured), the time of the measured call alone (``perf_counter``; a page is fetched once
before, to warm the process), and the process's peak resident memory (``VmHWM``: RSS, not
Python allocations). A probe that writes runs inside a transaction rolled back at the end, so
that every probe finds the dataset as built. A probe past ``--timeout`` prints "timeout".

The throughput probe starts gunicorn (``deploy/gunicorn.conf.py``, production settings plus a
bare view: ``scripts.bench_settings``) on the largest dataset and fetches the candidate home and
the bare view side by side, ``--requests`` times each from 4 threads; the table shows the
candidate home's requests per second ÷ the bare view's (target ≥ 0.3).

The evaluator-queue probe at 1,000 vs 100,000 evidence items (``--evidence``) builds its own two
datasets (every candidate on the portfolio route, 10 items each).

``--quick``: sizes 10,100 and evidence 1,000 vs 10,000. Adding a probe: one entry in
``PROBES`` (a page: its URL name, who asks, its URL arguments; an operation: a function of the
dataset, and whether the sessions must be closed first).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from scripts.net import free_port  # noqa: E402

# --- The probes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A page (``url``: URL name, ``user``: the Dataset field of who asks, ``args``: the
    Dataset fields of the URL's arguments, ``query``: its query string) or an operation
    (``run``: a function of the Dataset; ``closed``: close the sessions in bulk first, unmeasured).
    """

    label: str
    url: str = ""
    user: str = ""
    args: dict | None = None
    query: str = ""  # appended to the URL, e.g. a filter
    run: Callable | None = None
    closed: bool = False
    dataset: str = "main"  # "evidence": the evaluator queue's own two datasets


def _session(dataset):
    from workflow.models import JurySession

    return JurySession.objects.get(pk=dataset.session_id)


def _user(pk):
    from accounts.models import User

    return User.objects.get(pk=pk)


def op_session_rows(dataset):
    from workflow.jury.results import session_rows

    return len(session_rows(_session(dataset)))


def op_close(dataset):
    from workflow.jury.deliberation import jury_deliberation_close

    jury_deliberation_close(
        actor=_user(dataset.president_id), session=_session(dataset), confirm=True
    )


def op_proces_verbal(dataset):
    from documents.services import proces_verbal_issue

    return proces_verbal_issue(session=_session(dataset), actor=_user(dataset.staff_id)).file.size


def op_archive(dataset):
    from documents.services import session_archive_issue

    return session_archive_issue(session=_session(dataset), actor=_user(dataset.staff_id)).file.size


def op_publish(dataset):
    from django.core import mail
    from django.test import TestCase

    from workflow.jury.deliberation import jury_results_publish

    # The e-mails go out after commit: run them inside the measure (the transaction is rolled
    # back afterwards, so the callbacks are run here rather than by a commit).
    with TestCase.captureOnCommitCallbacks(execute=True):
        jury_results_publish(actor=_user(dataset.staff_id), session=_session(dataset))
    return len(mail.outbox)


PROBES: dict[str, Probe] = {
    # Every state: the default filter (submitted) shows none of the dataset's portfolios.
    "staff-portfolios": Probe(
        "staff portfolio list", "workflow:staff-portfolios", "staff_id", query="?etat="
    ),
    "staff-memoires": Probe("staff mémoire list", "workflow:staff-memoires", "staff_id"),
    "jury-session": Probe(
        "jury session page", "jury:session", "president_id", {"pk": "session_id"}
    ),
    "staff-session": Probe(
        "staff session page", "jury:staff_session", "staff_id", {"pk": "session_id"}
    ),
    "deliberation": Probe(
        "deliberation page", "jury:deliberation", "president_id", {"pk": "session_id"}
    ),
    "staff-dashboard": Probe("staff dashboard", "jury:staff_dashboard", "staff_id"),
    "staff-candidate": Probe(
        "staff candidate page", "jury:staff_candidate", "staff_id", {"pk": "enrolment_id"}
    ),
    "evaluator-queue": Probe("evaluator queue", "workflow:queue", "evaluator_id"),
    "candidate-home": Probe("candidate home", "portfolio:home", "candidate_id"),
    "candidate-cc": Probe("candidate CC marks", "jury:candidate_cc", "candidate_id"),
    "tutor-home": Probe("tutor home", "jury:tutor_home", "tutor_id"),
    "trainer-home": Probe("trainer home", "jury:trainer_home", "trainer_id"),
    "cohort-list": Probe("cohort list", "centres:cohort_list", "staff_id"),
    "cohort-detail": Probe(
        "cohort detail", "centres:cohort_detail", "staff_id", {"pk": "cohort_id"}
    ),
    "person-list": Probe("people list", "centres:person_list", "staff_id"),
    "documents-index": Probe("documents index", "documents:index", "staff_id"),
    "documents-session": Probe(
        "session documents", "documents:session", "staff_id", {"session_pk": "session_id"}
    ),
    "documents-candidate": Probe(
        "candidate documents", "documents:candidate", "staff_id", {"enrolment_pk": "enrolment_id"}
    ),
    "session-decisions": Probe("computing the session's decisions", run=op_session_rows),
    "deliberation-close": Probe("closing a deliberation", run=op_close),
    "proces-verbal": Probe("procès-verbal PDF", run=op_proces_verbal, closed=True),
    "session-archive": Probe("session archive (with its PV)", run=op_archive, closed=True),
    "publish": Probe("publishing (with the e-mails)", run=op_publish, closed=True),
    "evaluator-queue-evidence": Probe(
        "evaluator queue, by evidence items", "workflow:queue", "evaluator_id", dataset="evidence"
    ),
}
THROUGHPUT = "candidate-home-throughput"
BARE_PATH = "bench/bare/"  # served by scripts.bench_urls


# --- Inside a measuring process ----------------------------------------------------------------


def _memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _measure(name: str, dataset_fields: dict) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from demo.bulk import Dataset, dataset_close

    try:
        # The test client's host, e-mails kept in memory; no debug query log nor debug templates.
        setup_test_environment(debug=False)
    except RuntimeError:
        pass  # already done: measured from the test suite
    dataset = Dataset(**dataset_fields)
    probe = PROBES[name]
    result: dict = {}
    with transaction.atomic():
        if probe.closed:
            dataset_close(dataset)
        if probe.run is None:
            client = Client()
            client.force_login(_user(getattr(dataset, probe.user)))
            url = reverse(
                probe.url, kwargs={k: getattr(dataset, v) for k, v in (probe.args or {}).items()}
            )
            url += probe.query
            warm = client.get(url)
            if warm.status_code != 200:
                raise SystemExit(f"{url}: HTTP {warm.status_code}")
        rss_before = _memory_kib("VmRSS")
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            start = time.perf_counter()
            if probe.run is None:
                response = client.get(url)
                result["bytes"] = len(response.content)
            else:
                probe.run(dataset)
            result["seconds"] = time.perf_counter() - start
        transaction.set_rollback(True)
    result["queries"] = queries
    result["rss_kib"] = _memory_kib("VmHWM")
    result["rss_before_kib"] = rss_before
    return result


def _build(candidates: int, epreuves_every: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from dataclasses import asdict

    from demo.bulk import dataset_build

    return asdict(dataset_build(candidates=candidates, epreuves_every=epreuves_every))


def _login_cookie(user_id: int) -> str:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(_user(user_id))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- The conductor ---------------------------------------------------------------------------


def _child(args: list[str], env: dict, timeout: float) -> dict | str:
    """Run this script as ``args`` in a fresh process; return its answer, "timeout" or "error"."""
    try:
        done = subprocess.run(
            [PYTHON, __file__, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    answers = [line for line in done.stdout.splitlines() if line.startswith("ANSWER ")]
    if done.returncode or not answers:
        sys.stderr.write(f"[{' '.join(args[:2])}] failed:\n{done.stderr[-3000:]}\n")
        return "error"
    return json.loads(answers[-1][len("ANSWER ") :])


def _database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_database_url(base, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


@dataclass
class Database:
    label: str
    size: int
    url: str
    dataset: dict | None = None


def _prepare(base: str, name: str, label: str, size: int, env: dict, epreuves_every=5):
    url = _database_url(base, name)
    _admin(base, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(base, f'CREATE DATABASE "{name}"')
    child_env = {**env, "DATABASE_URL": url}
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        env=child_env,
        check=True,
        cwd=ROOT,
    )
    started = time.perf_counter()
    dataset = _child(["--build", str(size), str(epreuves_every)], child_env, timeout=7200)
    if not isinstance(dataset, dict):
        raise SystemExit(f"Building the dataset of {size} candidates failed ({dataset}).")
    print(
        f"  {label}: built in {time.perf_counter() - started:.1f} s — {dataset['counts']}",
        flush=True,
    )
    return Database(label, size, url, dataset)


def _hammer(port: int, path: str, cookie: str, requests: int, threads: int = 4) -> float:
    """Fetch ``path`` ``requests`` times from ``threads`` keep-alive connections; return req/s."""
    import http.client

    remaining = iter(range(requests))
    lock = threading.Lock()
    failures = []

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path}: HTTP {sorted(set(failures))}")
    return requests / elapsed


def _throughput(database: Database, env: dict, media: str, requests: int) -> dict | str:
    """Serve the dataset with gunicorn; return the candidate home's and the bare view's req/s."""
    port = free_port()
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "scripts.bench_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-scale-not-a-secret",  # noqa: S105 - a throw-away server
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "PREUVES_VIRUS_SCANNER": "none",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_MEDIA_ROOT": media,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    # The session is signed with the server's secret key: log in with the server's settings.
    cookie = _child(["--cookie", str(database.dataset["candidate_id"])], server_env, timeout=300)
    if not isinstance(cookie, str) or "=" not in cookie:
        return "error"
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--max-requests",
            "0",
            "--access-logfile",
            "/dev/null",
        ],
        env=server_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        home = "/portefeuilles/"
        _hammer(port, f"/{BARE_PATH}", cookie, 20)
        _hammer(port, home, cookie, 20)
        bare = _hammer(port, f"/{BARE_PATH}", cookie, requests)
        page = _hammer(port, home, cookie, requests)
        return {"bare": bare, "page": page, "ratio": page / bare}
    except RuntimeError as error:
        sys.stderr.write(f"throughput: {error}\n")
        return "error"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _figure(answer, key: str, fmt: str) -> str:
    return format(answer[key], fmt) if isinstance(answer, dict) and key in answer else str(answer)


def _row(label: str, sizes: list[int], answers: list, timeout: float) -> list[str]:
    seconds = [a["seconds"] for a in answers if isinstance(a, dict)]
    ratio = "-"
    if isinstance(answers[0], dict):
        smallest = max(answers[0]["seconds"], 1e-6)
        if isinstance(answers[-1], dict):
            ratio = f"{answers[-1]['seconds'] / smallest:.1f}"
        elif answers[-1] == "timeout":  # at least the time it was given
            ratio = f"> {timeout / smallest:.0f}"
    last = answers[-1]
    return [
        label,
        " → ".join(f"{s:,}" for s in sizes),
        " → ".join(_figure(a, "queries", "d") for a in answers),
        " → ".join(f"{s:.3f}" for s in seconds) if seconds else "-",
        ratio,
        f"{last['rss_kib'] / 1024:.0f}" if isinstance(last, dict) else "-",
        f"{last['bytes'] / 1024:.0f}" if isinstance(last, dict) and "bytes" in last else "",
    ]


def _print_table(rows: list[list[str]]) -> None:
    header = [
        "page or operation",
        "size (candidates or evidence items)",
        "queries",
        "seconds",
        "time ratio (largest ÷ smallest)",
        "peak RSS MiB (largest)",
        "HTML KiB (largest)",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", default="10,1000,10000")
    parser.add_argument("--evidence", default="1000,100000")
    parser.add_argument("--quick", action="store_true", help="sizes 10,100; evidence 1000,10000")
    parser.add_argument("--only", default="", help="probe names, comma-separated")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per measure")
    parser.add_argument("--requests", type=int, default=300, help="per URL, for throughput")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--list", action="store_true", help="list the probes and stop")
    options = parser.parse_args()
    names = [*PROBES, THROUGHPUT]
    if options.list:
        for name in names:
            label = PROBES[name].label if name in PROBES else "candidate home under gunicorn"
            print(f"{name:28} {label}")
        return
    if options.only:
        wanted = [name.strip() for name in options.only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            raise SystemExit(f"Unknown probe(s): {', '.join(unknown)} (see --list).")
        names = [name for name in names if name in wanted]
    if not options.database_url.startswith("postgres"):
        raise SystemExit("A PostgreSQL --database-url (or DATABASE_URL) is required.")
    sizes = [10, 100] if options.quick else [int(s) for s in options.candidates.split(",")]
    evidence = [1000, 10000] if options.quick else [int(s) for s in options.evidence.split(",")]
    base_name = urlsplit(options.database_url).path.lstrip("/") or "preuves"
    media = tempfile.mkdtemp(prefix="preuves-bench-media-")
    env = {**os.environ, "DJANGO_MEDIA_ROOT": media, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    databases: dict[str, list[Database]] = {"main": [], "evidence": []}
    need_main = any(n == THROUGHPUT or PROBES[n].dataset == "main" for n in names)
    need_evidence = any(n in PROBES and PROBES[n].dataset == "evidence" for n in names)
    print(f"Building the datasets ({time.strftime('%Y-%m-%d %H:%M')}):", flush=True)
    try:
        plan = [("main", f"_scale_{n}", f"{n:,} candidates", n, 5) for n in sizes if need_main]
        if need_evidence:
            # Every candidate on the portfolio route: 10 evidence items each.
            plan += [
                ("evidence", f"_scale_evidence_{n}", f"{n:,} evidence items", max(1, n // 10), 0)
                for n in evidence
            ]
        for group, suffix, label, candidates, epreuves_every in plan:
            databases[group].append(
                _prepare(
                    options.database_url,
                    base_name + suffix,
                    label,
                    candidates,
                    env,
                    epreuves_every=epreuves_every,
                )
            )
        rows, throughput = [], None
        for name in names:
            if name == THROUGHPUT:
                largest = databases["main"][-1]
                throughput = _throughput(
                    largest, {**env, "DATABASE_URL": largest.url}, media, options.requests
                )
                print(f"  {name} at {largest.label}: {throughput}", flush=True)
                continue
            probe = PROBES[name]
            answers = []
            for database in databases[probe.dataset]:
                answer = _child(
                    ["--measure", name, json.dumps(database.dataset)],
                    {**env, "DATABASE_URL": database.url},
                    options.timeout,
                )
                answers.append(answer)
                print(f"  {name} at {database.label}: {answer}", flush=True)
            dataset_sizes = [
                d.size * (10 if probe.dataset == "evidence" else 1)
                for d in databases[probe.dataset]
            ]
            rows.append(_row(probe.label, dataset_sizes, answers, options.timeout))
        print()
        _print_table(rows)
        if throughput is not None:
            print()
            if isinstance(throughput, dict):
                print(
                    f"Candidate home under gunicorn at {databases['main'][-1].label}: "
                    f"{throughput['page']:.1f} req/s; bare Django view: {throughput['bare']:.1f} "
                    f"req/s; ratio {throughput['ratio']:.3f} (target ≥ 0.3)."
                )
            else:
                print(f"Candidate home under gunicorn: {throughput}.")
    finally:
        if not options.keep:
            for database in databases["main"] + databases["evidence"]:
                _admin(
                    options.database_url,
                    f'DROP DATABASE IF EXISTS "{urlsplit(database.url).path.lstrip("/")}"',
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"--measure", "--build", "--cookie"}:
        command, *arguments = sys.argv[1:]
        if command == "--measure":
            answer = _measure(arguments[0], json.loads(arguments[1]))
        elif command == "--build":
            answer = _build(int(arguments[0]), int(arguments[1]))
        else:
            answer = _login_cookie(int(arguments[0]))
        print("ANSWER " + json.dumps(answer, default=str), flush=True)
    else:
        main()
