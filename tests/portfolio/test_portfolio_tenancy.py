"""A candidate's files per establishment: the staff of another establishment find nothing; the
window extension is the responsable d'évaluation's (or a national administrator's)."""

from datetime import date

import pytest
import samples
from django.urls import reverse

from accounts.models import Role
from portfolio import services
from portfolio.models import Portfolio
from portfolio.services import PortfolioError
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

EXTENSION = {"until": "2027-02-15", "reason": "Congé maternité"}


@pytest.fixture
def people():
    lyon = EstablishmentFactory()
    grenoble = EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "lyon_evaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=lyon
        ),
        "lyon_certification": UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=lyon
        ),
        "grenoble_staff": UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble),
        "grenoble_evaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=grenoble
        ),
        "auditor": UserFactory(roles=[Role.AUDITEUR]),
        "administrator": UserFactory(roles=[Role.ADMINISTRATEUR]),
    }


def extended_until(portfolio):
    return Portfolio.objects.get(pk=portfolio.pk).window_extended_until


def test_another_establishments_staff_find_none_of_the_files(
    client, local_storage, portfolio, memoire, upload, people
):
    # The portfolio fixture's cohort belongs to the suite's default establishment (Lyon).
    item = upload(portfolio, samples.pdf_minimal(), "procédure.pdf")
    urls = [
        reverse("portfolio:detail", args=[portfolio.pk]),
        reverse("portfolio:coverage", args=[portfolio.pk]),
        reverse("portfolio:extension", args=[portfolio.pk]),
        reverse("portfolio:evidence_download", args=[item.pk]),
        reverse("portfolio:memoire", args=[memoire.pk]),
    ]
    client.force_login(people["grenoble_staff"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[2], EXTENSION).status_code == 404
    assert extended_until(portfolio) is None
    client.force_login(people["lyon_certification"])
    for url in urls[:2] + urls[3:]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["auditor", "lyon_certification"])
def test_readers_cannot_extend_the_window(client, local_storage, portfolio, who, people):
    client.force_login(people[who])
    page = client.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    url = reverse("portfolio:extension", args=[portfolio.pk])
    assert url not in page
    assert client.get(url).status_code == 403
    assert client.post(url, EXTENSION).status_code == 403
    assert extended_until(portfolio) is None


@pytest.mark.parametrize("who", ["lyon_evaluation", "administrator"])
def test_the_responsable_devaluation_and_the_administrator_extend_it(
    client, local_storage, portfolio, who, people
):
    client.force_login(people[who])
    page = client.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    url = reverse("portfolio:extension", args=[portfolio.pk])
    assert url in page
    assert client.post(url, EXTENSION).status_code == 302
    assert extended_until(portfolio).isoformat() == EXTENSION["until"]


@pytest.mark.parametrize("who", ["grenoble_evaluation", "auditor", "lyon_certification"])
def test_the_extension_service_refuses_those_without_the_duty_here(portfolio, who, people):
    with pytest.raises(PortfolioError) as refused:
        services.portfolio_extension_grant(
            portfolio=portfolio, actor=people[who], until=date(2027, 2, 15), reason="Congé"
        )
    assert refused.value.code == "forbidden"
    assert extended_until(portfolio) is None
