"""Forms of the exam calendar's screens: a sitting, and a candidate's attendance."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from referentiel.models import Epreuve
from workflow.centre.sittings import SittingFacts
from workflow.evaluation.forms import AccessibleFormMixin
from workflow.models import EpreuveAttendance
from workflow.widgets import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class SittingForm(AccessibleFormMixin, forms.Form):
    """A sitting's date, start, duration and room; a remote one with the certifier's agreement."""

    day = forms.DateField(label=_("Date de l'épreuve"), widget=DateInput)
    start = forms.TimeField(label=_("Heure de début"), widget=TimeInput)
    base_minutes = forms.IntegerField(
        label=_("Durée réglementaire (minutes)"),
        min_value=1,
        max_value=600,
        help_text=_("Sans le tiers-temps : il s'ajoute pour chaque candidat qui y a droit."),
    )
    room = forms.CharField(label=_("Salle"), max_length=200)
    remote = forms.BooleanField(
        label=_("Épreuve à distance (accord du certificateur obligatoire)"), required=False
    )
    remote_agreed_by = forms.CharField(
        label=_("Accord du certificateur : donné par"), max_length=200, required=False
    )
    remote_agreed_on = forms.DateField(
        label=_("Accord du certificateur : date"), widget=DateInput, required=False
    )
    remote_agreement_reference = forms.CharField(
        label=_("Accord du certificateur : référence"), max_length=100, required=False
    )

    def facts(self) -> SittingFacts:
        data = self.cleaned_data
        starts_at = timezone.make_aware(datetime.combine(data["day"], data["start"]))
        return SittingFacts(
            starts_at=starts_at,
            base_minutes=data["base_minutes"],
            room=data["room"],
            remote=data["remote"],
            remote_agreed_by=data["remote_agreed_by"],
            remote_agreed_on=data["remote_agreed_on"],
            remote_agreement_reference=data["remote_agreement_reference"],
        )

    @classmethod
    def initial_of(cls, sitting) -> dict:
        starts = timezone.localtime(sitting.starts_at)
        return {
            "day": starts.date(),
            "start": starts.time(),
            "base_minutes": sitting.base_minutes,
            "room": sitting.room,
            "remote": sitting.remote,
            "remote_agreed_by": sitting.remote_agreed_by,
            "remote_agreed_on": sitting.remote_agreed_on,
            "remote_agreement_reference": sitting.remote_agreement_reference,
        }


class NewSittingForm(SittingForm):
    """A new sitting: which cohort (of the user's establishments) and which épreuve."""

    cohort = forms.ModelChoiceField(
        label=_("Promotion"),
        queryset=Cohort.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Choisissez une promotion d'un établissement dont vous êtes responsable de "
                "l'évaluation."
            )
        },
    )
    epreuve = forms.ModelChoiceField(
        label=_("Épreuve"), queryset=Epreuve.objects.select_related("title").order_by("code")
    )
    field_order = ["cohort", "epreuve"]

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts.order_by("name")


class AttendanceForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Présence"), choices=[("", "—"), *EpreuveAttendance.Status.choices]
    )
    justification_kind = forms.ChoiceField(
        label=_("Justificatif (absence justifiée)"),
        choices=[("", "—"), *EpreuveAttendance.Justification.choices],
        required=False,
    )
    justification_date = forms.DateField(
        label=_("Date du justificatif"), widget=DateInput, required=False
    )
    reason = forms.CharField(
        label=_("Motif de la correction"),
        help_text=_("Seulement pour corriger une présence déjà saisie."),
        max_length=1000,
        required=False,
    )
