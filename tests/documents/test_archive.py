"""A closed session's archive: one ZIP with manifests and files, its SHA-256 recorded."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import Role
from documents import services
from documents.models import IssuedDocument
from portfolio.models import EvidenceItem, Manifest, Portfolio
from tests.documents.conftest import response_bytes
from tests.factories import UserFactory, rncp_title
from workflow.models import JurySession

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_session(candidate_entry):
    session = candidate_entry.session
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.CLOSED)
    session.refresh_from_db()
    manifest = Manifest.objects.create(
        content={"files": [{"name": "procédure achats.pdf", "sha256": "d" * 64}]},
        digest="e" * 64,
    )
    portfolio = Portfolio.objects.create(
        enrolment=candidate_entry.enrolment, bloc=rncp_title().blocs.get(number=1),
        state="ready_for_jury", manifest=manifest,
    )  # fmt: skip
    name = default_storage.save("evidence/a/b", ContentFile(b"%PDF-1.4 procedure"))
    EvidenceItem.objects.create(
        portfolio=portfolio, file=name, original_name="procédure achats.pdf", kind="pdf",
        content_type="application/pdf", size=18, sha256="d" * 64, scan_status="clean",
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
    assert f"{folder}/fichiers/dddddddddddddddd-procedure-achats.pdf" in names
    assert archive.read(f"{folder}/fichiers/dddddddddddddddd-procedure-achats.pdf") == (
        b"%PDF-1.4 procedure"
    )
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


def test_staff_download_the_archive_and_see_its_checksum(client, closed_session, staff):
    client.force_login(staff)
    response = client.get(reverse("documents:session_archive", args=[closed_session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    content = response_bytes(response)
    page = client.get(reverse("documents:session", args=[closed_session.pk])).content.decode()
    assert hashlib.sha256(content).hexdigest() in page


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.JURY, Role.EVALUATEUR])
def test_only_the_staff_download_an_archive(client, closed_session, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("documents:session_archive", args=[closed_session.pk]))
    assert response.status_code == 403


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
    assert all(s["evidence_sha256"] == ["d" * 64] for s in evaluation["scores"])
