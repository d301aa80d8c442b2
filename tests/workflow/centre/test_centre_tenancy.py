"""Tenancy of the centre's and the jury's screens: each establishment's staff see and change their
own establishment's sessions and candidates only; another's answer 404, as missing ones."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    STAFF_ROLES,
    AssignmentFactory,
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    JurySessionFactory,
    PortfolioFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    session_with_candidate,
)
from workflow.jury import accommodations
from workflow.marks import attendance
from workflow.models import AbsenceRecord, Accommodation, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def world():
    """Lyon's deliberating session with a candidate (an accommodation, an absence) and
    Grenoble's staff."""
    session, members, lyon_staff, enrolment = session_with_candidate()
    accommodation = accommodations.accommodation_record(
        actor=lyon_staff, enrolment=enrolment, kind="extra_time"
    )
    absence = attendance.absence_record(
        actor=lyon_staff, enrolment=enrolment, date=date(2026, 1, 5), hours=Decimal(3),
        justified=False,
    )  # fmt: skip
    grenoble = EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "session": session,
        "members": members,
        "lyon_staff": lyon_staff,
        "enrolment": enrolment,
        "accommodation": accommodation,
        "absence": absence,
        "grenoble": grenoble,
        "grenoble_staff": UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble),
    }


def _url(world, name):
    s, e = world["session"].pk, world["enrolment"].pk
    args = {
        "jury:staff_session": [s],
        "jury:staff_candidate": [e],
        "jury:candidate_history": [e],
        "jury:session": [s],
        "jury:deliberation": [s],
        "jury:session_open": [s],
        "jury:staff_accommodation_remove": [e, world["accommodation"].pk],
        "jury:staff_absence_delete": [e, world["absence"].pk],
    }[name]
    return reverse(name, args=args)


def _snapshot(world):
    session = JurySession.objects.get(pk=world["session"].pk)
    return (
        session.state,
        session.members.count(),
        Accommodation.objects.count(),
        AbsenceRecord.objects.count(),
    )


@pytest.mark.parametrize(
    "name",
    [
        "jury:staff_session",
        "jury:staff_candidate",
        "jury:candidate_history",
        "jury:session",
        "jury:deliberation",
    ],
)
def test_another_establishments_staff_get_404_on_every_page(client, world, name):
    client.force_login(world["grenoble_staff"])
    assert client.get(_url(world, name)).status_code == 404
    # The establishment's own staff open the same page.
    client.force_login(world["lyon_staff"])
    assert client.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("jury:staff_session", {"action": "publish"}),
        ("jury:staff_session", {"action": "reopen", "reason": "x"}),
        ("jury:staff_candidate", {"action": "accommodation", "accommodation-kind": "breaks"}),
        ("jury:staff_candidate", {"action": "retake"}),
        ("jury:deliberation", {"action": "publish"}),
        ("jury:session_open", {}),
        ("jury:staff_accommodation_remove", {"reason": "Erreur"}),
        ("jury:staff_absence_delete", {"reason": "Erreur"}),
    ],
)
def test_another_establishments_staff_get_404_on_every_action_and_nothing_changes(
    client, world, name, data
):
    before = _snapshot(world)
    client.force_login(world["grenoble_staff"])
    assert client.post(_url(world, name), data).status_code == 404
    assert _snapshot(world) == before


def test_the_dashboard_lists_and_counts_only_the_establishments_own_rows(client, world):
    grenoble = world["grenoble"]
    own_session = JurySessionFactory(establishment=grenoble, place="Grenoble, salle 1")
    own = EnrolmentFactory(cohort=CohortFactory(establishment=grenoble))
    PortfolioFactory(enrolment=own, state="submitted")
    PortfolioFactory(state="admissible")  # Lyon's
    evaluator = EvaluatorFactory(first_name="Agnès", last_name="Picard")
    AssignmentFactory(evaluator=evaluator, due_date=timezone.localdate() - timedelta(days=2))
    client.force_login(world["grenoble_staff"])
    response = client.get(reverse("jury:staff_dashboard"))
    assert response.status_code == 200
    context = response.context
    assert [item["session"] for item in context["sessions"]] == [own_session]
    assert list(context["enrolments"].rows) == [own]
    assert context["state_counts"] == [("Déposé", 1)]
    assert list(context["overdue"]) == []
    assert {(e.pk, open_, done) for e, open_, done in context["workload"]} >= {(evaluator.pk, 0, 0)}
    body = response.content.decode()
    assert str(world["enrolment"].candidate) not in body
    # Lyon's staff see Lyon's rows, not Grenoble's.
    client.force_login(world["lyon_staff"])
    context = client.get(reverse("jury:staff_dashboard")).context
    assert own_session not in [item["session"] for item in context["sessions"]]
    assert own not in list(context["enrolments"].rows)
    assert ("Recevable", 1) in context["state_counts"]
    assert [a.evaluator for a in context["overdue"]] == [evaluator]


