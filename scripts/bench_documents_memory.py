"""Measure the procès-verbal and the archive of a big closed session: queries, time, peak RSS.

Run: .venv/bin/python scripts/bench_documents_memory.py [--candidates 5000] [--big-file-mb 0]

It needs PostgreSQL: ``DATABASE_URL`` names a database this script may empty (for example
postgres://postgres@127.0.0.1:5432/preuves_bench). It migrates it, builds one closed session of
``--candidates`` candidates in bulk (``demo.bulk``: 4 portfolios and 10 small stored PDFs per
portfolio candidate, a mémoire, scorings, a decision each) with its files in a temporary media
folder, then issues, each in a fresh Python process, the procès-verbal and then the archive
(``documents.services``), and prints for each: the queries, the seconds, and the peak resident
memory of that process (``VmHWM``: resident memory, not Python allocations), with the
budget of issue 14 (PV 256 MiB, archive 128 MiB). ``--big-file-mb`` replaces one evidence file
with one of that size, to show that the archive's memory does not follow the files' size.
Exits 1 if a case goes over its budget.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS = {"proces-verbal": 256 * 2**20, "archive": 128 * 2**20}


def _peak_rss() -> int:
    """Return this process's peak resident memory (``VmHWM``; ``ru_maxrss`` would also count
    the parent's, inherited at fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not in /proc/self/status")


def child(case: str, session_id: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from documents import services
    from workflow.models import JurySession

    session = JurySession.objects.get(pk=session_id)
    issue = {
        "proces-verbal": lambda: services.proces_verbal_issue(session=session, actor=None),
        "archive": lambda: services.session_archive_issue(session=session, actor=None),
    }[case]
    counted = [0]

    def count(execute, sql, params, many, context):
        counted[0] += 1
        return execute(sql, params, many, context)

    before = _peak_rss()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        document = issue()
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "queries": counted[0],
                "seconds": elapsed,
                "peak": _peak_rss(),
                "setup_peak": before,
                "size": document.size,
            }
        )
    )


def _setup(candidates: int, big_file_mb: int) -> int:
    import django

    django.setup()
    from django.core.files import File
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection

    from demo.bulk import dataset_build
    from portfolio.models import EvidenceItem

    with connection.cursor() as cursor:  # the audit trail refuses TRUNCATE: start afresh
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    dataset = dataset_build(candidates=candidates, establishments=1, closed=True)
    if big_file_mb:
        with tempfile.TemporaryFile() as big:
            for _ in range(big_file_mb):
                big.write(os.urandom(2**20))
            big.seek(0)
            name = default_storage.save("evidence/bench/gros", File(big))
        item = EvidenceItem.objects.filter(
            portfolio__enrolment__jury_entries__session_id=dataset.session_id
        ).first()
        EvidenceItem.objects.filter(pk=item.pk).update(file=name, size=big_file_mb * 2**20)
    return dataset.session_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--big-file-mb", type=int, default=0)
    parser.add_argument(
        "--session", type=int, default=0, help="measure this session of the database as it is"
    )
    parser.add_argument("--media", default="", help="its media folder (with --session)")
    parser.add_argument("--only", choices=["proces-verbal", "archive"], default=None)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database this script may empty.")
    media = options.media or str(Path(tempfile.mkdtemp(prefix="preuves-bench-docs-")) / "media")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_MEDIA_ROOT": media})
    started = time.perf_counter()
    session_id = options.session
    if not session_id:
        session_id = _setup(options.candidates, options.big_file_mb)
        print(
            f"{options.candidates} candidates built in {time.perf_counter() - started:.0f} s"
            + (f", one evidence file of {options.big_file_mb} MiB" if options.big_file_mb else "")
            + f" (session {session_id}, media {media})"
        )
    print(f"{'document':<14} {'queries':>8} {'seconds':>8} {'peak RSS':>10} {'size':>10}  budget")
    over = 0
    for case in [options.only] if options.only else ["proces-verbal", "archive"]:
        run = subprocess.run(
            [sys.executable, __file__, "--child", case, str(session_id)],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )
        if run.returncode:
            print(f"{case:<14} failed:\n{run.stderr[-3000:]}")
            over += 1
            continue
        result = json.loads(run.stdout.strip().splitlines()[-1])
        verdict = "ok" if result["peak"] <= BUDGETS[case] else "OVER BUDGET"
        over += result["peak"] > BUDGETS[case]
        print(
            f"{case:<14} {result['queries']:>8} {result['seconds']:>8.1f} "
            f"{result['peak'] / 2**20:>6.1f} MiB {result['size'] / 1e6:>7.1f} MB  "
            f"{verdict} ({BUDGETS[case] // 2**20} MiB; "
            f"{result['setup_peak'] / 2**20:.1f} MiB once Django is set up)"
        )
    return 1 if over else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())
