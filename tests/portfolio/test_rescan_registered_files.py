"""The rescan checks every stored file held while the scanner was away, the épreuves' marked
papers and the national subjects as well as the candidates' files — against the real clamd."""

import io

import pytest
import samples
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from audit.models import AuditEvent
from portfolio.models import ScanStatus
from tests.factories import EpreuvePaperFactory, ExamSubjectFactory
from tests.portfolio.test_clamav import clamd, pytestmark  # noqa: F401 (fixture, skip in CI)


def _stored(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


@pytest.mark.django_db
def test_held_papers_and_subjects_are_scanned_again_and_audited(clamd, local_storage):  # noqa: F811
    paper = EpreuvePaperFactory(
        file=_stored("papers/zz/copie.pdf", samples.pdf_minimal()),
        scan_status=ScanStatus.PENDING,
    )
    subject = ExamSubjectFactory(
        file=_stored("sujets/zz/sujet.pdf", b"%PDF-1.4\n" + samples.eicar()),
        scan_status=ScanStatus.NOT_SCANNED,
    )
    out = io.StringIO()
    call_command("rescan_held_files", stdout=out)

    paper.refresh_from_db()
    subject.refresh_from_db()
    assert (paper.scan_status, subject.scan_status) == (ScanStatus.CLEAN, ScanStatus.INFECTED)
    assert "2 fichier(s) analysé(s) : 1 sain(s), 1 infecté(s)" in out.getvalue()
    events = {
        e.after["scan_status"]: e for e in AuditEvent.objects.filter(action="stored_file.rescan")
    }
    # The paper's line names its candidate; the national subject concerns no candidate.
    assert events[ScanStatus.CLEAN].candidate_id == paper.mark.enrolment.candidate_id
    assert events[ScanStatus.INFECTED].candidate_id is None
    assert events[ScanStatus.INFECTED].after["sha256"] == subject.sha256
    # Nothing left to do: a second run changes nothing.
    call_command("rescan_held_files", stdout=out)
    assert AuditEvent.objects.filter(action="stored_file.rescan").count() == 2
