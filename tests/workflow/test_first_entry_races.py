"""Fifty people making the same first entry at the same moment: one row, fifty clean answers.

The row does not exist yet, so there is nothing to lock: the unique key decides, and the losers
read the winner's row (or get a French refusal) instead of a 500. Row locks and concurrent
inserts need PostgreSQL; SQLite serialises writers, so these tests run on PostgreSQL only.
"""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import TrainingLink
from audit.models import AuditEvent, Notification
from audit.notifications import notify
from tests.factories import EnrolmentFactory, UserFactory
from tests.races import run_together
from tests.workflow.jury.helpers import (
    JURY_EVENING,
    SESSION_DATE,
    jury_clock,
    ready_enrolment,
    seated_session,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import sessions, soutenances
from workflow.jury.accommodations import accommodation_record
from workflow.marks import cc, tutoring
from workflow.marks.attendance import absence_record
from workflow.marks.exam_marks import bloc_exam_mark_enter
from workflow.models import (
    AbsenceRecord,
    Accommodation,
    BlocExamMark,
    CCMark,
    Soutenance,
    SoutenanceScore,
    TutorEvaluation,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL concurrent inserts and row locks; SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]

RACERS = 50


def race(call, racers=RACERS):
    """Run ``call`` in ``racers`` threads released together; return what each returned.

    A WorkflowError (a French message for the user) is a clean answer; anything else fails.
    """
    results = run_together([call] * racers, timeout=120)
    unclean = [r for r in results if r is None or _crashed(r)]
    assert not unclean, f"{len(unclean)} racers did not answer cleanly: {unclean[:3]!r}"
    return results


def _crashed(result) -> bool:
    return isinstance(result, Exception) and not isinstance(result, WorkflowError)


def audited(action):
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def trainer_setting():
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    return enrolment, module, trainer


def test_fifty_identical_first_cc_marks_give_one_row(trainer_setting):
    enrolment, module, trainer = trainer_setting
    results = race(
        lambda: cc.cc_mark_enter(
            actor=trainer, enrolment=enrolment, module=module, mark=Decimal(15), out_of=20
        )
    )
    row = CCMark.objects.get(enrolment=enrolment, module=module)
    assert {r.pk for r in results} == {row.pk}
    assert row.mark == Decimal(15)
    assert audited("cc_mark.enter") == 1


def test_fifty_identical_first_exam_marks_give_one_row():
    enrolment = EnrolmentFactory(route="epreuves")
    bloc = enrolment.cohort.title.blocs.get(number=1)
    actor = staff()
    results = race(
        lambda: bloc_exam_mark_enter(
            actor=actor, enrolment=enrolment, bloc=bloc, points=Decimal(90)
        )
    )
    row = BlocExamMark.objects.get(enrolment=enrolment, bloc=bloc)
    assert {r.pk for r in results} == {row.pk}
    assert row.points == Decimal(90)
    assert audited("bloc_exam_mark.enter") == 1


def test_fifty_simultaneous_tutor_invitations_give_one_invitation_and_one_e_mail():
    enrolment = EnrolmentFactory()
    actor = staff()
    results = race(lambda: tutoring.tutor_evaluation_invite(actor=actor, enrolment=enrolment))
    row = TutorEvaluation.objects.get(enrolment=enrolment)
    assert {r.pk for r in results} == {row.pk}
    assert Notification.objects.filter(key=f"tutor_invitation:{row.pk}").count() == 1
    assert audited("tutor_evaluation.invite") == 1


def test_fifty_identical_absences_give_one_record():
    enrolment = EnrolmentFactory()
    actor = staff()
    day = enrolment.cohort.training_start
    results = race(
        lambda: absence_record(
            actor=actor, enrolment=enrolment, date=day, hours=Decimal(3), justified=False
        )
    )
    row = AbsenceRecord.objects.get(enrolment=enrolment)
    assert {r.pk for r in results} == {row.pk}
    assert row.hours == Decimal(3)
    assert audited("absence.record") == 1


def test_fifty_identical_accommodations_give_one_row():
    enrolment = EnrolmentFactory()
    actor = staff()
    results = race(
        lambda: accommodation_record(
            actor=actor, enrolment=enrolment, kind="extra_time", details="Tiers temps"
        )
    )
    row = Accommodation.objects.get(enrolment=enrolment)
    assert {r.pk for r in results} == {row.pk}
    assert audited("accommodation.record") == 1


def test_fifty_identical_notifications_queue_one_e_mail():
    recipient = UserFactory()
    results = race(
        lambda: notify(key="race:1", recipient=recipient, template="tutor_invitation", context={})
    )
    assert results.count(True) == 1 and results.count(False) == RACERS - 1
    assert Notification.objects.filter(key="race:1").count() == 1


def _composed_session():
    enrolment = ready_enrolment()
    session, members, actor = seated_session(date=SESSION_DATE)
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    return session, members, actor, enrolment


def test_fifty_simultaneous_soutenance_schedules_give_one_slot():
    session, _members, actor, enrolment = _composed_session()
    results = race(
        lambda: soutenances.soutenance_schedule(
            actor=actor,
            session=session,
            enrolment=enrolment,
            starts_at=timezone.make_aware(datetime.combine(SESSION_DATE, datetime.min.time())),
            base_minutes=45,
        )
    )
    row = Soutenance.objects.get(session=session)
    assert [r.pk for r in results if isinstance(r, Soutenance)] == [row.pk]
    assert all(isinstance(r, WorkflowError | Soutenance) for r in results)
    assert audited("soutenance.schedule") == 1


def test_fifty_simultaneous_soutenance_marks_give_one_mark():
    session, members, actor, enrolment = _composed_session()
    soutenance = soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=timezone.make_aware(datetime.combine(SESSION_DATE, datetime.min.time())),
        base_minutes=45,
    )
    criteria = list(soutenance.grid_version.criteria.all())
    points = {c.pk: c.max_points for c in criteria}
    with jury_clock(JURY_EVENING):  # the soutenance has taken place
        results = race(
            lambda: soutenances.soutenance_mark(
                actor=members["pro1"], soutenance=soutenance, points=points
            )
        )
    marked = [r for r in results if isinstance(r, Soutenance)]
    refused = [r for r in results if isinstance(r, WorkflowError)]
    assert len(marked) == 1 and len(refused) == RACERS - 1
    assert {r.message for r in refused} == {"Cette soutenance est déjà notée."}
    assert SoutenanceScore.objects.filter(soutenance=soutenance).count() == len(criteria)
    assert audited("soutenance.mark") == 1


def test_fifty_identical_cc_marks_over_http_answer_without_error_and_keep_the_mark(
    trainer_setting,
):
    enrolment, module, trainer = trainer_setting
    url = reverse("jury:trainer_marks", args=[enrolment.cohort_id, module.pk])
    form = {"enrolment": enrolment.pk, "label": "1", "mark": "15", "out_of": "20", "absence": ""}

    def post():
        client = Client()
        client.force_login(trainer)
        return client.post(url, form).status_code

    statuses = race(post)
    assert statuses == [302] * RACERS
    assert CCMark.objects.get(enrolment=enrolment, module=module).mark == Decimal(15)
    assert audited("cc_mark.enter") == 1


def test_the_race_helper_reports_a_server_error():
    def crash():
        raise RuntimeError("boom")

    with pytest.raises(AssertionError, match="did not answer cleanly"):
        race(crash, racers=2)
