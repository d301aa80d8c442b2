"""Tenancy of documents: each establishment's staff see, issue, export, archive and import their
own establishment's only; another's answer 404, as missing ones."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Enrolment
from documents import services
from documents.models import IssuedDocument
from tests.documents.conftest import response_bytes
from tests.factories import STAFF_ROLES, CohortFactory, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    session_with_candidate,
)
from workflow.jury import deliberation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def world():
    """Lyon's closed session with one decided candidate, its procès-verbal issued; Grenoble's
    staff and cohort."""
    session, members, lyon_staff, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    pv = services.proces_verbal_issue(session=session, actor=lyon_staff)
    grenoble = EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "session": session,
        "enrolment": enrolment,
        "lyon_staff": lyon_staff,
        "pv": pv,
        "grenoble": grenoble,
        "grenoble_cohort": CohortFactory(establishment=grenoble, name="Grenoble 2026"),
        "grenoble_staff": UserFactory(roles=STAFF_ROLES, roles__establishment=grenoble),
    }


def _url(world, name):
    s, e = world["session"].pk, world["enrolment"].pk
    args = {
        "documents:session": [s],
        "documents:proces_verbal": [s],
        "documents:session_results_export:csv": [s, "csv"],
        "documents:session_results_export:xlsx": [s, "xlsx"],
        "documents:session_archive": [s],
        "documents:convocation": [s, e],
        "documents:result:releve": [s, e, "releve"],
        "documents:candidate": [e],
        "documents:cohort_progress_export": [world["enrolment"].cohort_id, "csv"],
        "documents:download": [world["pv"].reference],
    }[name]
    return reverse(name.split(":")[0] + ":" + name.split(":")[1], args=args)


# The documents' own URLs: a GET downloads the one in force, a POST issues it.
ISSUING = [
    "documents:proces_verbal",
    "documents:session_archive",
    "documents:convocation",
    "documents:result:releve",
]
ALL_PAGES = [
    "documents:session",
    "documents:proces_verbal",
    "documents:session_results_export:csv",
    "documents:session_results_export:xlsx",
    "documents:session_archive",
    "documents:convocation",
    "documents:result:releve",
    "documents:candidate",
    "documents:cohort_progress_export",
    "documents:download",
]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_another_establishments_staff_get_404_and_nothing_is_issued(client, world, name):
    issued = IssuedDocument.objects.count()
    client.force_login(world["grenoble_staff"])
    assert client.get(_url(world, name)).status_code == 404
    if name in ISSUING:
        assert client.post(_url(world, name)).status_code == 404
    assert IssuedDocument.objects.count() == issued
    client.force_login(world["lyon_staff"])
    assert client.get(_url(world, name)).status_code == 200


def test_the_index_lists_only_the_establishments_sessions_and_cohorts(client, world):
    client.force_login(world["grenoble_staff"])
    context = client.get(reverse("documents:index")).context
    assert list(context["sessions"]) == []
    assert list(context["cohorts"]) == [world["grenoble_cohort"]]


def test_the_verification_does_not_disclose_another_establishments_documents(client, world):
    client.force_login(world["grenoble_staff"])
    page = client.post(reverse("documents:verify"), {"reference": world["pv"].reference})
    assert page.context["result"].document is None
    assert "Aucun document" in page.content.decode()
    client.force_login(world["lyon_staff"])
    page = client.post(reverse("documents:verify"), {"reference": world["pv"].reference})
    assert page.context["result"].document == world["pv"]


def test_the_workload_export_counts_only_the_establishments_assignments(client, world):
    from tests.factories import AssignmentFactory, EvaluatorFactory

    evaluator = EvaluatorFactory(last_name="Picard", first_name="Agnès")
    AssignmentFactory(evaluator=evaluator)  # a Lyon candidate's portfolio
    client.force_login(world["grenoble_staff"])
    text = client.get(reverse("documents:workload_export", args=["csv"])).content.decode()
    row = next(line for line in text.splitlines() if line.startswith("Picard"))
    assert row.split(";")[3:8] == ["0", "0", "0", "0", "0"]
    client.force_login(world["lyon_staff"])
    text = client.get(reverse("documents:workload_export", args=["csv"])).content.decode()
    row = next(line for line in text.splitlines() if line.startswith("Picard"))
    assert row.split(";")[3] == "1"


def _csv(email="jeanne.martin@exemple.fr"):
    content = (
        "nom;prénom;e-mail;date de naissance;voie;entreprise;e-mail du tuteur;"
        "nom du tuteur;prénom du tuteur\n"
        f"Martin;Jeanne;{email};01/02/1999;portefeuille;Alpha;tuteur@alpha.fr;Durand;Paul\n"
    ).encode()
    return SimpleUploadedFile("candidats.csv", content, "text/csv")


def test_the_import_offers_only_the_users_cohorts_and_refuses_another(client, world):
    client.force_login(world["grenoble_staff"])
    form = client.get(reverse("documents:candidate_import")).context["form"]
    assert list(form.fields["cohort"].queryset) == [world["grenoble_cohort"]]
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": world["enrolment"].cohort_id, "file": _csv()},
    )
    assert response.status_code == 200
    assert "Choisissez une promotion de votre établissement" in response.content.decode()
    assert "confirm_form" not in response.context
    assert not Enrolment.objects.filter(candidate__email="jeanne.martin@exemple.fr").exists()
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": world["grenoble_cohort"].pk, "file": _csv()},
    )
    assert response.context["report"].valid


def test_the_import_service_refuses_another_establishments_cohort(world):
    with pytest.raises(services.ImportRefused):
        services.enrolments_import(
            cohort=world["enrolment"].cohort,
            filename="candidats.csv",
            content=_csv().read(),
            actor=world["grenoble_staff"],
        )
    assert not Enrolment.objects.filter(candidate__email="jeanne.martin@exemple.fr").exists()


def test_an_auditor_reads_every_establishment_but_issues_and_imports_nothing(client, world):
    client.force_login(UserFactory(roles=["auditeur"]))
    issued = IssuedDocument.objects.count()
    assert client.get(_url(world, "documents:session")).status_code == 200
    assert client.get(_url(world, "documents:candidate")).status_code == 200
    response = client.get(_url(world, "documents:download"))
    assert response.status_code == 200 and response_bytes(response).startswith(b"%PDF")
    # The procès-verbal in force downloads; the documents not issued yet are not offered.
    response = client.get(_url(world, "documents:proces_verbal"))
    assert response_bytes(response) == world["pv"].file.open("rb").read()
    for name in ("documents:session_archive", "documents:convocation", "documents:result:releve"):
        assert client.get(_url(world, name)).status_code == 404, name
    for name in ISSUING:
        assert client.post(_url(world, name)).status_code == 403, name
    assert client.get(_url(world, "documents:session_results_export:csv")).status_code == 403
    assert client.get(reverse("documents:candidate_import")).status_code == 403
    assert IssuedDocument.objects.count() == issued
    assert "Importer des candidats" not in client.get(reverse("documents:index")).content.decode()


def test_the_responsable_devaluation_does_not_issue_documents(client, world):
    lyon = world["session"].establishment
    client.force_login(UserFactory(roles=["responsable_evaluation"], roles__establishment=lyon))
    issued = IssuedDocument.objects.count()
    assert client.get(_url(world, "documents:session_results_export:xlsx")).status_code == 403
    for name in ISSUING:
        assert client.post(_url(world, name)).status_code == 403, name
    assert client.get(_url(world, "documents:session_archive")).status_code == 404
    assert IssuedDocument.objects.count() == issued
    page = client.get(_url(world, "documents:session")).content.decode()
    assert "proces-verbal.pdf" not in page and "archive.zip" not in page
    # but imports the establishment's candidates (either responsable's back office)
    assert client.get(reverse("documents:candidate_import")).status_code == 200


def test_the_issue_services_refuse_a_staff_member_without_the_certification_duty(world):
    lyon = world["session"].establishment
    evaluation = UserFactory(roles=["responsable_evaluation"], roles__establishment=lyon)
    for actor in (evaluation, world["grenoble_staff"], UserFactory(roles=["auditeur"])):
        with pytest.raises(services.DocumentRefused):
            services.session_archive_issue(session=world["session"], actor=actor)
        with pytest.raises(services.DocumentRefused):
            services.releve_issue(
                session=world["session"], enrolment=world["enrolment"], actor=actor
            )


def test_an_administrator_issues_in_every_establishment(client, world):
    client.force_login(UserFactory(roles=["administrateur"]))
    response = client.get(client.post(_url(world, "documents:session_archive")).url)
    assert response.status_code == 200
    assert io.BytesIO(response_bytes(response)).read(2) == b"PK"
    assert client.get(_url(world, "documents:session_results_export:csv")).status_code == 200
