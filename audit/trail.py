"""Write and read the audit trail. Call ``audit_record`` inside the transaction of the change."""

from django.contrib.contenttypes.models import ContentType

from audit import clock
from audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    candidate=None,
    before=None,
    after=None,
    reason: str = "",
) -> AuditEvent:
    """Append one line to the audit trail and return it."""
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        candidate=candidate,
        before=before,
        after=after,
        reason=reason,
    )


def audit_for_candidate(candidate):
    """Return the candidate's whole history, oldest first."""
    return (
        AuditEvent.objects.filter(candidate=candidate)
        .select_related("actor", "object_type")
        .order_by("at", "pk")
    )
