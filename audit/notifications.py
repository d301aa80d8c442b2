"""E-mail notifications: recorded in the transaction of the event, sent after commit, once.

``notify`` creates a ``Notification`` keyed by the event; a second call with the same key does
nothing, so a retried request or a double click never mails twice. The e-mail itself goes out
through Django's tasks API (django-tasks) only once the transaction has committed.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django_tasks import task

from audit import clock
from audit.models import Notification


def notify(*, key: str, recipient, template: str, context: dict | None = None) -> bool:
    """Queue the e-mail ``template`` to ``recipient`` for the event ``key``; return True if new.

    ``context`` must be JSON-serialisable: it is stored with the notification.
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


def notify_many(messages: list[dict]) -> int:
    """Queue many e-mails at once (each a dict of ``notify``'s arguments); return how many were
    new. One query finds the keys already recorded and one insert records the others; a key
    recorded meanwhile by someone else falls back to ``notify`` one by one."""
    wanted = [m for m in messages if m["recipient"].email]
    recorded = set(
        Notification.objects.filter(key__in=[m["key"] for m in wanted]).values_list(
            "key", flat=True
        )
    )
    fresh = [m for m in wanted if m["key"] not in recorded]
    if not fresh:
        return 0
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
        return sum(notify(**m) for m in fresh)
    ids = [notification.pk for notification in created]
    transaction.on_commit(lambda: [notification_send.enqueue(pk) for pk in ids])
    return len(ids)


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
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
        )
        notification.sent_at = clock.now()
        notification.save(update_fields=["sent_at"])
