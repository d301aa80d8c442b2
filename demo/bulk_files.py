"""The files of the bulk dataset (``demo.bulk``): portfolios with their evidence, mémoires.

Every evidence item and mémoire points at one of a few small PDFs really stored (distinct
within a portfolio, as the unique hash requires), with its real size and SHA-256, its checks
passed and its scan clean; every submission has its manifest, built as the services build it.
Each portfolio is ready for the jury (decided once closed) with its agreed mark and the
submitted scoring of one of the 50 evaluators that gave it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Enrolment
from demo.bulk_network import BATCH, Network, bulk, criterion_points, grid_scores
from demo.common import demo_pdf as _demo_pdf
from portfolio.filetypes import CHECKS_VERSION
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio, ScanStatus
from portfolio.services import (
    MANIFEST_FORMAT,
    MEMOIRE_DECLARATION,
    PORTFOLIO_DECLARATION,
    manifest_digest,
)
from referentiel.models import Grid
from workflow.models import Assignment, CriterionScore, Scoring

EVIDENCE_PER_BLOC = (3, 3, 2, 2)  # 10 items per portfolio-route candidate
STORED_FILES = 10  # distinct small PDFs shared by every evidence item


def _stored_pdfs(count: int, prefix: str) -> list[tuple[str, int, str]]:
    """Store ``count`` distinct small PDFs once; return (storage name, size, sha256) each."""
    files = []
    for number in range(count):
        content = _demo_pdf(f"{prefix} {number}")
        name = f"volume/{prefix}-{number}.pdf"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
        files.append((name, len(content), hashlib.sha256(content).hexdigest()))
    return files


def _manifest(kind: str, obj, enrolment, candidate, files: list[dict], at, extra) -> Manifest:
    content = {
        "format": MANIFEST_FORMAT,
        "type": kind,
        kind: {"id": obj.pk, "attempt": obj.attempt, "version": obj.version, **extra},
        "candidate": {
            "id": candidate.pk,
            "name": candidate.get_full_name(),
            "enrolment": enrolment.pk,
        },
        "files": files,
        "declaration": str(PORTFOLIO_DECLARATION if kind == "portfolio" else MEMOIRE_DECLARATION),
        "submitted_at": at.isoformat(),
    }
    return Manifest(content=content, digest=manifest_digest(content))


def _file_entry(name, size, sha256, original, **extra) -> dict:
    return {
        "name": original,
        "storage_name": name,
        "size": size,
        "type": "application/pdf",
        "kind": "pdf",
        "sha256": sha256,
        **extra,
    }


def evaluations_build(
    net: Network, field: str, targets: list, *, evaluators, totals, days_ago: int, comment: str
) -> tuple[list, list]:
    """Write one completed assignment per portfolio or mémoire (``field``) and its submitted
    scoring on the target's grid version; return (assignments, scorings)."""
    assignments = bulk(
        Assignment,
        [
            Assignment(
                **{field: target},
                evaluator=evaluator,
                state=Assignment.State.COMPLETED,
                assigned_by=net.staff_of(target.enrolment),
                assigned_at=net.now - timedelta(days=days_ago),
                accepted_at=net.now - timedelta(days=days_ago - 1),
                due_date=net.today - timedelta(days=days_ago - 21),
                declaration_text="Aucun conflit d'intérêts.",
            )
            for target, evaluator in zip(targets, evaluators, strict=True)
        ],
    )
    scorings = bulk(
        Scoring,
        [
            Scoring(
                assignment=assignment,
                grid_version=target.grid_version
                if field == "portfolio"
                else net.grids[(Grid.Kind.MEMOIRE, None)],
                state=Scoring.State.SUBMITTED,
                total=total,
                submitted_at=net.now - timedelta(days=days_ago - 15),
                overall_comment=comment,
            )
            for assignment, target, total in zip(assignments, targets, totals, strict=True)
        ],
    )
    return assignments, scorings


