from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from documents.imports import MAX_BYTES


class CandidateImportForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label=_("Promotion"),
        queryset=Cohort.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Choisissez une promotion de votre établissement : celle-ci n'est pas proposée."
            )
        },
    )
    file = forms.FileField(
        label=_("Fichier des candidats"),
        help_text=_(
            "CSV (séparateur point-virgule ou virgule, UTF-8 ou Windows-1252) ou Excel .xlsx, avec "
            "les colonnes "
            "nom, prénom, e-mail, date de naissance (JJ/MM/AAAA), voie (portefeuille ou "
            "épreuves), entreprise, e-mail du tuteur, et nom et prénom du tuteur s'il est nouveau."
        ),
    )

    def __init__(self, *args, cohorts, **kwargs):
        """``cohorts``: the promotions the user may import into (their establishments')."""
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts.select_related("establishment")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo : découpez-le."))
        return upload


class CandidateImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class DocumentVerifyForm(forms.Form):
    reference = forms.CharField(
        label=_("Référence du document"),
        required=False,
        max_length=30,
        help_text=_("Par exemple PV-2026-000123, en pied de page du document."),
    )
    file = forms.FileField(label=_("Copie du document (PDF ou archive)"), required=False)

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reference") and not cleaned.get("file"):
            raise forms.ValidationError(
                _("Indiquez la référence du document, déposez sa copie, ou les deux.")
            )
        return cleaned
