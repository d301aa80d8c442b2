"""The staff's lists come 50 rows a page, with their search and filters kept from page to page."""

import re

import pytest
from django.urls import reverse

from portfolio.models import Portfolio
from tests.factories import STAFF_ROLES, EnrolmentFactory, PortfolioFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(roles=STAFF_ROLES))
    return client


def rows(page: str) -> int:
    return len(re.findall(r"<tr data-portfolio=", page))


def test_the_portfolio_list_shows_50_rows_a_page_with_an_accessible_pagination(staff_client):
    for _ in range(53):
        PortfolioFactory(state=Portfolio.State.SUBMITTED)
    url = reverse("workflow:staff-portfolios")
    first = staff_client.get(url).content.decode()
    assert rows(first) == 50
    assert '<nav class="pagination" aria-label="Pages de la liste">' in first
    assert re.search(r'page=1" aria-current="page"', first)
    assert "Lignes 1 à 50 sur 53" in first
    second = staff_client.get(url, {"page": 2, "etat": "submitted"}).content.decode()
    assert rows(second) == 3
    assert 'href="?etat=submitted&amp;page=1"' in second
    # A page out of range shows the last one; a page that is no number, the first.
    assert rows(staff_client.get(url, {"page": 99}).content.decode()) == 3
    assert rows(staff_client.get(url, {"page": "x"}).content.decode()) == 50


def test_the_portfolio_list_searches_filters_and_sorts_on_the_server(staff_client):
    wanted = EnrolmentFactory(candidate=UserFactory(first_name="Ophélie", last_name="Zanetti"))
    PortfolioFactory(enrolment=wanted, state=Portfolio.State.ADMISSIBLE)
    PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
    PortfolioFactory(state=Portfolio.State.SUBMITTED)
    url = reverse("workflow:staff-portfolios")
    found = staff_client.get(url, {"q": "zanet", "etat": "admissible"}).content.decode()
    assert rows(found) == 1 and "Ophélie Zanetti" in found
    assert rows(staff_client.get(url, {"etat": "admissible"}).content.decode()) == 2
    assert rows(staff_client.get(url).content.decode()) == 1  # the files to screen, by default
    sorted_page = staff_client.get(url, {"etat": "", "tri": "-candidat"}).content.decode()
    assert rows(sorted_page) == 3
    # An unknown state or sort is refused in the form, not a server error.
    answer = staff_client.get(url, {"etat": "nimporte", "tri": "pirate"})
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
