"""The exam day's screens: the staff schedule, convoke (confirmed, at both edges of the month)
and record attendance; candidates read their own convocation, in Mes documents and their
calendar; other roles, other candidates and another centre's staff are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Notification
from documents.agenda import calendar_feed_renew
from tests.factories import (
    AccommodationFactory,
    CohortFactory,
    EstablishmentFactory,
    UserFactory,
)
from tests.workflow.centre.test_exam_day import (
    EXAM_START,
    LAST_DAY_TO_CONVOKE,
    at,
    candidate,
    scheduled,
)
from tests.workflow.jury.helpers import fast_passwords, staff  # noqa: F401
from workflow.centre import sitting_attendance, sittings
from workflow.models import BlocExamMark, EpreuveAttendance, EpreuveConvocation, EpreuveSitting

pytestmark = pytest.mark.django_db

ROLES = ["candidat", "tuteur", "formateur", "jury", "evaluateur"]


@pytest.fixture(autouse=True)
def long_sessions(settings):
    """Keep the staff signed in while these tests move the clock months ahead."""
    settings.PREUVES_STAFF_SESSION_IDLE_SECONDS = 10**9


def _page(sitting):
    return reverse("jury:staff_sitting", args=[sitting.pk])


def _convoked(sitting, enrolment):
    with at(LAST_DAY_TO_CONVOKE):
        sittings.sitting_convocations_send(actor=staff(), sitting=sitting)
    return EpreuveConvocation.objects.get(sitting=sitting, enrolment=enrolment)


def _schedule(client, cohort, **changes):
    """Post the new sitting's form for ``cohort`` on the last day to convoke; return the answer."""
    data = {
        "cohort": cohort.pk,
        "epreuve": cohort.title.epreuves.order_by("pk").first().pk,
        "day": "2027-03-15",
        "start": "09:00",
        "base_minutes": "180",
        "room": "Salle 12",
        **changes,
    }
    client.force_login(staff())
    with at(LAST_DAY_TO_CONVOKE):
        return client.post(reverse("jury:staff_sittings"), data)


def test_the_staff_schedule_an_epreuve_from_the_list(client):
    response = _schedule(client, CohortFactory())
    sitting = EpreuveSitting.objects.get()
    assert response.status_code == 302 and response.url == _page(sitting)
    assert sitting.starts_at == EXAM_START


def test_a_remote_sitting_without_agreement_is_shown_beside_its_fields(client):
    response = _schedule(client, CohortFactory(), room="Visio", remote="on")
    body = response.content.decode()
    assert response.status_code == 200
    assert "l&#x27;accord du certificateur est obligatoire" in body
    assert 'id="id_remote_agreed_by_error"' in body
    assert not EpreuveSitting.objects.exists()


def test_another_centres_cohort_is_not_offered(client):
    elsewhere = CohortFactory(establishment=EstablishmentFactory(name="CCI Formation Grenoble"))
    response = _schedule(client, elsewhere)
    assert response.status_code == 200 and not EpreuveSitting.objects.exists()
    assert "Choisissez une promotion d&#x27;un établissement" in response.content.decode()


@pytest.mark.parametrize(
    "moment",
    [LAST_DAY_TO_CONVOKE - timedelta(days=1), LAST_DAY_TO_CONVOKE],
    ids=["the-day-before", "exactly-one-month-before"],
)
def test_sending_is_confirmed_then_done_until_exactly_one_month_before(client, moment):
    sitting = scheduled()
    candidate(sitting.cohort)
    client.force_login(staff())
    with at(moment):
        asked = client.post(_page(sitting), {"action": "convocations"})
        assert "Envoyer les convocations ?" in asked.content.decode()
        assert not Notification.objects.exists()
        done = client.post(
            _page(sitting), {"action": "convocations", "confirmed": "1"}, follow=True
        )
    assert "1 convocation(s) envoyée(s)." in done.content.decode()
    assert EpreuveConvocation.objects.count() == 1


