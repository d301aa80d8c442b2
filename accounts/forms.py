from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts import services


def client_ip(request) -> str | None:
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
        ip_address = client_ip(self.request) if self.request else None
        if email and services.login_is_throttled(email=email, ip_address=ip_address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                services.login_failure_record(email=email, ip_address=ip_address)
            raise
        services.login_failures_clear(email=email)
        return cleaned


class InvitationPasswordForm(SetPasswordForm):
    """Choose a password from an invitation link."""
