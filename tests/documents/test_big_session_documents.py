"""The archive and the procès-verbal of big sessions: queries that do not grow with the session,
an archive streamed to storage (local or S3 multipart), the same bytes for the same material."""

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.bulk import dataset_build
from documents import selectors, services
from documents.archive import session_archive
from documents.models import IssuedDocument
from portfolio.models import EvidenceItem
from workflow.models import JurySession

pytestmark = pytest.mark.django_db


def closed_sessions(candidates: int, key: str = "") -> list[JurySession]:
    dataset = dataset_build(candidates=candidates, closed=True, key=key)
    sessions = JurySession.objects.filter(pk__in=dataset.session_ids).order_by("pk")
    return [session for session in sessions if session.candidates.exists()]


def queries(action) -> int:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context)


def test_the_archive_takes_as_many_queries_for_ten_times_the_candidates(local_storage):
    small = closed_sessions(10)
    large = closed_sessions(100, key=".x")
    assert small[0].candidates.count() * 10 <= sum(s.candidates.count() for s in large)
    # The first archive also creates the year's reference counters: not counted.
    services.session_archive_issue(session=large[-1], actor=None)

    def issue(session):
        return lambda: services.session_archive_issue(session=session, actor=None)

    assert queries(issue(large[0])) == queries(issue(small[0]))
    archive = zipfile.ZipFile(IssuedDocument.objects.get(kind="archive", session=small[0]).file)
    names = archive.namelist()
    assert sum(name.endswith("/notations.json") for name in names) == small[0].candidates.count()
    assert (
        sum("/fichiers/" in name for name in names)
        == EvidenceItem.objects.filter(portfolio__enrolment__jury_entries__session=small[0]).count()
    )


def test_the_proces_verbal_reads_its_facts_in_as_many_queries_for_ten_times_the_candidates(
    local_storage,
):
    small = closed_sessions(10)[0]
    large = closed_sessions(100, key=".x")[0]

    def read(session):
        return lambda: selectors.pv_data(session)

    assert len(selectors.pv_data(large)["candidates"]) >= 5 * len(
        selectors.pv_data(small)["candidates"]
    )
    assert queries(read(large)) == queries(read(small))


def test_the_archive_reports_its_progress_candidate_by_candidate(local_storage):
    session = closed_sessions(10)[0]
    seen = []
    services.session_archive_issue(
        session=session, actor=None, progress=lambda done, total: seen.append((done, total))
    )
    count = session.candidates.count()
    assert seen == [(done, count) for done in range(1, count + 1)]


def test_the_same_material_gives_the_same_bytes(local_storage):
    session = closed_sessions(10)[0]
    first, first_digest = session_archive(session, storage=local_storage, name="a/one.zip")
    second, second_digest = session_archive(session, storage=local_storage, name="a/two.zip")
    assert first.name != second.name
    with local_storage.open(first.name) as one, local_storage.open(second.name) as two:
        assert one.read() == two.read()
    assert (first.sha256, first.size, first_digest) == (second.sha256, second.size, second_digest)


def test_issuing_the_same_archive_again_leaves_no_second_file(local_storage):
    session = closed_sessions(10)[0]
    folder = Path(local_storage.location) / "documents"
    document = services.session_archive_issue(session=session, actor=None)
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    assert len(files) == 2  # the procès-verbal and the archive
    again = services.session_archive_issue(session=session, actor=None)
    assert again.pk == document.pk
    assert sorted(path for path in folder.rglob("*") if path.is_file()) == files


def test_the_archive_is_streamed_to_s3_in_parts_and_reads_back_as_a_valid_zip(s3_storage):
    session = closed_sessions(10)[0]
    # 20 MB that deflate cannot shrink: the archive takes several parts of the multipart upload.
    big = os.urandom(20 * 1000 * 1000)
    item = EvidenceItem.objects.filter(portfolio__enrolment__jury_entries__session=session).first()
    item.file = s3_storage.save("evidence/gros/fichier", ContentFile(big))
    item.sha256 = hashlib.sha256(big).hexdigest()
    item.size = len(big)
    item.save()
    document = services.session_archive_issue(session=session, actor=None)
    head = s3_storage.connection.meta.client.head_object(
        Bucket=s3_storage.bucket_name, Key=document.file.name
    )
    assert head["ContentLength"] == document.size > len(big)
    assert "-" in head["ETag"]  # a multipart upload's ETag: "<digest>-<parts>"
    with s3_storage.open(document.file.name) as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == document.sha256
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    (stored,) = [name for name in archive.namelist() if item.sha256[:16] in name]
    assert archive.read(stored) == big
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
