"""E-mail notifications: recorded in the transaction of the event, sent after commit, once.

``notify`` creates a ``Notification`` keyed by the event; a second call with the same key does
nothing, so a retried request or a double click never mails twice. The e-mail itself goes out
through Django's tasks API (django-tasks) only once the transaction has committed.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django_tasks import task

from audit import clock
from audit.models import Notification


def notify(*, key: str, recipient, template: str, context: dict | None = None) -> bool:
    """Queue the e-mail ``template`` to ``recipient`` for the event ``key``; return True if new.

    ``context`` must be JSON-serialisable: it is stored with the notification. Its optional
    ``attachments`` (a list of ``{"filename", "content", "mimetype"}``, text only) are attached
    to the e-mail.
    """
    if not recipient.email:
        return False
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={"recipient": recipient, "template": template, "context": context or {}},
    )
    if created:
        transaction.on_commit(lambda: notification_send.enqueue(notification.pk))
    return created


def notify_many(messages: list[dict]) -> list[str]:
    """Queue many e-mails at once (each a dict of ``notify``'s arguments); return the keys of
    those that were new. One query finds the keys already recorded and one insert records the
    others; a key recorded meanwhile by someone else falls back to ``notify`` one by one."""
    wanted = [m for m in messages if m["recipient"].email]
    recorded = set(
        Notification.objects.filter(key__in=[m["key"] for m in wanted]).values_list(
            "key", flat=True
        )
    )
    fresh = [m for m in wanted if m["key"] not in recorded]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(
                [
                    Notification(
                        key=m["key"],
                        recipient=m["recipient"],
                        template=m["template"],
                        context=m.get("context") or {},
                    )
                    for m in fresh
                ]
            )
    except IntegrityError:
        return [m["key"] for m in fresh if notify(**m)]
    ids = [notification.pk for notification in created]
    transaction.on_commit(lambda: [notification_send.enqueue(pk) for pk in ids])
    return [m["key"] for m in fresh]


@task()
def notification_send(notification_id: int) -> None:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return
        context = {**notification.context, "recipient": notification.recipient}
        context.setdefault("site_url", getattr(settings, "PREUVES_SITE_URL", ""))
        subject = render_to_string(f"audit/email/{notification.template}_subject.txt", context)
        body = render_to_string(f"audit/email/{notification.template}.txt", context)
        message = EmailMessage(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        for attachment in notification.context.get("attachments", []):
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
        message.send()
        notification.sent_at = clock.now()
        notification.save(update_fields=["sent_at"])


# --- The notification centre: the same notifications, listed in the application -------------


def notifications_unread_count(user) -> int:
    """Return how many of ``user``'s notifications are unread (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, recipient, notification_id: int | None = None) -> int:
    """Mark one of ``recipient``'s notifications read (all of them without an id); return how
    many changed. Someone else's notification is never touched: it counts as none."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=clock.now())


def notification_text(notification: Notification) -> str:
    """Return the one line that names a notification: its e-mail's subject."""
    context = {**notification.context, "recipient": notification.recipient}
    subject = render_to_string(f"audit/email/{notification.template}_subject.txt", context)
    return " ".join(subject.split())
