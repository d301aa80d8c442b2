"""Forms of the tutor's and trainer's screens and of the marks the staff enter (French labels)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Enrolment
from rules import cc
from workflow.models import (
    AbsenceRecord,
    CCMark,
)
from workflow.widgets import DateInput


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
        self.fields["enrolment"].queryset = (
            Enrolment.objects.filter(cohort=cohort)
            .select_related("candidate", "cohort")
            .order_by("candidate__last_name", "candidate__first_name", "pk")
        )


class CCImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Colonnes : email;note;sur;absence (absence : vide, AI ou AJ)."),
    )


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = AbsenceRecord
        fields = ["date", "hours", "justified", "justification", "note"]
        widgets = {"date": DateInput}


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
