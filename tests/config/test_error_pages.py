"""Error pages are French, say what to do next, and sit in the site's layout."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults
from django.views.csrf import csrf_failure

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gives_the_french_404_page(client):
    response = client.get("/nulle-part/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in page
    assert "Page introuvable — Preuves" in page
    assert "Retour à l'accueil" in page


def test_the_404_page_is_the_same_for_everyone_and_leads_home(client):
    # Identical bytes for any two people: a refused file must look exactly like a missing one.
    first = client.get("/nulle-part/").content
    client.force_login(UserFactory())
    second = client.get("/nulle-part/").content
    assert first == second
    assert 'href="/accueil/"' in second.decode()


def test_a_refusal_gives_the_french_403_page():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    response = defaults.permission_denied(request, PermissionDenied())
    page = response.content.decode()
    assert response.status_code == 403
    assert "Accès refusé — Preuves" in page
    assert "contactez le centre de certification" in page


def test_a_server_error_page_needs_no_context_and_is_french():
    response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in page
    assert "Réessayez dans quelques minutes" in page


def test_a_stale_form_explains_how_to_send_it_again():
    response = csrf_failure(RequestFactory().post("/"), reason="CSRF token missing.")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Le formulaire a expiré" in page
    assert "rechargez la page" in page
