"""Every change to portfolios, evidence and mémoires: one function per business action.

Each function checks who acts, validates, does its work in one transaction with its audit row,
and queues notifications after commit. Errors the user can act on are ``PortfolioError`` with a
French message and, when it belongs to one, the form field it is about.

Files: checked by content (``portfolio.filetypes``), images re-encoded without metadata
(``portfolio.images``), scanned (``portfolio.scanning``), then stored under a random name in the
default storage. A stored object whose row could not be written is deleted at once; the
``cleanup_orphans`` command catches whatever a crash left behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import is_centre_staff
from accounts.models import Enrolment, Role, User
from audit import clock
from audit.clock import today
from audit.notifications import notify
from audit.trail import audit_record
from portfolio import images, scanning
from portfolio.filetypes import CheckedFile, FileRefused, Limits, check_file, format_size_fr
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio, ScanStatus
from portfolio.windows import Eligibility, fr_date, window_bounds
from portfolio.windows import portfolio_window as window_rule
from referentiel.models import Competency, Grid

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
MEMOIRE_KINDS = ("pdf", "docx")

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


class PortfolioError(Exception):
    """A refusal the user can act on: a French message, a stable code, maybe a form field."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def now():
    return clock.now()


# --------------------------------------------------------------------------- configuration


def upload_limits() -> Limits:
    return Limits(
        document_max_bytes=settings.PREUVES_MAX_DOCUMENT_BYTES,
        image_max_bytes=settings.PREUVES_MAX_IMAGE_BYTES,
        media_max_bytes=settings.PREUVES_MAX_MEDIA_BYTES,
        image_max_pixels=settings.PREUVES_IMAGE_MAX_PIXELS,
    )


def memoire_limits() -> Limits:
    limit = settings.PREUVES_MEMOIRE_MAX_BYTES
    return Limits(document_max_bytes=limit, image_max_bytes=limit, media_max_bytes=limit)


def virus_scanner() -> scanning.Scanner:
    return scanning.scanner_from_url(settings.PREUVES_VIRUS_SCANNER)


def _scan_status(result: scanning.ScanResult) -> str:
    return {
        scanning.CLEAN: ScanStatus.CLEAN,
        scanning.NOT_SCANNED: ScanStatus.NOT_SCANNED,
        scanning.INFECTED: ScanStatus.INFECTED,
    }.get(result.status, ScanStatus.PENDING)  # fail closed: anything else waits


# --------------------------------------------------------------------------- checks


def _require_candidate(actor, enrolment: Enrolment) -> None:
    if actor is None or actor.pk != enrolment.candidate_id:
        raise PortfolioError(
            _("Seul le candidat peut modifier ou déposer ce dossier."), code="forbidden"
        )


def _require_editable_portfolio(portfolio: Portfolio) -> None:
    if not portfolio.is_active:
        raise PortfolioError(
            _("Cette version du portefeuille est archivée : travaillez sur la version en cours."),
            code="not_active",
        )
    if portfolio.state != Portfolio.State.DRAFT:
        raise PortfolioError(
            _("Ce portefeuille a été déposé : il ne peut plus être modifié."), code="frozen"
        )


def _require_editable_memoire(memoire: Memoire) -> None:
    if not memoire.is_active or memoire.state != Memoire.State.DRAFT:
        raise PortfolioError(
            _("Ce mémoire a été déposé : il ne peut plus être modifié."), code="frozen"
        )


def _clean_competencies(portfolio: Portfolio, competencies) -> list[Competency]:
    chosen = list(competencies or [])
    if not chosen:
        raise PortfolioError(
            _("Cochez au moins une compétence que cette preuve démontre."),
            code="no_competency",
            field="competencies",
        )
    ids = {getattr(c, "pk", c) for c in chosen}
    found = list(Competency.objects.filter(pk__in=ids, bloc_id=portfolio.bloc_id))
    if len(found) != len(ids):
        raise PortfolioError(
            _("Une des compétences cochées n'appartient pas à ce bloc."),
            code="foreign_competency",
            field="competencies",
        )
    return found


def _clean_title(title: str, fallback: str) -> str:
    title = " ".join((title or "").split())[:200]
    return title or fallback[:200]


# --------------------------------------------------------------------------- storage


@dataclass
class _Prepared:
    """A checked, cleaned and scanned file, ready to be stored."""

    checked: CheckedFile
    source: object
    size: int
    sha256: str
    content_type: str
    scan_status: str
    thumbnail: bytes = b""
    thumbnail_type: str = ""
    stored: list[str] = field(default_factory=list)


