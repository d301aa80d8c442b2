"""Scan again the files that are held or were never scanned, once a scanner answers.

A file the scanner could not check on upload is held "en attente d'analyse" (it blocks the
submission); a file uploaded while no scanner was configured is "non analysé". With a scanner
configured, ``rescan_held_files`` reads each of them from the storage and records the verdict:
clean releases it, infected marks it (it can then be neither submitted nor downloaded). Each
change is audited. When the scanner stops answering midway, the run stops and the remaining
files stay as they were, for the next run. Run by ``python manage.py rescan_held_files`` (cron)
or through the tasks API (``portfolio.tasks.rescan_held_files_task``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from audit.trail import audit_record
from portfolio import scanning
from portfolio.models import EvidenceItem, Memoire, ScanStatus
from portfolio.services.uploads import _scan_status, stored_file_holders, virus_scanner

logger = logging.getLogger(__name__)


@dataclass
class RescanReport:
    """What one run did; ``scanner_down`` says it stopped because the scanner did not answer."""

    scanner_configured: bool = True
    checked: int = 0
    clean: int = 0
    infected: list[str] = field(default_factory=list)
    still_held: int = 0
    unreadable: int = 0
    scanner_down: bool = False


def _candidates(statuses):
    # The candidates' files, then the files of higher packages registered with the uploads
    # (the épreuves' marked papers, the national subjects).
    for model in (EvidenceItem, Memoire, *stored_file_holders()):
        pks = (
            model.objects.filter(scan_status__in=statuses)
            .exclude(file="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in pks:
            yield model, pk


def _scanner_answers(scanner) -> bool:
    ping = getattr(scanner, "ping", None)
    return bool(ping and ping())


def rescan_held_files(*, scanner: scanning.Scanner | None = None) -> RescanReport:
    """Scan every held or never-scanned file again and record each verdict; return the report."""
    scanner = scanner or virus_scanner()
    if isinstance(scanner, scanning.NoScanner):
        return RescanReport(scanner_configured=False)
    report = RescanReport()
    statuses = [ScanStatus.PENDING, ScanStatus.NOT_SCANNED]
    for model, pk in _candidates(statuses):
        stored = model.objects.filter(pk=pk, scan_status__in=statuses).first()
        if stored is None:  # changed since the list was read
            continue
        if report.scanner_down:
            report.still_held += 1
            continue
        try:
            with stored.file.open("rb") as handle:
                result = scanner.scan(handle)
        except Exception:
            logger.exception("Rescan: could not read %s %s from the storage", model.__name__, pk)
            report.unreadable += 1
            continue
        report.checked += 1
        if result.status == scanning.ERROR:
            logger.warning("Rescan: %s %s still not scanned: %s", model.__name__, pk, result.detail)
            report.still_held += 1
            report.scanner_down = not _scanner_answers(scanner)
            continue
        _record(model, stored, _scan_status(result), result, report)
    return report


def _record(model, stored, status: str, result: scanning.ScanResult, report: RescanReport):
    with transaction.atomic():
        locked = model.objects.select_for_update().filter(pk=stored.pk).first()
        if locked is None or locked.file.name != stored.file.name:
            return  # removed or replaced meanwhile: its new file was scanned on upload
        before = locked.scan_status
        if before == status:
            return
        locked.scan_status = status
        locked.save(update_fields=["scan_status"])
        if isinstance(locked, EvidenceItem):
            action, candidate = "evidence.rescan", locked.portfolio.enrolment.candidate
        elif isinstance(locked, Memoire):
            action, candidate = "memoire.rescan", locked.enrolment.candidate
        else:
            # A registered holder names the candidate its file concerns, if any.
            action, candidate = "stored_file.rescan", getattr(locked, "audit_candidate", None)
        audit_record(
            actor=None,
            action=action,
            obj=locked,
            candidate=candidate,
            before={"scan_status": before},
            after={"scan_status": status, "sha256": locked.sha256, "signature": result.detail},
        )
    if status == ScanStatus.INFECTED:
        logger.warning("Rescan: %s %s is infected (%s)", model.__name__, stored.pk, result.detail)
        report.infected.append(f"{model.__name__} {stored.pk}")
    elif status == ScanStatus.CLEAN:
        report.clean += 1
