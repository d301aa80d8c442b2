"""The marked written papers of the épreuves, scanned and uploaded beside their mark.

The establishment's staff (evaluation duty) or the épreuve's examiner upload a PDF or an image
of the marked paper; it is checked by content, scanned and stored like the candidates' files
(``portfolio.services.uploads``). Only the establishment's staff, the examiner and the jury
members of a session the candidate is in may download it; each upload and download is audited.
Papers stay as long as the session's other exam material (at least one year, RULES.md §6).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Role
from audit.trail import audit_record
from portfolio.services.common import PortfolioError
from portfolio.services.uploads import (
    scanned_file_store,
    stored_file_fields,
    stored_objects_delete,
)
from workflow.errors import WorkflowError
from workflow.evaluation.epreuve_marks import is_examiner, may_manage
from workflow.models import EpreuveMark, EpreuvePaper, JuryMember

PAPER_FOLDER = "papers"
PAPER_KINDS = ("pdf", "jpeg", "png")


def paper_may_upload(user, mark: EpreuveMark) -> bool:
    return is_examiner(user, mark) or may_manage(user, mark.enrolment)


def paper_may_download(user, paper: EpreuvePaper) -> bool:
    """Return True for the establishment's staff, the examiner and the candidate's jury."""
    mark = paper.mark
    if staff_may(user, mark, Duty.READ) or is_examiner(user, mark):
        return True
    return (
        user.is_authenticated
        and user.has_role(Role.JURY)
        and JuryMember.objects.filter(
            user=user, session__candidates__enrolment_id=mark.enrolment_id
        ).exists()
    )


def epreuve_paper_upload(*, actor, mark: EpreuveMark, uploaded_file) -> EpreuvePaper:
    """Check, scan and store the marked paper ``uploaded_file`` with ``mark``; return it."""
    if not paper_may_upload(actor, mark):
        raise WorkflowError(_("Seuls le centre et le correcteur déposent les copies."))
    try:
        prepared, name = scanned_file_store(
            uploaded_file,
            folder=PAPER_FOLDER,
            kinds=PAPER_KINDS,
            refusal=_("Déposez la copie numérisée en PDF, JPEG ou PNG."),
        )
    except PortfolioError as error:
        raise WorkflowError(error.message, field_errors={"paper": [error.message]}) from error
    try:
        with transaction.atomic():
            paper = EpreuvePaper.objects.create(
                mark=mark, uploaded_by=actor, **stored_file_fields(prepared, name)
            )
            audit_record(
                actor=actor,
                action="epreuve_paper.upload",
                obj=paper,
                candidate=mark.enrolment.candidate,
                after={
                    "epreuve": mark.epreuve.code,
                    "original_name": paper.original_name,
                    "sha256": paper.sha256,
                },
            )
    except IntegrityError as error:
        stored_objects_delete([name])
        raise WorkflowError(
            _("Cette copie est déjà déposée pour cette épreuve."),
            field_errors={"paper": [_("Cette copie est déjà déposée pour cette épreuve.")]},
        ) from error
    except BaseException:
        stored_objects_delete([name])
        raise
    return paper


def epreuve_paper_download_record(*, actor, paper: EpreuvePaper) -> None:
    audit_record(
        actor=actor,
        action="epreuve_paper.download",
        obj=paper,
        candidate=paper.mark.enrolment.candidate,
        after={"sha256": paper.sha256},
    )
