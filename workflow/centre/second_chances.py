"""The centre's screen of a candidate's second chances (RULES.md §4): what the règlement still
allows with its dates, and the registrations that record each one — a retake after a justified
absence, the bloc retakes and their portfolio windows, a repeated year, the professional
practice retaken after experience, and the falsification sanction.

A candidate of another establishment is a 404; a POST needs the certification duty there
(403). Every list is paginated and read in a fixed number of queries.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import (
    EVERYWHERE,
    Duty,
    confirmed,
    staff_establishments,
    staff_may,
    staff_object_or_404,
)
from accounts.confirm import Confirmation, confirmation_page
from accounts.listing import paginate, query_without
from accounts.models import Cohort, Enrolment
from audit import clock
from portfolio.models import Portfolio
from rules import eligibility
from workflow.evaluation.forms import AccessibleFormMixin
from workflow.jury import falsification, redoublements, second_chances
from workflow.jury.results import earlier_decisions
from workflow.jury.retakes import bloc_repeated
from workflow.models import (
    FalsificationSanction,
    JustifiedAbsenceRetake,
    PracticeRetake,
    Redoublement,
    RetakeRegistration,
)
from workflow.web import attempt_form, staff_only
from workflow.widgets import DateInput


class AbsenceRetakeForm(AccessibleFormMixin, forms.Form):
    bloc = forms.TypedChoiceField(label=gettext_lazy("Bloc"), coerce=int, choices=())
    justification = forms.ChoiceField(
        label=gettext_lazy("Justificatif de l'absence"),
        choices=JustifiedAbsenceRetake.Justification.choices,
    )
    justification_date = forms.DateField(
        label=gettext_lazy("Date du justificatif"), widget=DateInput
    )
    request_date = forms.DateField(
        label=gettext_lazy("Date de la demande écrite du candidat"), widget=DateInput
    )
    retake_date = forms.DateField(
        label=gettext_lazy("Date du rattrapage"),
        help_text=gettext_lazy("Au plus tard 6 mois après la demande écrite."),
        widget=DateInput,
    )

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].choices = [
            (b.pk, _("Bloc %(number)s") % {"number": b.number})
            for b in title.blocs.order_by("number")
        ]


class RedoublementForm(AccessibleFormMixin, forms.Form):
    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Nouvelle promotion"), queryset=Cohort.objects.none()
    )
    request_date = forms.DateField(
        label=gettext_lazy("Date de la demande écrite"), widget=DateInput
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts


class PracticeRetakeForm(AccessibleFormMixin, forms.Form):
    experience_start = forms.DateField(
        label=gettext_lazy("Début de l'expérience professionnelle"), widget=DateInput
    )
    experience_end = forms.DateField(
        label=gettext_lazy("Fin de l'expérience justifiée"),
        help_text=gettext_lazy("Au moins 3 mois après le début."),
        widget=DateInput,
    )
    experience_proof = forms.CharField(
        label=gettext_lazy("Justificatif (attestation d'employeur, contrat…)"), max_length=300
    )


class FalsificationForm(AccessibleFormMixin, forms.Form):
    sanctioned_on = forms.DateField(label=gettext_lazy("Date de la sanction"), widget=DateInput)
    facts = forms.CharField(
        label=gettext_lazy("Résultats falsifiés"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def falsification_confirmation(enrolment) -> Confirmation:
    """Recording a falsification sanction: every registration is refused for 10 years."""
    return Confirmation(
        key="falsification",
        title=_("Enregistrer une sanction pour falsification ?"),
        summary=[
            _(
                "%(candidate)s ne pourra plus être inscrit aux diplômes du réseau pendant 10 ans "
                "à compter de la date de la sanction : import, session de jury, rattrapages et "
                "redoublement seront refusés."
            )
            % {"candidate": enrolment.candidate},
            _("Une sanction enregistrée ne peut pas être retirée."),
        ],
        confirm_label=_("Enregistrer la sanction"),
        danger=True,
    )


def redoublement_confirmation(enrolment) -> Confirmation:
    """Enrolling a repeat: a new enrolment, and the blocs' single retake used."""
    return Confirmation(
        key="redoublement",
        title=_("Inscrire en redoublement ?"),
        summary=[
            _(
                "%(candidate)s est inscrit dans la promotion choisie : il y suit à nouveau les "
                "modules des blocs non validés et repasse leurs évaluations ; les blocs validés "
                "sont conservés."
            )
            % {"candidate": enrolment.candidate},
            _("Le rattrapage unique de ces blocs est ainsi utilisé ; l'inscription reste."),
        ],
        confirm_label=_("Inscrire en redoublement"),
    )


