"""Forms of the jury's screens and of the sessions, accommodations, fraud and retakes the staff
record (French labels); the marks' forms are in ``workflow.marks.forms``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Enrolment, Organisation, User
from workflow.evaluation.forms import AccessibleFormMixin
from workflow.marks.forms import GridForm
from workflow.models import (
    Accommodation,
    FraudReport,
    JuryDecision,
    JuryMember,
)
from workflow.web import posted_id
from workflow.widgets import DateInput


class SoutenanceForm(GridForm):
    comment = forms.CharField(
        label=_("Appréciation du jury"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SessionForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Établissement"),
        queryset=Organisation.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Choisissez un établissement dont vous êtes responsable de la certification."
            )
        },
    )
    date = forms.DateField(label=_("Date de la session"), widget=DateInput)
    place = forms.CharField(label=_("Lieu"), max_length=200)
    last_exam_date = forms.DateField(label=_("Date de la dernière épreuve"), widget=DateInput)

    def __init__(self, *args, establishments, **kwargs):
        """``establishments``: those where the user plans sessions (preselected when one)."""
        super().__init__(*args, **kwargs)
        field = self.fields["establishment"]
        field.queryset = establishments.order_by("name")
        only = list(field.queryset[:2])
        if len(only) == 1:
            field.initial = only[0].pk


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Membre"), queryset=User.objects.with_role("jury").order_by("last_name")
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=JuryMember.Role.choices)


class CandidateAddForm(AccessibleFormMixin, forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Candidat"), queryset=Enrolment.objects.none())
    derogation = forms.CharField(
        label=_("Dérogation au délai (motif)"),
        help_text=_(
            "Seulement si la date du jury sort de la période du candidat (portefeuille : 3 à 6 "
            "mois après la fin de sa formation) : pourquoi il est inscrit malgré tout."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = (
            Enrolment.objects.filter(
                cohort__title=session.title, cohort__establishment=session.establishment
            )
            .exclude(jury_entries__session=session)
            .select_related("candidate", "cohort")
            .order_by("candidate__last_name", "candidate__first_name", "pk")
        )


class ScheduleForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Candidat"), queryset=Enrolment.objects.none())
    time = forms.TimeField(
        label=_("Heure de passage"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    base_minutes = forms.IntegerField(
        label=_("Durée réglementaire (minutes)"), min_value=1, initial=45
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = (
            Enrolment.objects.filter(jury_entries__session=session)
            .select_related("candidate", "cohort")
            .order_by("candidate__last_name", "candidate__first_name", "pk")
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class AccommodationForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        fields = ["kind", "details"]


class FraudForm(forms.ModelForm):
    class Meta:
        model = FraudReport
        fields = ["occurred_on", "facts", "signature"]
        widgets = {"occurred_on": DateInput, "facts": forms.Textarea(attrs={"rows": 3})}


class RetakeForm(forms.Form):
    bloc = forms.TypedChoiceField(label=_("Bloc à repasser"), coerce=int, choices=())
    evaluation_date = forms.DateField(label=_("Date de l'évaluation"), widget=DateInput)

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].choices = [
            (b.pk, _("Bloc %(number)s") % {"number": b.number})
            for b in title.blocs.order_by("number")
        ]


class DecisionForm(AccessibleFormMixin, forms.Form):
    """The jury's decision on one candidate; a WorkflowError naming ``motive`` shows beside it."""

    outcome = forms.ChoiceField(label=_("Décision du jury"), choices=JuryDecision.Outcome.choices)
    validated_blocs = forms.MultipleChoiceField(
        label=_("Blocs validés"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    motive = forms.CharField(
        label=_("Motif (obligatoire si le jury s'écarte de la décision calculée)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, bloc_numbers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["validated_blocs"].choices = [
            (n, _("Bloc %(number)s") % {"number": n}) for n in bloc_numbers
        ]


class PublishForm(AccessibleFormMixin, forms.Form):
    """The publication; past the 6 weeks after the last exam it asks why, and needs the answer."""

    late_reason = forms.CharField(
        label=_("Motif de la publication tardive"),
        help_text=_(
            "Les résultats devaient être publiés au plus tard 6 semaines après la dernière "
            "épreuve : indiquez pourquoi ils le sont maintenant."
        ),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif de la publication tardive.")},
    )

    def __init__(self, *args, late: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not late:
            del self.fields["late_reason"]


class AdoptForm(forms.Form):
    """Adopting the computed decisions: the counts by outcome that the confirmation stated."""

    expected = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def encode(counts: dict[str, int]) -> str:
        return ",".join(f"{outcome}:{n}" for outcome, n in sorted(counts.items()))

    def counts(self) -> dict[str, int] | None:
        """Return the stated counts by outcome (None when the POST states none)."""
        text = self.cleaned_data.get("expected", "") if self.is_valid() else ""
        counts = {}
        for part in filter(None, text.split(",")):
            outcome, _sep, n = part.partition(":")
            number = posted_id(n)
            if number is None:
                return None
            counts[outcome] = number
        return counts if text else None


class DeliberationFilterForm(forms.Form):
    """Narrow and sort the deliberation screen's candidates (GET)."""

    q = forms.CharField(label=_("Nom du candidat"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[
            ("all", _("Tous les candidats")),
            ("near", _("Proches d'un seuil")),
            ("referred", _("Cas renvoyés au jury")),
            ("pending", _("Pénalités d'assiduité en attente")),
            ("fraud", _("Fraude établie")),
            ("overridden", _("Décision du jury différente du calcul")),
            ("incomplete", _("Dossiers incomplets")),
            ("undecided", _("Sans décision enregistrée")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("name", _("Nom")),
            ("points", _("Points, croissants")),
            ("-points", _("Points, décroissants")),
        ],
    )

    def values(self) -> dict:
        """Return the valid filters (the defaults for anything invalid)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": data.get("q") or "",
            "show": data.get("show") or "all",
            "sort": data.get("sort") or "name",
        }
