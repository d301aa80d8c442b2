"""Every address the README names answers, for the person the README says it is for."""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from accounts.models import Role
from tests.factories import EvaluatorFactory, JuryUserFactory, StaffFactory, UserFactory

README = Path(__file__).resolve().parents[2] / "README.md"
# A path in backquotes: `/jury/centre/`. Patterns with a parameter (`/travaux/<id>/…`) are
# read as patterns, not addresses.
PATH = re.compile(r"`(/[^`\s<>]*)`")

# The first cell of a row of « What each user does », and who that is.
WHO = {
    "Candidate": lambda: UserFactory(roles=[Role.CANDIDAT]),
    "External evaluator": lambda: EvaluatorFactory(),
    "Examiner": lambda: EvaluatorFactory(),
    "Tutor": lambda: UserFactory(roles=[Role.TUTEUR]),
    "Trainer": lambda: UserFactory(roles=[Role.FORMATEUR]),
    "Responsable du processus d'évaluation": lambda: UserFactory(
        roles=[Role.RESPONSABLE_EVALUATION]
    ),
    "Responsable du processus de certification": lambda: UserFactory(
        roles=[Role.RESPONSABLE_CERTIFICATION]
    ),
    "Either responsable": lambda: StaffFactory(),
    "Jury member": lambda: JuryUserFactory(),
    "National administrator": lambda: administrator(),
    "National auditor": lambda: UserFactory(roles=[Role.AUDITEUR]),
}


def administrator():
    return UserFactory(roles=[Role.ADMINISTRATEUR], is_staff=True, is_superuser=True)


def readme_paths() -> list[tuple[str | None, str]]:
    """Return (who, path) for every path in the README; who is None outside the roles table."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        first_cell = line.split("|")[1].strip() if line.startswith("|") else ""
        who = next((name for name in WHO if first_cell.startswith(name)), None)
        found.extend((who, path) for path in PATH.findall(line))
    return found


def test_the_readme_names_the_paths_of_every_role():
    paths = readme_paths()
    assert {who for who, _path in paths if who} >= set(WHO) - {"National auditor"}
    assert len(paths) >= 12


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path"), readme_paths())
def test_every_readme_path_answers_for_its_role(client, who, path):
    try:
        resolve(path)
    except Resolver404:
        pytest.fail(f"README names {path}, which no URL pattern matches")
    if path != "/":
        client.force_login(WHO[who]() if who else administrator())
    response = client.get(path)
    assert response.status_code in {200, 302}, (who, path, response.status_code)
    if response.status_code == 302:
        # Sent on somewhere, not back to the sign-in page.
        assert not response["Location"].startswith(("/?next=", "/connexion/")), (who, path)
