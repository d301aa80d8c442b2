"""A closed session's archive: one ZIP with manifests and files, its SHA-256 recorded."""

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import Role
from documents import services
from documents.models import IssuedDocument
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio
from tests.documents.conftest import response_bytes
from tests.factories import UserFactory, rncp_title
from workflow.models import JurySession

pytestmark = pytest.mark.django_db

PROCEDURE = b"%PDF-1.4 procedure"
PROCEDURE_SHA256 = hashlib.sha256(PROCEDURE).hexdigest()
MEMOIRE = b"%PDF-1.4 memoire"
MEMOIRE_SHA256 = hashlib.sha256(MEMOIRE).hexdigest()


def canonical_digest(content) -> str:
    """A manifest's digest: SHA-256 of its compact, key-sorted UTF-8 JSON."""
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


@pytest.fixture
def closed_session(candidate_entry):
    session = candidate_entry.session
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.CLOSED)
    session.refresh_from_db()
    content = {
        "type": "portfolio",
        "files": [
            {"name": "procédure achats.pdf", "size": len(PROCEDURE), "sha256": PROCEDURE_SHA256}
        ],
    }
    manifest = Manifest.objects.create(content=content, digest=canonical_digest(content))
    portfolio = Portfolio.objects.create(
        enrolment=candidate_entry.enrolment, bloc=rncp_title().blocs.get(number=1),
        state="ready_for_jury", manifest=manifest,
    )  # fmt: skip
    name = default_storage.save("evidence/a/b", ContentFile(PROCEDURE))
    EvidenceItem.objects.create(
        portfolio=portfolio, file=name, original_name="procédure achats.pdf", kind="pdf",
        content_type="application/pdf", size=len(PROCEDURE), sha256=PROCEDURE_SHA256,
        scan_status="clean",
        title="Procédure d'achats",
    )  # fmt: skip
    return session


