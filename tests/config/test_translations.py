"""French is the language of the interface; the English catalogue translates it."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portfolio.models import Portfolio
from portfolio.services import PORTFOLIO_DECLARATION, PortfolioError
from portfolio.services.common import _require_candidate

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, list[str]]:
    """Return each msgid of a .po file with its msgstr (one per plural form)."""
    fields: list[list[str]] = []  # [keyword, text], continuation lines joined
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith('"'):
            fields[-1][1] += ast.literal_eval(line)
        elif line.startswith(("msgid", "msgstr")):
            keyword, literal = line.split(" ", 1)
            fields.append([keyword, ast.literal_eval(literal)])
    entries: dict[str, list[str]] = {}
    msgid = ""
    for keyword, text in fields:
        if keyword == "msgid":
            msgid = text
            entries[msgid] = []
        elif keyword.startswith("msgstr"):
            entries[msgid].append(text)
    entries.pop("", None)  # the header
    return entries


def test_the_english_catalogue_translates_every_message():
    untranslated = [
        msgid for msgid, forms in po_entries(CATALOGUE / "django.po").items() if "" in forms
    ]
    assert untranslated == []


def test_the_committed_mo_file_matches_the_po_file():
    # Nothing compiles messages at build time: a stale .mo would show old translations.
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, forms in po_entries(CATALOGUE / "django.po").items()
        if len(forms) == 1 and compiled.gettext(msgid) != forms[0]
    ]
    assert stale == []


@pytest.mark.parametrize(
    ("french", "english"),
    [
        ("Connexion à Preuves", "Sign in to Preuves"),
        ("Mes dossiers", "My files"),
        ("Déposer le portefeuille", "Submit the portfolio"),
    ],
)
def test_english_translates_and_french_stays_french(french, english):
    with translation.override("en"):
        assert translation.gettext(french) == english
    with translation.override("fr"):
        assert translation.gettext(french) == french


def test_lazy_labels_and_placeholders_follow_the_active_language():
    with translation.override("en"):
        assert Portfolio.State.RETURNED.label == "Returned for additions"
        assert str(PORTFOLIO_DECLARATION).startswith("I declare on my honour")
        assert translation.gettext("Bloc %(number)s") % {"number": 2} == "Block 2"
    with translation.override("fr"):
        assert Portfolio.State.RETURNED.label == "Renvoyé pour compléments"
        assert str(PORTFOLIO_DECLARATION).startswith("Je déclare sur l'honneur")


def test_a_service_refusal_is_worded_in_the_active_language():
    class Someone:
        pk = -1

    class Enrolment:
        candidate_id = 0

    with translation.override("en"), pytest.raises(PortfolioError) as english:
        _require_candidate(Someone(), Enrolment())
    with translation.override("fr"), pytest.raises(PortfolioError) as french:
        _require_candidate(Someone(), Enrolment())
    assert english.value.message == "Only the candidate may modify or submit this file."
    assert french.value.message == "Seul le candidat peut modifier ou déposer ce dossier."


@pytest.mark.django_db
def test_the_login_page_follows_the_browser_language(client):
    english = client.get("/", headers={"accept-language": "en"})
    french = client.get("/", headers={"accept-language": "fr"})
    default = client.get("/")
    assert "Sign in to Preuves" in english.text
    assert "Connexion à Preuves" in french.text
    assert "Connexion à Preuves" in default.text