CONFIRMED_ACTIONS = {
    "falsification": falsification_confirmation,
    "redoublement": redoublement_confirmation,
}


def _later_cohorts(user, enrolment):
    """Return the later cohorts of the same title where ``user`` may enrol a repeat."""
    cohorts = Cohort.objects.filter(
        title=enrolment.cohort.title_id, training_start__gt=enrolment.cohort.training_start
    ).order_by("training_start", "name")
    allowed = staff_establishments(user, Duty.CERTIFICATION)
    if allowed is EVERYWHERE:
        return cohorts
    return cohorts.filter(establishment__in=list(allowed))


def summary(enrolment, *, on) -> list[str]:
    """Return what the règlement still allows the candidate on ``on``, in French, with dates."""
    lines = []
    ban = falsification.falsification_ban(enrolment.candidate, on=on)
    if not ban:
        return [ban.reason]
    decisions = list(earlier_decisions(enrolment))
    if not decisions:
        return [_("Aucune décision de jury : pas encore de seconde chance à ouvrir.")]
    last = decisions[-1]
    if last.fraud:
        waiting = eligibility.fraud_retake(fraud_decision_date=last.session.date, on=on)
        return [
            _("Fraude établie au jury du %(d)s : %(reason)s")
            % {"d": eligibility.fr_date(last.session.date), "reason": waiting.reason},
            _(
                "Toutes les évaluations de bloc sont à repasser à la session suivante : "
                "inscription par lettre recommandée 4 mois avant l'évaluation, ou 1 mois avant "
                "le début de la formation en cas de redoublement."
            ),
        ]
    validated = {str(n) for d in decisions if not d.fraud for n in d.validated_blocs}
    retaken = set(
        RetakeRegistration.objects.filter(enrolment=enrolment, decision__fraud=False)
        .values_list("bloc_id", flat=True)
        .distinct()
    )
    for bloc in enrolment.cohort.title.blocs.order_by("number"):
        number = str(bloc.number)
        failed = None
        if number not in validated:
            failed = next(d for d in decisions if number not in d.validated_blocs)
        answer = eligibility.bloc_retake(
            failed_on=failed.session.date if failed else on,
            on=on,
            bloc_validated=number in validated,
            retakes_taken=int(bloc.pk in retaken) + int(bloc_repeated(enrolment, bloc)),
        )
        lines.append(_("Bloc %(n)s : %(reason)s") % {"n": number, "reason": answer.reason})
    practice = second_chances.practice_basis(enrolment)
    if practice is not None and not second_chances.practice_validated(practice):
        deadline = eligibility.add_months(practice.session.date, eligibility.RETAKE_VALIDITY_MONTHS)
        lines.append(
            _(
                "Pratique professionnelle : reprise possible après au moins 3 mois d'expérience "
                "professionnelle en rapport avec le titre, jusqu'au %(d)s."
            )
            % {"d": eligibility.fr_date(deadline)}
        )
    return lines