def test_the_archive_holds_manifests_files_and_checksums(closed_session, staff):
    document = services.session_archive_issue(session=closed_session, actor=staff)
    content = document.file.read()
    assert document.reference.startswith("ARC-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    folder = "candidats/001-legare-anais/portefeuille-bloc-1-t1-v1"
    assert f"{folder}/manifest.json" in names
    stored = f"{folder}/fichiers/{PROCEDURE_SHA256[:16]}-procedure-achats.pdf"
    assert stored in names
    assert archive.read(stored) == PROCEDURE
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    assert manifest["files"][0]["name"] == "procédure achats.pdf"
    index = json.loads(archive.read("index.json"))
    assert index["candidates"][0]["last_name"] == "Légaré"
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_the_same_session_gives_back_the_same_archive(closed_session, staff):
    first = services.session_archive_issue(session=closed_session, actor=staff)
    assert services.session_archive_issue(session=closed_session, actor=staff).pk == first.pk


def test_a_session_still_deliberating_has_no_archive(candidate_entry, staff):
    with pytest.raises(services.DocumentRefused):
        services.session_archive_issue(session=candidate_entry.session, actor=staff)
    assert not IssuedDocument.objects.exists()


def test_staff_constitute_the_archive_by_a_post_and_see_its_checksum(client, closed_session, staff):
    client.force_login(staff)
    url = reverse("documents:session_archive", args=[closed_session.pk])
    page = client.get(url)
    assert page.status_code == 200 and "pas encore été établi" in page.content.decode()
    assert not IssuedDocument.objects.exists()
    issued = client.post(url)
    document = IssuedDocument.objects.get(kind="archive")
    assert issued.url == reverse("documents:download", args=[document.reference])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content = response_bytes(response)
    page = client.get(reverse("documents:session", args=[closed_session.pk])).content.decode()
    assert hashlib.sha256(content).hexdigest() in page


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.JURY, Role.EVALUATEUR])
def test_only_the_staff_download_an_archive(client, closed_session, role):
    client.force_login(UserFactory(roles=[role]))
    url = reverse("documents:session_archive", args=[closed_session.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not IssuedDocument.objects.exists()


def test_the_archive_holds_the_evaluators_scorings_with_their_grid(closed_session, staff):
    from django.utils import timezone

    from workflow.evaluation.scoring import grid_version_for
    from workflow.models import Assignment, CriterionScore, Scoring

    portfolio = Portfolio.objects.get()
    item = EvidenceItem.objects.get()
    version = grid_version_for(portfolio)
    assignment = Assignment.objects.create(
        portfolio=portfolio, evaluator=UserFactory(last_name="Aubert", roles=[Role.EVALUATEUR]),
        state="completed", assigned_by=staff, assigned_at=timezone.now(),
        due_date=closed_session.date,
    )  # fmt: skip
    scoring = Scoring.objects.create(
        assignment=assignment, grid_version=version, state="submitted",
        overall_comment="Dossier solide.", total=0, submitted_at=timezone.now(),
    )  # fmt: skip
    criteria = list(version.criteria.order_by("order"))
    for criterion in criteria:
        score = CriterionScore.objects.create(
            scoring=scoring, criterion=criterion, points=criterion.max_points / 2,
            comment="Procédure claire.",
        )  # fmt: skip
        score.evidence.add(item)
    document = services.session_archive_issue(session=closed_session, actor=staff)
    archive = zipfile.ZipFile(io.BytesIO(document.file.read()))
    notations = json.loads(archive.read("candidats/001-legare-anais/notations.json"))
    (evaluation,) = notations["evaluations"]
    assert evaluation["target"] == "bloc 1" and evaluation["state"] == "submitted"
    assert evaluation["overall_comment"] == "Dossier solide."
    assert "Aubert" in evaluation["evaluator"]
    grid = notations["grid_versions"][evaluation["grid_version"]]
    assert [c["id"] for c in grid["criteria"]] == [c.pk for c in criteria]
    assert {s["criterion"] for s in evaluation["scores"]} == {c.pk for c in criteria}
    assert all(s["evidence_sha256"] == [PROCEDURE_SHA256] for s in evaluation["scores"])


def add_submitted_memoire(closed_session):
    enrolment = closed_session.candidates.get().enrolment
    name = default_storage.save("memoires/a/b", ContentFile(MEMOIRE))
    content = {
        "type": "memoire",
        "files": [{"name": "mémoire.pdf", "size": len(MEMOIRE), "sha256": MEMOIRE_SHA256}],
    }
    return Memoire.objects.create(
        enrolment=enrolment, subject="Dématérialiser les notes de frais", state="submitted",
        manifest=Manifest.objects.create(content=content, digest=canonical_digest(content)),
        file=name, original_name="mémoire.pdf", kind="pdf", content_type="application/pdf",
        size=len(MEMOIRE), sha256=MEMOIRE_SHA256, scan_status="clean",
    )  # fmt: skip


def test_every_file_in_the_archive_matches_the_sha256_it_records(client, closed_session, staff):
    add_submitted_memoire(closed_session)
    document = services.session_archive_issue(session=closed_session, actor=staff)
    content = document.file.read()
    # The archive's own checksum: recorded, downloaded and shown are the bytes' SHA-256.
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    client.force_login(staff)
    response = client.get(reverse("documents:session_archive", args=[closed_session.pk]))
    assert response_bytes(response) == content
    page = client.get(reverse("documents:session", args=[closed_session.pk])).content.decode()
    assert document.sha256 in page

    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    digests = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}
    # index.json lists every other file with its SHA-256, and nothing else.
    index = json.loads(archive.read("index.json"))
    assert index["entries"] == {
        name: digest for name, digest in digests.items() if name not in {"index.json", "SHA256SUMS"}
    }
    # SHA256SUMS (for ``sha256sum -c``) lists the same files; it is written before
    # index.json, which the archive's own checksum covers.
    sums = {}
    for line in archive.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    assert sums == index["entries"]

    # Each submitted file is the one its manifest recorded, by SHA-256 and size.
    folder = "candidats/001-legare-anais"
    evidence = (
        f"{folder}/portefeuille-bloc-1-t1-v1/fichiers/{PROCEDURE_SHA256[:16]}-procedure-achats.pdf"
    )
    memoire = f"{folder}/memoire-t1-v1/memoire.pdf"
    file_names = {
        name
        for name in archive.namelist()
        if name.startswith(f"{folder}/") and not name.endswith(".json")
    }
    assert file_names == {evidence, memoire}
    for name, expected, base in (
        (evidence, PROCEDURE, f"{folder}/portefeuille-bloc-1-t1-v1"),
        (memoire, MEMOIRE, f"{folder}/memoire-t1-v1"),
    ):
        manifest = json.loads(archive.read(f"{base}/manifest.json"))
        (entry,) = manifest["files"]
        assert archive.read(name) == expected
        assert digests[name] == entry["sha256"] == hashlib.sha256(expected).hexdigest()
        assert archive.getinfo(name).file_size == entry["size"]
    # The index records each manifest's digest: that of the manifest.json archived beside it.
    (candidate,) = index["candidates"]
    (portfolio,) = candidate["portfolios"]
    (memoire_entry,) = candidate["memoires"]
    assert portfolio["missing_files"] == [] and memoire_entry["file_included"] is True
    for recorded, manifest_name in (
        (portfolio["manifest_digest"], f"{folder}/portefeuille-bloc-1-t1-v1/manifest.json"),
        (memoire_entry["manifest_digest"], f"{folder}/memoire-t1-v1/manifest.json"),
    ):
        assert recorded == canonical_digest(json.loads(archive.read(manifest_name)))


def test_the_archive_holds_the_marked_papers_of_the_epreuves(closed_session, staff):
    from tests.factories import EpreuveMarkFactory, EpreuvePaperFactory, EpreuveScoreFactory

    enrolment = closed_session.candidates.get().enrolment
    copy = b"%PDF-1.4 copie corrigee"
    digest = hashlib.sha256(copy).hexdigest()
    mark = EpreuveMarkFactory(
        enrolment=enrolment, state="submitted", total=Decimal("10"), comment="Copie soignée."
    )
    score = EpreuveScoreFactory(mark=mark, points=Decimal("10"))
    EpreuvePaperFactory(
        mark=mark,
        file=default_storage.save("papers/a/b", ContentFile(copy)),
        original_name="copie B1-E1.pdf",
        sha256=digest,
    )
    archive = zipfile.ZipFile(
        io.BytesIO(services.session_archive_issue(session=closed_session, actor=staff).file.read())
    )
    stored = f"candidats/001-legare-anais/copies/B1-E1-t1-{digest[:16]}-copie-b1-e1.pdf"
    assert archive.read(stored) == copy
    index = json.loads(archive.read("index.json"))
    assert index["candidates"][0]["papers"] == [
        {"epreuve": "B1-E1", "attempt": 1, "sha256": digest, "file_included": True}
    ]
    # The examiner's mark, with its points per criterion and the grid version, in notations.json.
    notations = json.loads(archive.read("candidats/001-legare-anais/notations.json"))
    (epreuve,) = notations["epreuves"]
    assert (epreuve["epreuve"], epreuve["attempt"], epreuve["state"]) == ("B1-E1", 1, "submitted")
    assert (epreuve["total"], epreuve["out_of"]) == ("10.00", 50)
    assert epreuve["comment"] == "Copie soignée."
    assert epreuve["examiner"] == str(mark.examiner)
    assert epreuve["scores"] == [{"criterion": score.criterion_id, "points": "10.00"}]
    grid = notations["grid_versions"][epreuve["grid_version"]]
    assert (
        grid["kind"] == "epreuve" and sum(Decimal(c["max_points"]) for c in grid["criteria"]) == 50
    )
