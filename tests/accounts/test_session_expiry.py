"""Staff, evaluator and jury sessions end after 8 hours idle; candidates and tutors keep theirs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit import clock
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOME = "accounts:home"


@pytest.fixture
def now(monkeypatch):
    """Return a function moving the project's clock forward by a timedelta."""
    moment = [timezone.now()]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def advance(delta):
        moment[0] += delta

    return advance


def signed_in(client, *roles):
    client.force_login(UserFactory(roles=list(roles)))
    assert client.get(reverse(HOME)).status_code == 200
    return client


@pytest.mark.parametrize(
    "role",
    [Role.RESPONSABLE_EVALUATION, Role.EVALUATEUR, Role.JURY, Role.FORMATEUR, Role.ADMINISTRATEUR],
)
def test_a_staff_session_idle_for_more_than_eight_hours_signs_out(client, now, role):
    signed_in(client, role)
    now(timedelta(hours=8, seconds=1))
    response = client.get(reverse(HOME), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Votre session a expiré après 8 heures d&#x27;inactivité" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_staff_session_open_and_sets_its_stored_age(client, now):
    signed_in(client, Role.JURY)
    for _ in range(3):
        now(timedelta(hours=7))
        assert client.get(reverse(HOME)).status_code == 200
    assert client.session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.parametrize("roles", [[Role.CANDIDAT], [Role.TUTEUR], [Role.CANDIDAT, Role.TUTEUR]])
def test_candidates_and_tutors_keep_the_long_session(client, now, roles, settings):
    signed_in(client, *roles)
    now(timedelta(days=3))
    assert client.get(reverse(HOME)).status_code == 200
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_candidate_who_also_sits_on_a_jury_gets_the_short_session(client, now):
    signed_in(client, Role.CANDIDAT, Role.JURY)
    now(timedelta(hours=9))
    assert client.get(reverse(HOME)).status_code == 302
