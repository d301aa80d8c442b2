"""Forms of the evaluation screens: they parse input; the services decide."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from audit.clock import today
from rules import wording
from workflow.models import Reconciliation
from workflow.widgets import DateInput


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
    agreed_mark = forms.DecimalField(
        label=_("Note arrêtée (en points d'épreuve)"),
        required=False,
        min_value=0,
        decimal_places=3,
        max_digits=7,
        help_text=_("Seulement si vous arrêtez une autre note que celles des évaluateurs."),
    )
    justification = forms.CharField(
        label=_("Justification écrite"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == Reconciliation.Method.AGREED and data.get("agreed_mark") is None:
            self.add_error("agreed_mark", _("Saisissez la note arrêtée."))
        return data


class ScoringForm(AccessibleFormMixin, forms.Form):
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
            points = forms.DecimalField(
                label=_("Points (sur %(max)s)") % {"max": wording.fr_number(criterion.max_points)},
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                max_digits=6,
                initial=row.points,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.25",
                        "inputmode": "decimal",
                        "data-points": "",
                        "data-max": str(criterion.max_points),
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
        data = self.cleaned_data
        return {
            criterion.pk: {
                "points": data.get(names["points"]),
                "comment": data.get(names["comment"], ""),
                "evidence": data.get(names["evidence"], []),
            }
            for criterion, names in self.rows
        }
