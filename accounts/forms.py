import ipaddress

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import services


def client_ip(request) -> str | None:
    """Return the client's address as the last of ``PREUVES_TRUSTED_PROXIES`` proxies saw it.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the entry that many places from the right (counting REMOTE_ADDR as the last) is the client;
    entries further left are whatever the client chose to send and are ignored.
    """
    hops = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    hops.append(request.META.get("REMOTE_ADDR") or "")
    trusted = max(settings.PREUVES_TRUSTED_PROXIES, 0)
    address = hops[max(len(hops) - 1 - trusted, 0)]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez la saisie (majuscules comprises) "
            "ou utilisez « Mot de passe oublié »."
        ),
        "inactive": _("Ce compte est désactivé. Contactez le centre de certification."),
        "throttled": _(
            "Trop de tentatives de connexion échouées. Patientez quinze minutes avant de "
            "réessayer, ou réinitialisez votre mot de passe."
        ),
    }

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        if not email:
            return super().clean()
        ip_address = client_ip(self.request) if self.request else None
        attempt = services.login_attempt_reserve(email=email, ip_address=ip_address)
        if attempt is None:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        # The attempt already counts as a failure; a right password forgets the account's.
        cleaned = super().clean()
        services.login_attempt_succeeded(attempt=attempt)
        return cleaned


class InvitationPasswordForm(SetPasswordForm):
    """Choose a password from an invitation link."""
