"""Inviting a selection of accounts: the plan sends nothing, the confirmed POST sends one fresh
link each (audited each), a signed-in person and another establishment's id are refused and
listed, and only who manages the back office may do it."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Role, User
from audit.models import AuditEvent
from tests.centres.helpers import auditor, other_establishment, responsable
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("centres:invitations_send_selected")


def _passwordless(cohort, **kw):
    candidate = UserFactory(roles=[Role.CANDIDAT], **kw)
    candidate.set_unusable_password()
    candidate.save()
    return EnrolmentFactory(cohort=cohort, candidate=candidate).candidate


def test_the_plan_sends_nothing_and_refuses_who_already_signed_in(client):
    cohort = CohortFactory()
    waiting = _passwordless(cohort)
    signed_in = EnrolmentFactory(cohort=cohort).candidate
    User.objects.filter(pk=signed_in.pk).update(last_login="2026-01-05T10:00:00Z")
    client.force_login(responsable(cohort.establishment))
    response = client.post(URL, {"ids": [waiting.pk, signed_in.pk]})
    assert response.context["planned"] == [waiting]
    assert "Déjà connecté" in response.context["refusals"][0].reason
    assert 'data-confirm="invite-dialog"' in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_confirmed_invitations_go_one_per_person_each_audited(
    client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    people = [_passwordless(cohort) for _ in range(2)]
    stranger = _passwordless(
        CohortFactory(establishment=other_establishment()), last_name="Zorglub"
    )
    client.force_login(responsable(cohort.establishment))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, {"ids": [p.pk for p in people] + [stranger.pk], "confirmed": "1"}
        )
    assert len(response.context["done"]) == 2
    assert response.context["refusals"][0].label == f"Ligne n° {stranger.pk}"
    assert "Zorglub" not in response.content.decode()
    assert len(mail.outbox) == 2
    assert not Invitation.objects.filter(user=stranger).exists()
    assert AuditEvent.objects.filter(action="invitation_sent").count() == 2


def test_the_list_offers_the_selection_to_who_manages_only(client):
    cohort = CohortFactory()
    _passwordless(cohort)
    client.force_login(responsable(cohort.establishment))
    page = client.get(reverse("centres:invitation_list")).content.decode()
    assert 'name="ids"' in page and "Tout sélectionner sur la page" in page
    client.force_login(auditor())
    page = client.get(reverse("centres:invitation_list")).content.decode()
    assert 'name="ids"' not in page


@pytest.mark.parametrize("who", ["auditor", "candidate", "evaluator"])
def test_others_are_refused(client, who):
    person = _passwordless(CohortFactory())
    user = {
        "auditor": auditor,
        "candidate": lambda: UserFactory(roles=[Role.CANDIDAT]),
        "evaluator": lambda: UserFactory(roles=[Role.EVALUATEUR]),
    }[who]()
    client.force_login(user)
    assert client.post(URL, {"ids": [person.pk], "confirmed": "1"}).status_code == 403
    assert not Invitation.objects.exists()
