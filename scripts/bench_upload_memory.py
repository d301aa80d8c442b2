"""Measure the peak RSS growth of one evidence upload at the limits, each in a fresh process.

Run: .venv/bin/python scripts/bench_upload_memory.py [case ...]   (default: every case)

It builds a throw-away SQLite database and media folder (local storage) in a temporary
directory, starts moto's S3 server on 127.0.0.1 for the S3 cases (the real django-storages
backend as config/settings.py configures it with DJANGO_STORAGE=s3), writes one file per case,
then for each case starts a fresh Python process that sets Django up, makes one small warm-up
upload (so that imports and first-use caches are not counted), resets its RSS high-water mark
(``/proc/self/clear_refs``), uploads the file through ``portfolio.services.evidence_upload``
(content check, image re-encoding, SHA-256, scan, copy
to storage, database rows) and reads ``VmHWM`` from ``/proc/self/status``. The figure printed is
``VmHWM`` after the upload minus ``VmRSS`` before it: resident memory, not Python allocations.
The budget is 64 MiB per upload; the script exits 1 if a case goes over it.
"""

import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "portfolio"))  # samples.py: the tests' file builders

BUDGET = 64 * 1024 * 1024
MEDIA_SIZE = 200 * 1000 * 1000
LARGEST_MEDIA = 499_900_000  # with its table of contents, just under PREUVES_MAX_MEDIA_BYTES


def _write_zeros(out, size: int) -> None:
    chunk = bytes(1024 * 1024)
    while size:
        piece = chunk[: min(size, len(chunk))]
        out.write(piece)
        size -= len(piece)


def write_png(path: Path) -> None:
    import samples

    path.write_bytes(samples.png_zeros(6324, 6324))  # 39,992,976 pixels: the 40 Mpx limit


def write_jpeg(path: Path) -> None:
    """A 40-megapixel noisy photo, EXIF orientation 6: decoded out of order to be turned."""
    from PIL import Image

    noise = Image.effect_noise((7300, 5475), 64)
    image = Image.merge("RGB", (noise, noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise))
    exif = image.getexif()
    exif[0x0112] = 6
    image.save(path, format="JPEG", quality=92, exif=exif)


def _write_progressive(path: Path, side: int, subsample_mode: str) -> None:
    import pyvips

    grey = pyvips.Image.gaussnoise(side, side, mean=128, sigma=30).cast("uchar")
    noisy = grey.bandjoin([grey.flip("horizontal"), grey.flip("vertical")])
    noisy = noisy.copy(interpretation="srgb")
    noisy.jpegsave(str(path), Q=90, interlace=True, subsample_mode=subsample_mode)


def write_progressive_444(path: Path) -> None:
    """A progressive noisy photo, no chroma subsampling, at the largest size accepted.

    2,640 × 2,640 (7 Mpx): 330 × 330 blocks × 3 components × 128 bytes = 39.9 MiB of
    coefficients, under ``portfolio.images.MAX_BUFFERED_JPEG_BYTES`` (40 MiB).
    """
    _write_progressive(path, 2640, "off")


def write_progressive_420(path: Path) -> None:
    """A progressive noisy photo in 4:2:0 at the largest size accepted: 3,728 × 3,728 (13.9 Mpx)."""
    _write_progressive(path, 3728, "on")


def write_pdf(path: Path, size: int = 49 * 1000 * 1000) -> None:
    """A one-page PDF holding one uncompressed photo of ``size`` bytes, written in a stream."""
    side = int((size / 3) ** 0.5)
    pixels = side * side * 3
    offsets = []
    rng = random.Random(13)
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def obj(body: bytes) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"
        )
        content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        obj(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        offsets.append(out.tell())
        out.write(
            b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d "
            b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n"
            % (side, side, pixels)
        )
        left = pixels
        while left:
            piece = rng.randbytes(min(left, 1024 * 1024))
            out.write(piece)
            left -= len(piece)
        out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(
            b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, xref)
        )


def write_mp4(path: Path, size: int = MEDIA_SIZE) -> None:
    """A complete MP4 (ftyp, mdat, moov with one track) of 200 MB, written in a stream."""
    import samples

    head, tail = samples.iso_bmff_parts(b"isom", (b"isom", b"avc1"), 0)
    media = size - len(head) - len(tail)
    head, tail = samples.iso_bmff_parts(b"isom", (b"isom", b"avc1"), media, sample_size=65536)
    with open(path, "wb") as out:
        out.write(head)
        _write_zeros(out, media)
        out.write(tail)


def write_mp4_largest(path: Path) -> None:
    """A complete MP4 of 500 MB, the largest upload accepted."""
    write_mp4(path, LARGEST_MEDIA)


def write_mp4_largest_other(path: Path) -> None:
    """Another MP4 of about 500 MB (not a duplicate of the first in the same portfolio)."""
    write_mp4(path, LARGEST_MEDIA - 65536)


