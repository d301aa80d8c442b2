"""Forms of the tutor, trainer, staff and jury screens (French labels)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Enrolment, Organisation, User
from rules import cc
from workflow.models import (
    AbsenceRecord,
    Accommodation,
    CCMark,
    FraudReport,
    JuryDecision,
    JuryMember,
)


class DateInput(forms.DateInput):
    input_type = "date"


class GridForm(forms.Form):
    """One decimal field per grid criterion, bounded by its maximum."""

    def __init__(self, *args, criteria, initial_points=None, require_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=criterion.label,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                required=require_all,
                help_text=_("sur %(max)s") % {"max": criterion.max_points},
                initial=(initial_points or {}).get(criterion.pk),
                widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
            )

    def points(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"c{c.pk}") for c in self.criteria}


class TutorGridForm(GridForm):
    comment = forms.CharField(
        label=_("Appréciation générale"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SoutenanceForm(GridForm):
    comment = forms.CharField(
        label=_("Appréciation du jury"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CCMarkForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Candidat"), queryset=Enrolment.objects.none())
    label = forms.CharField(label=_("Évaluation"), max_length=60, initial="1")
    mark = forms.DecimalField(label=_("Note"), min_value=0, decimal_places=2, required=False)
    out_of = forms.TypedChoiceField(
        label=_("Sur"),
        choices=[(scale, str(scale)) for scale in cc.CC_SCALES],
        coerce=int,
        initial=cc.CC_SCALES[1],
    )
    absence = forms.ChoiceField(label=_("Absence"), choices=CCMark.Absence.choices, required=False)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = Enrolment.objects.filter(cohort=cohort).select_related(
            "candidate"
        )


class CCImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Colonnes : email;note;sur;absence (absence : vide, AI ou AJ)."),
    )


class SessionForm(forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Établissement"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.ETABLISSEMENT),
    )
    date = forms.DateField(label=_("Date de la session"), widget=DateInput)
    place = forms.CharField(label=_("Lieu"), max_length=200)
    last_exam_date = forms.DateField(label=_("Date de la dernière épreuve"), widget=DateInput)


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Membre"), queryset=User.objects.with_role("jury").order_by("last_name")
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=JuryMember.Role.choices)


class CandidateAddForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Candidat"), queryset=Enrolment.objects.none())

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = (
            Enrolment.objects.filter(cohort__title=session.title)
            .exclude(jury_entries__session=session)
            .select_related("candidate", "cohort")
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
        self.fields["enrolment"].queryset = Enrolment.objects.filter(
            jury_entries__session=session
        ).select_related("candidate")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = AbsenceRecord
        fields = ["date", "hours", "justified", "justification", "note"]
        widgets = {"date": DateInput}


class AccommodationForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        fields = ["kind", "details"]


class FraudForm(forms.ModelForm):
    class Meta:
        model = FraudReport
        fields = ["occurred_on", "facts", "signature"]
        widgets = {"occurred_on": DateInput, "facts": forms.Textarea(attrs={"rows": 3})}


class ExamMarkForm(forms.Form):
    bloc = forms.TypedChoiceField(label=_("Bloc"), coerce=int, choices=())
    points = forms.DecimalField(label=_("Points d'épreuve"), min_value=0, required=False)
    presented = forms.BooleanField(label=_("Présenté"), required=False, initial=True)

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].choices = [
            (
                b.pk,
                _("Bloc %(number)s (/%(points)s)") % {"number": b.number, "points": b.exam_points},
            )
            for b in title.blocs.order_by("number")
        ]


class MemoireWrittenMarkForm(forms.Form):
    points = forms.DecimalField(
        label=_("Note de l'écrit du mémoire"),
        min_value=0,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
    )

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].help_text = _("sur %(max)s") % {"max": title.practice_written_points}


class RetakeForm(forms.Form):
    bloc = forms.TypedChoiceField(label=_("Bloc à repasser"), coerce=int, choices=())
    evaluation_date = forms.DateField(label=_("Date de l'évaluation"), widget=DateInput)

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].choices = [
            (b.pk, _("Bloc %(number)s") % {"number": b.number})
            for b in title.blocs.order_by("number")
        ]


class DecisionForm(forms.Form):
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


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je confirme la clôture : les résultats seront figés."), required=True
    )
