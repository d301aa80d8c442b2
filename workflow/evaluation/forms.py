"""Forms of the evaluation screens: they parse input; the services decide."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.fields import FrenchDecimalField, FrenchDecimalInput, format_decimal
from accounts.models import Role, User
from audit.clock import today
from referentiel.models import Epreuve
from workflow.models import ExamSubject, Reconciliation
from workflow.widgets import AutosavedFieldsMixin, DateInput, error_links


class AccessibleFormMixin:
    """Tie each field's error message to its input with ``aria-describedby``."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    def add_workflow_error(self, exc):
        """Show a ``WorkflowError`` at the top of the form and beside each field it names."""
        self.add_error(None, exc.message)
        for name, messages in exc.field_errors.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)


class ReasonForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ReturnForm(ReasonForm):
    reason = forms.CharField(
        label=_("Motif du renvoi"),
        help_text=_("Dites au candidat précisément ce qu'il doit compléter ou corriger."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )


class AcceptForm(AccessibleFormMixin, forms.Form):
    declare = forms.BooleanField(
        label=_("Je fais cette déclaration d'absence de conflit d'intérêts"),
        error_messages={"required": _("Cochez la déclaration pour accepter ce dossier.")},
    )


class DeclineForm(ReasonForm):
    reason = forms.CharField(
        label=_("Motif du refus"),
        help_text=_("Par exemple : je connais ce candidat, ou je ne suis pas disponible."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class AssignForm(AccessibleFormMixin, forms.Form):
    evaluator = forms.ModelChoiceField(
        label=_("Évaluateur"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un évaluateur.")},
    )
    due_date = forms.DateField(
        label=_("À rendre au plus tard le"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez la date de remise.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator"].queryset = User.objects.with_role(Role.EVALUATEUR)
        self.fields["due_date"].initial = today() + timedelta(days=21)


class ReassignForm(AssignForm):
    reason = forms.CharField(
        label=_("Motif de la réaffectation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ReconcileForm(AccessibleFormMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("Note retenue"),
        choices=[
            (Reconciliation.Method.FIRST, _("La note de la première évaluation")),
            (Reconciliation.Method.SECOND, _("La note de la seconde évaluation")),
            (Reconciliation.Method.AGREED, _("Une note arrêtée par le centre")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la note retenue.")},
    )
    justification = forms.CharField(
        label=_("Justification écrite"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )

    def __init__(self, *args, out_of, **kwargs):
        super().__init__(*args, **kwargs)
        # The bound is the grid's points, written the French way: « sur 150 », « au plus 150 ».
        self.fields["agreed_mark"] = FrenchDecimalField(
            label=_("Note arrêtée (en points d'épreuve)"),
            required=False,
            min_value=0,
            max_value=out_of,
            decimal_places=3,
            max_digits=7,
            help_text=_(
                "Sur %(out_of)s ; seulement si vous arrêtez une autre note que celles des "
                "évaluateurs."
            )
            % {"out_of": format_decimal(out_of)},
        )
        self.order_fields(["method", "agreed_mark", "justification"])

    def clean(self):
        data = super().clean()
        if (
            data.get("method") == Reconciliation.Method.AGREED
            and data.get("agreed_mark") is None
            and "agreed_mark" not in self.errors
        ):
            self.add_error("agreed_mark", _("Saisissez la note arrêtée."))
        return data


class ScoringForm(AutosavedFieldsMixin, AccessibleFormMixin, forms.Form):
    """The grid: points, comment and evidence per criterion, then an overall comment."""

    overall_comment = forms.CharField(
        label=_("Appréciation générale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
    )

    def __init__(self, *args, scoring, evidence_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        choices = [(item.pk, item.title) for item in evidence_items]
        rows = scoring.scores.select_related("criterion").prefetch_related("evidence")
        for row in rows.order_by("criterion__order", "pk"):
            criterion = row.criterion
            points = FrenchDecimalField(
                label=_("Points"),
                help_text=_("sur %(max)s") % {"max": format_decimal(criterion.max_points)},
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                max_digits=6,
                initial=row.points,
                widget=FrenchDecimalInput(
                    attrs={
                        "data-points": "",
                        "data-max": format_decimal(criterion.max_points),
                        "size": "6",
                    }
                ),
            )
            comment = forms.CharField(
                label=_("Commentaire"),
                required=False,
                initial=row.comment,
                max_length=4000,
                help_text=_("Obligatoire si le critère obtient moins de la moitié des points."),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            evidence = forms.TypedMultipleChoiceField(
                label=_("Preuves sur lesquelles s'appuie ce critère"),
                required=False,
                coerce=int,
                choices=choices,
                initial=[item.pk for item in row.evidence.all()],
                widget=forms.CheckboxSelectMultiple,
            )
            names = {
                "points": f"points_{criterion.pk}",
                "comment": f"comment_{criterion.pk}",
                "evidence": f"evidence_{criterion.pk}",
            }
            self.fields[names["points"]] = points
            self.fields[names["comment"]] = comment
            self.fields[names["evidence"]] = evidence
            self.rows.append((criterion, names))
        self.fields["overall_comment"].initial = scoring.overall_comment
        # The overall comment comes after the criteria, as on paper.
        self.order_fields([n for _c, names in self.rows for n in names.values()])

    def criterion_rows(self):
        """Yield (criterion, points, comment, evidence) bound fields, in grid order."""
        for criterion, names in self.rows:
            yield (
                criterion,
                self[names["points"]],
                self[names["comment"]],
                self[names["evidence"]],
            )

    def scores(self) -> dict:
        """Return what the service saves: every criterion's points, comment and evidence that
        passed validation. A field in error is left out, so that it never costs its neighbours
        their values: the draft keeps them and the page asks for that field only."""
        data = self.cleaned_data
        scores = {}
        for criterion, names in self.rows:
            values = {key: data[name] for key, name in names.items() if name in data}
            if values:
                scores[criterion.pk] = values
        return scores

    def overall_comment_to_save(self):
        """Return the overall comment to save, or None to keep the saved one (it is in error)."""
        return self.cleaned_data.get("overall_comment")

    def error_links(self):
        """Return the error summary's links, each field named by its criterion's number."""
        labels = {}
        for number, (_criterion, names) in enumerate(self.rows, start=1):
            for name in names.values():
                labels[name] = _("Critère %(n)s, %(field)s") % {
                    "n": number,
                    "field": self.fields[name].label.lower(),
                }
        return error_links(self, labels)


class BulkDueDateForm(AccessibleFormMixin, forms.Form):
    """The due date of every assignment of a bulk assignment."""

    due_date = forms.DateField(
        label=_("À rendre au plus tard le"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date de remise."),
            "invalid": _("Saisissez une date valide, par exemple 15/03/2027."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = today() + timedelta(days=21)

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date <= today():
            raise forms.ValidationError(_("La date de remise doit être postérieure à aujourd'hui."))
        return due_date


class EpreuveListForm(forms.Form):
    """Which cohort and épreuve the staff's list of épreuve marks shows (GET)."""

    promotion = forms.ModelChoiceField(label=_("Promotion"), queryset=None, required=False)
    epreuve = forms.ModelChoiceField(label=_("Épreuve"), queryset=None, required=False)

    def __init__(self, *args, cohorts, epreuves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["promotion"].queryset = cohorts
        self.fields["epreuve"].queryset = epreuves
        self.fields["epreuve"].label_from_instance = lambda e: (
            _("%(code)s (/%(points)s) — %(name)s")
            % {"code": e.code, "points": e.points, "name": e.name[:80]}
        )


class EpreuveAssignForm(AccessibleFormMixin, forms.Form):
    enrolment = forms.ModelChoiceField(
        label=_("Candidat"),
        queryset=None,
        error_messages={"required": _("Choisissez un candidat.")},
    )
    examiner = forms.ModelChoiceField(
        label=_("Correcteur"),
        queryset=None,
        help_text=_(
            "Un évaluateur indépendant : ni formateur, ni accompagnateur, ni tuteur du candidat, "
            "ni salarié de son entreprise."
        ),
        error_messages={"required": _("Choisissez un correcteur.")},
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: e.candidate.get_full_name()
        self.fields["examiner"].queryset = (
            User.objects.with_role(Role.EVALUATEUR)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["examiner"].label_from_instance = lambda u: u.get_full_name()


class EpreuvePaperForm(AccessibleFormMixin, forms.Form):
    paper = forms.FileField(
        label=_("Copie corrigée numérisée"),
        help_text=_("PDF, JPEG ou PNG ; une copie par fichier."),
        error_messages={"required": _("Choisissez le fichier de la copie.")},
    )


class EpreuveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name[:90]}"


class SubjectForm(forms.Form):
    epreuve = EpreuveChoiceField(
        label=_("Épreuve"),
        queryset=Epreuve.objects.select_related("bloc").order_by("title_id", "bloc_id", "order"),
    )
    part = forms.ChoiceField(
        label=_("Document"), choices=ExamSubject.Part.choices, widget=forms.RadioSelect
    )
    starts_at = forms.DateTimeField(
        label=_("Début de l'épreuve"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=_(
            "Date et heure de Paris. Les responsables du processus d'évaluation y ont accès à "
            "partir de 0 h le jour de l'épreuve."
        ),
    )
    file = forms.FileField(label=_("Fichier"))


class ReplaceForm(forms.Form):
    file = forms.FileField(label=_("Nouvelle version"))