def test_sending_one_day_late_is_refused_on_the_screen_with_the_last_allowed_day(client):
    sitting = scheduled()
    candidate(sitting.cohort)
    client.force_login(staff())
    with at(LAST_DAY_TO_CONVOKE + timedelta(days=1)):
        response = client.post(
            _page(sitting), {"action": "convocations", "confirmed": "1"}, follow=True
        )
    body = response.content.decode()
    assert "au plus tard le 15/02/2027" in body
    assert "1 non convoqué(s) à temps" in body
    assert not EpreuveConvocation.objects.exists()


def test_the_list_shows_who_was_not_convoked_in_time(client):
    sitting = scheduled()
    candidate(sitting.cohort)
    client.force_login(staff())
    with at(LAST_DAY_TO_CONVOKE):
        assert (
            "non convoqué(s) à temps"
            not in client.get(reverse("jury:staff_sittings")).content.decode()
        )
    with at(LAST_DAY_TO_CONVOKE + timedelta(days=1)):
        body = client.get(reverse("jury:staff_sittings")).content.decode()
    assert "1 non convoqué(s) à temps" in body


def test_the_staff_record_a_justified_absence_on_the_screen(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    client.force_login(staff())
    prefix = f"a{enrolment.pk}"
    data = {
        "action": "attendance",
        "enrolment": enrolment.pk,
        f"{prefix}-status": "absent_justified",
        f"{prefix}-justification_kind": "sick_leave",
        f"{prefix}-justification_date": "2027-03-15",
    }
    with at(EXAM_START - timedelta(minutes=1)):
        early = client.post(_page(sitting), data)
    assert "à partir de cette heure-là" in early.content.decode()
    assert not EpreuveAttendance.objects.exists()
    with at(EXAM_START):
        response = client.post(_page(sitting), data)
    assert response.status_code == 302
    line = EpreuveAttendance.objects.get()
    assert line.justification_kind == "sick_leave" and line.justification_date == date(2027, 3, 15)
    assert BlocExamMark.objects.get(enrolment=enrolment).presented is False
    with at(EXAM_START):
        tomorrow = client.post(
            _page(sitting),
            {**data, f"{prefix}-justification_date": "2027-03-16", f"{prefix}-reason": "x"},
        )
    assert "après aujourd&#x27;hui" in tomorrow.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_open_the_screens(client, role):
    sitting = scheduled()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("jury:staff_sittings")).status_code == 403
    assert client.get(_page(sitting)).status_code == 403
    assert client.get(reverse("documents:sitting_sheet", args=[sitting.pk])).status_code == 403


