"""The back office's forms: they parse and check input; the services change the database."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import Duty
from accounts.models import Enrolment, Organisation, Role, User
from centres import selectors
from referentiel.models import Bloc, Module, Title

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateField(forms.DateField):
    widget = DATE

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(**kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.email})"


class EstablishmentMixin:
    """Offer the establishment only to someone who manages several; otherwise use theirs."""

    def _set_establishments(self, user):
        choices = selectors.establishments_for(user, Duty.MANAGE)
        self.fields["establishment"].queryset = choices
        if len(choices) == 1:
            self.fields["establishment"].initial = choices[0].pk
            self.fields["establishment"].widget = forms.HiddenInput()


class CohortForm(EstablishmentMixin, forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Établissement"), queryset=Organisation.objects.none()
    )
    title = forms.ModelChoiceField(label=_("Titre"), queryset=Title.objects.order_by("code"))
    name = forms.CharField(
        label=_("Nom de la promotion"),
        max_length=150,
        help_text=_("Par exemple « Office Manager 2026 – Lyon »."),
    )
    training_start = DateField(label=_("Début de formation"))
    training_end = DateField(label=_("Fin de formation"))
    training_hours = forms.DecimalField(
        label=_("Heures de formation"),
        max_digits=6,
        decimal_places=1,
        min_value=1,
        initial=588,
        help_text=_(
            "Temps de formation hors évaluations (588 h pour les modules du titre) : la base "
            "de la part d'absences injustifiées."
        ),
    )
    memoire_deadline = DateField(label=_("Date limite du mémoire"), required=False)

    def __init__(self, *args, user, cohort=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cohort is not None:
            # A cohort keeps its title and establishment once created.
            del self.fields["establishment"]
            del self.fields["title"]
        else:
            self._set_establishments(user)
            titles = self.fields["title"].queryset
            if len(titles) == 1:
                self.fields["title"].initial = titles[0].pk

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("training_start"), cleaned.get("training_end")
        if start and end and end <= start:
            self.add_error(
                "training_end",
                _("La fin de formation doit suivre le début : corrigez l'une des deux dates."),
            )
        return cleaned


class EnrolmentEndForm(forms.Form):
    training_end = DateField(
        label=_("Fin de formation du candidat"),
        required=False,
        help_text=_("Laissez vide pour reprendre la fin de formation de la promotion."),
    )


class TrainingLinkForm(forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=Module.objects.none())
    trainer = PersonChoiceField(label=_("Formateur"), queryset=User.objects.none())

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(
            bloc__title_id=cohort.title_id
        ).order_by("bloc__number", "order")
        self.fields["trainer"].queryset = selectors.establishment_trainers(cohort.establishment_id)


class PersonForm(EstablishmentMixin, forms.Form):
    ROLE_CHOICES = [
        (Role.FORMATEUR.value, Role.FORMATEUR.label),
        (Role.TUTEUR.value, Role.TUTEUR.label),
        (Role.EVALUATEUR.value, Role.EVALUATEUR.label),
        (Role.JURY.value, Role.JURY.label),
    ]

    establishment = forms.ModelChoiceField(
        label=_("Établissement"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=ROLE_CHOICES)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    company = forms.ModelChoiceField(
        label=_("Entreprise (tuteur)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— Choisir une entreprise de l'établissement —"),
    )
    new_company = forms.CharField(
        label=_("Ou nouvelle entreprise"),
        max_length=200,
        required=False,
        help_text=_("Saisissez son nom si elle n'est pas dans la liste."),
    )
    years_in_target_jobs = forms.DecimalField(
        label=_("Années d'exercice des métiers visés (jury)"),
        max_digits=4,
        decimal_places=1,
        min_value=0,
        required=False,
    )
    last_active_in_target_jobs = DateField(
        label=_("Dernière activité dans les métiers visés (jury)"), required=False
    )
    invite = forms.BooleanField(
        label=_("Envoyer tout de suite l'invitation à choisir un mot de passe"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None:
            del self.fields["establishment"]
            del self.fields["role"]
            del self.fields["invite"]
            establishment_id = selectors.person_establishment(user, person)
            companies = selectors.establishment_companies(establishment_id)
            if person.employer_id:
                companies = companies | Organisation.objects.filter(pk=person.employer_id)
            self.fields["company"].queryset = companies.distinct().order_by("name")
            self.fields["company"].label = _("Entreprise")
            if person.has_usable_password():
                self.fields["email"].disabled = True
                self.fields["email"].help_text = _(
                    "Ce compte a un mot de passe : la personne change elle-même son adresse."
                )
        else:
            self._set_establishments(user)
            establishments = self.fields["establishment"].queryset
            self.fields["company"].queryset = Organisation.objects.filter(
                pk__in=[
                    company.pk
                    for establishment in establishments
                    for company in selectors.establishment_companies(establishment.pk)
                ]
            ).order_by("name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Un compte existe déjà avec cette adresse : cherchez la personne dans la liste.")
            )
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.JURY:
            for name in ("years_in_target_jobs", "last_active_in_target_jobs"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(
                        name,
                        _("Obligatoire pour un membre de jury : il fonde son éligibilité."),
                    )
        if role == Role.TUTEUR and not cleaned.get("company") and not cleaned.get("new_company"):
            self.add_error(
                "company",
                _("Choisissez l'entreprise du tuteur ou saisissez une nouvelle entreprise."),
            )
        return cleaned


class AccompanimentForm(forms.Form):
    candidate = PersonChoiceField(label=_("Candidat"), queryset=User.objects.none())
    accompanist = PersonChoiceField(label=_("Accompagnateur"), queryset=User.objects.none())
    description = forms.CharField(
        label=_("Nature de l'accompagnement"),
        max_length=200,
        required=False,
        help_text=_("Par exemple « accompagnement VAE, livret 2 »."),
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = selectors.establishment_candidates(scope)
        self.fields["accompanist"].queryset = selectors.accompanists(scope)


class ConflictForm(forms.Form):
    candidate = PersonChoiceField(label=_("Candidat"), queryset=User.objects.none())
    evaluator = PersonChoiceField(
        label=_("Évaluateur ou membre de jury"), queryset=User.objects.none()
    )
    reason = forms.CharField(label=_("Motif déclaré"), max_length=300)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = selectors.establishment_candidates(scope)
        self.fields["evaluator"].queryset = selectors.pool_evaluators()


class BulkInvitationForm(EstablishmentMixin, forms.Form):
    establishment = forms.ModelChoiceField(
        label=_("Établissement"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_establishments(user)


class BlocChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return _("Bloc %(n)s — %(name)s") % {"n": obj.number, "name": obj.short_name or obj.name}


class AdmissionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut du candidat"), choices=Enrolment.Status.choices, widget=forms.RadioSelect
    )
    route = forms.ChoiceField(
        label=_("Voie"), choices=Enrolment.Route.choices, widget=forms.RadioSelect
    )
    blocs = BlocChoiceField(
        label=_("Blocs visés"),
        queryset=Bloc.objects.none(),
        required=False,
        help_text=_(
            "Cochez les blocs présentés par un candidat qui vise des certificats de bloc ; "
            "aucun bloc coché (ou tous) : le titre complet."
        ),
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blocs"].queryset = Bloc.objects.filter(
            title_id=enrolment.cohort.title_id
        ).order_by("number")


class ExemptionForm(forms.Form):
    practice = forms.BooleanField(label=_("Épreuve professionnelle"), required=False)
    blocs = BlocChoiceField(
        label=_("Épreuves de bloc"), queryset=Bloc.objects.none(), required=False
    )
    modules = forms.ModelMultipleChoiceField(
        label=_("Modules"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Motif ou équivalence"),
        max_length=300,
        help_text=_("Par exemple le diplôme, le titre ou l'expérience reconnus au positionnement."),
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        title_id = enrolment.cohort.title_id
        self.fields["blocs"].queryset = Bloc.objects.filter(title_id=title_id).order_by("number")
        self.fields["modules"].queryset = (
            Module.objects.filter(bloc__title_id=title_id)
            .select_related("bloc")
            .order_by("bloc__number", "order", "id")
        )


class ExemptionRemoveForm(forms.Form):
    exemption = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Motif du retrait"), max_length=300)

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment

    def clean_exemption(self):
        exemption = self.enrolment.exemptions.filter(pk=self.cleaned_data["exemption"]).first()
        if exemption is None:
            raise forms.ValidationError(_("Cette dispense n'existe plus : rechargez la page."))
        return exemption
