"""Who may see which document. Views and downloads ask these functions, never their own rules."""

from documents.models import IssuedDocument
from workflow.access import is_centre_staff
from workflow.models import JurySession


def staff_may_use(user) -> bool:
    """Return True for the centre's staff: imports, exports, archives, every document."""
    return is_centre_staff(user)


def document_may_download(user, document: IssuedDocument) -> bool:
    """Return whether ``user`` may download an issued document.

    The staff may download any. A candidate may download their own convocation, and their own
    transcript, certificates and attestation once the session's results are published.
    Nobody else may: the view answers 404, so the reference's existence is not disclosed.
    """
    if not user.is_authenticated:
        return False
    if staff_may_use(user):
        return True
    if document.enrolment_id is None or document.enrolment.candidate_id != user.pk:
        return False
    if document.kind == IssuedDocument.Kind.CONVOCATION:
        return True
    if document.kind in IssuedDocument.RESULT_KINDS:
        return (
            document.session_id is not None
            and document.session.state == JurySession.State.PUBLISHED
        )
    return False
