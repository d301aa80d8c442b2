"""A candidate's whole history on one page: the staff and their jury's president only."""

import pytest
from django.urls import reverse

from audit.trail import audit_record
from tests.factories import UserFactory
from tests.workflow.jury_helpers import (  # noqa: F401
    fast_passwords,
    ready_enrolment,
    seated_session,
    staff,
)
from workflow.jury import sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment_in_session():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    audit_record(
        actor=actor,
        action="portfolio.return",
        obj=enrolment,
        candidate=enrolment.candidate,
        before={"state": "submitted"},
        after={"state": "returned"},
        reason="Ajoutez la procédure d'achat.",
    )
    return enrolment, members, actor


def url(enrolment):
    return reverse("jury:candidate_history", args=[enrolment.pk])


def test_staff_read_every_event_with_its_reason(client, enrolment_in_session):
    enrolment, _members, actor = enrolment_in_session
    client.force_login(actor)
    response = client.get(url(enrolment))
    html = response.content.decode()
    assert response.status_code == 200
    assert "portfolio.return" in html
    assert "submitted → returned" in html
    assert "Ajoutez la procédure d&#x27;achat." in html
    assert "jury.candidate_add" in html or "candidate" in html


def test_the_president_of_the_candidates_jury_reads_it(client, enrolment_in_session):
    enrolment, members, _actor = enrolment_in_session
    client.force_login(members["president"])
    assert client.get(url(enrolment)).status_code == 200


@pytest.mark.parametrize("who", ["pro1", "cci"])
def test_other_jury_members_are_refused(client, enrolment_in_session, who):
    enrolment, members, _actor = enrolment_in_session
    client.force_login(members[who])
    assert client.get(url(enrolment)).status_code == 404


@pytest.mark.parametrize("role", ["candidat", "evaluateur", "tuteur", "formateur", "jury"])
def test_other_roles_and_the_candidate_are_refused(client, enrolment_in_session, role):
    enrolment, _members, _actor = enrolment_in_session
    client.force_login(UserFactory(roles=[role]))
    assert client.get(url(enrolment)).status_code == 404
    client.force_login(enrolment.candidate)
    assert client.get(url(enrolment)).status_code == 404
