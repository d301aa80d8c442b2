"""Who may see which document. Views and downloads ask this module, never their own rules."""

from accounts.access import is_centre_staff
from documents.models import IssuedDocument
from workflow.models import JurySession


def staff_may_use(user) -> bool:
    """Return True for the centre's staff: imports, exports, archives, every document."""
    return is_centre_staff(user)


def may_download(user, *, kind: str, session=None, enrolment=None) -> bool:
    """Return whether ``user`` may download a document of this kind about this candidate.

    The staff may download any. A candidate may download their own convocation, and their own
    relevé, certificats and attestation once the session's results are published. Nobody else
    may: the views answer 404, so that a document's existence is not disclosed.
    """
    if not user.is_authenticated:
        return False
    if staff_may_use(user):
        return True
    if enrolment is None or enrolment.candidate_id != user.pk:
        return False
    if kind == IssuedDocument.Kind.CONVOCATION:
        return True
    if kind in IssuedDocument.RESULT_KINDS:
        return session is not None and session.state == JurySession.State.PUBLISHED
    return False


def document_may_download(user, document: IssuedDocument) -> bool:
    """Return whether ``user`` may download an issued document (see ``may_download``)."""
    return may_download(
        user, kind=document.kind, session=document.session, enrolment=document.enrolment
    )
