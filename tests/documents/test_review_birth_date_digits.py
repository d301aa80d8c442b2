"""Candidate import: a birth date holding « ² » (a digit for str.isdigit(), not for int()) is an
error of its line, not a 500."""

import pytest

from documents import services
from tests.documents.test_candidate_import import csv_bytes
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def test_a_superscript_in_a_birth_date_is_an_error_of_its_line():
    line = "Martin;Paul;paul.martin@exemple.fr;0²/02/2000;portefeuille;ACME;tuteur.acme@x.fr;A;B"
    report = services.enrolments_import_check(
        cohort=CohortFactory(), filename="promo.csv", content=csv_bytes(line)
    )
    assert (2, "date de naissance") in {(error.line, error.column) for error in report.errors}
