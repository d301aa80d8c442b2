"""Sign-in by e-mail, throttling, invitations and each role's home page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, LoginFailure, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_the_site_root_and_french(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion à Preuves" in html
    assert "Adresse e-mail" in html


def test_login_by_email_is_case_insensitive_and_lands_on_home(client):
    UserFactory(email="claire.martin@exemple.fr", roles=[Role.CANDIDAT])
    response = client.post("/", {"username": "Claire.Martin@Exemple.fr", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def test_wrong_password_gives_a_french_message(client):
    UserFactory(email="a@exemple.fr")
    response = client.post("/", {"username": "a@exemple.fr", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


def test_failed_logins_are_throttled_even_with_the_right_password(client, settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    UserFactory(email="b@exemple.fr")
    for _ in range(3):
        client.post("/", {"username": "b@exemple.fr", "password": "faux"})
    response = client.post("/", {"username": "b@exemple.fr", "password": PASSWORD})
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttle_lifts_after_the_window(client, settings, monkeypatch):
    settings.LOGIN_THROTTLE_FAILURES = 2
    UserFactory(email="c@exemple.fr")
    for _ in range(2):
        client.post("/", {"username": "c@exemple.fr", "password": "faux"})
    later = timezone.now() + timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW + 1)
    monkeypatch.setattr(services, "now", lambda: later)
    assert not services.login_is_throttled(email="c@exemple.fr", ip_address="127.0.0.1")


def test_successful_login_clears_failures(client):
    UserFactory(email="d@exemple.fr")
    client.post("/", {"username": "d@exemple.fr", "password": "faux"})
    client.post("/", {"username": "d@exemple.fr", "password": PASSWORD})
    assert not LoginFailure.objects.filter(email="d@exemple.fr").exists()


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_lands_on_a_home_naming_its_work(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert f'data-role="{role}"' in response.content.decode()


def test_home_requires_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith("/?next=")


def test_invitation_sets_the_password_once(client):
    evaluator = UserFactory(email="eval@exemple.fr", roles=[Role.EVALUATEUR])
    token = services.invitation_issue(user=evaluator)
    url = reverse("accounts:invitation", args=[token])
    new_password = "Un-nouveau-mot-de-passe-2026"
    response = client.post(url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.check_password(new_password)
    client.logout()
    again = client.get(url)
    assert again.status_code == 404
    assert "plus valable" in again.content.decode()


def test_expired_invitation_is_refused(client):
    tutor = UserFactory(roles=[Role.TUTEUR])
    token = services.invitation_issue(user=tutor)
    Invitation.objects.filter(user=tutor).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("accounts:invitation", args=[token])).status_code == 404


def test_a_new_invitation_revokes_the_previous_one(client):
    tutor = UserFactory(roles=[Role.TUTEUR])
    first = services.invitation_issue(user=tutor)
    services.invitation_issue(user=tutor)
    assert client.get(reverse("accounts:invitation", args=[first])).status_code == 404


def test_only_the_token_digest_is_stored():
    tutor = UserFactory(roles=[Role.TUTEUR])
    token = services.invitation_issue(user=tutor)
    assert not Invitation.objects.filter(token_digest=token).exists()


def test_password_reset_sends_a_french_mail(client):
    UserFactory(email="reset@exemple.fr")
    response = client.post(reverse("accounts:password_reset"), {"email": "reset@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "nouveau mot de passe" in mail.outbox[0].body


def test_one_person_may_hold_several_roles():
    user = UserFactory(roles=[Role.FORMATEUR, Role.JURY])
    assert user.has_role(Role.FORMATEUR) and user.has_role(Role.JURY)
    assert not user.has_role(Role.EVALUATEUR)


def test_staff_send_invitations_from_the_admin_and_the_link_works_once(
    client, django_capture_on_commit_callbacks
):
    admin_user = UserFactory(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATEUR])
    tutor = UserFactory(email="tuteur.nouveau@exemple.fr", roles=[Role.TUTEUR])
    tutor.set_unusable_password()
    tutor.save()
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_invitations", "_selected_action": [tutor.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tuteur.nouveau@exemple.fr"]
    assert "activez votre compte" in message.subject
    link = next(line for line in message.body.splitlines() if "/invitation/" in line)
    path = link.split("testserver", 1)[1]
    client.logout()
    password = "Mot-de-passe-du-tuteur-2026"
    assert (
        client.post(path, {"new_password1": password, "new_password2": password}).status_code == 302
    )
    tutor.refresh_from_db()
    assert tutor.check_password(password)
    client.logout()
    assert client.get(path).status_code == 404
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_digest=token).exists()
