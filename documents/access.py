"""Who may see which document. Views and downloads ask this module, never their own rules.

The staff see the documents of their own establishments only (``accounts.access``): another
establishment's document answers 404, as a missing one. Issuing a document (convocation,
procès-verbal, result documents, archive) and the DIPLOMATION export are the certification
process's; the import of candidates is either responsable's (``Duty.MANAGE``).
"""

from accounts.access import Duty, is_centre_staff, staff_may
from documents.models import IssuedDocument
from workflow.models import JurySession


def staff_may_use(user) -> bool:
    """Return True for the centre's staff: the documents screens (scoped by establishment)."""
    return is_centre_staff(user)


def staff_may_issue(user, target) -> bool:
    """Return True when ``user`` issues documents for ``target``'s establishment."""
    return staff_may(user, target, Duty.CERTIFICATION)


def may_download(user, *, kind: str, session=None, enrolment=None) -> bool:
    """Return whether ``user`` may download a document of this kind about this candidate.

    The staff may download any of their establishments'. A candidate may download their own
    convocation, and their own relevé, certificats and attestation once the session's results
    are published. Nobody else may: the views answer 404, so that a document's existence is not
    disclosed.
    """
    if not user.is_authenticated:
        return False
    if staff_may_use(user):
        target = session if session is not None else enrolment
        return target is not None and staff_may(user, target, Duty.READ)
    if enrolment is None or enrolment.candidate_id != user.pk:
        return False
    if kind == IssuedDocument.Kind.CONVOCATION:
        return True
    if kind in IssuedDocument.RESULT_KINDS:
        return session is not None and session.state == JurySession.State.PUBLISHED
    return False


def may_issue(user, *, kind: str, session, enrolment=None) -> bool:
    """Return whether ``user`` may have this document issued (by a POST, never a GET).

    The responsable de la certification of the session's establishment issues every document; a
    candidate has their own convocation issued once the jury is composed (the convocations are
    sent then), and their own relevé, certificats and attestation once the results are
    published (the documents they may download).
    """
    if not user.is_authenticated:
        return False
    if staff_may_use(user):
        return staff_may_issue(user, session)
    if kind == IssuedDocument.Kind.CONVOCATION:
        return candidate_convoked(user, session=session, enrolment=enrolment)
    return kind in IssuedDocument.RESULT_KINDS and may_download(
        user, kind=kind, session=session, enrolment=enrolment
    )


def candidate_convoked(user, *, session, enrolment) -> bool:
    """Return whether ``user`` is the candidate of ``enrolment``, convoked to ``session`` (the
    jury is composed; the entry itself is checked by the caller's query)."""
    return (
        enrolment is not None
        and enrolment.candidate_id == user.pk
        and session.state != JurySession.State.PLANNED
    )


def document_may_download(user, document: IssuedDocument) -> bool:
    """Return whether ``user`` may download an issued document (see ``may_download``)."""
    if user.is_authenticated and staff_may_use(user):
        return staff_may(user, document, Duty.READ)
    return may_download(
        user, kind=document.kind, session=document.session, enrolment=document.enrolment
    )
