"""Confidential national subjects and correction grids (règlement §5 « Confidentialité »).

CCI France « centralise les sujets d'évaluation des blocs » (§11): its national administrators
upload each épreuve's subject and correction grid for a sitting, and replace them by a new
version. The subjects stay confidential: before the épreuve nobody in the establishments sees
them. **Ruling** (the source sets no hour): an establishment's responsable du processus
d'évaluation — who organises the épreuves — reads the current versions from 0 h (Paris time) on
the day of the épreuve, so as to print them that morning, and keeps them afterwards to correct.
Nobody else does: the other staff, the certifier's auditors, evaluators, trainers, tutors and
candidates are refused. Every upload, replacement, download and refusal is audited.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_establishments
from accounts.models import Role
from audit import clock
from audit.trail import audit_record
from portfolio.services.common import PortfolioError
from portfolio.services.uploads import (
    memoire_limits,
    scanned_file_store,
    stored_file_fields,
    stored_objects_delete,
)
from workflow.errors import WorkflowError
from workflow.models import ExamSubject

FOLDER = "sujets"


def release_at(subject: ExamSubject) -> datetime:
    """Return the moment the responsables may read ``subject``: 0 h on the épreuve's day."""
    day = timezone.localtime(subject.starts_at).date()
    return timezone.make_aware(datetime.combine(day, time.min))


def may_manage_subjects(user) -> bool:
    """Return True for the certifier's national administrators (they upload the subjects)."""
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMINISTRATEUR))


def may_read_subjects(user) -> bool:
    """Return True for someone who may see released subjects (before any date check)."""
    return may_manage_subjects(user) or bool(staff_establishments(user, Duty.EVALUATION))


def subject_may_read(user, subject: ExamSubject) -> bool:
    """Return True when ``user`` may read ``subject`` now."""
    if may_manage_subjects(user):
        return True
    return may_read_subjects(user) and subject.is_current and clock.now() >= release_at(subject)


def subjects_released(user):
    """Return the current subjects ``user`` may read now, the latest épreuves first."""
    if not may_read_subjects(user):
        return ExamSubject.objects.none()
    subjects = ExamSubject.objects.filter(is_current=True).select_related("epreuve__bloc")
    if may_manage_subjects(user):
        return subjects
    # Released on the épreuve's day: started before the end of today (Paris time).
    tomorrow = datetime.combine(clock.today(), time.min) + timedelta(days=1)
    return subjects.filter(starts_at__lt=timezone.make_aware(tomorrow))


def subject_upload(*, actor, epreuve, part: str, starts_at: datetime, uploaded_file):
    """Store a new subject, or a new version of the one in force for that épreuve, part and
    sitting; return it."""
    if not may_manage_subjects(actor):
        raise WorkflowError(_("Seul le certificateur dépose les sujets nationaux."))
    if part not in ExamSubject.Part.values:
        raise WorkflowError(_("Choisissez le sujet ou la grille de correction."))
    try:
        prepared, name = scanned_file_store(uploaded_file, folder=FOLDER, limits=memoire_limits())
    except PortfolioError as error:
        raise WorkflowError(error.message, field_errors={"file": [error.message]}) from error
    try:
        with transaction.atomic():
            previous = (
                ExamSubject.objects.select_for_update()
                .filter(epreuve=epreuve, part=part, starts_at=starts_at, is_current=True)
                .first()
            )
            if previous is not None:
                previous.is_current = False
                previous.save(update_fields=["is_current"])
            subject = ExamSubject.objects.create(
                epreuve=epreuve,
                part=part,
                starts_at=starts_at,
                version=previous.version + 1 if previous else 1,
                uploaded_by=actor,
                **stored_file_fields(prepared, name),
            )
            audit_record(
                actor=actor,
                action="subject.replace" if previous else "subject.upload",
                obj=subject,
                before={"version": previous.version, "sha256": previous.sha256}
                if previous
                else None,
                after={
                    "epreuve": epreuve.code,
                    "part": part,
                    "starts_at": starts_at.isoformat(),
                    "version": subject.version,
                    "sha256": subject.sha256,
                },
            )
    except BaseException:
        stored_objects_delete([name])
        raise
    return subject


def subject_download_record(*, actor, subject: ExamSubject) -> None:
    """Write the audit line of a download of ``subject``."""
    audit_record(
        actor=actor,
        action="subject.download",
        obj=subject,
        after={"version": subject.version, "sha256": subject.sha256},
    )


def subject_refusal_record(*, actor, subject: ExamSubject) -> None:
    """Write the audit line of a refused access to ``subject`` (in its own transaction, so the
    refusal that follows never rolls it back)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="subject.refused",
            obj=subject,
            after={"version": subject.version, "release_at": release_at(subject).isoformat()},
        )
