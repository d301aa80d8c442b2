"""Portfolios and mémoires from start to submission: coverage, window, extension, manifests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import Duty, staff_may
from accounts.models import Enrolment, Role, User
from audit import clock
from audit.clock import today
from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio
from portfolio.services.common import (
    PortfolioError,
    _require_candidate,
    _require_editable_memoire,
    _require_editable_portfolio,
    _require_memoire_deadline,
)
from portfolio.windows import Eligibility, fr_date, window_bounds
from portfolio.windows import portfolio_window as window_rule
from portfolio.windows import retake_portfolio_window as retake_window_rule
from referentiel.models import Competency, Grid

MANIFEST_FORMAT = 1

# The declarations on honour, recorded word for word (in the language the candidate read them
# in) in each submission's manifest.
PORTFOLIO_DECLARATION = gettext_lazy(
    "Je déclare sur l'honneur que les preuves de ce portefeuille sont issues de mon activité "
    "professionnelle, que j'en suis l'auteur ou que j'y ai pris la part que je décris, qu'elles "
    "n'ont pas été modifiées pour l'évaluation, et que leur diffusion à l'évaluateur et au jury "
    "est autorisée par mon entreprise. Je sais qu'une fraude établie entraîne l'invalidation de "
    "la session."
)
MEMOIRE_DECLARATION = gettext_lazy(
    "Je déclare sur l'honneur être l'auteur de ce mémoire, que les emprunts à d'autres auteurs "
    "y sont cités comme tels, et que les informations sur mon entreprise qu'il contient peuvent "
    "être communiquées à l'évaluateur et au jury. Je sais qu'une fraude établie entraîne "
    "l'invalidation de la session."
)


# --------------------------------------------------------------------------- portfolios


def portfolio_start(*, enrolment: Enrolment, actor=None) -> list[Portfolio]:
    """Create the draft portfolio of each bloc enrolled for (portfolio route: every bloc of the
    title unless the enrolment lists some) and the draft mémoire.

    Idempotent: what exists already is left alone. Return the enrolment's active portfolios.
    """
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.route == Enrolment.Route.PORTEFEUILLE:
            existing = set(enrolment.portfolios.values_list("bloc_id", flat=True))
            blocs = enrolment.blocs.all() if enrolment.blocs.exists() else None
            for bloc in (blocs or enrolment.cohort.title.blocs).order_by("number"):
                if bloc.pk in existing:
                    continue
                portfolio = Portfolio.objects.create(enrolment=enrolment, bloc=bloc)
                audit_record(
                    actor=actor,
                    action="portfolio.start",
                    obj=portfolio,
                    candidate=enrolment.candidate,
                )
        if not enrolment.memoires.exists():
            memoire = Memoire.objects.create(enrolment=enrolment, subject="")
            audit_record(
                actor=actor, action="memoire.start", obj=memoire, candidate=enrolment.candidate
            )
    return list(
        Portfolio.objects.filter(enrolment=enrolment, is_active=True)
        .select_related("bloc")
        .order_by("bloc__number", "attempt")
    )


@dataclass(frozen=True)
class CoverageLine:
    competency: Competency
    items: list[EvidenceItem]

    @property
    def covered(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Coverage:
    lines: list[CoverageLine]

    @property
    def missing(self) -> list[Competency]:
        return [line.competency for line in self.lines if not line.covered]

    @property
    def covered_count(self) -> int:
        return sum(1 for line in self.lines if line.covered)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def complete(self) -> bool:
        return bool(self.lines) and not self.missing


def portfolios_coverage(portfolios) -> dict[int, Coverage]:
    """Return, by portfolio id, each competency of its bloc with the items that prove it (two
    queries for any number of portfolios)."""
    portfolios = list(portfolios)
    proofs = (
        EvidenceItem.competencies.through.objects.filter(
            evidenceitem__portfolio__in=[p.pk for p in portfolios]
        )
        .select_related("evidenceitem")
        .order_by("evidenceitem__uploaded_at", "evidenceitem__pk")
    )
    by_competency: dict[tuple[int, int], list[EvidenceItem]] = {}
    for proof in proofs:
        item = proof.evidenceitem
        by_competency.setdefault((item.portfolio_id, proof.competency_id), []).append(item)
    by_bloc: dict[int, list[Competency]] = {}
    blocs = {p.bloc_id for p in portfolios}
    for competency in Competency.objects.filter(bloc_id__in=blocs).order_by("order", "code"):
        by_bloc.setdefault(competency.bloc_id, []).append(competency)
    return {
        p.pk: Coverage(
            [
                CoverageLine(c, by_competency.get((p.pk, c.pk), []))
                for c in by_bloc.get(p.bloc_id, [])
            ]
        )
        for p in portfolios
    }


def portfolio_coverage(portfolio: Portfolio) -> Coverage:
    """Return, for each competency of the bloc, the items that prove it."""
    return portfolios_coverage([portfolio])[portfolio.pk]


def portfolio_window(portfolio: Portfolio, *, on: date | None = None) -> Eligibility:
    """Return whether the portfolio may be presented today (or ``on``), and why in French.

    A retake attempt has its own window, up to its evaluation date.
    """
    if portfolio.retake_evaluation_date is not None:
        return retake_window_rule(
            registered_on=portfolio.retake_registered_on,
            evaluation_date=portfolio.retake_evaluation_date,
            on=on or today(),
            extended_until=portfolio.window_extended_until,
        )
    return window_rule(
        training_end=portfolio.enrolment.effective_training_end,
        on=on or today(),
        extended_until=portfolio.window_extended_until,
    )


def portfolio_window_bounds(portfolio: Portfolio) -> tuple[date, date]:
    """Return the first and last day the portfolio may be presented (extension included)."""
    return window_bounds(
        training_end=portfolio.enrolment.effective_training_end,
        extended_until=portfolio.window_extended_until,
        retake_registered_on=portfolio.retake_registered_on,
        retake_evaluation_date=portfolio.retake_evaluation_date,
    )


def portfolio_deadline(portfolio: Portfolio) -> date:
    """Return the last day the portfolio may be presented (extension included)."""
    return portfolio_window_bounds(portfolio)[1]


def portfolio_extension_grant(
    *, portfolio: Portfolio, actor, until: date, reason: str
) -> Portfolio:
    """Extend the presentation window to ``until``; only the centre's staff, with a reason."""
    if not staff_may(actor, portfolio, Duty.EVALUATION):
        raise PortfolioError(
            _("Seule l'équipe du centre peut prolonger le délai de dépôt."), code="forbidden"
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise PortfolioError(
            _("Indiquez le motif de la prolongation."), code="no_reason", field="reason"
        )
    with transaction.atomic():
        locked = (
            Portfolio.objects.select_for_update()
            .select_related("enrolment__cohort")
            .get(pk=portfolio.pk)
        )
        if locked.state != Portfolio.State.DRAFT or not locked.is_active:
            raise PortfolioError(
                _(
                    "Ce portefeuille n'est plus un brouillon : son délai ne peut plus être "
                    "prolongé."
                ),
                code="frozen",
            )
        current = portfolio_deadline(locked)
        if until <= current:
            raise PortfolioError(
                _("La nouvelle date doit être postérieure à l'échéance actuelle (%(date)s).")
                % {"date": fr_date(current)},
                code="not_later",
                field="until",
            )
        before = {
            "window_extended_until": str(locked.window_extended_until or ""),
            "extension_reason": locked.extension_reason,
        }
        locked.window_extended_until = until
        locked.extension_reason = reason[:300]
        locked.save(update_fields=["window_extended_until", "extension_reason"])
        audit_record(
            actor=actor,
            action="portfolio.extension_grant",
            obj=locked,
            candidate=locked.enrolment.candidate,
            before=before,
            after={"window_extended_until": until.isoformat(), "extension_reason": reason},
            reason=reason,
        )
    return locked


# --------------------------------------------------------------------------- manifests


def canonical_json(content) -> bytes:
    """Return the one byte form a manifest's digest is computed over."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def manifest_digest(content) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _file_entry(stored, **extra) -> dict:
    return {
        "name": stored.original_name,
        "storage_name": stored.file.name,
        "size": stored.size,
        "type": stored.content_type,
        "kind": stored.kind,
        "sha256": stored.sha256,
        **extra,
    }


def _manifest_create(content: dict) -> Manifest:
    return Manifest.objects.create(content=content, digest=manifest_digest(content))


def _staff_to_notify(enrolment: Enrolment):
    """Return the responsables d'évaluation of the candidate's establishment."""
    return User.objects.responsables_of(
        enrolment.cohort.establishment_id, roles=[Role.RESPONSABLE_EVALUATION]
    )


def _pending_files(items) -> list:
    return [item for item in items if not item.is_submittable]


def portfolio_submit(*, portfolio: Portfolio, actor, declaration_accepted: bool) -> Portfolio:
    """Freeze the candidate's complete portfolio with a manifest; notify the centre."""
    _require_candidate(actor, portfolio.enrolment)
    with transaction.atomic():
        locked = (
            Portfolio.objects.select_for_update()
            .select_related("enrolment__cohort", "enrolment__candidate", "bloc__title")
            .get(pk=portfolio.pk)
        )
        if locked.state != Portfolio.State.DRAFT:
            when = timezone.localtime(locked.submitted_at) if locked.submitted_at else None
            if when:
                message = _(
                    "Ce portefeuille a déjà été déposé le %(date)s à %(time)s : rien n'a été "
                    "modifié."
                ) % {"date": f"{when:%d/%m/%Y}", "time": f"{when:%H:%M}"}
            else:
                message = _("Ce portefeuille a déjà été déposé : rien n'a été modifié.")
            raise PortfolioError(message, code="already_submitted")
        _require_editable_portfolio(locked)
        if not declaration_accepted:
            raise PortfolioError(
                _("Cochez la déclaration sur l'honneur pour déposer votre portefeuille."),
                code="no_declaration",
                field="declaration",
            )
        window = portfolio_window(locked)
        if not window:
            raise PortfolioError(window.reason, code="window_closed")
        coverage = portfolio_coverage(locked)
        if not coverage.complete:
            codes = ", ".join(c.code for c in coverage.missing) or "—"
            raise PortfolioError(
                _(
                    "Chaque compétence du bloc doit être prouvée par au moins une preuve avant le "
                    "dépôt. Compétences sans preuve : %(codes)s."
                )
                % {"codes": codes},
                code="incomplete",
            )
        items = list(locked.items.prefetch_related("competencies").order_by("uploaded_at", "pk"))
        pending = _pending_files(items)
        if pending:
            names = ", ".join(item.title for item in pending)
            raise PortfolioError(
                _(
                    "Des fichiers sont en attente d'analyse antivirus et ne peuvent pas encore "
                    "être déposés : %(names)s. Réessayez plus tard ou retirez-les."
                )
                % {"names": names},
                code="scan_pending",
            )
        grid = Grid.objects.filter(
            title=locked.bloc.title, kind=Grid.Kind.PORTFOLIO, bloc=locked.bloc
        ).first()
        grid_version = grid.current_version() if grid else None
        submitted_at = clock.now()
        # The text the candidate read and accepted, in the language of this request.
        declaration = str(PORTFOLIO_DECLARATION)
        content = {
            "format": MANIFEST_FORMAT,
            "type": "portfolio",
            "portfolio": {
                "id": locked.pk,
                "bloc": locked.bloc.number,
                "attempt": locked.attempt,
                "version": locked.version,
            },
            "candidate": {
                "id": locked.enrolment.candidate_id,
                "name": locked.enrolment.candidate.get_full_name(),
                "enrolment": locked.enrolment_id,
            },
            "files": [
                _file_entry(
                    item,
                    title=item.title,
                    competencies=sorted(c.code for c in item.competencies.all()),
                )
                for item in items
            ],
            "declaration": declaration,
            "submitted_at": submitted_at.isoformat(),
            "grid_version": (
                {
                    "id": grid_version.pk,
                    "grid": grid_version.grid.name,
                    "number": grid_version.number,
                }
                if grid_version
                else None
            ),
        }
        manifest = _manifest_create(content)
        locked.submit()
        locked.submitted_at = submitted_at
        locked.declaration_text = declaration
        locked.manifest = manifest
        locked.grid_version = grid_version
        locked.save()
        audit_record(
            actor=actor,
            action="portfolio.submit",
            obj=locked,
            candidate=locked.enrolment.candidate,
            before={"state": Portfolio.State.DRAFT},
            after={"state": locked.state, "manifest": manifest.digest},
        )
        for person in _staff_to_notify(locked.enrolment):
            notify(
                key=f"portfolio-submitted:{locked.pk}:{person.pk}",
                recipient=person,
                template="portfolio_submitted",
                context={
                    "candidate": locked.enrolment.candidate.get_full_name(),
                    "bloc": locked.bloc.number,
                    "version": locked.version,
                    "manifest": manifest.digest,
                },
            )
    return locked


def portfolio_new_version(*, portfolio: Portfolio, actor) -> Portfolio:
    """Reopen a portfolio returned for changes as a new draft version holding the same items.

    The staff's return calls it in its own transaction; the candidate may call it too (a
    version returned before this was automatic, or reopened by hand).
    """
    if not staff_may(actor, portfolio, Duty.EVALUATION):
        _require_candidate(actor, portfolio.enrolment)
    with transaction.atomic():
        old = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        if old.state != Portfolio.State.RETURNED or not old.is_active:
            raise PortfolioError(
                _("Seul un portefeuille renvoyé pour compléments peut être rouvert."),
                code="not_returned",
            )
        old.is_active = False
        old.save(update_fields=["is_active"])
        new = Portfolio.objects.create(
            enrolment_id=old.enrolment_id,
            bloc_id=old.bloc_id,
            attempt=old.attempt,
            version=old.version + 1,
            previous=old,
            is_active=True,
            window_extended_until=old.window_extended_until,
            retake_registered_on=old.retake_registered_on,
            retake_evaluation_date=old.retake_evaluation_date,
            extension_reason=old.extension_reason,
        )
        for item in old.items.prefetch_related("competencies").order_by("uploaded_at", "pk"):
            codes = list(item.competencies.all())
            copy = EvidenceItem.objects.create(
                portfolio=new,
                file=item.file.name,
                original_name=item.original_name,
                kind=item.kind,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                scan_status=item.scan_status,
                checks_version=item.checks_version,
                title=item.title,
                description=item.description,
                work_date=item.work_date,
                thumbnail=item.thumbnail.name,
                thumbnail_type=item.thumbnail_type,
            )
            copy.competencies.set(codes)
        audit_record(
            actor=actor,
            action="portfolio.new_version",
            obj=new,
            candidate=old.enrolment.candidate,
            before={"portfolio": old.pk, "version": old.version},
            after={"portfolio": new.pk, "version": new.version},
            reason=old.return_reason,
        )
    return new


# --------------------------------------------------------------------------- mémoire


def memoire_submit(*, memoire: Memoire, actor, declaration_accepted: bool) -> Memoire:
    """Freeze the mémoire with a manifest before the cohort's deadline; notify the centre."""
    _require_candidate(actor, memoire.enrolment)
    with transaction.atomic():
        locked = (
            Memoire.objects.select_for_update()
            .select_related("enrolment__cohort", "enrolment__candidate")
            .get(pk=memoire.pk)
        )
        if locked.state != Memoire.State.DRAFT:
            raise PortfolioError(
                _("Ce mémoire a déjà été déposé : rien n'a été modifié."), code="already_submitted"
            )
        _require_editable_memoire(locked)
        if not declaration_accepted:
            raise PortfolioError(
                _("Cochez la déclaration sur l'honneur pour déposer votre mémoire."),
                code="no_declaration",
                field="declaration",
            )
        _require_memoire_deadline(locked)
        if not locked.file:
            raise PortfolioError(
                _("Envoyez d'abord le fichier de votre mémoire."), code="no_file", field="file"
            )
        if not locked.is_submittable:
            raise PortfolioError(
                _(
                    "Votre mémoire est en attente d'analyse antivirus : il ne peut pas encore être "
                    "déposé. Réessayez plus tard."
                ),
                code="scan_pending",
            )
        submitted_at = clock.now()
        declaration = str(MEMOIRE_DECLARATION)
        content = {
            "format": MANIFEST_FORMAT,
            "type": "memoire",
            "memoire": {"id": locked.pk, "attempt": locked.attempt, "version": locked.version},
            "candidate": {
                "id": locked.enrolment.candidate_id,
                "name": locked.enrolment.candidate.get_full_name(),
                "enrolment": locked.enrolment_id,
            },
            "subject": locked.subject,
            "files": [_file_entry(locked, title=locked.subject)],
            "declaration": declaration,
            "submitted_at": submitted_at.isoformat(),
        }
        manifest = _manifest_create(content)
        locked.submit()
        locked.submitted_at = submitted_at
        locked.declaration_text = declaration
        locked.manifest = manifest
        locked.save()
        audit_record(
            actor=actor,
            action="memoire.submit",
            obj=locked,
            candidate=locked.enrolment.candidate,
            before={"state": Memoire.State.DRAFT},
            after={"state": locked.state, "manifest": manifest.digest},
        )
        for person in _staff_to_notify(locked.enrolment):
            notify(
                key=f"memoire-submitted:{locked.pk}:{person.pk}",
                recipient=person,
                template="memoire_submitted",
                context={
                    "candidate": locked.enrolment.candidate.get_full_name(),
                    "subject": locked.subject,
                    "manifest": manifest.digest,
                },
            )
    return locked
