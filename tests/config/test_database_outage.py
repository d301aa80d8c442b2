"""A database outage answers the French 503 page, wherever the request meets it."""

import socket

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from config.errors import is_database_outage
from tests.config.test_settings import PRODUCTION, run_manage
from tests.factories import UserFactory


def assert_french_503(response):
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert '<html lang="fr">' in page
    assert "Service momentanément indisponible — Preuves" in page
    assert "La base de données de Preuves ne répond pas" in page
    assert "Réessayez dans quelques minutes" in page
    assert 'href="#contenu"' in page and 'id="contenu"' in page  # the skip link works


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_lost_database_answers_the_french_503_page(client, monkeypatch, error):
    client.force_login(UserFactory())
    client.raise_request_exception = False

    def lost(*args, **kwargs):
        raise error

    # The session is read from the database on the first access: the connection fails there.
    monkeypatch.setattr(connection, "ensure_connection", lost)
    response = client.get(reverse("accounts:home"))

    assert_french_503(response)


@pytest.mark.django_db
def test_any_other_error_still_answers_the_500_page(client, monkeypatch):
    client.force_login(UserFactory())
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("accounts.views.render", broken)
    response = client.get(reverse("accounts:home"))

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_a_database_error_wrapped_in_another_is_still_an_outage():
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert is_database_outage(outer)
    assert not is_database_outage(ValueError("no"))
    assert not is_database_outage(None)


def test_a_production_server_whose_database_is_down_answers_503():
    # The real settings and middleware, in production mode, with PostgreSQL on a closed port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    code = (
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        "c.cookies['sessionid'] = 'a' * 32;"
        "r = c.get('/accueil/', secure=True);"
        "print(r.status_code, r['Retry-After']);"
        "print('La base de données de Preuves ne répond pas' in r.content.decode())"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_extra={
            **PRODUCTION,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"postgres://preuves@127.0.0.1:{closed_port}/preuves",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["503", "60", "True"]
