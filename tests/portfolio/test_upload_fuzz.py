"""Fuzz the upload page: over 1,000 byte-flipped and truncated files of every accepted kind.

Every answer must be a success or a French refusal with a known code: no server error, and
nothing half-done (a stored object for every row, a row for every stored object).
"""

import random
from collections import Counter

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.filetypes import RefusalCode
from portfolio.management.commands.cleanup_orphans import FOLDERS, stored_names
from portfolio.models import EvidenceItem

SEEDS = [
    (samples.pdf_minimal(pages=2), "rapport.pdf"),
    (samples.docx(extra_parts={"word/styles.xml": b"<w:styles xmlns:w='urn:w'/>" * 20}), "a.docx"),
    (samples.xlsx(), "budget.xlsx"),
    (samples.pptx(), "diaporama.pptx"),
    (samples.odt(), "compte rendu.odt"),
    (samples.ods(), "tableau.ods"),
    (samples.odp(), "presentation.odp"),
    (samples.png_noise(48, 48), "capture.png"),
    (samples.jpeg(48, 32), "photo.jpg"),
    (samples.mp3(frames=6), "entretien.mp3"),
    (samples.m4a(), "appel.m4a"),
    (samples.mp4(), "visio.mp4"),
]
PER_SEED = 90  # 12 kinds × 90 = 1,080 files
BATCH = 12  # files per POST; a batch that fails is replayed file by file to name the culprit
KNOWN_CODES = {value for name, value in vars(RefusalCode).items() if not name.startswith("_")} | {
    "duplicate",
    "quota",
}


def mutants(data: bytes, count: int, rng: random.Random):
    """Yield ``count`` damaged copies: half with 1-4 bytes flipped, half truncated."""
    for index in range(count):
        if index % 2:
            yield data[: rng.randrange(1, len(data))], "truncated"
            continue
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] ^= rng.randrange(1, 256)
        yield bytes(damaged), "flipped"


def corpus():
    rng = random.Random(13)
    files = []
    for data, name in SEEDS:
        for number, (damaged, how) in enumerate(mutants(data, PER_SEED, rng)):
            stem, dot, extension = name.rpartition(".")
            files.append((f"{stem}-{how}-{number}.{extension}", damaged))
    return files


@pytest.mark.django_db
def test_a_thousand_damaged_files_get_a_success_or_a_french_refusal(
    client, candidate, local_storage, portfolio
):
    client.force_login(candidate)
    url = reverse("portfolio:detail", args=[portfolio.pk])
    competency = portfolio.bloc.competencies.order_by("order").first().pk
    files = corpus()
    outcomes, crashes = Counter(), []

    def post(batch):
        return client.post(
            url,
            {
                "competencies": [competency],
                "files": [SimpleUploadedFile(name, data) for name, data in batch],
            },
            headers={"X-Requested-With": "XMLHttpRequest"},
        )

    for start in range(0, len(files), BATCH):
        batch = files[start : start + BATCH]
        try:
            response = post(batch)
        except Exception:
            for name, data in batch:
                try:
                    post([(name, data)])
                except Exception as error:
                    crashes.append(f"{name}: {error!r}")
            continue
        assert response.status_code in (200, 400), response.content[:500]
        errors = response.json().get("errors", {})
        assert set(errors) <= {"files"}, errors
        for error in errors.get("files", []):
            assert error["message"].startswith("« ") and " » : " in error["message"]
            assert error["code"] in KNOWN_CODES, error
            outcomes[error["code"]] += 1
        outcomes["accepted"] += len(batch) - len(errors.get("files", []))

    assert len(files) >= 1000
    assert crashes == [], f"{len(crashes)} server errors, first: {crashes[:5]}"
    assert sum(outcomes.values()) == len(files)
    assert outcomes["accepted"] == EvidenceItem.objects.count()
    items = EvidenceItem.objects.all()
    expected = {item.file.name for item in items} | {
        item.thumbnail.name for item in items if item.thumbnail
    }
    stored = {name for folder in FOLDERS for name in stored_names(local_storage, folder)}
    assert stored == expected
    print("\nfuzz outcomes:", dict(sorted(outcomes.items())))
