"""Files into portfolios and mémoires: limits, content checks, scanning, storage, evidence.

Files: checked by content (``portfolio.filetypes``), images re-encoded without metadata
(``portfolio.images``), scanned (``portfolio.scanning``), then stored under a random name in the
default storage. A stored object whose row could not be written is deleted at once; the
``cleanup_orphans`` command catches whatever a crash left behind.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from audit import clock
from audit.trail import audit_record
from portfolio import images, scanning
from portfolio.filetypes import (
    CHECKS_VERSION,
    CheckedFile,
    FileRefused,
    Limits,
    check_file,
    format_size_fr,
)
from portfolio.models import EvidenceItem, Memoire, Portfolio, ScanStatus
from portfolio.services.common import (
    PortfolioError,
    _require_candidate,
    _require_editable_memoire,
    _require_editable_portfolio,
    _require_memoire_deadline,
)
from referentiel.models import Competency

logger = logging.getLogger(__name__)

MEMOIRE_KINDS = ("pdf", "docx")


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
    """Return the title typed, else the file's name without its extension."""
    title = " ".join((title or "").split())[:200]
    return title or file_title(fallback)


def file_title(name: str) -> str:
    """Return the title a file gets by default: its name without the extension."""
    return " ".join(PurePath(name).stem.split())[:200] or name[:200]


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


CANDIDATE_FOLDERS = ("evidence", "thumbnails", "memoires")
# Models of higher packages whose rows hold stored files (the workflow's marked papers), with
# their folder; registered by their app's ready(), so that cleanup never deletes their files.
_file_holders: list[tuple[type, str]] = []


def stored_files_register(model, folder: str) -> None:
    """Let ``model`` (a ``StoredFile``) keep its files under ``folder`` (registered once)."""
    if (model, folder) not in _file_holders:
        _file_holders.append((model, folder))


def stored_file_holders() -> tuple[type, ...]:
    """Return the registered models of higher packages that hold stored files."""
    return tuple(dict.fromkeys(model for model, _folder in _file_holders))


def stored_file_folders() -> tuple[str, ...]:
    """Return every folder of stored files, for the orphans' cleanup."""
    return (*CANDIDATE_FOLDERS, *(folder for _model, folder in _file_holders))


def stored_name_in_use(name: str) -> bool:
    return (
        EvidenceItem.objects.filter(file=name).exists()
        or EvidenceItem.objects.filter(thumbnail=name).exists()
        or Memoire.objects.filter(file=name).exists()
        or any(model.objects.filter(file=name).exists() for model, _folder in _file_holders)
    )


def scanned_file_store(
    uploaded_file,
    *,
    folder: str,
    kinds: tuple[str, ...] | None = None,
    refusal: str = "",
    limits: Limits | None = None,
):
    """Check, scan and store a file under ``folder`` for a higher package's row; return (the
    prepared file, its stored name). ``kinds`` restricts the accepted kinds (``refusal`` is the
    French message for another kind); ``limits`` defaults to the evidence limits. The caller
    creates its row with ``stored_file_fields`` and, if that fails, calls
    ``stored_objects_delete`` with the name."""
    prepared = _prepare(uploaded_file, limits=limits or upload_limits())
    if kinds is not None and prepared.checked.kind.name not in kinds:
        raise PortfolioError(refusal, code="unsupported_type", field="file")
    name, _thumbnail = _store(prepared, folder)
    if _thumbnail:
        _delete_objects([_thumbnail])
    return prepared, name


def stored_file_fields(prepared: _Prepared, name: str) -> dict:
    """Return the ``StoredFile`` fields of a prepared file stored as ``name``."""
    return {
        "file": name,
        "original_name": prepared.checked.name,
        "kind": prepared.checked.kind.name,
        "content_type": prepared.content_type,
        "size": prepared.size,
        "sha256": prepared.sha256,
        "scan_status": prepared.scan_status,
        "checks_version": CHECKS_VERSION,
    }


def stored_objects_delete(names) -> None:
    """Delete stored objects now (a row that was to hold them could not be written)."""
    _delete_objects(names)


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
                **stored_file_fields(prepared, name),
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


# --------------------------------------------------------------------------- mémoire


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
            locked.checks_version = CHECKS_VERSION
            locked.subject = subject
            locked.uploaded_at = clock.now()
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
