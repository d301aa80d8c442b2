"""Sign-in policy: throttling of failed logins and invitations."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Invitation, LoginFailure, User
from audit import clock


def now():
    """Return the current time from the project's one clock, ``audit.clock.now``."""
    return clock.now()


def login_is_throttled(*, email: str, ip_address: str | None) -> bool:
    since = now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)
    who = Q(email=email.strip().lower())
    if ip_address:
        who |= Q(ip_address=ip_address)
    return LoginFailure.objects.filter(who, at__gte=since).count() >= (
        settings.LOGIN_THROTTLE_FAILURES
    )


def login_failure_record(*, email: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(email=email.strip().lower()[:254], ip_address=ip_address, at=now())
    # Keep the table small: old failures no longer count.
    LoginFailure.objects.filter(at__lt=now() - timedelta(days=1)).delete()


def login_failures_clear(*, email: str) -> None:
    LoginFailure.objects.filter(email=email.strip().lower()).delete()


def invitation_issue(*, user: User, created_by: User | None = None) -> str:
    """Return a fresh single-use token for ``user``; earlier unused invitations stop working."""
    with transaction.atomic():
        Invitation.objects.filter(user=user, used_at__isnull=True).update(expires_at=now())
        _, token = Invitation.issue(user=user, created_by=created_by)
    return token


def invitation_send(*, user: User, created_by: User | None = None, base_url: str) -> None:
    """Issue a fresh invitation and e-mail its link to ``user`` once the transaction commits.

    The clear token lives only in the e-mail: the database keeps its SHA-256.
    """
    token = invitation_issue(user=user, created_by=created_by)
    link = base_url.rstrip("/") + reverse("accounts:invitation", args=[token])
    context = {"user": user, "link": link, "days": settings.INVITATION_VALID_DAYS}
    subject = " ".join(render_to_string("accounts/email/invitation_subject.txt", context).split())
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.used_at is not None or locked.expires_at <= now():
        raise ValueError("invitation no longer usable")
    locked.used_at = now()
    locked.save(update_fields=["used_at"])
    user = locked.user
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
