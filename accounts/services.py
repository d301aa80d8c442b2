"""Sign-in policy: throttling of failed logins and invitations."""

import ipaddress
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Invitation, LoginFailure, LoginThrottleLock, User
from audit import clock


def now():
    """Return the current time from the project's one clock, ``audit.clock.now``."""
    return clock.now()


def _since():
    return now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)


def _over_limit(*, email: str, ip_address: str | None) -> bool:
    since = _since()
    failures = LoginFailure.objects.filter(at__gte=since)
    if failures.filter(email=email).count() >= settings.LOGIN_THROTTLE_FAILURES:
        return True
    return bool(ip_address) and (
        failures.filter(ip_address=ip_address).count() >= settings.LOGIN_THROTTLE_ADDRESS_FAILURES
    )


def _normalised(email: str) -> str:
    """Return the account key of an address as sign-in matches it, or wider: compatibility
    forms folded, then upper- then lower-cased, so that « admın » and « jeſſica », which the
    database's case-insensitive match takes for « admin » and « jessica », share their limit."""
    return unicodedata.normalize("NFKC", email.strip()).upper().lower()[:254]


def address_key(ip_address: str | None) -> str | None:
    """Return the address a failure counts against: an IPv6 client by its /64 network (one
    subscriber's share, which it can rotate freely), an IPv4 client by its address."""
    if not ip_address:
        return None
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)


def login_is_throttled(*, email: str, ip_address: str | None) -> bool:
    """Return whether the account or the client address has used up its failures."""
    return _over_limit(email=_normalised(email), ip_address=address_key(ip_address))


def login_attempt_reserve(*, email: str, ip_address: str | None) -> LoginFailure | None:
    """Count one sign-in attempt as a failure before the password is checked, or refuse it.

    Return the recorded attempt, or None when the account (``LOGIN_THROTTLE_FAILURES``) or the
    client address (``LOGIN_THROTTLE_ADDRESS_FAILURES``) has used up its failures within the
    window. The account's and the address's lock rows are taken in that order, so simultaneous
    attempts queue and exactly the allowed number reach the password check.
    """
    email, ip_address = _normalised(email), address_key(ip_address)
    keys = [f"account:{email}"] + ([f"address:{ip_address}"] if ip_address else [])
    with transaction.atomic():
        for key in keys:
            LoginThrottleLock.objects.select_for_update().get_or_create(key=key)
        if _over_limit(email=email, ip_address=ip_address):
            return None
        attempt = LoginFailure.objects.create(email=email, ip_address=ip_address, at=now())
    # Keep the tables small: old failures no longer count.
    LoginFailure.objects.filter(at__lt=now() - timedelta(days=1)).delete()
    LoginThrottleLock.objects.filter(created_at__lt=now() - timedelta(days=1)).delete()
    return attempt


def login_attempt_succeeded(*, attempt: LoginFailure) -> None:
    """Forget the account's failures once its password was right (the address keeps others)."""
    LoginFailure.objects.filter(email=attempt.email).delete()


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
