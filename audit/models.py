"""The audit trail and the notifications: rows every package writes, in its own transaction."""

import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils.translation import gettext_lazy as _

from audit import chain

APPEND_ONLY = "AuditEvent rows are append-only."


class AuditEventQuerySet(models.QuerySet):
    """Refuse the bulk writes that would rewrite, remove or skip the chain of the trail.

    On PostgreSQL a trigger refuses them too (audit/migrations/0004); this catches them first,
    with a clear error, on every database.
    """

    def update(self, **kwargs):
        raise ValueError(APPEND_ONLY)

    def delete(self):
        raise ValueError(APPEND_ONLY)

    def bulk_create(self, *args, **kwargs):
        raise ValueError("AuditEvent rows are chained one by one: use audit_record.")

    def bulk_update(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)

    def update_or_create(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)

    def _append_chained(self, events: list) -> list:
        """Insert ``events`` (unsaved) in this order, each chained to the one before, holding the
        append lock once: the one bulk insert of the trail; only ``audit_record_many`` calls it.
        """
        using = self.db
        with transaction.atomic(using=using):
            previous = None
            for event in events:
                if previous is None:
                    event._chain(using)
                else:
                    event._prepare_columns()
                    chain.seal(event, previous.hash)
                previous = event
            return super().bulk_create(events, batch_size=500)

    def _redact(self, *, at) -> int:
        """The one UPDATE of the trail; only ``audit.redaction.audit_redact`` calls it."""
        return super().update(
            object_repr=chain.REDACTED,
            reason=chain.REDACTED,
            before=None,
            after=None,
            content_salt="",
            redacted_at=at,
        )


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which object, and why.

    Each row is chained to the one before it by ``hash`` (see audit/chain.py); ``redacted_at``
    is set only by ``audit.redaction.audit_redact``, the one change a row may undergo.
    """

    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=300, blank=True)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidat concerné"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    # The chain (audit/chain.py): filled on insert, never by hand.
    content_salt = models.CharField(max_length=32, blank=True, default="", editable=False)
    personal_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(_("empreinte"), max_length=64, blank=True, default="", editable=False)
    redacted_at = models.DateTimeField(_("effacé le"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="workflow_au_object__2ff67a_idx")
        ]
        # The table was created by the workflow app, where these records began.
        db_table = "workflow_auditevent"

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # The trail is append-only: an existing line is never rewritten.
        if self.pk is not None:
            raise ValueError(APPEND_ONLY)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # The lock lasts until the caller's transaction ends: the next row chains to this one.
        with transaction.atomic(using=using):
            self._chain(using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)

    def _prepare_columns(self) -> None:
        # What the database will give back: JSON as it reads it, strings as strings.
        self.object_id = "" if self.object_id is None else str(self.object_id)
        self.before = None if self.before is None else json.loads(json.dumps(self.before))
        self.after = None if self.after is None else json.loads(json.dumps(self.after))

    def _chain(self, using: str) -> None:
        """Fill the chain columns from the current head, holding the append lock."""
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [chain.APPEND_LOCK_KEY])
        self._prepare_columns()
        head = (
            AuditEvent.objects.using(using).order_by("-pk").values_list("hash", flat=True).first()
        )
        chain.seal(self, head or chain.GENESIS)


class Notification(models.Model):
    """An e-mail owed to someone for one event; the unique key makes it go out once only."""

    key = models.CharField(_("clé d'événement"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    template = models.CharField(_("modèle"), max_length=100)
    context = models.JSONField(_("contexte"), default=dict)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    # Shown in the application's notification centre until its recipient marks it read.
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        db_table = "workflow_notification"
        indexes = [
            models.Index(fields=["created_at"], name="notification_created_at_idx"),
            models.Index(fields=["template"], name="notification_template_idx"),
            models.Index(fields=["sent_at"], name="notification_sent_at_idx"),
            # The unread count on every page, and each one's list.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self):
        return f"{self.template} → {self.recipient}"
