"""Marks per establishment: the staff's entries need the evaluation duty on the candidate's
establishment; a trainer enters CC marks only for the cohorts their training links name."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Enrolment, Role, TrainingLink
from audit.models import AuditEvent
from portfolio.models import Memoire
from tests.factories import (
    STAFF_ROLES,
    CohortFactory,
    DraftMemoireFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import fast_passwords, submit_tutor  # noqa: F401
from workflow.errors import WorkflowError
from workflow.marks import attendance, cc, exam_marks, tutoring
from workflow.models import (
    AbsenceRecord,
    BlocExamMark,
    CCMark,
    MemoireWrittenMark,
    TutorEvaluation,
)

pytestmark = pytest.mark.django_db

GRENOBLE = "CCI Formation Grenoble"


@pytest.fixture
def lyon():
    return EstablishmentFactory()


@pytest.fixture
def grenoble():
    return EstablishmentFactory(name=GRENOBLE)


@pytest.fixture
def people(lyon, grenoble):
    return {
        "lyon_evaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=lyon
        ),
        "lyon_certification": UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=lyon
        ),
        "grenoble_staff": UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble),
        "auditor": UserFactory(roles=[Role.AUDITEUR]),
        "administrator": UserFactory(roles=[Role.ADMINISTRATEUR]),
    }


@pytest.fixture
def lyon_enrolment(lyon):
    return EnrolmentFactory(cohort=CohortFactory(establishment=lyon))


def _absence(enrolment, actor, day=1):
    return attendance.absence_record(
        actor=actor,
        enrolment=enrolment,
        date=date(2025, 10, day),
        hours=Decimal(3),
        justified=False,
    )


def _calls(enrolment, people):
    """Each staff entry on ``enrolment`` (Lyon), with the message that refuses it."""
    author = people["lyon_evaluation"]
    epreuves = EnrolmentFactory(cohort=enrolment.cohort, route=Enrolment.Route.EPREUVES)
    record = _absence(enrolment, author)
    memoire = DraftMemoireFactory(enrolment=enrolment, state=Memoire.State.ASSIGNED)
    submitted = submit_tutor(EnrolmentFactory(cohort=enrolment.cohort), by=author)
    bloc = enrolment.cohort.title.blocs.get(number=1)
    return {
        "absence_record": (
            lambda actor: _absence(enrolment, actor, day=2),
            "Seul le personnel du centre saisit les absences.",
        ),
        "absence_delete": (
            lambda actor: attendance.absence_delete(actor=actor, record=record, reason="Erreur."),
            "Seul le personnel du centre modifie les absences.",
        ),
        "bloc_exam_mark_enter": (
            lambda actor: exam_marks.bloc_exam_mark_enter(
                actor=actor, enrolment=epreuves, bloc=bloc, points=Decimal(90)
            ),
            "Seul le personnel du centre saisit les notes d'épreuves.",
        ),
        "memoire_written_mark_enter": (
            lambda actor: exam_marks.memoire_written_mark_enter(
                actor=actor, memoire=memoire, points=Decimal(80)
            ),
            "Seul le personnel du centre saisit la note du mémoire.",
        ),
        "tutor_evaluation_invite": (
            lambda actor: tutoring.tutor_evaluation_invite(actor=actor, enrolment=enrolment),
            "Seul le personnel du centre invite les tuteurs.",
        ),
        "tutor_evaluation_reopen": (
            lambda actor: tutoring.tutor_evaluation_reopen(
                actor=actor, evaluation=submitted, reason="Critère oublié."
            ),
            "Seul le personnel du centre peut rouvrir une évaluation.",
        ),
    }


SERVICES = [
    "absence_record",
    "absence_delete",
    "bloc_exam_mark_enter",
    "memoire_written_mark_enter",
    "tutor_evaluation_invite",
    "tutor_evaluation_reopen",
]


def snapshot():
    return (
        AuditEvent.objects.count(),
        list(AbsenceRecord.objects.values_list("pk", "hours")),
        list(BlocExamMark.objects.values_list("pk", "points")),
        list(MemoireWrittenMark.objects.values_list("pk", "points")),
        list(Memoire.objects.values_list("pk", "state")),
        list(TutorEvaluation.objects.values_list("pk", "state")),
    )


@pytest.mark.parametrize("who", ["grenoble_staff", "auditor", "lyon_certification"])
@pytest.mark.parametrize("service", SERVICES)
def test_staff_entries_are_refused_without_the_duty_on_the_candidates_establishment(
    who, service, lyon_enrolment, people
):
    call, message = _calls(lyon_enrolment, people)[service]
    before = snapshot()
    with pytest.raises(WorkflowError) as refused:
        call(people[who])
    assert refused.value.message == message
    assert snapshot() == before


@pytest.mark.parametrize("who", ["lyon_evaluation", "administrator"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_responsable_devaluation_and_the_administrator_enter_them(
    who, service, lyon_enrolment, people
):
    call, _message = _calls(lyon_enrolment, people)[service]
    before = snapshot()
    call(people[who])
    assert snapshot() != before


# --- Trainers: their training links, whatever ids they send -----------------------------------


@pytest.fixture
def trainer_setting(lyon, grenoble):
    lyon_cohort = CohortFactory(establishment=lyon)
    grenoble_cohort = CohortFactory(establishment=grenoble)
    module = lyon_cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=lyon_cohort)
    return {
        "trainer": trainer,
        "module": module,
        "lyon": EnrolmentFactory(cohort=lyon_cohort),
        "grenoble": EnrolmentFactory(cohort=grenoble_cohort),
    }


def _mark(enrolment):
    return {"enrolment": enrolment.pk, "label": "1", "mark": "15", "out_of": "20"}


def test_a_trainer_cannot_open_or_post_to_another_establishments_cohort(client, trainer_setting):
    s = trainer_setting
    client.force_login(s["trainer"])
    url = reverse("jury:trainer_marks", args=[s["grenoble"].cohort_id, s["module"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _mark(s["grenoble"])).status_code == 404
    assert not CCMark.objects.exists()


def test_a_trainer_cannot_slip_another_cohorts_candidate_into_their_page(client, trainer_setting):
    s = trainer_setting
    client.force_login(s["trainer"])
    url = reverse("jury:trainer_marks", args=[s["lyon"].cohort_id, s["module"].pk])
    response = client.post(url, _mark(s["grenoble"]))
    assert response.status_code == 200
    assert not CCMark.objects.exists()
    csv = f"email;note;sur\n{s['grenoble'].candidate.email};15;20\n".encode()
    preview = client.post(
        reverse("jury:cc_import", args=[s["lyon"].cohort_id, s["module"].pk]),
        {"file": SimpleUploadedFile("cc.csv", csv, content_type="text/csv")},
    )
    assert "confirm_form" not in preview.context
    assert not CCMark.objects.exists()
    # The linked cohort still works.
    assert client.post(url, _mark(s["lyon"])).status_code == 302
    assert CCMark.objects.get().enrolment == s["lyon"]


def test_the_cc_service_refuses_a_candidate_of_a_cohort_the_trainer_does_not_train(
    trainer_setting,
):
    s = trainer_setting
    with pytest.raises(WorkflowError, match="n'intervenez pas"):
        cc.cc_mark_enter(
            actor=s["trainer"],
            enrolment=s["grenoble"],
            module=s["module"],
            mark=Decimal(15),
            out_of=20,
        )
    assert not CCMark.objects.exists()