def portfolios_build(net: Network, *, closed: bool) -> tuple[list, list, list, list]:
    """Write the portfolio-route candidates' portfolios; return (portfolios, evidence items,
    assignments, criterion scores still to write)."""
    # --- Portfolios, their evidence, manifests, assignments and scorings --------------------
    stored = _stored_pdfs(STORED_FILES, "preuve")
    portfolio_route = [
        (i, e) for i, e in enumerate(net.enrolments) if e.route == Enrolment.Route.PORTEFEUILLE
    ]
    portfolios = bulk(
        Portfolio,
        [
            Portfolio(
                enrolment=enrolment,
                bloc=bloc,
                state=Portfolio.State.DECIDED if closed else Portfolio.State.READY_FOR_JURY,
                declaration_text=str(PORTFOLIO_DECLARATION),
                submitted_at=net.now - timedelta(days=60),
                grid_version=net.grids[(Grid.Kind.PORTFOLIO, bloc.pk)],
                agreed_mark=sum(
                    criterion_points(
                        net.criteria[(Grid.Kind.PORTFOLIO, bloc.pk)],
                        net.ratios(i)[0][b],
                    ),
                    Decimal(0),
                ),
            )
            for i, enrolment in portfolio_route
            for b, bloc in enumerate(net.blocs)
        ],
    )
    items, links, manifests = [], [], []
    for n, portfolio in enumerate(portfolios):
        i, enrolment = portfolio_route[n // len(net.blocs)]
        b = n % len(net.blocs)
        bloc = net.blocs[b]
        competencies = list(bloc.competencies.all())
        entries = []
        for k in range(EVIDENCE_PER_BLOC[b % len(EVIDENCE_PER_BLOC)]):
            name, size, sha256 = stored[(n + k) % STORED_FILES]
            competency = competencies[k % len(competencies)]
            original = f"preuve-{competency.code}-{k + 1}.pdf"
            items.append(
                EvidenceItem(
                    portfolio=portfolio,
                    title=f"Production professionnelle pour {competency.code}",
                    file=name,
                    original_name=original,
                    kind="pdf",
                    content_type="application/pdf",
                    size=size,
                    sha256=sha256,
                    scan_status=ScanStatus.CLEAN,
                    checks_version=CHECKS_VERSION,
                    work_date=net.training_end - timedelta(days=30),
                )
            )
            links.append(competency)
            entries.append(
                _file_entry(
                    name,
                    size,
                    sha256,
                    original,
                    title=items[-1].title,
                    competencies=[competency.code],
                )
            )
        version = portfolio.grid_version
        manifests.append(
            _manifest(
                "portfolio",
                portfolio,
                enrolment,
                enrolment.candidate,
                entries,
                portfolio.submitted_at,
                {"bloc": bloc.number},
            )
        )
        manifests[-1].content["grid_version"] = {
            "id": version.pk,
            "grid": version.grid.name,
            "number": version.number,
        }
        manifests[-1].digest = manifest_digest(manifests[-1].content)
    items = bulk(EvidenceItem, items)
    through = EvidenceItem.competencies.through
    bulk(
        through,
        [
            through(evidenceitem_id=item.pk, competency_id=competency.pk)
            for item, competency in zip(items, links, strict=True)
        ],
    )
    manifests = bulk(Manifest, manifests)
    for portfolio, manifest in zip(portfolios, manifests, strict=True):
        portfolio.manifest = manifest
    Portfolio.objects.bulk_update(portfolios, ["manifest"], batch_size=BATCH)
    owners = [portfolio_route[n // len(net.blocs)][0] for n in range(len(portfolios))]
    blocs = [n % len(net.blocs) for n in range(len(portfolios))]
    assignments, scorings = evaluations_build(
        net,
        "portfolio",
        portfolios,
        evaluators=[net.evaluator_for(i, b) for i, b in zip(owners, blocs, strict=True)],
        totals=[portfolio.agreed_mark for portfolio in portfolios],
        days_ago=50,
        comment="Preuves pertinentes et bien reliées aux compétences.",
    )
    scores = grid_scores(
        CriterionScore,
        "scoring",
        scorings,
        [net.criteria[(Grid.Kind.PORTFOLIO, p.bloc_id)] for p in portfolios],
        [net.ratios(i)[0][b] for i, b in zip(owners, blocs, strict=True)],
    )
    return portfolios, items, assignments, scores


def memoires_build(net: Network, written_totals) -> list[Memoire]:
    """Write every candidate's mémoire, stored, with its manifest and its written mark (the
    total of its evaluator's scoring, ``written_totals`` in the candidates' order)."""
    (memoire_file,) = _stored_pdfs(1, "memoire")
    memoires = bulk(
        Memoire,
        [
            Memoire(
                enrolment=enrolment,
                subject="Dématérialiser le suivi des notes de frais",
                state=Memoire.State.SOUTENANCE_MARKED,
                agreed_mark=written,
                declaration_text=str(MEMOIRE_DECLARATION),
                submitted_at=net.now - timedelta(days=40),
                file=memoire_file[0],
                original_name="memoire.pdf",
                kind="pdf",
                content_type="application/pdf",
                size=memoire_file[1],
                sha256=memoire_file[2],
                scan_status=ScanStatus.CLEAN,
                checks_version=CHECKS_VERSION,
            )
            for enrolment, written in zip(net.enrolments, written_totals, strict=True)
        ],
    )
    memoire_manifests = bulk(
        Manifest,
        [
            _manifest(
                "memoire",
                memoire,
                enrolment,
                enrolment.candidate,
                [_file_entry(*memoire_file, "memoire.pdf", title=memoire.subject)],
                memoire.submitted_at,
                {},
            )
            for memoire, enrolment in zip(memoires, net.enrolments, strict=True)
        ],
    )
    for memoire, manifest in zip(memoires, memoire_manifests, strict=True):
        memoire.manifest = manifest
    return memoires
