"""The candidate's screens through the Django test client."""

import html

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import EvidenceItem, Portfolio
from tests.factories import STAFF_ROLES, EnrolmentFactory, UserFactory


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def signed_in(client, candidate):
    client.force_login(candidate)
    return client


def competency_ids(portfolio, count=1):
    return [c.pk for c in portfolio.bloc.competencies.order_by("order")[:count]]


@pytest.mark.django_db
def test_accounts_home_links_candidates_to_their_files(signed_in):
    page = text(signed_in.get(reverse("accounts:home")))

    assert 'data-role="candidat"' in page
    assert reverse("portfolio:home") in page


@pytest.mark.django_db
def test_home_lists_each_bloc_with_state_coverage_and_days_left(signed_in, portfolio):
    page = text(signed_in.get(reverse("portfolio:home")))

    for number in range(1, 5):
        assert f"Bloc {number}" in page
    assert "Brouillon" in page
    assert "0 compétence(s) prouvée(s) sur 10" in page
    # 15/10/2026 → 30/12/2026
    assert "(encore 76 jours)" in page
    assert reverse("portfolio:memoire", args=[portfolio.enrolment.memoires.get().pk]) in page


@pytest.mark.django_db
def test_home_offers_to_open_the_files_once_and_opening_them_works(client):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.candidate)

    assert "Ouvrir mes dossiers" in text(client.get(reverse("portfolio:home")))
    client.post(reverse("portfolio:start", args=[enrolment.pk]))

    assert Portfolio.objects.filter(enrolment=enrolment).count() == 4
    assert "Ouvrir mes dossiers" not in text(client.get(reverse("portfolio:home")))


@pytest.mark.django_db
def test_several_files_are_uploaded_in_one_post(signed_in, local_storage, portfolio):
    response = signed_in.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [
                SimpleUploadedFile("a.pdf", samples.pdf_minimal()),
                SimpleUploadedFile("b.docx", samples.docx()),
            ],
            "title": "",
            "competencies": competency_ids(portfolio, 2),
        },
    )

    assert response.status_code == 302
    # Each file titled after its own name, without the extension.
    assert sorted(EvidenceItem.objects.values_list("title", flat=True)) == ["a", "b"]
    page = text(signed_in.get(response["Location"]))
    assert "2 fichier(s) ajouté(s)" in page and "C.1.1.1" in page


@pytest.mark.django_db
def test_a_refused_file_is_reported_on_its_field_and_the_good_one_is_kept(
    signed_in, local_storage, portfolio
):
    response = signed_in.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [
                SimpleUploadedFile("facture.pdf", samples.html_document()),
                SimpleUploadedFile("ok.pdf", samples.pdf_minimal()),
            ],
            "competencies": competency_ids(portfolio),
        },
    )

    page = text(response)
    assert response.status_code == 400
    assert "« facture.pdf » : Ce fichier est un fichier HTML" in page
    assert 'aria-describedby="id_files_error id_files_helptext"' in page
    assert 'id="id_files_error"' in page
    assert list(EvidenceItem.objects.values_list("title", flat=True)) == ["ok"]


@pytest.mark.django_db
def test_a_missing_competency_is_reported_on_the_checkboxes(signed_in, local_storage, portfolio):
    response = signed_in.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {"files": [SimpleUploadedFile("a.pdf", samples.pdf_minimal())]},
    )

    page = text(response)
    assert response.status_code == 400
    assert 'id="id_competencies_error"' in page
    assert "Cochez au moins une compétence" in page
    assert not EvidenceItem.objects.exists()


@pytest.mark.django_db
def test_the_script_upload_gets_json_answers(signed_in, local_storage, portfolio):
    url = reverse("portfolio:detail", args=[portfolio.pk])
    headers = {"X-Requested-With": "XMLHttpRequest"}
    data = {"competencies": competency_ids(portfolio)}

    good = signed_in.post(
        url, {**data, "files": SimpleUploadedFile("a.pdf", samples.pdf_minimal())}, headers=headers
    )
    bad = signed_in.post(
        url, {**data, "files": SimpleUploadedFile("x.svg", samples.svg())}, headers=headers
    )

    assert good.status_code == 200 and good.json()["ok"] is True
    assert bad.status_code == 400
    assert "SVG" in bad.json()["errors"]["files"][0]["message"]