@login_required
def staff_second_chances(request, pk):
    staff_only(request.user)
    enrolment = staff_object_or_404(
        Enrolment.objects.select_related("candidate", "cohort__title", "cohort__establishment"),
        request.user,
        pk=pk,
    )
    may_certify = staff_may(request.user, enrolment, Duty.CERTIFICATION)
    title = enrolment.cohort.title
    cohorts = _later_cohorts(request.user, enrolment)
    forms_ = {
        "absence": AbsenceRetakeForm(prefix="absence", title=title),
        "redoublement": RedoublementForm(prefix="redoublement", cohorts=cohorts),
        "practice": PracticeRetakeForm(prefix="practice"),
        "falsification": FalsificationForm(prefix="falsification"),
    }
    if request.method == "POST":
        if not may_certify:
            raise PermissionDenied
        action, user, data = request.POST.get("action"), request.user, request.POST
        done = False
        ask = CONFIRMED_ACTIONS.get(action)
        if ask and not confirmed(request):
            form = (
                RedoublementForm(data, prefix="redoublement", cohorts=cohorts)
                if action == "redoublement"
                else FalsificationForm(data, prefix="falsification")
            )
            if form.is_valid():
                return confirmation_page(
                    request,
                    ask(enrolment),
                    back=reverse("jury:staff_second_chances", args=[enrolment.pk]),
                )
        if action == "absence":
            form = forms_["absence"] = AbsenceRetakeForm(data, prefix="absence", title=title)
            done = attempt_form(
                request,
                form,
                lambda d: second_chances.absence_retake_register(
                    actor=user,
                    enrolment=enrolment,
                    bloc=title.blocs.get(pk=d["bloc"]),
                    justification=d["justification"],
                    justification_date=d["justification_date"],
                    request_date=d["request_date"],
                    retake_date=d["retake_date"],
                ),
                _("Rattrapage pour absence justifiée enregistré."),
            )
        elif action == "redoublement":
            form = forms_["redoublement"] = RedoublementForm(
                data, prefix="redoublement", cohorts=cohorts
            )
            done = attempt_form(
                request,
                form,
                lambda d: redoublements.redoublement_register(
                    actor=user,
                    enrolment=enrolment,
                    cohort=d["cohort"],
                    request_date=d["request_date"],
                ),
                _("Redoublement enregistré : le candidat est inscrit dans la nouvelle promotion."),
            )
        elif action == "practice":
            form = forms_["practice"] = PracticeRetakeForm(data, prefix="practice")
            done = attempt_form(
                request,
                form,
                lambda d: second_chances.practice_retake_register(
                    actor=user, enrolment=enrolment, **d
                ),
                _("Reprise de la pratique professionnelle enregistrée."),
            )
        elif action == "falsification":
            form = forms_["falsification"] = FalsificationForm(data, prefix="falsification")
            done = attempt_form(
                request,
                form,
                lambda d: falsification.falsification_sanction_record(
                    actor=user, enrolment=enrolment, **d
                ),
                _("Sanction pour falsification enregistrée."),
            )
        if done:
            return redirect("jury:staff_second_chances", pk=enrolment.pk)
    retake_page = paginate(
        request,
        RetakeRegistration.objects.filter(enrolment=enrolment)
        .select_related("bloc")
        .order_by("-registered_on", "-pk"),
        param="rattrapages",
    )
    windows = {
        (p.bloc_id, p.attempt): p
        for p in Portfolio.objects.filter(
            enrolment=enrolment,
            is_active=True,
            attempt__in={r.attempt for r in retake_page},
            retake_evaluation_date__isnull=False,
        )
    }
    retake_rows = [
        {"retake": r, "portfolio": windows.get((r.bloc_id, r.attempt))} for r in retake_page
    ]
    return render(
        request,
        "workflow/staff_second_chances.html",
        {
            "enrolment": enrolment,
            "may_certify": may_certify,
            "forms": forms_,
            "summary": summary(enrolment, on=clock.today()),
            "retake_page": retake_page,
            "retake_rows": retake_rows,
            "absence_retakes": paginate(
                request,
                JustifiedAbsenceRetake.objects.filter(enrolment=enrolment).select_related("bloc"),
                param="absences",
            ),
            "redoublements": paginate(
                request,
                Redoublement.objects.filter(previous=enrolment)
                .select_related("enrolment__cohort")
                .order_by("-request_date", "-pk"),
                param="redoublements",
            ),
            "repeats": Redoublement.objects.filter(enrolment=enrolment)
            .select_related("previous__cohort")
            .first(),
            "practice_retakes": paginate(
                request,
                PracticeRetake.objects.filter(enrolment=enrolment),
                param="reprises",
            ),
            "sanctions": paginate(
                request,
                FalsificationSanction.objects.filter(candidate=enrolment.candidate_id),
                param="sanctions",
            ),
            "confirmations": {key: ask(enrolment) for key, ask in CONFIRMED_ACTIONS.items()}
            if may_certify
            else {},
            "query": {
                name: query_without(request, name)
                for name in ("rattrapages", "absences", "redoublements", "reprises", "sanctions")
            },
        },
    )