def _prepare(uploaded_file, *, limits: Limits, kinds: tuple[str, ...] | None = None) -> _Prepared:
    """Return the file checked by content, an image re-encoded, the whole scanned."""
    source = getattr(uploaded_file, "file", uploaded_file)
    name = getattr(uploaded_file, "name", "") or ""
    try:
        checked = check_file(source, original_name=name, limits=limits)
        if kinds is not None and checked.kind.name not in kinds:
            raise PortfolioError(
                _(
                    "Ce fichier est %(kind)s : le mémoire doit être un PDF ou un document Word "
                    "(.docx). Exportez-le dans l'un de ces formats."
                )
                % {"kind": checked.kind.label_fr},
                code="unsupported_type",
                field="file",
            )
        result = virus_scanner().scan(source)
        source.seek(0)
        if result.is_infected:
            logger.warning("Upload refused, virus found: %s", result.detail)
            raise PortfolioError(
                _(
                    "Ce fichier contient un virus ou un logiciel malveillant et a été refusé. "
                    "Analysez votre ordinateur, puis envoyez une copie saine."
                ),
                code="infected",
                field="file",
            )
        prepared = _Prepared(
            checked=checked,
            source=source,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.mime_type,
            scan_status=_scan_status(result),
        )
        if checked.category == "image":
            clean = images.process_image(source, max_pixels=limits.image_max_pixels)
            # Only the re-encoded image is kept: the original (with its EXIF/GPS) is not stored.
            prepared.source = clean.clean
            prepared.size = clean.size
            prepared.sha256 = clean.sha256
            prepared.content_type = clean.mime_type
            prepared.thumbnail = clean.thumbnail
            prepared.thumbnail_type = clean.thumbnail_mime_type
    except FileRefused as refusal:
        raise PortfolioError(refusal.message_fr, code=refusal.code, field="file") from refusal
    return prepared


def _random_name(folder: str) -> str:
    token = uuid.uuid4().hex
    return f"{folder}/{token[:2]}/{token}"


def _store(prepared: _Prepared, folder: str) -> tuple[str, str]:
    """Store the file (and its thumbnail); return their names. Leave nothing behind on failure."""
    storage = default_storage
    try:
        prepared.source.seek(0)
        name = storage.save(_random_name(folder), File(prepared.source))
        prepared.stored.append(name)
        thumbnail_name = ""
        if prepared.thumbnail:
            thumbnail_name = storage.save(
                _random_name("thumbnails"), ContentFile(prepared.thumbnail)
            )
            prepared.stored.append(thumbnail_name)
    except Exception as error:
        logger.exception("Storage failed during an upload")
        _delete_objects(prepared.stored)
        raise PortfolioError(
            _(
                "Le fichier n'a pas pu être enregistré : le stockage des documents ne répond pas. "
                "Rien n'a été conservé ; réessayez dans quelques minutes."
            ),
            code="storage_unavailable",
            field="file",
        ) from error
    return name, thumbnail_name


def _delete_objects(names) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:
            # cleanup_orphans removes it later; the user's error must not be hidden by this one.
            logger.exception("Could not delete stored object %s", name)


def _delete_unreferenced_after_commit(names) -> None:
    """Delete stored objects once no row points at them any more (versions share files)."""
    names = [name for name in names if name]

    def delete():
        unused = [name for name in names if not stored_name_in_use(name)]
        _delete_objects(unused)

    transaction.on_commit(delete)


def stored_name_in_use(name: str) -> bool:
    return (
        EvidenceItem.objects.filter(file=name).exists()
        or EvidenceItem.objects.filter(thumbnail=name).exists()
        or Memoire.objects.filter(file=name).exists()
    )


# --------------------------------------------------------------------------- portfolios


def portfolio_start(*, enrolment: Enrolment, actor=None) -> list[Portfolio]:
    """Create the draft portfolio of each bloc (portfolio route) and the draft mémoire.

    Idempotent: what exists already is left alone. Return the enrolment's active portfolios.
    """
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.route == Enrolment.Route.PORTEFEUILLE:
            existing = set(enrolment.portfolios.values_list("bloc_id", flat=True))
            for bloc in enrolment.cohort.title.blocs.order_by("number"):
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
        Portfolio.objects.filter(enrolment=enrolment, is_active=True).select_related("bloc")
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


def portfolio_coverage(portfolio: Portfolio) -> Coverage:
    """Return, for each competency of the bloc, the items that prove it."""
    items = list(portfolio.items.prefetch_related("competencies").order_by("uploaded_at", "pk"))
    by_competency: dict[int, list[EvidenceItem]] = {}
    for item in items:
        for competency in item.competencies.all():
            by_competency.setdefault(competency.pk, []).append(item)
    competencies = Competency.objects.filter(bloc_id=portfolio.bloc_id).order_by("order", "code")
    return Coverage([CoverageLine(c, by_competency.get(c.pk, [])) for c in competencies])


