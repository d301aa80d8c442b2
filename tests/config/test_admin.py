"""Every model has a French admin page with filters and search; workflow records are read-only."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Invitation, LoginFailure, LoginThrottleLock, UserRole
from audit.models import AuditEvent, Notification
from documents.models import CalendarFeed, IssuedDocument, ReferenceCounter
from portfolio.models import Manifest
from referentiel.models import (
    Bloc,
    Competency,
    Epreuve,
    EvaluationCriterion,
    Grid,
    GridCriterion,
    GridVersion,
    Module,
    Title,
)
from tests.factories import (
    AccompanimentFactory,
    AssignmentFactory,
    CohortFactory,
    ConflictDeclarationFactory,
    EnrolmentFactory,
    EpreuveAttendanceFactory,
    EpreuveConvocationFactory,
    EpreuveMarkFactory,
    EpreuvePaperFactory,
    EpreuveScoreFactory,
    EpreuveSittingFactory,
    EvaluatorFactory,
    EvidenceItemFactory,
    ExamSubjectFactory,
    JurySessionFactory,
    JuryUserFactory,
    MemoireFactory,
    OrganisationFactory,
    PortfolioFactory,
    StaffFactory,
    TrainingLinkFactory,
    UserFactory,
    rncp_title,
)
from workflow.models import (
    AbsenceRecord,
    Accommodation,
    AssiduityDecision,
    BlocExamMark,
    CCMark,
    CriterionScore,
    Exemption,
    FalsificationSanction,
    FraudReport,
    JuryDecision,
    JuryMember,
    JustifiedAbsenceRetake,
    MemoireWrittenMark,
    PracticeRetake,
    Reconciliation,
    Redoublement,
    RetakeRegistration,
    Scoring,
    SessionCandidate,
    Soutenance,
    SoutenanceScore,
    TutorEvaluation,
    TutorScore,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["referentiel", "audit", "accounts", "portfolio", "workflow", "documents", "demo"]


def project_models():
    for label in PROJECT_APPS:
        yield from apps.get_app_config(label).get_models()


@pytest.mark.parametrize("model", list(project_models()), ids=lambda m: m.__name__)
def test_every_model_is_in_the_admin_with_filters_and_search(model):
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, model
    assert model_admin.list_filter, model
    assert model_admin.search_fields, model


# --- One object of every model, with a distinctive value the admin must show -------------------
#
# Each builder returns (object, text its changelist row shows, search term that finds it). The
# candidate and the other people carry the name "Quillebeuf", which no factory draws.

NOW = datetime(2026, 11, 28, 10, 30, tzinfo=UTC)


def candidate():
    return UserFactory(
        email="zephyrin.quillebeuf@exemple.fr", first_name="Zéphyrin", last_name="Quillebeuf",
        roles=["candidat"],
    )  # fmt: skip


def honorine(factory=UserFactory, **kw):
    return factory(
        email="honorine.quillebeuf@exemple.fr", first_name="Honorine", last_name="Quillebeuf",
        **kw,
    )  # fmt: skip


def enrolment():
    return EnrolmentFactory(
        candidate=candidate(), cohort=CohortFactory(name="Promotion Quillebeuf")
    )


def bloc1():
    return rncp_title().blocs.get(number=1)


def grid_version(kind, bloc=None):
    grid = Grid.objects.get(title=rncp_title(), kind=kind, bloc=bloc, epreuve=None)
    return grid.versions.order_by("-number").first()


def essai_title():
    return Title.objects.create(
        code="99999", name="Titre essai Quillebeuf", total_points=1000, pass_points=500,
        practice_written_points=125, practice_oral_points=75, practice_tutor_points=50,
        practice_minimum_on_20=10,
    )  # fmt: skip


def essai_grid_version():
    grid = Grid.objects.create(
        title=essai_title(), kind=Grid.Kind.TUTOR, name="Grille essai Quillebeuf", points=50
    )
    return GridVersion.objects.create(grid=grid, number=1, note="Version essai Quillebeuf")


def staff():
    return StaffFactory()


def session():
    return JurySessionFactory(place="Salle Quillebeuf")


def tutor_evaluation():
    entry = enrolment()
    return TutorEvaluation.objects.create(
        enrolment=entry, tutor=entry.tutor, grid_version=grid_version(Grid.Kind.TUTOR),
        invited_at=NOW,
    )  # fmt: skip


def soutenance():
    version = grid_version(Grid.Kind.SOUTENANCE)
    return Soutenance.objects.create(
        session=session(), memoire=MemoireFactory(enrolment=enrolment()), starts_at=NOW,
        duration_minutes=60, base_minutes=45, grid_version=version,
    )  # fmt: skip


def assignment():
    portfolio = PortfolioFactory(enrolment=enrolment(), state="assigned")
    return AssignmentFactory(portfolio=portfolio, evaluator=honorine(EvaluatorFactory))


def scoring():
    target = assignment()
    return Scoring.objects.create(
        assignment=target, grid_version=grid_version(Grid.Kind.PORTFOLIO, bloc1()),
        overall_comment="Dossier Quillebeuf",
    )  # fmt: skip


def decision():
    return JuryDecision.objects.create(
        session=session(), enrolment=enrolment(), computed={}, outcome="partial",
        validated_blocs=["1"], recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip


CANDIDATE = "Zéphyrin Quillebeuf"


def build_organisation():
    return (
        OrganisationFactory(name="Ébénisterie Quillebeuf"),
        "Ébénisterie Quillebeuf",
        "Quillebeuf",
    )


def build_user():
    return candidate(), "zephyrin.quillebeuf@exemple.fr", "Quillebeuf"


def build_userrole():
    return UserRole.objects.get(user=candidate(), role="candidat"), CANDIDATE, "quillebeuf"


def build_cohort():
    return CohortFactory(name="Promotion Quillebeuf"), "Promotion Quillebeuf", "Quillebeuf"


def build_enrolment():
    return enrolment(), CANDIDATE, "Quillebeuf"


def build_traininglink():
    link = TrainingLinkFactory(trainer=honorine(roles=["formateur"]))
    return link, "Honorine Quillebeuf", "Quillebeuf"


def build_accompaniment():
    accompaniment = AccompanimentFactory(
        accompanist=honorine(), candidate=candidate(), description="Accompagnement VAE Quillebeuf"
    )
    return accompaniment, "Accompagnement VAE Quillebeuf", "Quillebeuf"


def build_conflictdeclaration():
    declaration = ConflictDeclarationFactory(
        candidate=candidate(), reason="Ancien collègue de Quillebeuf"
    )
    return declaration, "Ancien collègue de Quillebeuf", "Quillebeuf"


def build_invitation():
    invitation = Invitation.objects.create(
        user=candidate(), token_digest="9" * 64, expires_at=NOW + timedelta(days=7)
    )
    return invitation, CANDIDATE, "quillebeuf"


def build_loginfailure():
    failure = LoginFailure.objects.create(
        email="intrus.quillebeuf@exemple.fr", ip_address="203.0.113.7"
    )
    return failure, "intrus.quillebeuf@exemple.fr", "quillebeuf"


def build_loginthrottlelock():
    lock = LoginThrottleLock.objects.create(key="account:intrus.quillebeuf@exemple.fr")
    return lock, "account:intrus.quillebeuf@exemple.fr", "quillebeuf"


def build_title():
    return essai_title(), "Titre essai Quillebeuf", "Quillebeuf"


def build_bloc():
    bloc = Bloc.objects.create(
        title=essai_title(), number=1, name="Bloc essai Quillebeuf", hours=10, cc_points=10,
        exam_points=10, minimum_on_20=8, validation_on_20=10,
    )  # fmt: skip
    return bloc, "Bloc 1 — Bloc essai Quillebeuf", "Quillebeuf"


def build_module():
    module = Module.objects.create(
        bloc=bloc1(), code="M1.99", name="Module essai Quillebeuf", hours=1
    )
    return module, "Module essai Quillebeuf", "Quillebeuf"


def build_competency():
    competency = Competency.objects.create(
        bloc=bloc1(), code="C.1.9.9", text="Compétence essai Quillebeuf"
    )
    return competency, "Compétence essai Quillebeuf", "Quillebeuf"


def build_evaluationcriterion():
    criterion = EvaluationCriterion.objects.create(bloc=bloc1(), label="Critère essai Quillebeuf")
    return criterion, "Critère essai Quillebeuf", "Quillebeuf"


def build_epreuve():
    epreuve = Epreuve.objects.create(
        title=rncp_title(), bloc=bloc1(), code="E-QB", name="Épreuve essai Quillebeuf", points=10
    )
    return epreuve, "Épreuve essai Quillebeuf", "Quillebeuf"


def build_grid():
    return essai_grid_version().grid, "Grille essai Quillebeuf", "Quillebeuf"


def build_gridversion():
    return essai_grid_version(), "Grille essai Quillebeuf — v1", "Quillebeuf"


def build_gridcriterion():
    criterion = GridCriterion.objects.create(
        version=essai_grid_version(), label="Critère de grille Quillebeuf", max_points=50
    )
    return criterion, "Critère de grille Quillebeuf", "Quillebeuf"


def build_manifest():
    manifest = Manifest.objects.create(content={"files": []}, digest="5eed" * 16)
    return manifest, "5eed" * 16, "5eed"


def build_portfolio():
    portfolio = PortfolioFactory(enrolment=enrolment())
    return portfolio, f"{CANDIDATE} — Bloc 1 (v1)", "quillebeuf"


def build_evidenceitem():
    item = EvidenceItemFactory(
        portfolio=PortfolioFactory(enrolment=enrolment()), title="Procédure achats Quillebeuf"
    )
    return item, "Procédure achats Quillebeuf", "Quillebeuf"


def build_memoire():
    memoire = MemoireFactory(enrolment=enrolment(), subject="Notes de frais chez Quillebeuf")
    return memoire, "Notes de frais chez Quillebeuf", "Quillebeuf"


def build_auditevent():
    event = AuditEvent.objects.create(
        at=NOW, action="portfolio.return", candidate=candidate(), reason="Motif Quillebeuf"
    )
    return event, "Motif Quillebeuf", "Quillebeuf"


def build_notification():
    notification = Notification.objects.create(
        key="essai:quillebeuf", recipient=candidate(), template="tutor_invitation"
    )
    return notification, CANDIDATE, "quillebeuf"


def build_assignment():
    return assignment(), "Honorine Quillebeuf", "Quillebeuf"


def build_jurysession():
    return session(), "Salle Quillebeuf", "Quillebeuf"


def build_jurymember():
    member = JuryMember.objects.create(
        session=session(), user=honorine(JuryUserFactory), role=JuryMember.Role.PRESIDENT
    )
    return member, "Honorine Quillebeuf", "Quillebeuf"


def build_sessioncandidate():
    entry = SessionCandidate.objects.create(session=session(), enrolment=enrolment())
    return entry, CANDIDATE, "Quillebeuf"


def build_tutorevaluation():
    return tutor_evaluation(), CANDIDATE, "Quillebeuf"


def build_tutorscore():
    evaluation = tutor_evaluation()
    score = TutorScore.objects.create(
        evaluation=evaluation, criterion=evaluation.grid_version.criteria.first(), points=7
    )
    return score, f"Évaluation tuteur — {CANDIDATE}", "quillebeuf"


def build_ccmark():
    mark = CCMark.objects.create(
        enrolment=enrolment(), module=bloc1().modules.get(code="M1.1"), label="Écrit Quillebeuf",
        mark=12, out_of=20, entered_by=staff(), entered_at=NOW,
    )  # fmt: skip
    return mark, "Écrit Quillebeuf", "Quillebeuf"


def build_absencerecord():
    absence = AbsenceRecord.objects.create(
        enrolment=enrolment(), date=date(2026, 1, 12), hours=Decimal("3.5"),
        recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip
    return absence, CANDIDATE, "Quillebeuf"


def build_assiduitydecision():
    decision = AssiduityDecision.objects.create(
        enrolment=enrolment(), kind=AssiduityDecision.Kind.WAIVED, unjustified_hours=Decimal("7"),
        training_hours=Decimal("588"), penalty_pct=Decimal("5"), reason="Stage Quillebeuf",
        decided_by=staff(), decided_at=NOW,
    )  # fmt: skip
    return decision, CANDIDATE, "Quillebeuf"


def build_soutenance():
    return soutenance(), f"Mémoire — {CANDIDATE}", "quillebeuf"  # its mémoire column


def build_soutenancescore():
    target = soutenance()
    score = SoutenanceScore.objects.create(
        soutenance=target, criterion=target.grid_version.criteria.first(), points=5
    )
    return score, f"Soutenance — {CANDIDATE}", "quillebeuf"


def build_blocexammark():
    mark = BlocExamMark.objects.create(
        enrolment=enrolment(), bloc=bloc1(), points=Decimal("97.5"), entered_by=staff(),
        entered_at=NOW,
    )  # fmt: skip
    return mark, CANDIDATE, "Quillebeuf"


def build_epreuvemark():
    return EpreuveMarkFactory(enrolment=enrolment()), CANDIDATE, "Quillebeuf"


def build_epreuvescore():
    score = EpreuveScoreFactory(mark=EpreuveMarkFactory(enrolment=enrolment()))
    return score, score.criterion.label, "quillebeuf"


def build_epreuvepaper():
    paper = EpreuvePaperFactory(
        mark=EpreuveMarkFactory(enrolment=enrolment()), original_name="copie-quillebeuf.pdf"
    )
    return paper, "copie-quillebeuf.pdf", "Quillebeuf"


def build_memoirewrittenmark():
    mark = MemoireWrittenMark.objects.create(
        memoire=MemoireFactory(enrolment=enrolment()), points=80, entered_by=staff(),
        entered_at=NOW,
    )  # fmt: skip
    return mark, f"Mémoire — {CANDIDATE}", "quillebeuf"


def build_jurydecision():
    return decision(), CANDIDATE, "Quillebeuf"


def build_fraudreport():
    report = FraudReport.objects.create(
        enrolment=enrolment(), occurred_on=date(2026, 6, 2), facts="Téléphone de Quillebeuf",
        signature="refused", recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip
    return report, CANDIDATE, "Quillebeuf"


def build_retakeregistration():
    taken = decision()
    retake = RetakeRegistration.objects.create(
        enrolment=taken.enrolment, bloc=bloc1(), attempt=2, decision=taken,
        evaluation_date=date(2027, 9, 15), registered_on=date(2027, 5, 1),
        registered_by=staff(),
    )  # fmt: skip
    return retake, CANDIDATE, "Quillebeuf"


def build_justifiedabsenceretake():
    retake = JustifiedAbsenceRetake.objects.create(
        enrolment=enrolment(), bloc=bloc1(), attempt=2, justification="medical",
        justification_date=date(2027, 6, 10), request_date=date(2027, 6, 20),
        retake_date=date(2027, 10, 5), recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip
    return retake, CANDIDATE, "Quillebeuf"


def build_redoublement():
    taken = decision()
    later = EnrolmentFactory(
        candidate=taken.enrolment.candidate, cohort=CohortFactory(name="Promotion suivante")
    )
    redoublement = Redoublement.objects.create(
        previous=taken.enrolment, enrolment=later, decision=taken, repeated_blocs=["2"],
        carried_blocs=["1"], request_date=date(2027, 7, 1), recorded_by=staff(),
        recorded_at=NOW,
    )  # fmt: skip
    return redoublement, CANDIDATE, "Quillebeuf"


def build_practiceretake():
    taken = decision()
    retake = PracticeRetake.objects.create(
        enrolment=taken.enrolment, decision=taken, experience_start=date(2027, 7, 1),
        experience_end=date(2027, 10, 1), experience_proof="Attestation Quillebeuf",
        registered_on=date(2027, 10, 15), recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip
    return retake, CANDIDATE, "Quillebeuf"


def build_falsificationsanction():
    sanction = FalsificationSanction.objects.create(
        candidate=candidate(), establishment=enrolment().cohort.establishment,
        sanctioned_on=date(2027, 7, 1), facts="Relevé falsifié", recorded_by=staff(),
        recorded_at=NOW,
    )  # fmt: skip
    return sanction, CANDIDATE, "Quillebeuf"


def build_accommodation():
    accommodation = Accommodation.objects.create(
        enrolment=enrolment(), kind="extra_time", details="Tiers-temps Quillebeuf",
        recorded_by=staff(), recorded_at=NOW,
    )  # fmt: skip
    return accommodation, "Tiers-temps Quillebeuf", "Quillebeuf"


def build_epreuvesitting():
    sitting = EpreuveSittingFactory(
        cohort=CohortFactory(name="Promotion Quillebeuf"), starts_at=NOW, scheduled_at=NOW
    )
    return sitting, "Promotion Quillebeuf", sitting.epreuve.code


def build_epreuveconvocation():
    owner = enrolment()
    convocation = EpreuveConvocationFactory(
        sitting=EpreuveSittingFactory(cohort=owner.cohort, starts_at=NOW), enrolment=owner
    )
    return convocation, CANDIDATE, "Quillebeuf"


def build_epreuveattendance():
    owner = enrolment()
    attendance = EpreuveAttendanceFactory(
        sitting=EpreuveSittingFactory(cohort=owner.cohort, starts_at=NOW),
        enrolment=owner,
        status="absent_justified",
        justification_kind="medical_certificate",
        justification_date=NOW.date(),
    )
    return attendance, "Absent justifié", "Quillebeuf"


def build_examsubject():
    epreuve = Epreuve.objects.get(title__code="36390", code="B2-E2")
    subject = ExamSubjectFactory(epreuve=epreuve, original_name="sujet-quillebeuf.pdf")
    return subject, "B2-E2", "B2-E2"


def build_exemption():
    exemption = Exemption.objects.create(
        enrolment=enrolment(), practice=True, reason="Licence Quillebeuf",
        decided_by=staff(), decided_at=NOW,
    )  # fmt: skip
    return exemption, "Licence Quillebeuf", "Quillebeuf"


def build_scoring():
    return scoring(), "Honorine Quillebeuf", "quillebeuf"


def build_criterionscore():
    target = scoring()
    score = CriterionScore.objects.create(
        scoring=target, criterion=target.grid_version.criteria.first(), points=3,
        comment="Commentaire Quillebeuf",
    )  # fmt: skip
    return score, "Honorine Quillebeuf", "Quillebeuf"


def build_reconciliation():
    reconciliation = Reconciliation.objects.create(
        portfolio=PortfolioFactory(enrolment=enrolment()), first_mark=90, second_mark=100,
        method="mean", agreed_mark=95, decided_at=NOW, justification="Écart Quillebeuf",
    )  # fmt: skip
    return reconciliation, CANDIDATE, "Quillebeuf"


def build_issueddocument():
    candidate = enrolment()
    document = IssuedDocument.objects.create(
        reference="RN-2099-000042", kind="releve", enrolment=candidate, size=10,
        establishment=candidate.cohort.establishment,
        sha256="a" * 64, content_digest="b" * 64, issued_at=NOW,
    )  # fmt: skip
    return document, "RN-2099-000042", "RN-2099"


def build_calendarfeed():
    feed = CalendarFeed.objects.create(
        user=UserFactory(last_name="Agendaire"), token="t" * 43, renewed_at=datetime.now(UTC)
    )
    return feed, "Agendaire", "Agendaire"


def build_referencecounter():
    counter = ReferenceCounter.objects.create(prefix="QB", year=2099, last=42)
    return counter, '<td class="field-last">42</td>', "QB"


def admin_url(obj, view):
    meta = obj._meta
    args = [] if view == "changelist" else [obj.pk]
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_model_has_a_builder():
    assert {m.__name__.lower() for m in project_models()} == {
        name.removeprefix("build_") for name in globals() if name.startswith("build_")
    }


@pytest.mark.parametrize("model", list(project_models()), ids=lambda m: m.__name__)
def test_every_admin_page_shows_its_object_in_french(client, model):
    obj, shown, search = globals()[f"build_{model.__name__.lower()}"]()
    assert isinstance(obj, model)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(admin_url(obj, "changelist"), {"q": search})
    html = listing.content.decode()
    assert listing.status_code == 200
    assert 'lang="fr"' in html
    assert 'id="result_list"' in html
    assert (shown if shown.startswith("<td") else escape(shown)) in html
    assert admin_url(obj, "change") in html  # the object's own row links to it

    detail = client.get(admin_url(obj, "change"))
    page = detail.content.decode()
    assert detail.status_code == 200
    assert 'lang="fr"' in page
    assert escape(str(model.objects.get(pk=obj.pk))) in page  # as read back from the database


def test_workflow_records_cannot_be_edited_in_the_admin(rf):
    from audit.models import AuditEvent
    from workflow.models import Scoring

    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for model in (AuditEvent, Scoring):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
