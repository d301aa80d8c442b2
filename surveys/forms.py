"""The surveys' forms: they parse input; ``surveys.services`` checks it against the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import FollowUp, SurveyWave


class ContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_(
            "Les enquêtes vous sont envoyées à cette adresse, qui est aussi votre identifiant "
            "de connexion : choisissez une adresse personnelle que vous garderez."
        ),
        max_length=254,
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Indiquez une adresse e-mail complète, par exemple nom@exemple.fr."),
        },
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        help_text=_("Facultatif."),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.ChoiceField(
        label=_("Enquêtes d'insertion à 6, 12 et 24 mois"),
        choices=[
            (FollowUp.Consent.GIVEN, _("J'accepte de recevoir les enquêtes")),
            (FollowUp.Consent.REFUSED, _("Je refuse les enquêtes")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez si vous acceptez les enquêtes.")},
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Votre situation actuelle"),
        choices=SurveyWave.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez votre situation actuelle.")},
    )
    job_title = forms.CharField(
        label=_("Intitulé de votre poste"),
        help_text=_("Si vous êtes en emploi."),
        max_length=200,
        required=False,
    )
    employer = forms.CharField(
        label=_("Employeur"),
        help_text=_("Si vous êtes en emploi."),
        max_length=200,
        required=False,
    )
    job_link = forms.ChoiceField(
        label=_("Lien entre votre emploi et le titre"),
        choices=SurveyWave.JobLink.choices,
        widget=forms.RadioSelect,
        required=False,
    )