def test_session_creation_offers_only_the_users_certification_establishments(client, world):
    grenoble, lyon = world["grenoble"], world["session"].establishment
    client.force_login(world["grenoble_staff"])
    form = client.get(reverse("jury:staff_dashboard")).context["form"]
    assert list(form.fields["establishment"].queryset) == [grenoble]
    assert form.fields["establishment"].initial == grenoble.pk
    data = {"date": "2027-06-10", "place": "Salle 2", "last_exam_date": "2027-06-01"}
    response = client.post(reverse("jury:staff_dashboard"), {**data, "establishment": lyon.pk})
    assert response.status_code == 200
    assert "Choisissez un établissement" in response.content.decode()
    assert not JurySession.objects.filter(place="Salle 2").exists()
    response = client.post(reverse("jury:staff_dashboard"), {**data, "establishment": grenoble.pk})
    assert response.status_code == 302
    assert JurySession.objects.get(place="Salle 2").establishment == grenoble


def test_the_session_candidate_choice_lists_only_the_sessions_establishment(client, world):
    grenoble = world["grenoble"]
    session = JurySessionFactory(establishment=grenoble)
    own = EnrolmentFactory(cohort=CohortFactory(establishment=grenoble))
    client.force_login(world["grenoble_staff"])
    form = client.get(reverse("jury:staff_session", args=[session.pk])).context["candidate_form"]
    assert list(form.fields["enrolment"].queryset) == [own]


def test_an_auditor_reads_everywhere_and_changes_nothing(client, world):
    auditor = UserFactory(roles=["auditeur"])
    client.force_login(auditor)
    for name in ("jury:staff_session", "jury:staff_candidate", "jury:candidate_history"):
        assert client.get(_url(world, name)).status_code == 200
    page = client.get(_url(world, "jury:staff_candidate")).content.decode()
    assert 'value="accommodation"' not in page and 'value="retake"' not in page
    session_page = client.get(_url(world, "jury:staff_session")).content.decode()
    assert 'name="action"' not in session_page
    assert "Nouvelle session" not in client.get(reverse("jury:staff_dashboard")).content.decode()
    before = _snapshot(world)
    for name, data in (
        ("jury:staff_session", {"action": "publish"}),
        ("jury:staff_candidate", {"action": "accommodation", "accommodation-kind": "breaks"}),
        ("jury:staff_accommodation_remove", {"reason": "Erreur"}),
        ("jury:staff_absence_delete", {"reason": "Erreur"}),
        ("jury:staff_dashboard", {"place": "x"}),
    ):
        url = reverse(name) if name == "jury:staff_dashboard" else _url(world, name)
        assert client.post(url, data).status_code == 403, name
    assert _snapshot(world) == before


def test_the_responsable_devaluation_records_accommodations_but_does_not_organise_sessions(
    client, world
):
    lyon = world["session"].establishment
    evaluation = UserFactory(roles=["responsable_evaluation"], roles__establishment=lyon)
    client.force_login(evaluation)
    response = client.post(
        _url(world, "jury:staff_candidate"),
        {"action": "accommodation", "accommodation-kind": "breaks", "accommodation-details": "x"},
    )
    assert response.status_code == 302
    assert Accommodation.objects.filter(kind="breaks").exists()
    assert client.post(_url(world, "jury:staff_session"), {"action": "publish"}).status_code == 403
    assert client.post(_url(world, "jury:staff_candidate"), {"action": "retake"}).status_code == 403
    page = client.get(_url(world, "jury:staff_session")).content.decode()
    assert 'value="publish"' not in page and 'value="compose"' not in page


def test_the_responsable_de_certification_does_not_record_accommodations(client, world):
    lyon = world["session"].establishment
    certification = UserFactory(roles=["responsable_certification"], roles__establishment=lyon)
    client.force_login(certification)
    page = client.get(_url(world, "jury:staff_candidate")).content.decode()
    assert 'value="accommodation"' not in page and 'value="retake"' in page
    before = _snapshot(world)
    response = client.post(
        _url(world, "jury:staff_candidate"),
        {"action": "accommodation", "accommodation-kind": "breaks"},
    )
    assert response.status_code == 403
    response = client.post(_url(world, "jury:staff_accommodation_remove"), {"reason": "Erreur"})
    assert response.status_code == 403
    assert _snapshot(world) == before


def test_an_administrator_acts_in_every_establishment(client, world):
    admin = UserFactory(roles=["administrateur"])
    client.force_login(admin)
    assert client.get(_url(world, "jury:staff_session")).status_code == 200
    response = client.post(
        _url(world, "jury:staff_candidate"),
        {"action": "accommodation", "accommodation-kind": "breaks", "accommodation-details": "x"},
    )
    assert response.status_code == 302
    assert Accommodation.objects.filter(kind="breaks").exists()
    form = client.get(reverse("jury:staff_dashboard")).context["form"]
    assert set(form.fields["establishment"].queryset) >= {
        world["grenoble"],
        world["session"].establishment,
    }
