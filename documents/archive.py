"""A closed session's archive: one ZIP with everything the jury decided on, and its checksum.

Layout::

    index.json                      the session, its candidates, every entry with its SHA-256
    SHA256SUMS                      one line per entry, for ``sha256sum -c``
    proces-verbal.pdf               the session's procès-verbal (when issued)
    exports/resultats-diplomation.csv   the DIPLOMATION export (CSV)
    candidats/<n>-<nom>/portefeuille-bloc-<b>-t<attempt>-v<version>/manifest.json
    candidats/<n>-<nom>/portefeuille-bloc-<b>-t<attempt>-v<version>/fichiers/<sha256>-<name>
    candidats/<n>-<nom>/memoire-t<attempt>-v<version>/...
    candidats/<n>-<nom>/notations.json     scorings with the grid versions they used

Entries carry the session's date as their timestamp, so the same material gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Prefetch, Q
from django.utils.text import slugify

from portfolio.download_names import download_name
from portfolio.models import Memoire, Portfolio
from workflow.models import JurySession, Soutenance, TutorEvaluation


@dataclass
class ArchiveBuilder:
    session: JurySession
    entries: dict[str, str] = field(default_factory=dict)  # name → sha256
    buffer: io.BytesIO = field(default_factory=io.BytesIO)

    def __post_init__(self):
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_DEFLATED)
        day = self.session.date
        self.date_time = (max(day.year, 1980), day.month, day.day, 0, 0, 0)

    def add(self, name: str, content: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, content)
        self.entries[name] = hashlib.sha256(content).hexdigest()

    def add_json(self, name: str, data) -> None:
        self.add(name, _json_bytes(data))

    def finish(self, index: dict) -> bytes:
        index = {**index, "entries": dict(sorted(self.entries.items()))}
        sums = "".join(f"{digest}  {name}\n" for name, digest in sorted(self.entries.items()))
        self.add("index.json", _json_bytes(index))
        self.add("SHA256SUMS", sums.encode())
        self.zip.close()
        return self.buffer.getvalue()


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _stored_file_bytes(field_file) -> bytes | None:
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _safe_name(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    cleaned = slugify(stem)[:60] or "fichier"
    return download_name(f"{cleaned}.{slugify(extension)[:10]}" if extension else cleaned)


def add_portfolios(builder: ArchiveBuilder, folder: str, enrolment) -> list[dict]:
    """Add every submitted (frozen) portfolio of the candidate with its manifest and files."""
    listed = []
    portfolios = (
        Portfolio.objects.filter(enrolment=enrolment, manifest__isnull=False)
        .select_related("bloc", "manifest", "grid_version")
        .prefetch_related("items")
        .order_by("bloc__number", "attempt", "version")
    )
    for portfolio in portfolios:
        base = (
            f"{folder}/portefeuille-bloc-{portfolio.bloc.number}"
            f"-t{portfolio.attempt}-v{portfolio.version}"
        )
        builder.add_json(f"{base}/manifest.json", portfolio.manifest.content)
        missing = []
        for item in portfolio.items.all():
            content = _stored_file_bytes(item.file)
            if content is None:
                missing.append(item.sha256)
                continue
            builder.add(
                f"{base}/fichiers/{item.sha256[:16]}-{_safe_name(item.original_name)}", content
            )
        listed.append(
            {
                "bloc": portfolio.bloc.number,
                "attempt": portfolio.attempt,
                "version": portfolio.version,
                "state": portfolio.state,
                "manifest_digest": portfolio.manifest.digest,
                "agreed_mark": portfolio.agreed_mark,
                "missing_files": missing,
            }
        )
    return listed


def add_memoires(builder: ArchiveBuilder, folder: str, enrolment) -> list[dict]:
    """Add every submitted mémoire of the candidate with its manifest and file."""
    listed = []
    memoires = Memoire.objects.filter(enrolment=enrolment, manifest__isnull=False).select_related(
        "manifest"
    )
    for memoire in memoires.order_by("attempt", "version"):
        base = f"{folder}/memoire-t{memoire.attempt}-v{memoire.version}"
        builder.add_json(f"{base}/manifest.json", memoire.manifest.content)
        content = _stored_file_bytes(memoire.file)
        if content is not None:
            builder.add(f"{base}/{_safe_name(memoire.original_name or 'memoire.pdf')}", content)
        listed.append(
            {
                "attempt": memoire.attempt,
                "version": memoire.version,
                "state": memoire.state,
                "subject": memoire.subject,
                "manifest_digest": memoire.manifest.digest,
                "file_included": content is not None,
            }
        )
    return listed


def candidate_folder(position: int, enrolment) -> str:
    candidate = enrolment.candidate
    return f"candidats/{position:03d}-{slugify(f'{candidate.last_name} {candidate.first_name}')}"


def session_archive(session: JurySession, *, extra_files: dict[str, bytes] | None = None):
    """Return (zip bytes, digest of the archive's index) for a session.

    ``extra_files`` are added at the root (the procès-verbal, the exports).
    """
    builder = ArchiveBuilder(session)
    candidates = []
    entries = session.candidates.select_related("enrolment__candidate", "enrolment__cohort")
    entries = entries.order_by(
        "enrolment__candidate__last_name", "enrolment__candidate__first_name"
    )
    for position, entry in enumerate(entries, start=1):
        enrolment = entry.enrolment
        folder = candidate_folder(position, enrolment)
        candidates.append(
            {
                "folder": folder,
                "last_name": enrolment.candidate.last_name,
                "first_name": enrolment.candidate.first_name,
                "email": enrolment.candidate.email,
                "cohort": enrolment.cohort.name,
                "route": enrolment.route,
                "portfolios": add_portfolios(builder, folder, enrolment),
                "memoires": add_memoires(builder, folder, enrolment),
                "scorings": add_scorings(builder, folder, enrolment),
            }
        )
    for name, content in sorted((extra_files or {}).items()):
        builder.add(name, content)
    index = {
        "session": {
            "id": session.pk,
            "date": session.date,
            "place": session.place,
            "establishment": session.establishment.name,
            "title": session.title.code,
            "state": session.state,
            "closed_at": session.closed_at,
            "published_at": session.published_at,
        },
        "candidates": candidates,
    }
    content = builder.finish(index)
    return content, hashlib.sha256(_json_bytes({**index, "entries": builder.entries})).hexdigest()


def add_scorings(builder: ArchiveBuilder, folder: str, enrolment) -> dict:
    """Add the candidate's scorings with the grid versions they used, as ``notations.json``.

    Soutenances (jury), the tutor's grid and the evaluators' scorings of portfolios and the
    mémoire, each with its points per criterion; every grid version used is written in full
    (criteria and maxima), so the archive can be read without the database.
    """
    grids: dict[str, dict] = {}

    def grid(version) -> str:
        key = str(version.pk)
        if key not in grids:
            grids[key] = {
                "grid": version.grid.name,
                "kind": version.grid.kind,
                "version": version.number,
                "frozen_at": version.frozen_at,
                "criteria": [
                    {"id": c.pk, "order": c.order, "label": c.label, "max_points": c.max_points}
                    for c in version.criteria.order_by("order", "pk")
                ],
            }
        return key

    soutenances = [
        {
            "session": str(soutenance.session),
            "starts_at": soutenance.starts_at,
            "duration_minutes": soutenance.duration_minutes,
            "presented": soutenance.presented,
            "total": soutenance.total,
            "comment": soutenance.comment,
            "marked_by": str(soutenance.marked_by) if soutenance.marked_by else None,
            "marked_at": soutenance.marked_at,
            "grid_version": grid(soutenance.grid_version),
            "scores": [
                {"criterion": score.criterion_id, "points": score.points}
                for score in soutenance.scores.order_by("criterion__order", "pk")
            ],
        }
        for soutenance in Soutenance.objects.filter(memoire__enrolment=enrolment)
        .select_related("session", "marked_by", "grid_version__grid")
        .order_by("starts_at")
    ]
    tutor_evaluations = [
        {
            "attempt": evaluation.attempt,
            "tutor": str(evaluation.tutor),
            "state": evaluation.state,
            "total": evaluation.total,
            "comment": evaluation.comment,
            "submitted_at": evaluation.submitted_at,
            "grid_version": grid(evaluation.grid_version),
            "scores": [
                {"criterion": score.criterion_id, "points": score.points}
                for score in evaluation.scores.order_by("criterion__order", "pk")
            ],
        }
        for evaluation in TutorEvaluation.objects.filter(enrolment=enrolment)
        .select_related("tutor", "grid_version__grid")
        .order_by("attempt", "pk")
    ]
    data = {
        "grid_versions": grids,
        "soutenances": soutenances,
        "tutor_evaluations": tutor_evaluations,
        "evaluations": _evaluator_scorings(enrolment, grid),
    }
    builder.add_json(f"{folder}/notations.json", data)
    return {key: len(value) for key, value in data.items()}


def _evaluator_scorings(enrolment, grid) -> list[dict]:
    """Return the evaluators' scorings of the candidate's portfolios and mémoire.

    They live in ``workflow.Scoring`` (the evaluation part of the workflow); an installation
    without it has none to archive.
    """
    try:
        scoring_model = apps.get_model("workflow", "Scoring")
    except LookupError:
        return []
    scorings = (
        scoring_model.objects.filter(
            Q(assignment__portfolio__enrolment=enrolment)
            | Q(assignment__memoire__enrolment=enrolment)
        )
        .select_related(
            "assignment__evaluator", "assignment__portfolio__bloc", "grid_version__grid"
        )
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=scoring_model._meta.get_field("scores")
                .related_model.objects.prefetch_related("evidence")
                .order_by("criterion__order", "pk"),
            )
        )
        .order_by("assignment__assigned_at", "pk")
    )
    listed = []
    for scoring in scorings:
        assignment = scoring.assignment
        listed.append(
            {
                "target": f"bloc {assignment.portfolio.bloc.number}"
                if assignment.portfolio_id
                else "memoire",
                "portfolio_version": assignment.portfolio.version
                if assignment.portfolio_id
                else None,
                "evaluator": str(assignment.evaluator),
                "rank": assignment.rank,
                "state": getattr(scoring, "state", ""),
                "total": scoring.total,
                "overall_comment": scoring.overall_comment,
                "submitted_at": scoring.submitted_at,
                "grid_version": grid(scoring.grid_version),
                "scores": [
                    {
                        "criterion": score.criterion_id,
                        "points": score.points,
                        "comment": score.comment,
                        "evidence_sha256": sorted(item.sha256 for item in score.evidence.all()),
                    }
                    for score in scoring.scores.all()
                ],
            }
        )
    return listed
