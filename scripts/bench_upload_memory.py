"""Measure the Python memory an evidence upload takes, for files of growing size.

Run: .venv/bin/python scripts/bench_upload_memory.py [size in MB ...]   (default: 10 100 300)

It builds a throw-away SQLite database and media folder in a temporary directory, uploads an
MP4 of each size through ``portfolio.services.evidence_upload`` (content check, SHA-256, scan,
copy to storage, database rows) and prints the peak of Python allocations (tracemalloc) beside
the file's size. Bounded memory shows as a peak that does not grow with the size.
"""

import hashlib
import os
import struct
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_mp4(path: Path, size: int) -> str:
    ftyp = b"isom" + struct.pack(">I", 0) + b"isomiso2avc1mp41"
    header = struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp
    header += struct.pack(">I", size - len(header)) + b"mdat"
    digest = hashlib.sha256(header)
    chunk = bytes(1024 * 1024)
    with open(path, "wb") as out:
        out.write(header)
        left = size - len(header)
        while left:
            piece = chunk[: min(left, len(chunk))]
            out.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def main(sizes_mb: list[int]) -> None:
    work = Path(tempfile.mkdtemp(prefix="preuves-bench-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(work / "media"),
            "PREUVES_MAX_MEDIA_BYTES": str(max(sizes_mb) * 1_000_000 + 1),
            "PREUVES_PORTFOLIO_QUOTA_BYTES": str(sum(sizes_mb) * 1_000_000 + 1),
        }
    )
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from accounts.models import Cohort, Enrolment, Organisation, User
    from portfolio.services import evidence_upload, portfolio_start
    from referentiel.models import Title

    call_command("migrate", verbosity=0)
    school = Organisation.objects.create(name="Centre", kind="etablissement")
    company = Organisation.objects.create(name="Entreprise", kind="entreprise")
    candidate = User.objects.create_user("candidat@bench.local", "x", first_name="A", last_name="B")
    end = date.today() - timedelta(days=120)
    cohort = Cohort.objects.create(
        title=Title.objects.get(code="36390"),
        establishment=school,
        name="Banc d'essai",
        training_start=end - timedelta(days=300),
        training_end=end,
    )
    enrolment = Enrolment.objects.create(
        candidate=candidate, cohort=cohort, route="portefeuille", company=company
    )
    portfolio = portfolio_start(enrolment=enrolment)[0]
    competency = portfolio.bloc.competencies.first()

    print(f"{'file (MB)':>10} {'peak Python memory (MB)':>24} {'peak / size':>12} {'seconds':>8}")
    for size_mb in sizes_mb:
        path = work / f"enregistrement-{size_mb}.mp4"
        expected = write_mp4(path, size_mb * 1_000_000)
        tracemalloc.start()
        started = time.perf_counter()
        with open(path, "rb") as handle:
            item = evidence_upload(
                portfolio=portfolio,
                actor=candidate,
                uploaded_file=File(handle, name=path.name),
                title=f"Enregistrement {size_mb} Mo",
                competencies=[competency],
            )
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert item.sha256 == expected, "stored file differs from the upload"
        path.unlink()
        print(f"{size_mb:>10} {peak / 1e6:>24.2f} {peak / (size_mb * 1e6):>12.4f} {elapsed:>8.1f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10, 100, 300])
