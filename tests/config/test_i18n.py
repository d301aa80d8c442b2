"""The interface speaks French through gettext: no bare French message in the Python sources.

The check is a heuristic on what French needs and English does not: any string constant with an
accented letter must be a docstring or the literal argument of a gettext function. A message
without any accent slips through; a reviewer still has to catch those.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "referentiel", "portfolio", "workflow", "config", "documents")
GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
FRENCH_LETTER = re.compile("[àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ]")

# Whole files whose French strings are not interface messages, or cannot go through gettext.
EXCLUDED_FILES = {
    # The certification rules: pure Python with no Django import (a test enforces it), so no
    # gettext; their French reasons are part of their contract and are shown as they are.
    "rules/engine.py": "pure rules engine, no Django import",
    "rules/wording.py": "pure rules engine, no Django import",
    "rules/cc.py": "pure rules engine, no Django import",
    "rules/eligibility.py": "pure rules engine, no Django import",
    # Importable and tested without Django settings (pytest -p no:django). Their messages are
    # built from French fragments ("un document PDF", "12,5 Mo") at call time, and evaluating a
    # translation needs configured settings.
    "portfolio/filetypes/__init__.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/active.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/base.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/isobmff.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/media.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/mp3tags.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/office.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/other.py": "pure file checks, tested without Django settings",
    "portfolio/filetypes/pdf.py": "pure file checks, tested without Django settings",
    "portfolio/images.py": "pure image processing, tested without Django settings",
    "portfolio/scanning.py": "pure virus-scanner client, tested without Django settings",
    # Data, not messages: people and companies of the demo centre.
    "demo/build.py": "demo data",
    "demo/season.py": "demo data",
    "demo/common.py": "demo data",
    # Writes the référentiel (grid names, default version note) into the database, also from
    # migrations: stored content in the certifier's language, not text chosen per request.
    "referentiel/loader.py": "référentiel content stored in the database",
    # Export column headings and cell values: a documented file format (docs/documents.md) that
    # CCI France's DIPLOMATION and spreadsheets read, the same whatever the user's language.
    "documents/exports.py": "documented export file format",
}
EXCLUDED_DIRECTORIES = {"migrations", "data"}

# Single strings that are not messages.
ALLOWED_STRINGS = {
    # Words accepted in the absence column of the CC marks spreadsheet: input, not output.
    ("workflow/marks/cc.py", "présent"): "spreadsheet input vocabulary",
    ("workflow/marks/cc.py", "injustifiée"): "spreadsheet input vocabulary",
    ("workflow/marks/cc.py", "justifiée"): "spreadsheet input vocabulary",
    # The decide command's input errors are English "field: message" lines for scripts;
    # référentiel is the domain word.
    (
        "workflow/management/commands/decide.py",
        "database: the référentiel is not there; run manage.py migrate",
    ): "English machine-oriented error",
    # Column headings of the candidate import: input vocabulary, not output.
    ("documents/imports.py", "prénom"): "spreadsheet column heading",
    ("documents/imports.py", "prénom du tuteur"): "spreadsheet column heading",
    ("workflow/marks/cc_import.py", "évaluation"): "spreadsheet column heading",
    # Written into the database in place of a destroyed file's name, and searched for.
    ("documents/retention.py", "Supprimé (durée de conservation écoulée)"): "stored marker",
    ("audit/chain.py", "Supprimé (durée de conservation écoulée)"): "stored marker",
    # A proper noun, and only the default of an environment variable.
    ("config/settings.py", "CCI Formation — Centre de démonstration"): "default centre name",
}


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def bare_french_strings(source: str) -> list[tuple[int, str]]:
    """Return (line, text) of every accented string constant not marked for translation."""
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                exempt.add(id(first.value))
        elif isinstance(node, ast.Call) and _call_name(node) in GETTEXT_FUNCTIONS:
            for argument in node.args:
                if isinstance(argument, ast.Constant):
                    exempt.add(id(argument))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in exempt
        and FRENCH_LETTER.search(node.value)
    ]


def non_literal_gettext_calls(source: str) -> list[tuple[int, str]]:
    """Return (line, code) of gettext calls whose message is not a plain literal (an f-string…)."""
    return [
        (node.lineno, ast.unparse(node))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and _call_name(node) in GETTEXT_FUNCTIONS - {"format_lazy"}
        and not (
            node.args
            and all(
                isinstance(a, ast.Constant) and isinstance(a.value, str)
                for a in _message_args(node)
            )
        )
    ]


# How many leading arguments are messages; the rest (a plural's count) may be any expression.
MESSAGE_ARGUMENTS = {"ngettext": 2, "ngettext_lazy": 2, "npgettext": 3, "npgettext_lazy": 3}


def _message_args(node: ast.Call) -> list:
    return node.args[: MESSAGE_ARGUMENTS.get(_call_name(node), len(node.args))]


def checked_sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in EXCLUDED_FILES:
                continue
            if EXCLUDED_DIRECTORIES & set(path.relative_to(ROOT).parts):
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_the_checker_flags_a_bare_french_message_and_an_f_string_one():
    source = (
        '"""Module docstring, é allowed."""\n'
        "from django.utils.translation import gettext as _\n"
        "def f(name):\n"
        '    """Docstring é."""\n'
        '    ok = _("Déjà déposé %(name)s.") % {"name": name}\n'
        '    bare = "Ce dossier est archivé."\n'
        '    also_bare = f"Déposé par {name}"\n'
        '    english = "Nothing to see"\n'
        "    return ok, bare, also_bare, english\n"
    )
    assert bare_french_strings(source) == [(6, "Ce dossier est archivé."), (7, "Déposé par ")]
    assert non_literal_gettext_calls('_(f"Déposé par {name}")\n') == [
        (1, "_(f'Déposé par {name}')")
    ]


def test_every_excluded_file_exists():
    # A renamed file must not leave a stale exclusion behind that hides nothing.
    missing = [name for name in EXCLUDED_FILES if not (ROOT / name).is_file()]
    assert missing == []


@pytest.mark.parametrize("allowed", sorted(ALLOWED_STRINGS))
def test_every_allowed_string_is_still_there(allowed):
    # An allowance for a string that has gone would silently allow it to come back elsewhere.
    path, text = allowed
    source = (ROOT / path).read_text(encoding="utf-8")
    assert text in [found for _line, found in bare_french_strings(source)]


def test_no_bare_french_message_in_the_python_sources():
    offenders = [
        f"{path}:{line}: {text!r}"
        for path, source in checked_sources()
        for line, text in bare_french_strings(source)
        if (path, text) not in ALLOWED_STRINGS
    ]
    assert offenders == [], "Wrap these in gettext:\n" + "\n".join(offenders)


def test_gettext_is_given_literal_messages_only():
    # makemessages only extracts literals; an f-string would also never match the catalogue.
    offenders = [
        f"{path}:{line}: {code}"
        for path, source in checked_sources()
        for line, code in non_literal_gettext_calls(source)
    ]
    assert offenders == [], "Use _('… %(name)s …') % {...}:\n" + "\n".join(offenders)
