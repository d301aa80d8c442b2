"""A batch upload gives every file its own title."""

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import EvidenceItem
from portfolio.services import file_title

pytestmark = pytest.mark.django_db


def competencies(portfolio):
    return [c.pk for c in portfolio.bloc.competencies.order_by("order")[:2]]


def test_a_files_default_title_is_its_name_without_the_extension():
    assert file_title("Compte rendu réunion.final.pdf") == "Compte rendu réunion.final"
    assert file_title(".pdf") == ".pdf"
    assert file_title("sans-extension") == "sans-extension"


def test_two_files_sent_together_get_two_titles_after_their_names(
    client, candidate, local_storage, portfolio
):
    client.force_login(candidate)
    client.post(
        reverse("portfolio:detail", args=[portfolio.pk]),
        {
            "files": [
                SimpleUploadedFile("Procédure achats.pdf", samples.pdf_minimal()),
                SimpleUploadedFile("Tableau de bord.docx", samples.docx()),
            ],
            "title": "Achats",
            "competencies": competencies(portfolio),
        },
    )
    assert sorted(EvidenceItem.objects.values_list("title", flat=True)) == [
        "Achats — Procédure achats",
        "Achats — Tableau de bord",
    ]


def test_the_script_sends_each_file_with_the_title_typed_for_it(
    client, candidate, local_storage, portfolio
):
    client.force_login(candidate)
    url = reverse("portfolio:detail", args=[portfolio.pk])
    headers = {"X-Requested-With": "XMLHttpRequest"}
    for name, data, title in (
        ("a.pdf", samples.pdf_minimal(), "Procédure d'achat"),
        ("b.docx", samples.docx(), "Tableau de bord des ventes"),
    ):
        answer = client.post(
            url,
            {
                "files": SimpleUploadedFile(name, data),
                "title": title,
                "competencies": competencies(portfolio),
            },
            headers=headers,
        )
        assert answer.json()["ok"] is True
    titles = dict(EvidenceItem.objects.values_list("original_name", "title"))
    assert titles == {"a.pdf": "Procédure d'achat", "b.docx": "Tableau de bord des ventes"}


def test_the_upload_form_has_the_per_file_titles_place_for_the_script(client, candidate, portfolio):
    client.force_login(candidate)
    page = client.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert "data-file-titles hidden" in page and "data-shared-title" in page