def portfolio_window(portfolio: Portfolio, *, on: date | None = None) -> Eligibility:
    """Return whether the portfolio may be presented today (or ``on``), and why in French."""
    return window_rule(
        training_end=portfolio.enrolment.cohort.training_end,
        on=on or today(),
        extended_until=portfolio.window_extended_until,
    )


def portfolio_deadline(portfolio: Portfolio) -> date:
    """Return the last day the portfolio may be presented (extension included)."""
    return window_bounds(
        training_end=portfolio.enrolment.cohort.training_end,
        extended_until=portfolio.window_extended_until,
    )[1]


def portfolio_extension_grant(
    *, portfolio: Portfolio, actor, until: date, reason: str
) -> Portfolio:
    """Extend the presentation window to ``until``; only the centre's staff, with a reason."""
    if not is_centre_staff(actor):
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


# --------------------------------------------------------------------------- evidence


def evidence_upload(
    *,
    portfolio: Portfolio,
    actor,
    uploaded_file,
    title: str = "",
    description: str = "",
    work_date: date | None = None,
    competencies=(),
) -> EvidenceItem:
    """Check, clean, scan and store one file, and add it to the draft portfolio."""
    _require_candidate(actor, portfolio.enrolment)
    _require_editable_portfolio(portfolio)
    chosen = _clean_competencies(portfolio, competencies)
    prepared = _prepare(uploaded_file, limits=upload_limits())
    _check_duplicate_and_quota(portfolio, prepared)
    name, thumbnail_name = _store(prepared, "evidence")
    try:
        with transaction.atomic():
            locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
            _require_editable_portfolio(locked)
            _check_duplicate_and_quota(locked, prepared)
            item = EvidenceItem.objects.create(
                portfolio=locked,
                file=name,
                original_name=prepared.checked.name,
                kind=prepared.checked.kind.name,
                content_type=prepared.content_type,
                size=prepared.size,
                sha256=prepared.sha256,
                scan_status=prepared.scan_status,
                title=_clean_title(title, prepared.checked.name),
                description=(description or "").strip()[:2000],
                work_date=work_date,
                thumbnail=thumbnail_name,
                thumbnail_type=prepared.thumbnail_type,
            )
            item.competencies.set(chosen)
            audit_record(
                actor=actor,
                action="evidence.upload",
                obj=item,
                candidate=portfolio.enrolment.candidate,
                after=_evidence_snapshot(item, chosen),
            )
    except IntegrityError as error:
        _delete_objects(prepared.stored)
        raise _duplicate_error() from error
    except BaseException:
        _delete_objects(prepared.stored)
        raise
    return item


def _duplicate_error() -> PortfolioError:
    return PortfolioError(
        _(
            "Ce fichier est déjà dans le portefeuille (même contenu). Inutile de le déposer deux "
            "fois : cochez plutôt d'autres compétences sur la preuve existante."
        ),
        code="duplicate",
        field="file",
    )


def _check_duplicate_and_quota(portfolio: Portfolio, prepared: _Prepared) -> None:
    items = EvidenceItem.objects.filter(portfolio=portfolio)
    if items.filter(sha256=prepared.sha256).exists():
        raise _duplicate_error()
    used = items.aggregate(total=Sum("size"))["total"] or 0
    quota = settings.PREUVES_PORTFOLIO_QUOTA_BYTES
    if used + prepared.size > quota:
        raise PortfolioError(
            _(
                "Ce fichier (%(size)s) dépasserait l'espace du portefeuille (%(quota)s, dont "
                "%(used)s déjà utilisés). Retirez une preuve devenue inutile ou réduisez ce "
                "fichier."
            )
            % {
                "size": format_size_fr(prepared.size),
                "quota": format_size_fr(quota),
                "used": format_size_fr(used),
            },
            code="quota",
            field="file",
        )


def _evidence_snapshot(item: EvidenceItem, competencies=None) -> dict:
    competencies = competencies if competencies is not None else item.competencies.all()
    return {
        "title": item.title,
        "description": item.description,
        "work_date": item.work_date.isoformat() if item.work_date else None,
        "competencies": sorted(c.code for c in competencies),
        "original_name": item.original_name,
        "size": item.size,
        "sha256": item.sha256,
        "scan_status": item.scan_status,
    }


def evidence_update(
    *,
    item: EvidenceItem,
    actor,
    title: str,
    description: str = "",
    work_date: date | None = None,
    competencies=(),
) -> EvidenceItem:
    """Change an item's title, description, date and competencies while the draft is open."""
    portfolio = item.portfolio
    _require_candidate(actor, portfolio.enrolment)
    chosen = _clean_competencies(portfolio, competencies)
    with transaction.atomic():
        locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        _require_editable_portfolio(locked)
        item = EvidenceItem.objects.get(pk=item.pk, portfolio=locked)
        before = _evidence_snapshot(item)
        item.title = _clean_title(title, item.original_name)
        item.description = (description or "").strip()[:2000]
        item.work_date = work_date
        item.save(update_fields=["title", "description", "work_date"])
        item.competencies.set(chosen)
        audit_record(
            actor=actor,
            action="evidence.update",
            obj=item,
            candidate=portfolio.enrolment.candidate,
            before=before,
            after=_evidence_snapshot(item, chosen),
        )
    return item


