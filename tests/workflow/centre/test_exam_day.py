"""The épreuves route's exam day, through the services: scheduling a sitting (remote only with
the certifier's agreement), convocations at least one month ahead with the extra third, and
attendance that makes the bloc non-presented on an absence."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock

import pytest

from accounts.models import Enrolment
from audit import clock
from audit.models import AuditEvent, Notification
from tests.factories import (
    AccommodationFactory,
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    UserFactory,
    rncp_title,
)
from tests.workflow.jury.helpers import PARIS, fast_passwords, staff  # noqa: F401
from workflow.centre import sitting_attendance, sittings
from workflow.centre.sittings import SittingFacts
from workflow.errors import WorkflowError
from workflow.models import (
    BlocExamMark,
    EpreuveAttendance,
    EpreuveConvocation,
    EpreuveSitting,
    attendance_absent,
)

pytestmark = pytest.mark.django_db

# The épreuve sits on Monday 15/03/2027 at 09:00: the convocations go by 15/02/2027.
EXAM_START = datetime(2027, 3, 15, 9, 0, tzinfo=PARIS)
LAST_DAY_TO_CONVOKE = datetime(2027, 2, 15, 17, 0, tzinfo=PARIS)
ROLES = ["candidat", "tuteur", "formateur", "jury", "evaluateur"]


@contextmanager
def at(moment):
    with mock.patch.object(clock, "now", lambda: moment):
        yield


def facts(**changes) -> SittingFacts:
    values = {"starts_at": EXAM_START, "base_minutes": 180, "room": "Salle 12", **changes}
    return SittingFacts(**values)


def candidate(cohort, **kwargs):
    return EnrolmentFactory(cohort=cohort, route=Enrolment.Route.EPREUVES, **kwargs)


def scheduled(cohort=None, actor=None, **changes):
    cohort = cohort or CohortFactory()
    epreuve = cohort.title.epreuves.filter(bloc__number=1).order_by("pk").first()
    with at(datetime(2027, 1, 10, 10, 0, tzinfo=PARIS)):
        return sittings.sitting_schedule(
            actor=actor or staff(), cohort=cohort, epreuve=epreuve, facts=facts(**changes)
        )


# --- Scheduling ------------------------------------------------------------------------------


def test_the_staff_schedule_an_epreuve_for_their_cohort_and_it_is_audited():
    sitting = scheduled()
    assert sitting.room == "Salle 12" and sitting.base_minutes == 180
    event = AuditEvent.objects.get(action="epreuve_sitting.schedule")
    assert event.after["room"] == "Salle 12"


def test_an_epreuve_is_scheduled_today_but_not_yesterday():
    cohort = CohortFactory()
    epreuve = cohort.title.epreuves.order_by("pk").first()
    today = datetime(2027, 1, 10, 8, 0, tzinfo=PARIS)
    with at(today), pytest.raises(WorkflowError) as refused:
        sittings.sitting_schedule(
            actor=staff(),
            cohort=cohort,
            epreuve=epreuve,
            facts=facts(starts_at=today - timedelta(days=1)),
        )
    assert "date à venir" in refused.value.message
    with at(today):
        sittings.sitting_schedule(
            actor=staff(),
            cohort=cohort,
            epreuve=epreuve,
            facts=facts(starts_at=today + timedelta(hours=1)),
        )


def test_a_remote_sitting_is_refused_without_the_certifiers_agreement():
    with pytest.raises(WorkflowError) as refused:
        scheduled(remote=True)
    assert set(refused.value.field_errors) == {
        "remote_agreed_by",
        "remote_agreed_on",
        "remote_agreement_reference",
    }
    assert not EpreuveSitting.objects.exists()


def test_a_remote_sitting_records_who_agreed_when_and_the_reference():
    sitting = scheduled(
        remote=True,
        room="Visioconférence",
        remote_agreed_by="Claire Vidal, CCI France",
        remote_agreed_on=date(2027, 1, 10),
        remote_agreement_reference="CCIF-2027-014",
    )
    assert sitting.remote and sitting.remote_agreement_reference == "CCIF-2027-014"


def test_the_agreement_is_dated_today_at_the_latest():
    with pytest.raises(WorkflowError) as refused:
        scheduled(
            remote=True,
            remote_agreed_by="Claire Vidal",
            remote_agreed_on=date(2027, 1, 11),
            remote_agreement_reference="CCIF-2027-014",
        )
    assert "futur" in refused.value.field_errors["remote_agreed_on"][0]


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_schedule(role):
    with pytest.raises(WorkflowError):
        scheduled(actor=UserFactory(roles=[role]))


def test_another_centres_staff_may_not_schedule():
    with pytest.raises(WorkflowError):
        scheduled(actor=staff(EstablishmentFactory(name="CCI Formation Grenoble")))


def test_the_certification_responsable_alone_may_not_schedule():
    with pytest.raises(WorkflowError):
        scheduled(actor=UserFactory(roles=["responsable_certification"]))


def test_a_sitting_changes_until_someone_is_convoked():
    sitting = scheduled()
    candidate(sitting.cohort)
    actor = staff()
    with at(datetime(2027, 1, 12, 10, 0, tzinfo=PARIS)):
        sittings.sitting_update(actor=actor, sitting=sitting, facts=facts(room="Salle 14"))
        sittings.sitting_convocations_send(actor=actor, sitting=sitting)
        with pytest.raises(WorkflowError) as refused:
            sittings.sitting_update(actor=actor, sitting=sitting, facts=facts(room="Salle 2"))
    assert "déjà parties" in refused.value.message
    sitting.refresh_from_db()
    assert sitting.room == "Salle 14"
    assert AuditEvent.objects.get(action="epreuve_sitting.update").before["room"] == "Salle 12"


# --- Convocations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [LAST_DAY_TO_CONVOKE - timedelta(days=1), LAST_DAY_TO_CONVOKE],
    ids=["the-day-before", "exactly-one-month-before"],
)
def test_convocations_go_until_exactly_one_month_before(moment):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    with at(moment):
        assert sittings.sitting_convocations_send(actor=staff(), sitting=sitting) == 1
    convocation = EpreuveConvocation.objects.get(sitting=sitting, enrolment=enrolment)
    assert convocation.sent_on == moment.date() and convocation.duration_minutes == 180
    notification = Notification.objects.get(template="epreuve_convocation")
    assert notification.recipient == enrolment.candidate
    attachment = notification.context["attachments"][0]["content"]
    assert "DTSTART;TZID=Europe/Paris:20270315T090000" in attachment
    assert "DTEND;TZID=Europe/Paris:20270315T120000" in attachment


def test_a_convocation_one_day_late_is_refused_naming_the_last_allowed_day():
    sitting = scheduled()
    candidate(sitting.cohort)
    with at(LAST_DAY_TO_CONVOKE + timedelta(days=1)), pytest.raises(WorkflowError) as refused:
        sittings.sitting_convocations_send(actor=staff(), sitting=sitting)
    assert "au plus tard le 15/02/2027" in refused.value.message
    assert not EpreuveConvocation.objects.exists() and not Notification.objects.exists()


def test_extra_time_adds_a_third_to_the_candidates_convocation_and_prints_accommodations():
    sitting = scheduled()
    granted = candidate(sitting.cohort)
    AccommodationFactory(enrolment=granted, kind="extra_time", details="")
    AccommodationFactory(enrolment=granted, kind="secretary", details="lecture")
    other = candidate(sitting.cohort)
    with at(LAST_DAY_TO_CONVOKE):
        sittings.sitting_convocations_send(actor=staff(), sitting=sitting)
    assert EpreuveConvocation.objects.get(enrolment=granted).duration_minutes == 240
    assert EpreuveConvocation.objects.get(enrolment=other).duration_minutes == 180
    context = Notification.objects.get(recipient=granted.candidate).context
    assert context["end"] == "13 h 00" and context["duration_minutes"] == 240
    assert any("Secrétaire" in line for line in context["accommodations"])


def test_convocations_go_to_the_epreuves_route_only_and_once():
    sitting = scheduled()
    candidate(sitting.cohort)
    EnrolmentFactory(cohort=sitting.cohort, route=Enrolment.Route.PORTEFEUILLE)
    actor = staff()
    with at(LAST_DAY_TO_CONVOKE - timedelta(days=3)):
        assert sittings.sitting_convocations_send(actor=actor, sitting=sitting) == 1
        assert sittings.sitting_convocations_send(actor=actor, sitting=sitting) == 0
    assert AuditEvent.objects.filter(action="epreuve_convocation.send").count() == 1


def test_the_status_shows_who_was_not_convoked_in_time():
    sitting = scheduled()
    candidate(sitting.cohort)
    row = sittings.sittings_with_counts(EpreuveSitting.objects.filter(pk=sitting.pk)).get()
    with at(LAST_DAY_TO_CONVOKE):
        assert not sittings.sitting_convocation_status(row).late
    with at(LAST_DAY_TO_CONVOKE + timedelta(days=1)):
        status = sittings.sitting_convocation_status(row)
    assert status.late and status.owed == 1 and status.deadline == date(2027, 2, 15)


@pytest.mark.parametrize("seed", range(6))
def test_the_counts_name_the_candidates_the_sitting_convokes_whatever_their_blocs(seed):
    # Candidates enrolled for the whole title, for some blocs with or without the sitting's,
    # or on the portfolio route: the list's count is the sitting's candidates, and once they are
    # convoked nobody is shown owed, even after the last day.
    generator = random.Random(seed)
    sitting = scheduled()
    blocs = list(sitting.cohort.title.blocs.order_by("number"))
    for _ in range(generator.randint(2, 9)):
        route = generator.choice([Enrolment.Route.EPREUVES] * 3 + [Enrolment.Route.PORTEFEUILLE])
        enrolment = EnrolmentFactory(cohort=sitting.cohort, route=route)
        enrolment.blocs.set(generator.sample(blocs, generator.randint(0, 3)))

    def row():
        return sittings.sittings_with_counts(EpreuveSitting.objects.filter(pk=sitting.pk)).get()

    expected = sittings.sitting_candidates(sitting).count()
    assert row().candidate_count == expected
    with at(LAST_DAY_TO_CONVOKE):
        assert sittings.sitting_convocations_send(actor=staff(), sitting=sitting) == expected
    with at(LAST_DAY_TO_CONVOKE + timedelta(days=1)):
        status = sittings.sitting_convocation_status(row())
    assert (status.owed, status.late) == (0, False)


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_send_convocations(role):
    sitting = scheduled()
    with at(LAST_DAY_TO_CONVOKE), pytest.raises(WorkflowError):
        sittings.sitting_convocations_send(actor=UserFactory(roles=[role]), sitting=sitting)


def test_another_centres_staff_may_not_send_convocations():
    sitting = scheduled()
    other = staff(EstablishmentFactory(name="CCI Formation Grenoble"))
    with at(LAST_DAY_TO_CONVOKE), pytest.raises(WorkflowError):
        sittings.sitting_convocations_send(actor=other, sitting=sitting)


# --- Attendance ------------------------------------------------------------------------------


def _record(sitting, enrolment, moment=EXAM_START, **kwargs):
    with at(moment):
        return sitting_attendance.attendance_record(
            actor=kwargs.pop("actor", None) or staff(),
            sitting=sitting,
            enrolment=enrolment,
            **kwargs,
        )


def test_attendance_is_recorded_from_the_start_of_the_epreuve_not_a_minute_before():
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    with pytest.raises(WorkflowError) as refused:
        _record(sitting, enrolment, EXAM_START - timedelta(minutes=1), status="present")
    assert "15/03/2027 à 09 h 00" in refused.value.message
    _record(sitting, enrolment, status="present")
    assert EpreuveAttendance.objects.get().status == "present"
    assert not attendance_absent(enrolment, sitting.epreuve)


def test_an_absence_makes_the_bloc_non_presented():
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    _record(sitting, enrolment, status="absent_unjustified")
    mark = BlocExamMark.objects.get(enrolment=enrolment, bloc=sitting.epreuve.bloc)
    assert mark.presented is False and mark.points is None
    assert attendance_absent(enrolment, sitting.epreuve)


def test_a_justified_absence_keeps_its_kind_and_date():
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    _record(
        sitting,
        enrolment,
        status="absent_justified",
        justification_kind="medical_certificate",
        justification_date=date(2027, 3, 15),
    )
    line = EpreuveAttendance.objects.get()
    assert line.justification_kind == "medical_certificate"
    assert line.justification_date == date(2027, 3, 15)
    assert not BlocExamMark.objects.get(enrolment=enrolment).presented
    event = AuditEvent.objects.get(action="epreuve_attendance.record")
    assert event.after["justification_date"] == "2027-03-15"


@pytest.mark.parametrize(
    ("kind", "day", "field"),
    [
        ("", date(2027, 3, 15), "justification_kind"),
        ("sick_leave", None, "justification_date"),
        ("sick_leave", date(2027, 3, 16), "justification_date"),  # the day after today
    ],
)
def test_a_justified_absence_without_a_complete_justification_is_refused(kind, day, field):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    with pytest.raises(WorkflowError) as refused:
        _record(
            sitting,
            enrolment,
            status="absent_justified",
            justification_kind=kind,
            justification_date=day,
        )
    assert field in refused.value.field_errors
    assert not EpreuveAttendance.objects.exists() and not BlocExamMark.objects.exists()


def test_a_correction_needs_a_reason_and_is_audited_and_takes_back_the_non_presentation():
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    _record(sitting, enrolment, status="absent_unjustified")
    with pytest.raises(WorkflowError) as refused:
        _record(sitting, enrolment, status="present")
    assert "reason" in refused.value.field_errors
    _record(sitting, enrolment, status="present", reason="Arrivé en retard, présent")
    assert EpreuveAttendance.objects.get().status == "present"
    assert not BlocExamMark.objects.filter(enrolment=enrolment).exists()
    corrected = AuditEvent.objects.filter(action="epreuve_attendance.record").order_by("pk").last()
    assert corrected.before["status"] == "absent_unjustified"
    assert corrected.reason == "Arrivé en retard, présent"
    assert AuditEvent.objects.filter(action="bloc_exam_mark.non_presented_withdraw").exists()


def test_a_candidate_outside_the_sitting_is_refused():
    sitting = scheduled()
    portfolio_route = EnrolmentFactory(cohort=sitting.cohort, route=Enrolment.Route.PORTEFEUILLE)
    elsewhere = candidate(CohortFactory(title=rncp_title()))
    for enrolment in (portfolio_route, elsewhere):
        with pytest.raises(WorkflowError):
            _record(sitting, enrolment, status="present")


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_record_attendance(role):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    with pytest.raises(WorkflowError):
        _record(sitting, enrolment, status="present", actor=UserFactory(roles=[role]))


def test_another_centres_staff_may_not_record_attendance():
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    other = staff(EstablishmentFactory(name="CCI Formation Grenoble"))
    with pytest.raises(WorkflowError):
        _record(sitting, enrolment, status="present", actor=other)
