"""The persistent navigation: each role's sections, the current one marked, no query of its own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from config.navigation import sections_for
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _links(response) -> list[tuple[str, str, bool]]:
    nav = re.search(
        r'<ul class="nav-list" id="nav-principale">(.*?)</ul>', response.content.decode(), re.S
    )
    return [
        (href, label, bool(current))
        for href, current, label in re.findall(
            r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav[1]
        )
    ]


@pytest.mark.parametrize(
    ("roles", "labels"),
    [
        (
            [Role.CANDIDAT],
            ["Mes portefeuilles", "Mon mémoire", "Mes notes", "Mes documents", "Mes enquêtes"],
        ),
        ([Role.EVALUATEUR], ["Mes évaluations", "Mes épreuves à corriger"]),
        ([Role.TUTEUR], ["Mes alternants"]),
        ([Role.FORMATEUR], ["Contrôle continu"]),
        ([Role.JURY], ["Mes jurys"]),
        (
            [Role.AUDITEUR],
            [
                "Tableau de bord",
                "Candidats",
                "Portefeuilles",
                "Mémoires",
                "Épreuves",
                "Notes des épreuves",
                "Sessions",
                "Documents",
                "Back office",
                "Enquêtes",
            ],
        ),
    ],
)
def test_each_role_sees_its_sections(client, roles, labels):
    client.force_login(UserFactory(roles=roles))
    links = _links(client.get(reverse("accounts:home")))
    assert [label for _href, label, _current in links] == ["Accueil", *labels, "Mot de passe"]
    for href, _label, _current in links:
        assert client.get(href).status_code == 200, href


def test_a_person_with_several_roles_sees_each_section_once():
    user = UserFactory(roles=[Role.CANDIDAT, Role.EVALUATEUR, Role.RESPONSABLE_EVALUATION])
    keys = [s.key for s in sections_for(user.role_set)]
    assert len(keys) == len(set(keys)) and "my-portfolios" in keys and "portfolios" in keys


@pytest.mark.parametrize(
    ("url", "current"),
    [
        (reverse("accounts:home"), "Accueil"),
        (reverse("workflow:staff-portfolios"), "Portefeuilles"),
        (reverse("workflow:staff-memoires"), "Mémoires"),
        (reverse("jury:staff_sessions"), "Sessions"),
        (reverse("jury:staff_candidates"), "Candidats"),
        (reverse("centres:invitation_list"), "Back office"),
        (reverse("documents:index"), "Documents"),
        (reverse("jury:staff_dashboard"), "Tableau de bord"),
    ],
)
def test_the_current_section_is_marked_once(client, url, current):
    client.force_login(StaffFactory())
    marked = [label for _href, label, is_current in _links(client.get(url)) if is_current]
    assert marked == [current]


def test_the_navigation_adds_no_query(client, settings):
    client.force_login(StaffFactory())
    url = reverse("centres:index")
    client.get(url)
    with CaptureQueriesContext(connection) as with_nav:
        client.get(url)
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    p
                    for p in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
                    if p != "config.navigation.navigation"
                ],
            },
        }
    ]
    with CaptureQueriesContext(connection) as without_nav:
        client.get(url)
    assert len(with_nav) == len(without_nav)


def test_the_menu_button_controls_the_list(client):
    client.force_login(StaffFactory())
    page = client.get(reverse("accounts:home")).content.decode()
    assert 'aria-controls="nav-principale"' in page and 'aria-expanded="false"' in page
    assert "{% block nav_extra %}" not in page
