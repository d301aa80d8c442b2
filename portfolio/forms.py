"""Forms of the candidate's screens. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portfolio.services import MEMOIRE_DECLARATION, PORTFOLIO_DECLARATION
from referentiel.models import Competency

ACCEPT = (
    ".pdf,.docx,.xlsx,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg,.mp3,.m4a,.mp4,"
    "application/pdf,image/png,image/jpeg,audio/mpeg,audio/mp4,video/mp4"
)


class AccessibleForm(forms.Form):
    """A form whose fields point at their error messages (``aria-describedby``)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            bound = self[field]
            described = [f"{bound.auto_id}_error"]
            if self.fields[field].help_text:
                described.append(f"{bound.auto_id}_helptext")
            self.fields[field].widget.attrs["aria-describedby"] = " ".join(described)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and returns them as a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            files = [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        else:
            files = [super().clean(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class CompetencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.short_text}"


class EvidenceFieldsMixin(AccessibleForm):
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        required=False,
        help_text=_(
            "Par exemple « Procédure d'achat des fournitures ». Laissé vide, le nom du fichier "
            "sert de titre."
        ),
    )
    description = forms.CharField(
        label=_("Description courte"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le contexte : ce que vous avez fait, pour qui, avec quel résultat."),
    )
    work_date = forms.DateField(
        label=_("Date de réalisation"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    competencies = CompetencyChoiceField(
        label=_("Compétences démontrées"),
        queryset=Competency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins une compétence que cette preuve démontre.")},
    )

    def __init__(self, *args, bloc, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = Competency.objects.filter(bloc=bloc).order_by(
            "order", "code"
        )


class EvidenceUploadForm(EvidenceFieldsMixin):
    files = MultipleFileField(
        label=_("Fichiers"),
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG (50 Mo au plus), MP3, M4A, "
            "MP4 (500 Mo au plus). Plusieurs fichiers à la fois : chacun reçoit son propre titre "
            "(le nom du fichier, modifiable) et les mêmes compétences."
        ),
    )
    field_order = ["files", "title", "description", "work_date", "competencies"]


class EvidenceUpdateForm(EvidenceFieldsMixin):
    pass


class SubmitForm(AccessibleForm):
    declaration = forms.BooleanField(
        label=PORTFOLIO_DECLARATION,
        error_messages={
            "required": _("Cochez la déclaration sur l'honneur pour déposer votre portefeuille.")
        },
    )


class MemoireUploadForm(AccessibleForm):
    subject = forms.CharField(
        label=_("Problématique"),
        max_length=300,
        help_text=_("Le problème rencontré en entreprise que votre mémoire traite."),
    )
    file = forms.FileField(
        label=_("Fichier du mémoire"),
        help_text=_("PDF ou Word (.docx), 50 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,application/pdf"}),
    )


class MemoireSubmitForm(AccessibleForm):
    declaration = forms.BooleanField(
        label=MEMOIRE_DECLARATION,
        error_messages={
            "required": _("Cochez la déclaration sur l'honneur pour déposer votre mémoire.")
        },
    )


class ExtensionForm(AccessibleForm):
    until = forms.DateField(
        label=_("Nouvelle date limite"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=_("Motif"), max_length=300)
