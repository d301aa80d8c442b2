"""Factories for the whole suite (factory_boy)."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import (
    ESTABLISHMENT_ROLES,
    Accompaniment,
    Cohort,
    Enrolment,
    Organisation,
    TrainingLink,
    User,
    UserRole,
)
from referentiel.models import Title

PASSWORD = "motdepasse-de-test-42"
# Both responsables of the règlement, granted in the establishment (the suite's default one).
STAFF_ROLES = ["responsable_evaluation", "responsable_certification"]
DEFAULT_ESTABLISHMENT = "CCI Formation Lyon"


def rncp_title() -> Title:
    return Title.objects.get(code="36390")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name", "kind"]

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    kind = Organisation.Kind.ENTREPRISE
    city = "Lyon"


class EstablishmentFactory(OrganisationFactory):
    """An establishment; the suite shares one unless a test names another."""

    name = DEFAULT_ESTABLISHMENT
    kind = Organisation.Kind.ETABLISSEMENT


def default_establishment() -> Organisation:
    return EstablishmentFactory()


def roles_grant(user, roles, establishment=None) -> None:
    """Grant ``roles``; the responsables' in ``establishment`` (the default one if None)."""
    for role in roles:
        where = None
        if role in ESTABLISHMENT_ROLES:
            where = establishment or default_establishment()
        UserRole.objects.get_or_create(user=user, role=role, establishment=where)
    if hasattr(user, "_role_cache"):
        del user._role_cache


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        roles_grant(self, extracted or [], kwargs.get("establishment"))


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    title = factory.LazyFunction(rncp_title)
    establishment = factory.SubFactory(EstablishmentFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    training_start = date(2025, 9, 1)
    training_end = date(2026, 6, 30)
    training_hours = Decimal("931")
    memoire_deadline = date(2026, 9, 30)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    candidate = factory.SubFactory(UserFactory, roles=["candidat"])
    cohort = factory.SubFactory(CohortFactory)
    route = Enrolment.Route.PORTEFEUILLE
    company = factory.SubFactory(OrganisationFactory)
    tutor = factory.SubFactory(
        UserFactory, roles=["tuteur"], employer=factory.SelfAttribute("..company")
    )


class TrainingLinkFactory(DjangoModelFactory):
    class Meta:
        model = TrainingLink

    trainer = factory.SubFactory(UserFactory, roles=["formateur"])
    cohort = factory.SubFactory(CohortFactory)
    module = factory.LazyAttribute(lambda o: o.cohort.title.blocs.get(number=1).modules.first())


class AccompanimentFactory(DjangoModelFactory):
    class Meta:
        model = Accompaniment

    accompanist = factory.SubFactory(UserFactory)
    candidate = factory.SubFactory(UserFactory, roles=["candidat"])
    description = "Accompagnement VAE"


# --- Jury, tutoring, continuous assessment (workflow, issue 5) ------------------------------


class JuryUserFactory(UserFactory):
    """Someone who may sit on a jury: 5 years in the target jobs, still active."""

    years_in_target_jobs = Decimal("5")
    last_active_in_target_jobs = date(2026, 1, 1)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        roles_grant(self, extracted or ["jury"], kwargs.get("establishment"))


class JurySessionFactory(DjangoModelFactory):
    class Meta:
        model = "workflow.JurySession"

    title = factory.LazyFunction(rncp_title)
    establishment = factory.SubFactory(EstablishmentFactory)
    last_exam_date = date(2027, 3, 1)
    place = "CCI Lyon, salle 3"
    date = date(2027, 3, 15)


class DraftPortfolioFactory(DjangoModelFactory):
    """A draft portfolio; pass ``state`` to start it in any state (as if its services had run)."""

    class Meta:
        model = "portfolio.Portfolio"

    enrolment = factory.SubFactory(EnrolmentFactory)
    bloc = factory.LazyAttribute(lambda o: o.enrolment.cohort.title.blocs.get(number=1))


class DraftMemoireFactory(DjangoModelFactory):
    class Meta:
        model = "portfolio.Memoire"

    enrolment = factory.SubFactory(EnrolmentFactory)
    subject = "Dématérialiser les notes de frais"


# --- Evaluation workflow (portfolios, mémoires, assignments) ---------------------------------

from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from accounts.models import ConflictDeclaration  # noqa: E402
from portfolio.models import EvidenceItem, Memoire, Portfolio, ScanStatus  # noqa: E402
from workflow.models import Assignment  # noqa: E402


def _roles_defaulting_to(default: list[str]):
    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        roles_grant(
            self, extracted if extracted is not None else default, kwargs.get("establishment")
        )

    return roles


class EvaluatorFactory(UserFactory):
    roles = _roles_defaulting_to(["evaluateur"])


class StaffFactory(UserFactory):
    roles = _roles_defaulting_to(STAFF_ROLES)


class PortfolioFactory(DjangoModelFactory):
    class Meta:
        model = Portfolio

    enrolment = factory.SubFactory(EnrolmentFactory)
    bloc = factory.LazyAttribute(lambda o: o.enrolment.cohort.title.blocs.get(number=1))
    state = Portfolio.State.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    declaration_text = "Je certifie sur l'honneur être l'auteur de ces preuves."


class EvidenceItemFactory(DjangoModelFactory):
    class Meta:
        model = EvidenceItem

    portfolio = factory.SubFactory(PortfolioFactory)
    title = factory.Sequence(lambda n: f"Preuve {n}")
    file = factory.Sequence(lambda n: f"evidence/00/preuve{n}")
    original_name = factory.Sequence(lambda n: f"preuve{n}.pdf")
    kind = "pdf"
    content_type = "application/pdf"
    size = 1234
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    scan_status = ScanStatus.CLEAN


class MemoireFactory(DjangoModelFactory):
    class Meta:
        model = Memoire

    enrolment = factory.SubFactory(EnrolmentFactory)
    subject = "Réduire les délais de traitement des factures fournisseurs"
    state = Memoire.State.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    portfolio = factory.SubFactory(PortfolioFactory, state=Portfolio.State.ASSIGNED)
    evaluator = factory.SubFactory(EvaluatorFactory)
    assigned_by = factory.SubFactory(StaffFactory)
    assigned_at = factory.LazyFunction(timezone.now)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=21))


class ConflictDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    evaluator = factory.SubFactory(EvaluatorFactory)
    candidate = factory.SubFactory(UserFactory, roles=["candidat"])
    reason = "Ancien collègue"
