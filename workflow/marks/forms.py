"""Forms of the tutor's and trainer's screens and of the marks the staff enter (French labels)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import tabular
from accounts.fields import FrenchDecimalField, FrenchDecimalInput, format_decimal
from accounts.models import Enrolment
from rules import cc
from workflow.models import (
    AbsenceRecord,
    CCMark,
)
from workflow.widgets import AutosavedFieldsMixin, DateInput, error_links


class GridForm(AutosavedFieldsMixin, forms.Form):
    """One number field per grid criterion (« 11,5 »), bounded by its maximum."""

    def __init__(self, *args, criteria, initial_points=None, require_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = FrenchDecimalField(
                label=criterion.label,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                required=require_all,
                help_text=_("sur %(max)s") % {"max": format_decimal(criterion.max_points)},
                initial=(initial_points or {}).get(criterion.pk),
                widget=FrenchDecimalInput(
                    attrs={"data-points": "", "data-max": format_decimal(criterion.max_points)}
                ),
                error_messages={"required": _("Notez ce critère.")},
            )

    def full_clean(self):
        super().full_clean()
        # Tie each error to its input (the help text is tied by Django itself).
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                self.fields[name].widget.attrs["aria-describedby"] = (
                    f"{bound.auto_id}_error {bound.auto_id}_helptext"
                )

    def points(self) -> dict:
        """Return {criterion id: mark or None} of the criteria posted and valid: a field in
        error, or not posted at all, is left out and keeps its saved mark."""
        posted = self.data if self.is_bound else {}
        return {
            c.pk: self.cleaned_data[f"c{c.pk}"]
            for c in self.criteria
            if f"c{c.pk}" in self.cleaned_data and self.add_prefix(f"c{c.pk}") in posted
        }

    def error_links(self):
        return error_links(self)


class TutorGridForm(GridForm):
    comment = forms.CharField(
        label=_("Appréciation générale"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CCMarkForm(forms.Form):
    enrolment = forms.ModelChoiceField(label=_("Candidat"), queryset=Enrolment.objects.none())
    label = forms.CharField(label=_("Évaluation"), max_length=60, initial="1")
    mark = FrenchDecimalField(label=_("Note"), min_value=0, decimal_places=2, required=False)
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
        label=_("Fichier CSV ou Excel (.xlsx)"),
        help_text=_(
            "Colonnes : email;note;sur;absence;evaluation (absence : vide, AI ou AJ ; evaluation : "
            "le nom de l'évaluation, 1 par défaut). CSV en UTF-8 ou Windows-1252, séparé par des "
            "points-virgules ou des virgules."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo : découpez-le."))
        return upload


class CCImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class CCColumnForm(forms.Form):
    """A new evaluation column of the CC grid (shown until its first mark is saved)."""

    evaluation = forms.CharField(label=_("Nom de l'évaluation"), max_length=60)
    sur = forms.TypedChoiceField(
        label=_("Sur"),
        choices=[(scale, str(scale)) for scale in cc.CC_SCALES],
        coerce=int,
        initial=cc.CC_SCALES[1],
    )


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = AbsenceRecord
        fields = ["date", "hours", "justified", "justification", "note"]
        widgets = {"date": DateInput}


class ExamMarkForm(forms.Form):
    """A bloc not presented by the candidate (épreuves route).

    The bloc's épreuves mark itself is the sum of its épreuves' marks, entered per épreuve on
    the examiners' grids (``workflow.evaluation.epreuve_marks``): the staff no longer type it.
    """

    bloc = forms.TypedChoiceField(label=_("Bloc"), coerce=int, choices=())
    absent = forms.BooleanField(
        label=_("Le candidat n'a pas présenté ce bloc (absence à une épreuve)"),
        error_messages={"required": _("Cochez la case pour enregistrer la non-présentation.")},
    )

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


class EpreuveGridForm(TutorGridForm):
    """The examiner's grid of an épreuve: one mark per criterion and the overall comment."""
