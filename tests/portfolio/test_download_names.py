"""Download names never name a Windows device (CON, NUL, COM1…), whatever the case or extension."""

import pytest
import samples
from django.urls import reverse

from portfolio.download_names import download_name, is_reserved

DEVICES = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"] + [
    f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789¹²³"
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("shape", ["{}", "{}.pdf", "{}.tar.gz", "{} .docx", "{}.", "{}  "])
@pytest.mark.parametrize("case", [str.upper, str.lower, str.title])
def test_every_device_name_with_or_without_extension_in_any_case_is_renamed(device, shape, case):
    name = shape.format(case(device))

    cleaned = download_name(name)

    assert is_reserved(name)
    assert not is_reserved(cleaned)
    assert cleaned.startswith("_")
    assert cleaned.lstrip("_").upper().startswith(device.upper())
    assert not cleaned.endswith((".", " "))


@pytest.mark.parametrize(
    "name",
    [
        "console.pdf",
        "CONTRAT.docx",
        "com10.txt",
        "LPT.pdf",
        "auxiliaire.mp3",
        "nul-part.png",
        "COM0.pdf",
        "compte rendu.pdf",
        "mon CON.pdf",
        "rapport.con",
    ],
)
def test_ordinary_names_that_merely_look_alike_are_kept(name):
    assert not is_reserved(name)
    assert download_name(name) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "fichier"),
        (None, "fichier"),
        ("...", "fichier"),
        ("a<b>c:d.pdf", "a_b_c_d.pdf"),
        ("dossier/nul.pdf", "dossier_nul.pdf"),
        ("rapport. ", "rapport"),
    ],
)
def test_forbidden_characters_and_trailing_dots_are_cleaned(name, expected):
    assert download_name(name) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("uploaded", "offered"), [("nul.pdf", "_nul.pdf"), ("Com1.PDF", "_Com1.PDF")]
)
def test_a_download_offers_a_name_windows_can_save(
    client, local_storage, portfolio, upload, candidate, uploaded, offered
):
    item = upload(portfolio, samples.pdf_minimal(), uploaded)
    client.force_login(candidate)

    response = client.get(reverse("portfolio:evidence_download", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{offered}"'


def test_archive_entries_never_name_a_device():
    from documents.archive import _safe_name

    assert _safe_name("CON.pdf") == "_con.pdf"
    assert _safe_name("aux") == "_aux"
    assert _safe_name("compte-rendu.pdf") == "compte-rendu.pdf"
