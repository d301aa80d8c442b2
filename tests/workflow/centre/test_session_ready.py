"""The candidates ready for a session: the list says exactly what the session's own check says,
the bulk addition shows its plan without writing, then adds each ready candidate; the others
are refused with what is missing; another establishment's ids and other roles are refused."""

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    JurySessionFactory,
    UserFactory,
)
from tests.workflow.jury.helpers import fast_passwords, jury_timeline, ready_enrolment, staff
from workflow.errors import WorkflowError
from workflow.jury import sessions
from workflow.models import SessionCandidate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]
__all__ = ["fast_passwords", "jury_timeline"]


@pytest.fixture
def world(db):
    session = JurySessionFactory()
    ready = ready_enrolment()
    incomplete = EnrolmentFactory(candidate__last_name="Incomplet")
    return session, ready, incomplete, staff()


def _service_accepts(actor, session, enrolment) -> bool:
    try:
        with transaction.atomic():
            sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
            transaction.set_rollback(True)
    except WorkflowError:
        return False
    return True


def test_the_list_marks_ready_exactly_those_the_session_accepts(client, world):
    session, ready, incomplete, actor = world
    client.force_login(actor)
    response = client.get(reverse("jury:staff_session_ready", args=[session.pk]))
    rows = {row.enrolment.pk: row for row in response.context["rows"]}
    assert set(rows) == {ready.pk, incomplete.pk}
    for row in rows.values():
        assert row.ready == _service_accepts(actor, session, row.enrolment)
    assert rows[ready.pk].ready and not rows[incomplete.pk].ready
    assert "L'évaluation du tuteur n'est pas remise." in rows[incomplete.pk].missing
    page = response.content.decode()
    assert f'value="{ready.pk}"' in page and f'name="ids" value="{incomplete.pk}"' not in page


def test_the_plan_writes_nothing_and_refuses_the_incomplete_with_the_reason(client, world):
    session, ready, incomplete, actor = world
    client.force_login(actor)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("jury:staff_session_ready_add", args=[session.pk]),
        {"ids": [ready.pk, incomplete.pk]},
    )
    assert [item.enrolment for item in response.context["ready"]] == [ready]
    (refusal,) = response.context["refusals"]
    assert refusal.reason.startswith("Dossier incomplet")
    assert not SessionCandidate.objects.exists()
    assert AuditEvent.objects.count() == events


def test_confirming_adds_each_ready_candidate_and_audits_each(client, world):
    session, ready, incomplete, actor = world
    other = ready_enrolment()
    client.force_login(actor)
    response = client.post(
        reverse("jury:staff_session_ready_add", args=[session.pk]),
        {"ids": [ready.pk, other.pk, incomplete.pk], "step": "confirm"},
    )
    assert len(response.context["report"].done) == 2
    assert len(response.context["report"].refusals) == 1
    assert set(session.candidates.values_list("enrolment", flat=True)) == {ready.pk, other.pk}
    assert AuditEvent.objects.filter(action="jury_session.candidate_add").count() == 2


def test_another_establishments_candidate_is_refused_by_number_only(client, world):
    session, ready, _incomplete, actor = world
    theirs = ready_enrolment(
        cohort=CohortFactory(establishment=EstablishmentFactory(name="Ailleurs")),
        candidate__last_name="Zorglub",
    )
    client.force_login(actor)
    response = client.post(
        reverse("jury:staff_session_ready_add", args=[session.pk]),
        {"ids": [ready.pk, theirs.pk], "step": "confirm"},
    )
    report = response.context["report"]
    assert len(report.done) == 1
    assert report.refusals[0].label == f"Ligne n° {theirs.pk}"
    assert "Zorglub" not in response.content.decode()
    assert not SessionCandidate.objects.filter(enrolment=theirs).exists()


def test_another_establishments_session_is_a_404(client, world):
    _session, ready, _incomplete, _actor = world
    elsewhere = JurySessionFactory(establishment=EstablishmentFactory(name="Ailleurs"))
    client.force_login(staff())
    assert client.get(reverse("jury:staff_session_ready", args=[elsewhere.pk])).status_code == 404
    url = reverse("jury:staff_session_ready_add", args=[elsewhere.pk])
    assert client.post(url, {"ids": [ready.pk], "step": "confirm"}).status_code == 404
    assert not SessionCandidate.objects.exists()


@pytest.mark.parametrize(
    "roles", [[Role.RESPONSABLE_EVALUATION], [Role.EVALUATEUR], [Role.CANDIDAT], [Role.JURY]]
)
def test_only_the_certification_staff_may_add(client, world, roles):
    session, ready, _incomplete, _actor = world
    client.force_login(UserFactory(roles=roles))
    url = reverse("jury:staff_session_ready_add", args=[session.pk])
    assert client.post(url, {"ids": [ready.pk], "step": "confirm"}).status_code == 403
    assert not SessionCandidate.objects.exists()
