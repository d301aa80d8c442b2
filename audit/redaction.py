"""The one way personal data leaves old audit rows: ``audit_redact``, itself audited.

A redacted row keeps who (actor, candidate), when, what action on which object (type and id),
and its chain columns; it loses its personal fields: ``object_repr`` and ``reason`` become the
marker ``chain.REDACTED``, ``before`` and ``after`` become null, and its salt is cleared, so
the kept ``personal_digest`` can no longer be matched against guesses. ``manage.py
verify_audit`` still verifies the chain through the kept digest, and accepts a redacted row
only if a later ``audit_redacted`` row names it.

On PostgreSQL this is the only UPDATE the trigger lets through (audit/migrations/0004): the
transaction-local setting ``preuves.audit_redaction`` is switched on for these rows only, and
the trigger checks that nothing but the personal fields changes.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.db.models import Q

from audit import chain, clock
from audit.models import AuditEvent
from audit.trail import audit_record

CHUNK = 500


def audit_redact(*, events, actor, reason: str) -> int:
    """Redact the not-yet-redacted rows of ``events`` (an AuditEvent queryset); return how many.

    Appends one ``audit_redacted`` row naming them (id ranges) with ``reason``, in the same
    transaction. Redaction rows themselves are never redacted: they vouch for the others.
    """
    if not reason.strip():
        raise ValueError("A redaction needs a reason.")
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using):
        ids = sorted(
            events.filter(redacted_at__isnull=True)
            .exclude(action=chain.REDACTION_ACTION)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        connection = connections[using]
        now = clock.now()
        _allow_redaction(connection, True)
        for start in range(0, len(ids), CHUNK):
            AuditEvent.objects.filter(pk__in=ids[start : start + CHUNK])._redact(at=now)
        _allow_redaction(connection, False)
        audit_record(
            actor=actor,
            action=chain.REDACTION_ACTION,
            after={"events": chain.id_ranges(ids), "count": len(ids)},
            reason=reason,
        )
    return len(ids)


def audit_redact_objects(*, objects, actor, reason: str) -> int:
    """Redact the rows about any of ``objects`` (model instances); return how many."""
    about = Q(pk__in=[])
    by_type: dict[int, list[str]] = {}
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        by_type.setdefault(content_type.pk, []).append(str(obj.pk))
    for type_id, object_ids in by_type.items():
        about |= Q(object_type_id=type_id, object_id__in=object_ids)
    if not by_type:
        return 0
    return audit_redact(events=AuditEvent.objects.filter(about), actor=actor, reason=reason)


def _allow_redaction(connection, allowed: bool) -> None:
    # SET LOCAL ends with the transaction (or the savepoint rolled back) at the latest.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('preuves.audit_redaction', %s, true)",
                ["on" if allowed else "off"],
            )
