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
from jobs.models import Job, WorkerHeartbeat
from referentiel.models import Title
from rules.eligibility import add_months
from surveys.tokens import token_digest, token_of

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
    training_hours = Decimal("588")
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


# --- One factory per admin-registered model (tests/config/test_admin_constant_queries.py) ------
#
# The admin query-count test builds rows of every registered model through the factory named
# ``<Model>Factory``; a new model admin needs one here. Each row brings its own related rows, so
# that a list naming them shows as many distinct objects as it has rows.

from django.contrib.auth.models import Group  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import Invitation, LoginFailure, LoginThrottleLock  # noqa: E402
from audit.models import AuditEvent, Notification  # noqa: E402
from documents.models import CalendarFeed, IssuedDocument, ReferenceCounter  # noqa: E402
from portfolio.models import Manifest  # noqa: E402
from referentiel.models import (  # noqa: E402
    Bloc,
    Competency,
    Epreuve,
    EvaluationCriterion,
    Grid,
    GridCriterion,
    GridVersion,
    Module,
)
from workflow import models as workflow_models  # noqa: E402


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Groupe {n}")


class DBTaskResultFactory(DjangoModelFactory):
    class Meta:
        model = DBTaskResult

    args_kwargs = factory.LazyFunction(lambda: {"args": [], "kwargs": {}})
    task_path = "documents.tasks.archive_build"
    backend_name = "default"
    run_after = factory.LazyFunction(timezone.now)
    exception_class_path = ""
    traceback = ""


class TitleFactory(DjangoModelFactory):
    class Meta:
        model = Title

    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Titre d'essai {n}")
    total_points = 1000
    pass_points = 500
    practice_written_points = 125
    practice_oral_points = 75
    practice_tutor_points = 50
    practice_minimum_on_20 = Decimal("10")


class BlocFactory(DjangoModelFactory):
    class Meta:
        model = Bloc

    title = factory.SubFactory(TitleFactory)
    number = 1
    name = factory.Sequence(lambda n: f"Bloc d'essai {n}")
    hours = Decimal("100")
    cc_points = 50
    exam_points = 100
    minimum_on_20 = Decimal("8")
    validation_on_20 = Decimal("10")


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = Module

    bloc = factory.SubFactory(BlocFactory)
    code = factory.Sequence(lambda n: f"M9.{n}")
    name = factory.Sequence(lambda n: f"Module d'essai {n}")
    hours = Decimal("10")


class CompetencyFactory(DjangoModelFactory):
    class Meta:
        model = Competency

    bloc = factory.SubFactory(BlocFactory)
    code = factory.Sequence(lambda n: f"C.9.{n}")
    text = "Analyser une situation"


class EvaluationCriterionFactory(DjangoModelFactory):
    class Meta:
        model = EvaluationCriterion

    bloc = factory.SubFactory(BlocFactory)
    label = factory.Sequence(lambda n: f"Critère d'essai {n}")


class EpreuveFactory(DjangoModelFactory):
    class Meta:
        model = Epreuve

    title = factory.SubFactory(TitleFactory)
    bloc = factory.SubFactory(BlocFactory, title=factory.SelfAttribute("..title"))
    code = factory.Sequence(lambda n: f"E-{n}")
    name = factory.Sequence(lambda n: f"Épreuve d'essai {n}")
    points = 10


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    title = factory.SubFactory(TitleFactory)
    kind = Grid.Kind.TUTOR
    name = factory.Sequence(lambda n: f"Grille d'essai {n}")
    points = 50


class GridVersionFactory(DjangoModelFactory):
    class Meta:
        model = GridVersion

    grid = factory.SubFactory(GridFactory)
    number = 1


class GridCriterionFactory(DjangoModelFactory):
    class Meta:
        model = GridCriterion

    version = factory.SubFactory(GridVersionFactory)
    label = factory.Sequence(lambda n: f"Critère de grille {n}")
    max_points = Decimal("10")


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = AuditEvent

    at = factory.LazyFunction(timezone.now)
    action = "portfolio.submit"
    actor = factory.SubFactory(StaffFactory)
    candidate = factory.SubFactory(UserFactory, roles=["candidat"])
    object_repr = factory.Sequence(lambda n: f"Objet {n}")


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    key = factory.Sequence(lambda n: f"essai:{n}")
    recipient = factory.SubFactory(UserFactory, roles=["candidat"])
    template = "tutor_invitation"


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    user = factory.SubFactory(UserFactory)
    token_digest = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class LoginFailureFactory(DjangoModelFactory):
    class Meta:
        model = LoginFailure

    email = factory.Sequence(lambda n: f"intrus{n}@exemple.fr")
    ip_address = "203.0.113.7"