def write_mp3(path: Path) -> None:
    """An MP3 of 200 MB: an ID3 tag, then 128 kbit/s frames walked one by one by the check."""
    import samples

    frame = samples.MP3_FRAME_HEADER + bytes(samples.MP3_FRAME_LENGTH - 4)
    tag = samples.mp3(frames=0)
    count = (MEDIA_SIZE - len(tag)) // len(frame)
    with open(path, "wb") as out:
        out.write(tag)
        block = frame * 2048
        for _ in range(count // 2048):
            out.write(block)
        out.write(frame * (count % 2048))


CASES = {
    "png-40mpx-zeros": ("zeros.png", write_png, "PNG of zeros, 6324 × 6324 (40 Mpx limit)"),
    "jpeg-40mpx-turned": ("photo.jpg", write_jpeg, "JPEG 7300 × 5475, EXIF orientation 6"),
    "jpeg-prog-444": (
        "progressif.jpg",
        write_progressive_444,
        "progressive JPEG 2640 × 2640, 4:4:4 (largest accepted)",
    ),
    "jpeg-prog-420": (
        "progressif.jpg",
        write_progressive_420,
        "progressive JPEG 3728 × 3728, 4:2:0 (largest accepted)",
    ),
    "pdf-49mb": ("rapport.pdf", write_pdf, "PDF of 49 MB (50 MB limit)"),
    "mp4-200mb": ("visio.mp4", write_mp4, "MP4 of 200 MB, local storage"),
    "mp3-200mb": ("entretien.mp3", write_mp3, "MP3 of 200 MB, local storage"),
    "mp4-500mb": ("visio.mp4", write_mp4_largest, "MP4 of 500 MB, local storage"),
    "mp4-500mb-s3": ("visio.mp4", write_mp4_largest_other, "MP4 of 500 MB, S3 (moto server)"),
}
# Cases stored on S3: the real django-storages backend, configured by config/settings.py
# (DJANGO_STORAGE=s3), against moto's S3 server started by this script on 127.0.0.1.
S3_CASES = {"mp4-500mb-s3"}


# --------------------------------------------------------------------------- measured process


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(path: str, ids: str) -> None:
    import django

    django.setup()
    from django.core.files import File

    from accounts.models import User
    from portfolio.models import Portfolio
    from portfolio.services import evidence_upload

    candidate_id, portfolio_id = (int(x) for x in ids.split(","))
    candidate = User.objects.get(pk=candidate_id)
    portfolio = Portfolio.objects.get(pk=portfolio_id)
    competency = portfolio.bloc.competencies.first()

    def upload(handle, name):
        return evidence_upload(
            portfolio=portfolio,
            actor=candidate,
            uploaded_file=File(handle, name=name),
            title=name,
            competencies=[competency],
        )

    from PIL import Image

    warm_up = io.BytesIO()  # random pixels: never a duplicate of an earlier warm-up
    Image.frombytes("RGB", (16, 16), os.urandom(16 * 16 * 3)).save(warm_up, format="PNG")
    warm_up.seek(0)
    upload(warm_up, "echauffement.png")

    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the RSS high-water mark to the current RSS
    before = _status("VmRSS")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        item = upload(handle, Path(path).name)
    elapsed = time.perf_counter() - started
    peak = _status("VmHWM")
    print(json.dumps({"growth": peak - before, "seconds": elapsed, "stored": item.size}))


# --------------------------------------------------------------------------- driver


def _setup(work: Path) -> str:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(work / "media"),
            "PREUVES_PORTFOLIO_QUOTA_BYTES": str(10 * LARGEST_MEDIA),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Cohort, Enrolment, Organisation, User
    from portfolio.services import portfolio_start
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
    return f"{candidate.pk},{portfolio.pk}"


def _s3_environ(names) -> dict:
    """Start moto's S3 server with a bucket if a case needs it; return the children's env."""
    if not S3_CASES & set(names):
        return {}
    import logging
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    endpoint = f"http://127.0.0.1:{port}"
    environ = {
        "DJANGO_STORAGE": "s3",
        "DJANGO_AWS_STORAGE_BUCKET_NAME": "preuves-bench",
        "DJANGO_AWS_S3_ENDPOINT_URL": endpoint,
        "DJANGO_AWS_S3_REGION_NAME": "eu-west-3",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        # moto joins 60 parts of a 500 MB upload in more than the default 10 s.
        "DJANGO_AWS_S3_READ_TIMEOUT": "300",
    }
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="eu-west-3",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 (moto's throw-away server)
    ).create_bucket(
        Bucket="preuves-bench", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    return environ


def main(names: list[str]) -> int:
    unknown = set(names) - set(CASES)
    if unknown:
        sys.exit(f"Unknown case(s): {', '.join(sorted(unknown))}. Known: {', '.join(CASES)}")
    work = Path(tempfile.mkdtemp(prefix="preuves-bench-"))
    ids = _setup(work)
    s3_environ = _s3_environ(names or list(CASES))
    print(f"{'case':<20} {'file':>10} {'peak RSS growth':>16} {'seconds':>8}  verdict (64 MiB)")
    over = 0
    for name in names or list(CASES):
        filename, write, label = CASES[name]
        path = work / filename
        write(path)
        size = path.stat().st_size
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(path), ids],
            capture_output=True,
            text=True,
            env={**os.environ, **(s3_environ if name in S3_CASES else {})},
            check=False,
        )
        path.unlink()
        if run.returncode:
            print(f"{name:<20} {size / 1e6:>8.1f} MB  failed:\n{run.stderr[-2000:]}")
            over += 1
            continue
        result = json.loads(run.stdout.strip().splitlines()[-1])
        growth = result["growth"]
        verdict = "ok" if growth <= BUDGET else "OVER BUDGET"
        over += growth > BUDGET
        print(
            f"{name:<20} {size / 1e6:>8.1f} MB {growth / 2**20:>12.1f} MiB "
            f"{result['seconds']:>8.1f}  {verdict}  ({label})"
        )
    return 1 if over else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
