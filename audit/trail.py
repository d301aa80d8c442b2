"""Write and read the audit trail. Call ``audit_record`` inside the transaction of the change."""

from django.contrib.contenttypes.models import ContentType

from audit import clock
from audit.models import AuditEvent


def audit_event(
    *,
    actor,
    action: str,
    obj=None,
    candidate=None,
    before=None,
    after=None,
    reason: str = "",
    object_type=None,
) -> AuditEvent:
    """Return one unsaved line of the audit trail (``object_type``: the ContentType of ``obj``,
    when the caller already has it)."""
    if obj is not None and object_type is None:
        object_type = ContentType.objects.get_for_model(obj)
    return AuditEvent(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        candidate=candidate,
        before=before,
        after=after,
        reason=reason,
    )


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
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        candidate=candidate,
        before=before,
        after=after,
        reason=reason,
    )
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many lines (from ``audit_event``) in one insert, chained in this order; call it
    inside the transaction of the change, like ``audit_record``."""
    if not events:
        return []
    return AuditEvent.objects.all()._append_chained(events)


def audit_for_candidate(candidate):
    """Return the candidate's whole history, oldest first."""
    return (
        AuditEvent.objects.filter(candidate=candidate)
        .select_related("actor", "object_type")
        .order_by("at", "pk")
    )
