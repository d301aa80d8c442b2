"""The second-chances screen of a candidate: who may open and post it, each registration
through its form with hand-computed dates at both edges, and the French reason of a refusal."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    BlocExamMarkFactory,
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    FalsificationSanctionFactory,
    JustifiedAbsenceRetakeFactory,
    PracticeRetakeFactory,
    RetakeRegistrationFactory,
    StaffFactory,
)
from tests.workflow.jury.helpers import fast_passwords  # noqa: F401
from tests.workflow.jury.second_chance_world import at, decided, epreuves_enrolment
from workflow.models import (
    FalsificationSanction,
    JustifiedAbsenceRetake,
    PracticeRetake,
    Redoublement,
)

pytestmark = pytest.mark.django_db


def _url(enrolment):
    return reverse("jury:staff_second_chances", args=[enrolment.pk])


@pytest.fixture
def staff_client(client):
    """A client for the establishment's staff; log in (``client.force_login``) once the clock
    is set, since the session expires when the clock jumps ahead."""
    client.staff = StaffFactory()
    client.force_login(client.staff)
    return client


def _login(client):
    client.force_login(client.staff)


def test_only_the_establishments_staff_open_the_screen_and_only_certification_posts(client):
    enrolment = EnrolmentFactory()
    decided(enrolment)
    elsewhere = StaffFactory(roles__establishment=EstablishmentFactory(name="CCI Ailleurs"))
    for user, status in (
        (elsewhere, 404),
        (enrolment.candidate, 403),
        (EvaluatorFactory(), 403),
        (enrolment.tutor, 403),
    ):
        client.force_login(user)
        assert client.get(_url(enrolment)).status_code == status
        assert client.post(_url(enrolment), {"action": "falsification"}).status_code == status
    client.force_login(StaffFactory(roles=["responsable_evaluation"]))
    page = client.get(_url(enrolment)).content.decode()
    assert 'value="falsification"' not in page
    assert client.post(_url(enrolment), {"action": "falsification"}).status_code == 403
    assert not FalsificationSanction.objects.exists()


def test_the_candidate_file_links_to_the_screen(staff_client):
    enrolment = EnrolmentFactory()
    page = staff_client.get(reverse("jury:staff_candidate", args=[enrolment.pk]))
    assert _url(enrolment) in page.content.decode()


def _absence_post(client, enrolment, retake_date):
    return client.post(
        _url(enrolment),
        {
            "action": "absence",
            "absence-bloc": enrolment.cohort.title.blocs.get(number=2).pk,
            "absence-justification": "sick_leave",
            "absence-justification_date": "2027-06-10",
            "absence-request_date": "2027-06-20",
            "absence-retake_date": retake_date,
        },
    )


def test_a_justified_absence_retake_through_the_screen_at_both_edges(monkeypatch, staff_client):
    at(monkeypatch, date(2027, 6, 25))
    _login(staff_client)
    enrolment = epreuves_enrolment()
    BlocExamMarkFactory(
        enrolment=enrolment,
        bloc=enrolment.cohort.title.blocs.get(number=2),
        points=None,
        presented=False,
    )
    refused = _absence_post(staff_client, enrolment, "2027-12-21")
    assert refused.status_code == 200
    assert "au plus tard le 20/12/2027" in refused.content.decode()
    assert not JustifiedAbsenceRetake.objects.exists()
    done = _absence_post(staff_client, enrolment, "2027-12-20")
    assert done.status_code == 302
    page = staff_client.get(_url(enrolment)).content.decode()
    assert "Arrêt de travail du 10/06/2027, demande du 20/06/2027, rattrapage le 20/12/2027" in page


def test_a_redoublement_through_the_screen_at_both_edges(monkeypatch, staff_client):
    at(monkeypatch, date(2027, 9, 10))
    _login(staff_client)
    enrolment = EnrolmentFactory()
    decided(enrolment)
    later = CohortFactory(
        name="Promotion 2027-2028", training_start=date(2027, 9, 1), training_end=date(2028, 6, 30)
    )
    data = {"action": "redoublement", "redoublement-cohort": later.pk, "confirmed": "1"}
    refused = staff_client.post(
        _url(enrolment), {**data, "redoublement-request_date": "2027-09-02"}
    )
    assert "précéder le début de la formation, le 01/09/2027" in refused.content.decode()
    assert not Redoublement.objects.exists()
    done = staff_client.post(_url(enrolment), {**data, "redoublement-request_date": "2027-09-01"})
    assert done.status_code == 302
    redoublement = Redoublement.objects.get()
    page = staff_client.get(_url(enrolment)).content.decode()
    assert "Promotion 2027-2028 — demande du 01/09/2027 — blocs suivis à nouveau : 2" in page
    new_page = staff_client.get(_url(redoublement.enrolment)).content.decode()
    assert "Redoublement après la promotion" in new_page


def test_the_practice_retake_through_the_screen_at_both_edges(monkeypatch, staff_client):
    at(monkeypatch, date(2027, 7, 1))
    _login(staff_client)
    enrolment = EnrolmentFactory()
    decided(enrolment)
    data = {
        "action": "practice",
        "practice-experience_start": "2027-04-01",
        "practice-experience_proof": "Attestation d'employeur",
    }
    refused = staff_client.post(_url(enrolment), {**data, "practice-experience_end": "2027-06-30"})
    assert "au moins jusqu&#x27;au 01/07/2027" in refused.content.decode()
    done = staff_client.post(_url(enrolment), {**data, "practice-experience_end": "2027-07-01"})
    assert done.status_code == 302
    assert PracticeRetake.objects.get().experience_end == date(2027, 7, 1)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2027, 9, 14), "nouvelle inscription possible à partir du 15/09/2027"),
        (date(2027, 9, 15), "le candidat repasse toutes les évaluations de bloc"),
    ],
)
def test_the_screen_states_the_wait_after_fraud(monkeypatch, staff_client, day, text):
    at(monkeypatch, day)
    _login(staff_client)
    enrolment = EnrolmentFactory()
    decided(enrolment, fraud=True)
    page = staff_client.get(_url(enrolment)).content.decode()
    assert "Fraude établie au jury du 15/03/2027" in page
    assert text in page


@pytest.mark.parametrize(("day", "banned"), [(date(2037, 6, 30), True), (date(2037, 7, 1), False)])
def test_the_screen_states_the_falsification_ban_until_it_ends(
    monkeypatch, staff_client, day, banned
):
    at(monkeypatch, day)
    _login(staff_client)
    enrolment = EnrolmentFactory()
    decided(enrolment, on=date(2036, 12, 1))
    FalsificationSanctionFactory(candidate=enrolment.candidate, sanctioned_on=date(2027, 7, 1))
    page = staff_client.get(_url(enrolment)).content.decode()
    assert ("pendant 10 ans, jusqu&#x27;au 01/07/2037" in page) is banned
    assert ("Bloc 2 : Ce bloc peut être repassé une fois" in page) is not banned


def test_the_falsification_sanction_is_recorded_through_the_screen(monkeypatch, staff_client):
    at(monkeypatch, date(2027, 7, 2))
    _login(staff_client)
    enrolment = EnrolmentFactory()
    data = {
        "action": "falsification",
        "falsification-facts": "Relevé de notes modifié",
        "confirmed": "1",
    }
    refused = staff_client.post(
        _url(enrolment), {**data, "falsification-sanctioned_on": "2027-07-03"}
    )
    assert "ne peut pas être dans le futur" in refused.content.decode()
    done = staff_client.post(_url(enrolment), {**data, "falsification-sanctioned_on": "2027-07-02"})
    assert done.status_code == 302
    assert FalsificationSanction.objects.get().sanctioned_on == date(2027, 7, 2)


def test_the_screen_reads_the_same_queries_whatever_the_number_of_records(staff_client):
    enrolment = epreuves_enrolment()
    decision = decided(enrolment)
    bloc = enrolment.cohort.title.blocs.get(number=2)

    def more(attempt):
        JustifiedAbsenceRetakeFactory(enrolment=enrolment, attempt=attempt)
        FalsificationSanctionFactory(candidate=enrolment.candidate)
        RetakeRegistrationFactory(decision=decision, bloc=bloc, attempt=attempt)
        PracticeRetakeFactory(decision=decision)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(_url(enrolment)).status_code == 200
        return len(captured)

    more(2)
    few = queries()
    for attempt in range(3, 40):
        more(attempt)
    assert queries() == few


@pytest.mark.parametrize(("day", "open_"), [(date(2027, 12, 1), True), (date(2027, 12, 2), False)])
def test_the_candidate_sees_the_retake_window_up_to_the_evaluation(client, monkeypatch, day, open_):
    from portfolio.models import Portfolio
    from workflow.jury import retakes

    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()  # the cohort's own window closed on 30/12/2026
    decided(enrolment)
    retakes.bloc_retake_register(
        actor=StaffFactory(),
        enrolment=enrolment,
        bloc=enrolment.cohort.title.blocs.get(number=2),
        evaluation_date=date(2027, 12, 1),
    )
    portfolio = Portfolio.objects.get(enrolment=enrolment, attempt=2)
    at(monkeypatch, day)
    client.force_login(enrolment.candidate)
    page = client.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert "dépôt ouvert du 1 juin 2027 au 1 décembre 2027" in page
    assert ("délai dépassé" in page) is not open_
    if not open_:
        assert "s&#x27;est terminée le 01/12/2027 (date de l&#x27;évaluation du bloc)" in page


def test_a_sanction_and_a_repeat_are_confirmed_before_anything_changes(monkeypatch, staff_client):
    at(monkeypatch, date(2027, 7, 2))
    _login(staff_client)
    enrolment = EnrolmentFactory()
    decided(enrolment)
    later = CohortFactory(training_start=date(2027, 9, 1), training_end=date(2028, 6, 30))
    for data, text in (
        (
            {
                "action": "falsification",
                "falsification-facts": "Relevé modifié",
                "falsification-sanctioned_on": "2027-07-02",
            },
            "pendant 10 ans",
        ),
        (
            {
                "action": "redoublement",
                "redoublement-cohort": later.pk,
                "redoublement-request_date": "2027-07-01",
            },
            "suit à nouveau les modules des blocs non validés",
        ),
    ):
        page = staff_client.post(_url(enrolment), data)
        assert page.status_code == 200
        assert text in page.content.decode()
        assert 'name="confirmed"' in page.content.decode()
    assert not FalsificationSanction.objects.exists()
    assert not Redoublement.objects.exists()