@pytest.mark.django_db
def test_another_candidate_cannot_see_or_post_to_the_portfolio(client, local_storage, portfolio):
    client.force_login(UserFactory(roles=["candidat"]))
    url = reverse("portfolio:detail", args=[portfolio.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"competencies": competency_ids(portfolio)}).status_code == 404
    assert client.get(reverse("portfolio:coverage", args=[portfolio.pk])).status_code == 404
    assert client.get(reverse("portfolio:submit", args=[portfolio.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_read_the_portfolio_without_the_upload_form(client, local_storage, portfolio):
    client.force_login(UserFactory(roles=STAFF_ROLES))

    page = text(client.get(reverse("portfolio:detail", args=[portfolio.pk])))

    assert "Bloc 1" in page or "bloc 1" in page
    assert "Ajouter des preuves" not in page


@pytest.mark.django_db
def test_coverage_page_names_the_competencies_without_evidence(
    signed_in, local_storage, portfolio, upload
):
    upload(portfolio, samples.pdf_minimal(), "a.pdf", title="Procédure achats")

    page = text(signed_in.get(reverse("portfolio:coverage", args=[portfolio.pk])))

    assert "1 compétence(s) prouvée(s) sur 10" in page
    assert "Procédure achats" in page
    assert "Compétences sans preuve" in page and "C.1.5.2" in page


@pytest.mark.django_db
def test_submission_page_requires_the_declaration_then_freezes(
    signed_in, local_storage, complete_portfolio
):
    url = reverse("portfolio:submit", args=[complete_portfolio.pk])
    page = text(signed_in.get(url))
    assert "Je déclare sur l'honneur" in page

    missing = signed_in.post(url, {})
    assert missing.status_code == 400
    assert 'id="id_declaration_error"' in text(missing)

    done = signed_in.post(url, {"declaration": "on"})
    again = signed_in.post(url, {"declaration": "on"}, follow=True)

    assert done.status_code == 302
    assert Portfolio.objects.get(pk=complete_portfolio.pk).state == "submitted"
    assert "déjà été déposé" in text(again)


@pytest.mark.django_db
def test_submission_page_explains_a_missing_competency(signed_in, local_storage, portfolio):
    response = signed_in.post(
        reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"}
    )

    assert response.status_code == 400
    assert "Compétences sans preuve" in text(response)


@pytest.mark.django_db
def test_evidence_can_be_edited_and_removed_from_the_page(
    signed_in, local_storage, portfolio, upload
):
    item = upload(portfolio, samples.pdf_minimal(), "a.pdf")

    signed_in.post(
        reverse("portfolio:evidence_edit", args=[item.pk]),
        {"title": "Compte rendu", "competencies": competency_ids(portfolio, 3)},
    )
    item.refresh_from_db()
    assert item.title == "Compte rendu" and item.competencies.count() == 3

    page = signed_in.post(reverse("portfolio:evidence_remove", args=[item.pk]))
    assert "Retirer « Compte rendu » ?" in page.content.decode()  # the summary, not done
    assert EvidenceItem.objects.exists()
    signed_in.post(reverse("portfolio:evidence_remove", args=[item.pk]), {"confirmed": "1"})
    assert not EvidenceItem.objects.exists()


@pytest.mark.django_db
def test_memoire_page_uploads_then_submits(signed_in, local_storage, memoire):
    url = reverse("portfolio:memoire", args=[memoire.pk])

    refused = signed_in.post(
        url,
        {
            "action": "upload",
            "subject": "Sujet",
            "file": SimpleUploadedFile("m.xlsx", samples.xlsx()),
        },
    )
    assert refused.status_code == 400
    assert "PDF ou un document Word" in text(refused)

    signed_in.post(
        url,
        {
            "action": "upload",
            "subject": "Dématérialiser les notes de frais",
            "file": SimpleUploadedFile("mémoire.pdf", samples.pdf_minimal()),
        },
    )
    page = text(signed_in.get(url))
    assert "mémoire.pdf" in page and "Je déclare sur l'honneur être l'auteur" in page

    signed_in.post(url, {"action": "submit", "declaration": "on"})
    memoire.refresh_from_db()
    assert memoire.state == "submitted"


@pytest.mark.django_db
def test_staff_grant_an_extension_from_their_page(client, local_storage, portfolio):
    staff = UserFactory(roles=STAFF_ROLES)
    url = reverse("portfolio:extension", args=[portfolio.pk])
    client.force_login(portfolio.enrolment.candidate)
    assert client.get(url).status_code == 404

    client.force_login(staff)
    response = client.post(url, {"until": "2027-02-15", "reason": "Congé maternité"})

    assert response.status_code == 302
    assert Portfolio.objects.get(pk=portfolio.pk).window_extended_until.isoformat() == "2027-02-15"
