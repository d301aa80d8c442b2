"""Virus scanning against the real ClamAV daemon, started here from Debian's clamav-daemon.

Each test starts its own ``clamd`` with a configuration of its own (a unix socket in a temporary
folder) and a signature database of our own, ``tests/clamav/preuves-eicar.ndb``, holding only
the EICAR test signature (nothing is downloaded). The tests own the daemon, so they can stop it
to check that scanning fails closed and start it again to check the rescan.

They run when ``PREUVES_TEST_CLAMD`` names the clamd binary (``.ci/run`` sets it to
``/usr/sbin/clamd`` after installing ``clamav-daemon``); otherwise they are skipped, saying so,
except in CI, where they fail.
"""

import html
import io
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from audit.models import AuditEvent
from portfolio.models import EvidenceItem, ScanStatus
from portfolio.scanning import CLEAN, ERROR, INFECTED, ClamdScanner
from portfolio.services import PortfolioError
from tests.browser.support import running_in_ci

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES = ROOT / "tests" / "clamav" / "preuves-eicar.ndb"
CLAMD = os.environ.get("PREUVES_TEST_CLAMD", "")

# In CI (CI=true) they never skip: a missing PREUVES_TEST_CLAMD fails them instead.
pytestmark = pytest.mark.skipif(
    not CLAMD and not running_in_ci(),
    reason="PREUVES_TEST_CLAMD is not set: the ClamAV tests need Debian's clamav-daemon "
    "(apt-get install clamav-daemon, then PREUVES_TEST_CLAMD=/usr/sbin/clamd); .ci/run sets it.",
)


# The limits documented for production (README.md, docs/evidence.md): every limit at least the
# largest accepted upload (500 MB), and a file clamd stops scanning at a limit is reported
# (AlertExceedsMax) instead of answered "OK".
PRODUCTION_LIMITS = {
    "StreamMaxLength": "600M",
    "MaxFileSize": "600M",
    "MaxScanSize": "600M",
    "MaxRecursion": "17",
    "MaxFiles": "10000",
    "AlertExceedsMax": "yes",
}