class LoginThrottleLockFactory(DjangoModelFactory):
    class Meta:
        model = LoginThrottleLock

    key = factory.Sequence(lambda n: f"account:intrus{n}@exemple.fr")


class UserRoleFactory(DjangoModelFactory):
    class Meta:
        model = UserRole

    user = factory.SubFactory(UserFactory)
    role = "responsable_evaluation"
    establishment = factory.SubFactory(EstablishmentFactory)


class ManifestFactory(DjangoModelFactory):
    class Meta:
        model = Manifest

    content = factory.LazyFunction(lambda: {"files": []})
    digest = factory.Sequence(lambda n: f"{n:064x}")


class ScoringFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Scoring

    assignment = factory.SubFactory(AssignmentFactory)
    grid_version = factory.SubFactory(GridVersionFactory, grid__kind=Grid.Kind.PORTFOLIO)


class CriterionScoreFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.CriterionScore

    scoring = factory.SubFactory(ScoringFactory)
    criterion = factory.SubFactory(
        GridCriterionFactory, version=factory.SelfAttribute("..scoring.grid_version")
    )
    points = Decimal("3")


class ReconciliationFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Reconciliation

    portfolio = factory.SubFactory(PortfolioFactory)
    first_mark = Decimal("90")
    second_mark = Decimal("100")
    method = "mean"
    agreed_mark = Decimal("95")
    decided_at = factory.LazyFunction(timezone.now)


class JuryMemberFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.JuryMember

    session = factory.SubFactory(JurySessionFactory)
    user = factory.SubFactory(JuryUserFactory)
    role = "professional"


class SessionCandidateFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.SessionCandidate

    session = factory.SubFactory(JurySessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory)


class TutorEvaluationFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.TutorEvaluation

    enrolment = factory.SubFactory(EnrolmentFactory)
    tutor = factory.SelfAttribute("enrolment.tutor")
    grid_version = factory.SubFactory(GridVersionFactory)
    invited_at = factory.LazyFunction(timezone.now)


class TutorScoreFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.TutorScore

    evaluation = factory.SubFactory(TutorEvaluationFactory)
    criterion = factory.SubFactory(
        GridCriterionFactory, version=factory.SelfAttribute("..evaluation.grid_version")
    )
    points = Decimal("7")


class CCMarkFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.CCMark

    enrolment = factory.SubFactory(EnrolmentFactory)
    module = factory.SubFactory(ModuleFactory)
    label = "Écrit"
    mark = Decimal("12")
    out_of = 20
    entered_by = factory.SubFactory(StaffFactory)
    entered_at = factory.LazyFunction(timezone.now)


class AbsenceRecordFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.AbsenceRecord

    enrolment = factory.SubFactory(EnrolmentFactory)
    date = date(2026, 1, 12)
    hours = Decimal("3.5")
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class AssiduityDecisionFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.AssiduityDecision

    enrolment = factory.SubFactory(EnrolmentFactory)
    kind = workflow_models.AssiduityDecision.Kind.AGREED
    unjustified_hours = Decimal("3.5")
    training_hours = Decimal("588")
    penalty_pct = Decimal("5")
    decided_by = factory.SubFactory(StaffFactory)
    decided_at = factory.LazyFunction(timezone.now)


class SoutenanceFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Soutenance

    session = factory.SubFactory(JurySessionFactory)
    memoire = factory.SubFactory(MemoireFactory)
    starts_at = factory.LazyFunction(timezone.now)
    duration_minutes = 60
    base_minutes = 45
    grid_version = factory.SubFactory(GridVersionFactory, grid__kind=Grid.Kind.SOUTENANCE)


class SoutenanceScoreFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.SoutenanceScore

    soutenance = factory.SubFactory(SoutenanceFactory)
    criterion = factory.SubFactory(
        GridCriterionFactory, version=factory.SelfAttribute("..soutenance.grid_version")
    )
    points = Decimal("5")


class BlocExamMarkFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.BlocExamMark

    enrolment = factory.SubFactory(EnrolmentFactory)
    bloc = factory.SubFactory(BlocFactory)
    points = Decimal("97.5")
    entered_by = factory.SubFactory(StaffFactory)
    entered_at = factory.LazyFunction(timezone.now)


class EpreuveMarkFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuveMark

    enrolment = factory.SubFactory(EnrolmentFactory, route="epreuves")
    epreuve = factory.LazyAttribute(
        lambda o: o.enrolment.cohort.title.epreuves.filter(bloc__number=1).order_by("order")[0]
    )
    examiner = factory.SubFactory(EvaluatorFactory)
    grid_version = factory.LazyAttribute(lambda o: o.epreuve.grids.get().current_version())
    assigned_by = factory.SubFactory(StaffFactory)
    assigned_at = factory.LazyFunction(timezone.now)


class EpreuveScoreFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuveScore

    mark = factory.SubFactory(EpreuveMarkFactory)
    criterion = factory.LazyAttribute(lambda o: o.mark.grid_version.criteria.first())
    points = Decimal("10")


class EpreuvePaperFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuvePaper

    mark = factory.SubFactory(EpreuveMarkFactory)
    uploaded_by = factory.SelfAttribute("mark.examiner")
    file = factory.Sequence(lambda n: f"papers/zz/copie-{n}")
    original_name = factory.Sequence(lambda n: f"copie-{n}.pdf")
    kind = "pdf"
    content_type = "application/pdf"
    size = 14
    sha256 = factory.Sequence(lambda n: f"{n:064d}")
    scan_status = ScanStatus.CLEAN


class MemoireWrittenMarkFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.MemoireWrittenMark

    memoire = factory.SubFactory(MemoireFactory)
    points = Decimal("80")
    entered_by = factory.SubFactory(StaffFactory)
    entered_at = factory.LazyFunction(timezone.now)


class JuryDecisionFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.JuryDecision

    session = factory.SubFactory(JurySessionFactory)
    enrolment = factory.SubFactory(EnrolmentFactory)
    computed = factory.LazyFunction(dict)
    outcome = "partial"
    validated_blocs = factory.LazyFunction(lambda: ["1"])
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class FraudReportFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.FraudReport

    enrolment = factory.SubFactory(EnrolmentFactory)
    occurred_on = date(2026, 6, 2)
    facts = "Téléphone allumé pendant l'épreuve"
    signature = "refused"
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class RetakeRegistrationFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.RetakeRegistration

    decision = factory.SubFactory(JuryDecisionFactory)
    enrolment = factory.SelfAttribute("decision.enrolment")
    bloc = factory.SubFactory(BlocFactory)
    attempt = 2
    evaluation_date = date(2027, 9, 15)
    registered_on = date(2027, 5, 1)
    registered_by = factory.SubFactory(StaffFactory)


class JustifiedAbsenceRetakeFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.JustifiedAbsenceRetake

    enrolment = factory.SubFactory(EnrolmentFactory)
    bloc = factory.SubFactory(BlocFactory)
    attempt = 2
    justification = "medical"
    justification_date = date(2027, 6, 10)
    request_date = date(2027, 6, 20)
    retake_date = date(2027, 10, 5)
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class RedoublementFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Redoublement

    decision = factory.SubFactory(JuryDecisionFactory)
    previous = factory.SelfAttribute("decision.enrolment")
    enrolment = factory.SubFactory(
        EnrolmentFactory, candidate=factory.SelfAttribute("..previous.candidate")
    )
    repeated_blocs = factory.LazyFunction(lambda: ["2"])
    carried_blocs = factory.LazyFunction(lambda: ["1"])
    request_date = date(2027, 7, 1)
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class PracticeRetakeFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.PracticeRetake

    decision = factory.SubFactory(JuryDecisionFactory)
    enrolment = factory.SelfAttribute("decision.enrolment")
    experience_start = date(2027, 7, 1)
    experience_end = date(2027, 10, 1)
    experience_proof = "Attestation d'employeur"
    registered_on = date(2027, 10, 15)
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class FalsificationSanctionFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.FalsificationSanction

    candidate = factory.SubFactory(UserFactory, roles=["candidat"])
    establishment = factory.SubFactory(EstablishmentFactory)
    sanctioned_on = date(2027, 7, 1)
    facts = "Relevé de notes modifié"
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class AccommodationFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Accommodation

    enrolment = factory.SubFactory(EnrolmentFactory)
    kind = "extra_time"
    details = "Tiers-temps"
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class EpreuveSittingFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuveSitting

    cohort = factory.SubFactory(CohortFactory)
    epreuve = factory.LazyAttribute(lambda o: o.cohort.title.epreuves.order_by("pk").first())
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))
    base_minutes = 180
    room = "Salle 12"
    scheduled_by = factory.SubFactory(StaffFactory)
    scheduled_at = factory.LazyFunction(timezone.now)


class EpreuveConvocationFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuveConvocation

    sitting = factory.SubFactory(EpreuveSittingFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory,
        cohort=factory.SelfAttribute("..sitting.cohort"),
        route=Enrolment.Route.EPREUVES,
    )
    duration_minutes = 180
    sent_on = factory.LazyFunction(lambda: timezone.localdate())
    sent_by = factory.SubFactory(StaffFactory)


class EpreuveAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.EpreuveAttendance

    sitting = factory.SubFactory(EpreuveSittingFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory,
        cohort=factory.SelfAttribute("..sitting.cohort"),
        route=Enrolment.Route.EPREUVES,
    )
    status = workflow_models.EpreuveAttendance.Status.PRESENT
    recorded_by = factory.SubFactory(StaffFactory)
    recorded_at = factory.LazyFunction(timezone.now)


class ExemptionFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.Exemption

    enrolment = factory.SubFactory(EnrolmentFactory)
    practice = True
    reason = "Titre professionnel équivalent"
    decided_by = factory.SubFactory(StaffFactory)
    decided_at = factory.LazyFunction(timezone.now)


class ExamSubjectFactory(DjangoModelFactory):
    class Meta:
        model = workflow_models.ExamSubject

    epreuve = factory.LazyFunction(lambda: rncp_title().epreuves.order_by("order", "id").first())
    part = "subject"
    starts_at = factory.LazyFunction(timezone.now)
    uploaded_by = factory.SubFactory(UserFactory, roles=["administrateur"])
    file = factory.Sequence(lambda n: f"sujets/00/sujet{n}")
    original_name = factory.Sequence(lambda n: f"sujet{n}.pdf")
    kind = "pdf"
    content_type = "application/pdf"
    size = 1234
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    scan_status = ScanStatus.CLEAN


class IssuedDocumentFactory(DjangoModelFactory):
    class Meta:
        model = IssuedDocument

    reference = factory.Sequence(lambda n: f"RN-2099-{n:06d}")
    kind = "releve"
    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.SubFactory(JurySessionFactory)
    establishment = factory.SelfAttribute("enrolment.cohort.establishment")
    size = 10
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    content_digest = factory.Sequence(lambda n: f"{n:064x}")
    issued_at = factory.LazyFunction(timezone.now)


class ReferenceCounterFactory(DjangoModelFactory):
    class Meta:
        model = ReferenceCounter

    prefix = factory.Sequence(lambda n: f"Q{n}")
    year = 2099
    last = 42


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
    token = factory.Sequence(lambda n: f"{n:043d}")
    renewed_at = factory.LazyFunction(timezone.now)


class JobFactory(DjangoModelFactory):
    class Meta:
        model = Job

    kind = "documents.proces_verbal"
    key = factory.Sequence(lambda n: f"documents.pv:s{n}")
    establishment = factory.SubFactory(EstablishmentFactory)
    state = "done"
    total = 1
    done = 1


class WorkerHeartbeatFactory(DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat

    worker = factory.Sequence(lambda n: f"worker-{n}@machine")
    hostname = "machine"
    pid = factory.Sequence(lambda n: 1000 + n)
    started_at = factory.LazyFunction(timezone.now)
    beat_at = factory.LazyFunction(timezone.now)


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = "surveys.FollowUp"

    decision = factory.SubFactory(JuryDecisionFactory)
    enrolment = factory.SelfAttribute("decision.enrolment")
    establishment = factory.SelfAttribute("decision.session.establishment")
    certified_on = factory.SelfAttribute("decision.session.date")
    consent = "given"
    created_at = factory.LazyFunction(timezone.now)


class SurveyWaveFactory(DjangoModelFactory):
    """A survey; its link's token is ``surveys.tokens.token_of(wave.nonce)``."""

    class Meta:
        model = "surveys.SurveyWave"

    follow_up = factory.SubFactory(FollowUpFactory)
    months = 6
    due_on = factory.LazyAttribute(lambda o: add_months(o.follow_up.certified_on, o.months))
    closes_on = factory.LazyAttribute(lambda o: o.due_on + timedelta(days=60))
    nonce = factory.Sequence(lambda n: f"nonce-{n:040d}")
    token_digest = factory.LazyAttribute(lambda o: token_digest(token_of(o.nonce)))
    messages_sent = 1