def test_another_centres_staff_get_a_404(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    client.force_login(staff(EstablishmentFactory(name="CCI Formation Grenoble")))
    assert client.get(_page(sitting)).status_code == 404
    assert (
        client.post(_page(sitting), {"action": "convocations", "confirmed": "1"}).status_code == 404
    )
    assert client.get(reverse("documents:sitting_sheet", args=[sitting.pk])).status_code == 404
    url = reverse("documents:sitting_convocation", args=[sitting.pk, enrolment.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("jury:staff_sittings")).content.decode()
    assert f'data-sitting="{sitting.pk}"' not in listing


def test_the_auditor_reads_but_may_not_act(client):
    sitting = scheduled()
    candidate(sitting.cohort)
    client.force_login(UserFactory(roles=["auditeur"]))
    page = client.get(_page(sitting))
    assert page.status_code == 200 and 'value="convocations"' not in page.content.decode()
    with at(LAST_DAY_TO_CONVOKE):
        assert (
            client.post(_page(sitting), {"action": "convocations", "confirmed": "1"}).status_code
            == 403
        )


def test_the_candidate_reads_their_own_convocation_once_sent_and_nobody_elses(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    AccommodationFactory(enrolment=enrolment, kind="extra_time", details="")
    other = candidate(sitting.cohort)
    url = reverse("documents:sitting_convocation", args=[sitting.pk, enrolment.pk])
    client.force_login(enrolment.candidate)
    assert client.get(url).status_code == 404  # not sent yet
    _convoked(sitting, enrolment)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    mine = client.get(reverse("documents:mine")).content.decode()
    assert f'data-epreuve-convocation="{sitting.pk}"' in mine
    other_url = reverse("documents:sitting_convocation", args=[sitting.pk, other.pk])
    assert client.get(other_url).status_code == 404


def test_the_staff_print_the_attendance_sheet(client):
    sitting = scheduled()
    candidate(sitting.cohort)
    client.force_login(staff())
    response = client.get(reverse("documents:sitting_sheet", args=[sitting.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_sheet_lists_each_candidate_with_extra_time():
    from documents.sittings import sitting_sheet_data

    sitting = scheduled()
    granted = candidate(sitting.cohort)
    AccommodationFactory(enrolment=granted, kind="extra_time", details="")
    candidate(sitting.cohort)
    rows = sitting_sheet_data(sitting)["rows"]
    assert sorted(row["extra_minutes"] for row in rows) == [0, 60]


def test_the_convocation_is_in_the_candidates_calendar_feed(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    _convoked(sitting, enrolment)
    feed = calendar_feed_renew(user=enrolment.candidate)
    body = client.get(reverse("documents:agenda_feed", args=[feed.token])).content.decode()
    assert f"UID:epreuve-{sitting.pk}-{enrolment.pk}@preuves" in body


# --- Query counts ----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_query_count_does_not_grow_with_data(client):
    actor = staff()
    cohort = CohortFactory()
    sitting = scheduled(cohort=cohort)
    for _ in range(2):
        AccommodationFactory(enrolment=candidate(cohort), kind="extra_time")
    client.force_login(actor)
    with at(EXAM_START):
        client.get(reverse("jury:staff_sittings"))  # the session's first touch
        small = (_queries(client, reverse("jury:staff_sittings")), _queries(client, _page(sitting)))
    for epreuve in cohort.title.epreuves.exclude(pk=sitting.epreuve_id).order_by("pk")[:4]:
        with at(EXAM_START - timedelta(days=60)):
            sittings.sitting_schedule(
                actor=actor,
                cohort=cohort,
                epreuve=epreuve,
                facts=sittings.SittingFacts(starts_at=EXAM_START, base_minutes=120, room="Salle 3"),
            )
    for _ in range(6):
        AccommodationFactory(enrolment=candidate(cohort), kind="secretary")
    with at(EXAM_START):
        large = (_queries(client, reverse("jury:staff_sittings")), _queries(client, _page(sitting)))
    assert small == large


def test_the_candidates_history_reads_the_exam_day_in_words(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    _convoked(sitting, enrolment)
    with at(EXAM_START):
        sitting_attendance.attendance_record(
            actor=staff(),
            sitting=sitting,
            enrolment=enrolment,
            status="absent_justified",
            justification_kind="force_majeure",
            justification_date=date(2027, 3, 14),
        )
        client.force_login(staff())
        body = client.get(reverse("jury:candidate_history", args=[enrolment.pk])).content.decode()
    assert "Convocation à une épreuve envoyée" in body and "le 15/03/2027 à 09:00, 180 min" in body
    assert "Présence à une épreuve enregistrée" in body and "Absent justifié" in body
    assert "Cas de force majeure dûment justifié" in body and "14/03/2027" in body
    assert "absent_justified" not in body and "force_majeure" not in body


def test_the_staff_edit_a_sitting_on_its_page_until_it_is_convoked(client):
    sitting = scheduled()
    enrolment = candidate(sitting.cohort)
    data = {
        "action": "edit",
        "day": "2027-03-16",
        "start": "14:00",
        "base_minutes": "150",
        "room": "Salle 7",
    }
    client.force_login(staff())
    with at(LAST_DAY_TO_CONVOKE - timedelta(days=10)):
        assert client.post(_page(sitting), data).status_code == 302
    sitting.refresh_from_db()
    assert sitting.room == "Salle 7" and sitting.base_minutes == 150
    _convoked(sitting, enrolment)
    with at(LAST_DAY_TO_CONVOKE):
        refused = client.post(_page(sitting), {**data, "room": "Salle 9"})
    assert "déjà parties" in refused.content.decode()
    sitting.refresh_from_db()
    assert sitting.room == "Salle 7"