class ClamdDaemon:
    """The real clamd, with its own configuration, socket and EICAR-only signature database."""

    def __init__(self, binary: str, limits: dict[str, str] | None = None):
        if not binary:
            pytest.fail("CI=true but PREUVES_TEST_CLAMD is not set: .ci/run must set it.")
        if not Path(binary).is_file():
            pytest.fail(f"PREUVES_TEST_CLAMD={binary!r} is not a file: install clamav-daemon.")
        self.binary = binary
        # A short path: a unix socket's path must stay under 108 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="clamd-"))
        (self.folder / "db").mkdir()
        shutil.copy(SIGNATURES, self.folder / "db" / SIGNATURES.name)
        self.socket = self.folder / "clamd.sock"
        self.log = self.folder / "clamd.log"
        self.config = self.folder / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"LocalSocket {self.socket}",
                    f"DatabaseDirectory {self.folder / 'db'}",
                    f"LogFile {self.log}",
                    *(f"{key} {value}" for key, value in (limits or PRODUCTION_LIMITS).items()),
                    "SelfCheck 0",
                    "",
                ]
            )
        )
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"clamd://{self.socket}"

    def scanner(self) -> ClamdScanner:
        return ClamdScanner(socket_path=str(self.socket), timeout=30)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, f"--config-file={self.config}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.socket.exists() and self.scanner().ping():
                return
            time.sleep(0.1)
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        self.stop()
        pytest.fail(f"clamd did not start:\n{log}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        self.socket.unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _running(settings, limits=None):
    daemon = ClamdDaemon(CLAMD, limits)
    daemon.start()
    settings.PREUVES_VIRUS_SCANNER = daemon.url
    try:
        yield daemon
    finally:
        daemon.close()


@pytest.fixture
def clamd(settings):
    """Start the real clamd and make it the application's scanner; stop it afterwards."""
    yield from _running(settings)


@pytest.fixture
def small_clamd(settings):
    """The real clamd with small limits: files of 1 MB and streams of 2 MB at most."""
    yield from _running(
        settings,
        {
            "StreamMaxLength": "2M",
            "MaxFileSize": "1M",
            "MaxScanSize": "1M",
            "MaxRecursion": "17",
            "MaxFiles": "10000",
            "AlertExceedsMax": "yes",
        },
    )


# --------------------------------------------------------------------------- infected samples


def pdf_with_eicar() -> bytes:
    """A valid PDF whose XMP metadata stream, Flate-compressed, holds the EICAR string."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><!-- " + samples.eicar() + b" -->")
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream.flate_encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert samples.eicar() not in data  # only a scanner that inflates the stream finds it
    return data


def docx_with_eicar() -> bytes:
    data = samples.docx(extra_parts={"word/notes.txt": samples.eicar() * 4})
    assert samples.eicar() not in data  # deflated inside the package
    return data


MP4_BRANDS = (b"isom", (b"isom", b"iso2", b"avc1", b"mp41"))


def mp4_with_media(media: bytes) -> bytes:
    """Return a well-formed MP4 whose one track reads exactly ``media`` (inside its mdat)."""
    head, tail = samples.iso_bmff_parts(*MP4_BRANDS, media_size=len(media))
    return head + media + tail


def mp4_with_eicar() -> bytes:
    padding = bytes(512)
    return mp4_with_media(padding + samples.eicar() + padding)


INFECTED_SAMPLES = [
    pytest.param(pdf_with_eicar, "rapport.pdf", id="pdf"),
    pytest.param(docx_with_eicar, "compte-rendu.docx", id="docx"),
    pytest.param(mp4_with_eicar, "presentation.mp4", id="mp4"),
]


def stored_files(storage) -> list[Path]:
    return [path for path in Path(storage.location).rglob("*") if path.is_file()]


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(("make", "name"), INFECTED_SAMPLES)
def test_the_daemon_finds_eicar_inside_each_kind_of_file(clamd, make, name):
    result = clamd.scanner().scan(io.BytesIO(make()))

    assert result.status == INFECTED
    assert result.detail.startswith("Preuves.Test.EICAR")


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name"), INFECTED_SAMPLES)
def test_an_upload_with_eicar_is_refused_and_nothing_is_kept(
    clamd, local_storage, portfolio, upload, make, name
):
    with pytest.raises(PortfolioError) as caught:
        upload(portfolio, make(), name)

    assert caught.value.code == "infected"
    assert "virus" in caught.value.message
    assert not EvidenceItem.objects.exists()
    assert stored_files(local_storage) == []


@pytest.mark.django_db
def test_a_clean_upload_is_recorded_clean(clamd, local_storage, portfolio, upload):
    assert clamd.scanner().scan(io.BytesIO(samples.docx())).status == CLEAN

    item = upload(portfolio, samples.docx(), "compte-rendu.docx")

    assert item.scan_status == ScanStatus.CLEAN


# --------------------------------------------------------------------------- fail closed


@pytest.mark.django_db
def test_when_clamd_stops_an_upload_is_held_never_clean_and_the_candidate_is_told(
    clamd, local_storage, portfolio, candidate, client
):
    clamd.stop()
    assert clamd.scanner().scan(io.BytesIO(b"x")).status == ERROR
    client.force_login(candidate)
    competency = portfolio.bloc.competencies.order_by("order").first()

    response = client.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [SimpleUploadedFile("a.pdf", samples.pdf_minimal())],
            "competencies": [competency.pk],
        },
        follow=True,
    )

    page = html.unescape(response.content.decode())
    item = EvidenceItem.objects.get()
    assert item.scan_status == ScanStatus.PENDING
    assert "L'antivirus n'a pas pu analyser 1 fichier(s)" in page
    assert 'data-scan="pending"' in page and "En attente d'analyse" in page
    assert not item.is_submittable  # it blocks the submission (test_submission.py)


@pytest.mark.django_db
def test_an_infected_upload_while_clamd_is_down_is_held_then_caught_by_the_rescan(
    clamd, local_storage, portfolio, upload, candidate, client
):
    clamd.stop()
    clean = upload(portfolio, samples.pdf_minimal(), "rapport.pdf")
    infected = upload(portfolio, docx_with_eicar(), "compte-rendu.docx")
    assert {clean.scan_status, infected.scan_status} == {ScanStatus.PENDING}

    with pytest.raises(CommandError, match="L'antivirus ne répond pas"):
        call_command("rescan_held_files", stdout=io.StringIO())
    assert set(EvidenceItem.objects.values_list("scan_status", flat=True)) == {ScanStatus.PENDING}

    clamd.start()
    out = io.StringIO()
    call_command("rescan_held_files", stdout=out)

    clean.refresh_from_db()
    infected.refresh_from_db()
    assert (clean.scan_status, infected.scan_status) == (ScanStatus.CLEAN, ScanStatus.INFECTED)
    assert "2 fichier(s) analysé(s) : 1 sain(s), 1 infecté(s)" in out.getvalue()
    events = AuditEvent.objects.filter(action="evidence.rescan").order_by("object_id")
    assert [(e.before["scan_status"], e.after["scan_status"]) for e in events] == [
        ("pending", "clean"),
        ("pending", "infected"),
    ]
    client.force_login(candidate)
    refused = client.get(reverse("portfolio:evidence_download", args=[infected.pk]))
    assert refused.status_code == 403
    assert "Fichier infecté" in html.unescape(refused.content.decode())
    assert client.get(reverse("portfolio:evidence_download", args=[clean.pk])).status_code == 200
    # Nothing left to do: a second run changes nothing.
    call_command("rescan_held_files", stdout=out)
    assert AuditEvent.objects.filter(action="evidence.rescan").count() == 2


@pytest.mark.django_db
def test_files_uploaded_without_a_scanner_are_scanned_once_one_is_configured(
    clamd, local_storage, portfolio, upload, settings
):
    settings.PREUVES_VIRUS_SCANNER = "none"
    item = upload(portfolio, samples.pdf_minimal(), "rapport.pdf")
    assert item.scan_status == ScanStatus.NOT_SCANNED

    settings.PREUVES_VIRUS_SCANNER = clamd.url
    call_command("rescan_held_files", stdout=io.StringIO())

    item.refresh_from_db()
    assert item.scan_status == ScanStatus.CLEAN


# --------------------------------------------------------------------------- clamd's limits


def mp4_of(size: int) -> bytes:
    head, tail = samples.iso_bmff_parts(*MP4_BRANDS, media_size=1024)
    return mp4_with_media(bytes(size - len(head) - len(tail)))


def docx_expanding_past_the_limits() -> bytes:
    notes = random.Random(13).randbytes(750_000).hex().encode()  # deflates to about half
    data = samples.docx(extra_parts={"word/notes.txt": notes})
    assert len(data) < 1_000_000  # under MaxFileSize on the wire, 1.5 MB once inflated by clamd
    return data


OVER_THE_LIMITS = [
    pytest.param(lambda: mp4_of(1_500_000), "visio.mp4", "MaxFileSize", id="1.5MB-over-file-size"),
    pytest.param(
        lambda: mp4_of(3_000_000), "visio.mp4", "INSTREAM size limit", id="3MB-over-stream"
    ),
    pytest.param(docx_expanding_past_the_limits, "notes.docx", "Exceeded", id="docx-inflating"),
]


@pytest.mark.parametrize(("make", "name", "detail"), OVER_THE_LIMITS)
def test_a_file_over_clamds_limits_is_not_scanned_never_clean_nor_infected(
    small_clamd, make, name, detail
):
    assert small_clamd.scanner().scan(io.BytesIO(bytes(500_000))).status == CLEAN

    result = small_clamd.scanner().scan(io.BytesIO(make()))

    assert result.status == ERROR
    assert detail in result.detail


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "name", "detail"), OVER_THE_LIMITS)
def test_an_upload_over_clamds_limits_is_held_and_stays_held_on_rescan(
    small_clamd, local_storage, portfolio, upload, make, name, detail
):
    item = upload(portfolio, make(), name)

    assert item.scan_status == ScanStatus.PENDING
    assert not item.is_submittable
    out = io.StringIO()
    call_command("rescan_held_files", stdout=out)  # clamd answers: not "scanner down"
    item.refresh_from_db()
    assert item.scan_status == ScanStatus.PENDING
    assert "1 toujours en attente" in out.getvalue()
