"""The candidates' import reads their status and applies the portfolio route's admission."""

import pytest

from accounts.models import Enrolment
from documents import services
from tests.documents.test_candidate_import import HEADER, csv_bytes
from tests.factories import STAFF_ROLES, CohortFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUS_HEADER = HEADER + ";statut"
LINE = (
    "Légaré;Anaïs;anais.legare@exemple.fr;05/03/1998;{route};Hôtel des Célestins;"
    "tuteur.celestins@exemple.fr;Faure;Hélène;{status}"
)


def run(route, status, cohort=None):
    return services.enrolments_import(
        cohort=cohort or CohortFactory(),
        filename="promo.csv",
        content=csv_bytes(LINE.format(route=route, status=status), header=STATUS_HEADER),
        actor=UserFactory(roles=STAFF_ROLES),
    )


def test_a_job_seeker_is_imported_on_the_portfolio_route():
    assert run("portefeuille", "demandeur d'emploi").valid
    assert Enrolment.objects.get().status == Enrolment.Status.DEMANDEUR_EMPLOI


def test_an_apprentice_on_the_portfolio_route_is_refused_with_its_line():
    with pytest.raises(services.ImportInvalid) as refused:
        run("portefeuille", "apprenti")
    (error,) = refused.value.report.errors
    assert error.line == 2 and "réservé aux candidats salariés" in error.message
    assert not Enrolment.objects.exists()


def test_an_unknown_status_is_explained():
    report = services.enrolments_import_check(
        cohort=CohortFactory(),
        filename="promo.csv",
        content=csv_bytes(LINE.format(route="épreuves", status="stagiaire"), header=STATUS_HEADER),
    )
    assert [e.message for e in report.errors] == [
        "Statut inconnu « stagiaire » : écrivez « salarié », « demandeur d'emploi » ou "
        "« apprenti »."
    ]


def test_a_file_without_status_keeps_the_status_already_recorded():
    cohort = CohortFactory()
    run("portefeuille", "demandeur d'emploi", cohort=cohort)
    services.enrolments_import(
        cohort=cohort,
        filename="promo.csv",
        content=csv_bytes(LINE.format(route="portefeuille", status="").rstrip(";")),
        actor=UserFactory(roles=STAFF_ROLES),
    )
    assert Enrolment.objects.get().status == Enrolment.Status.DEMANDEUR_EMPLOI