def evidence_remove(*, item: EvidenceItem, actor) -> None:
    """Remove an item from the draft portfolio; its file goes once no version points at it."""
    portfolio = item.portfolio
    _require_candidate(actor, portfolio.enrolment)
    with transaction.atomic():
        locked = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
        _require_editable_portfolio(locked)
        item = EvidenceItem.objects.get(pk=item.pk, portfolio=locked)
        audit_record(
            actor=actor,
            action="evidence.remove",
            obj=item,
            candidate=portfolio.enrolment.candidate,
            before=_evidence_snapshot(item),
        )
        names = [item.file.name, item.thumbnail.name]
        item.competencies.clear()
        item.delete()
        _delete_unreferenced_after_commit(names)


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
    staff = User.objects.with_role(Role.RESPONSABLE)
    local = staff.filter(employer_id=enrolment.cohort.establishment_id)
    return local if local.exists() else staff


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
        submitted_at = now()
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
    if not is_centre_staff(actor):
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


def memoire_deadline_open(memoire: Memoire, *, on: date | None = None) -> bool:
    deadline = memoire.enrolment.cohort.memoire_deadline
    return deadline is None or (on or today()) <= deadline


def _require_memoire_deadline(memoire: Memoire) -> None:
    if not memoire_deadline_open(memoire):
        deadline = memoire.enrolment.cohort.memoire_deadline
        raise PortfolioError(
            _(
                "La date limite de dépôt du mémoire (%(date)s) est dépassée. Contactez le centre "
                "de formation."
            )
            % {"date": fr_date(deadline)},
            code="deadline_passed",
        )


def memoire_upload(*, memoire: Memoire, actor, uploaded_file, subject: str = "") -> Memoire:
    """Check, scan and store the mémoire file (PDF or Word), replacing the draft's file."""
    memoire = Memoire.objects.select_related("enrolment__cohort").get(pk=memoire.pk)
    _require_candidate(actor, memoire.enrolment)
    _require_editable_memoire(memoire)
    _require_memoire_deadline(memoire)
    subject = " ".join((subject or memoire.subject or "").split())[:300]
    if not subject:
        raise PortfolioError(
            _("Indiquez la problématique de votre mémoire."), code="no_subject", field="subject"
        )
    prepared = _prepare(uploaded_file, limits=memoire_limits(), kinds=MEMOIRE_KINDS)
    name, _thumbnail = _store(prepared, "memoires")
    try:
        with transaction.atomic():
            locked = Memoire.objects.select_for_update().get(pk=memoire.pk)
            _require_editable_memoire(locked)
            before = {"file": locked.file.name, "sha256": locked.sha256, "subject": locked.subject}
            old_name = locked.file.name
            locked.file = name
            locked.original_name = prepared.checked.name
            locked.kind = prepared.checked.kind.name
            locked.content_type = prepared.content_type
            locked.size = prepared.size
            locked.sha256 = prepared.sha256
            locked.scan_status = prepared.scan_status
            locked.subject = subject
            locked.uploaded_at = now()
            locked.save()
            audit_record(
                actor=actor,
                action="memoire.upload",
                obj=locked,
                candidate=locked.enrolment.candidate,
                before=before,
                after={"file": name, "sha256": prepared.sha256, "subject": subject},
            )
            _delete_unreferenced_after_commit([old_name])
    except BaseException:
        _delete_objects(prepared.stored)
        raise
    return locked


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
        submitted_at = now()
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


# --------------------------------------------------------------------------- downloads


def download_record(*, actor, stored, inline: bool = False) -> None:
    """Write the audit line of one download (who, what, when)."""
    if isinstance(stored, EvidenceItem):
        candidate = stored.portfolio.enrolment.candidate
        action = "evidence.download"
    else:
        candidate = stored.enrolment.candidate
        action = "memoire.download"
    audit_record(
        actor=actor,
        action=action,
        obj=stored,
        candidate=candidate,
        after={"sha256": stored.sha256, "inline": inline},
    )


__all__ = [
    "MEMOIRE_DECLARATION",
    "PORTFOLIO_DECLARATION",
    "Coverage",
    "PortfolioError",
    "evidence_remove",
    "evidence_update",
    "evidence_upload",
    "memoire_submit",
    "memoire_upload",
    "portfolio_coverage",
    "portfolio_extension_grant",
    "portfolio_new_version",
    "portfolio_start",
    "portfolio_submit",
    "portfolio_window",
]
