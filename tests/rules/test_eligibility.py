"""Dates and eligibility rules of RULES.md §2, §4 and §6 (no database)."""

import ast
import sys
from datetime import date
from pathlib import Path

import pytest

from rules import eligibility as el
from rules.eligibility import add_months

# --- Calendar months -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 31), 6, date(2026, 6, 30)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 31), -4, date(2025, 1, 31)),
        (date(2025, 1, 10), -1, date(2024, 12, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 60, date(2029, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 6, 15), 0, date(2025, 6, 15)),
        (date(2025, 6, 15), 120, date(2035, 6, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_eligibility_is_truthy_only_when_allowed():
    assert el.Eligibility(True, "oui", None)
    assert not el.Eligibility(False, "non", None)


# --- Portfolio window: 3 to 6 months after the end of training -----------------------------

TRAINING_END = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("on", "allowed", "key_date"),
    [
        (date(2025, 9, 29), False, date(2025, 9, 30)),
        (date(2025, 9, 30), True, date(2025, 12, 30)),
        (date(2025, 11, 15), True, date(2025, 12, 30)),
        (date(2025, 12, 30), True, date(2025, 12, 30)),
        (date(2025, 12, 31), False, date(2025, 12, 30)),
    ],
)
def test_portfolio_window(on, allowed, key_date):
    result = el.portfolio_window(training_end=TRAINING_END, on=on)

    assert result.allowed is allowed
    assert result.key_date == key_date
    assert result.reason


def test_portfolio_window_too_early_says_when_it_opens():
    result = el.portfolio_window(training_end=TRAINING_END, on=date(2025, 7, 1))

    assert "30/09/2025" in result.reason


def test_portfolio_window_extension_moves_the_end_later():
    extended = date(2026, 2, 15)

    inside = el.portfolio_window(
        training_end=TRAINING_END, on=date(2026, 2, 15), extended_until=extended
    )
    after = el.portfolio_window(
        training_end=TRAINING_END, on=date(2026, 2, 16), extended_until=extended
    )

    assert inside.allowed and inside.key_date == extended
    assert "prolongation" in inside.reason
    assert not after.allowed


def test_portfolio_window_extension_never_shortens_the_window():
    result = el.portfolio_window(
        training_end=TRAINING_END, on=date(2025, 12, 1), extended_until=date(2025, 11, 1)
    )

    assert result.allowed
    assert result.key_date == date(2025, 12, 30)


# --- Bloc retake: once, within 5 years, bloc not validated ---------------------------------

DECISION = date(2025, 7, 10)


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (date(2025, 7, 10), True),
        (date(2030, 7, 10), True),
        (date(2030, 7, 11), False),
        (date(2025, 7, 9), False),
    ],
)
def test_bloc_retake_within_5_years_of_the_decision(on, allowed):
    result = el.bloc_retake(failed_on=DECISION, on=on, bloc_validated=False)

    assert result.allowed is allowed


def test_bloc_retake_gives_the_deadline():
    result = el.bloc_retake(failed_on=DECISION, on=date(2026, 1, 1), bloc_validated=False)

    assert result.key_date == date(2030, 7, 10)
    assert "10/07/2030" in result.reason


def test_bloc_retake_refused_for_a_validated_bloc():
    result = el.bloc_retake(failed_on=DECISION, on=date(2026, 1, 1), bloc_validated=True)

    assert not result.allowed
    assert "validé" in result.reason


def test_bloc_retake_allowed_only_once():
    first = el.bloc_retake(
        failed_on=DECISION, on=date(2026, 1, 1), bloc_validated=False, retakes_taken=0
    )
    second = el.bloc_retake(
        failed_on=DECISION, on=date(2026, 1, 1), bloc_validated=False, retakes_taken=1
    )

    assert first.allowed
    assert not second.allowed
    assert "un seul rattrapage" in second.reason


# --- Professional practice retake: 3 months' experience, within 5 years --------------------


@pytest.mark.parametrize(
    ("experience_start", "on", "allowed", "key_date"),
    [
        (date(2025, 9, 1), date(2025, 11, 30), False, date(2025, 12, 1)),
        (date(2025, 9, 1), date(2025, 12, 1), True, date(2030, 7, 10)),
        (date(2025, 9, 1), date(2030, 7, 10), True, date(2030, 7, 10)),
        (date(2025, 9, 1), date(2030, 7, 11), False, date(2030, 7, 10)),
        (None, date(2026, 1, 1), False, None),
        # Experience before the decision still counts, but the retake follows the decision.
        (date(2024, 1, 1), date(2025, 7, 9), False, DECISION),
        (date(2024, 1, 1), DECISION, True, date(2030, 7, 10)),
    ],
)
def test_practice_retake(experience_start, on, allowed, key_date):
    result = el.practice_retake(decision_date=DECISION, on=on, experience_start=experience_start)

    assert result.allowed is allowed
    assert result.key_date == key_date


def test_practice_retake_refused_when_practice_validated():
    result = el.practice_retake(
        decision_date=DECISION,
        on=date(2026, 1, 1),
        experience_start=date(2025, 1, 1),
        practice_validated=True,
    )

    assert not result.allowed


def test_practice_retake_without_experience_explains_the_3_months():
    result = el.practice_retake(decision_date=DECISION, on=date(2026, 1, 1), experience_start=None)

    assert "3 mois" in result.reason


# --- Retake registration: 4 months before the bloc's evaluation ----------------------------


@pytest.mark.parametrize(
    ("evaluation_date", "registered_on", "allowed", "deadline"),
    [
        (date(2026, 5, 20), date(2026, 1, 20), True, date(2026, 1, 20)),
        (date(2026, 5, 20), date(2026, 1, 21), False, date(2026, 1, 20)),
        (date(2026, 6, 30), date(2026, 2, 28), True, date(2026, 2, 28)),
        (date(2026, 6, 30), date(2026, 3, 1), False, date(2026, 2, 28)),
    ],
)
def test_retake_registration_deadline(evaluation_date, registered_on, allowed, deadline):
    result = el.retake_registration(evaluation_date=evaluation_date, registered_on=registered_on)

    assert result.allowed is allowed
    assert result.key_date == deadline


# --- Retake after a justified absence: within 6 months of the written request --------------


@pytest.mark.parametrize(
    ("retake_date", "allowed"),
    [
        (date(2025, 3, 10), True),
        (date(2025, 9, 10), True),
        (date(2025, 9, 11), False),
        (date(2025, 3, 9), False),
    ],
)
def test_justified_absence_retake_within_6_months_of_the_request(retake_date, allowed):
    result = el.justified_absence_retake(request_date=date(2025, 3, 10), retake_date=retake_date)

    assert result.allowed is allowed


def test_justified_absence_retake_names_the_deadline():
    result = el.justified_absence_retake(
        request_date=date(2025, 8, 31), retake_date=date(2026, 3, 1)
    )

    assert not result.allowed
    assert result.key_date == date(2026, 2, 28)


# --- Fraud and falsification ---------------------------------------------------------------


@pytest.mark.parametrize(("on", "allowed"), [(date(2026, 1, 14), False), (date(2026, 1, 15), True)])
def test_fraud_waiting_period_of_6_months(on, allowed):
    result = el.fraud_retake(fraud_decision_date=date(2025, 7, 15), on=on)

    assert result.allowed is allowed
    assert result.key_date == date(2026, 1, 15)


def test_fraud_retake_is_of_every_bloc():
    result = el.fraud_retake(fraud_decision_date=date(2025, 7, 15), on=date(2026, 2, 1))

    assert "toutes les évaluations de bloc" in result.reason


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(date(2025, 7, 15), False), (date(2035, 7, 14), False), (date(2035, 7, 15), True)],
)
def test_falsification_ban_of_10_years(on, allowed):
    result = el.falsification_ban(sanction_date=date(2025, 7, 15), on=on)

    assert result.allowed is allowed
    assert result.key_date == date(2035, 7, 15)


# --- Convocation, results, archives --------------------------------------------------------


@pytest.mark.parametrize(
    ("exam_date", "sent_on", "allowed", "latest"),
    [
        (date(2025, 6, 15), date(2025, 5, 15), True, date(2025, 5, 15)),
        (date(2025, 6, 15), date(2025, 5, 16), False, date(2025, 5, 15)),
        (date(2025, 3, 31), date(2025, 2, 28), True, date(2025, 2, 28)),
        (date(2025, 3, 31), date(2025, 3, 1), False, date(2025, 2, 28)),
    ],
)
def test_convocation_at_least_one_month_ahead(exam_date, sent_on, allowed, latest):
    result = el.convocation(exam_date=exam_date, sent_on=sent_on)

    assert result.allowed is allowed
    assert result.key_date == latest


LAST_EXAM = date(2025, 6, 2)


@pytest.mark.parametrize(
    ("on", "allowed", "warning"),
    [
        (date(2025, 6, 1), False, False),
        (date(2025, 6, 2), True, False),
        (date(2025, 6, 29), True, False),
        (date(2025, 6, 30), True, True),
        (date(2025, 7, 14), True, True),
        (date(2025, 7, 15), False, False),
    ],
)
def test_results_within_6_weeks_with_a_warning_from_4_weeks(on, allowed, warning):
    result = el.results_disclosure(last_exam_date=LAST_EXAM, on=on)

    assert result.allowed is allowed
    assert result.warning is warning
    if on >= LAST_EXAM:
        assert result.key_date == date(2025, 7, 14)


@pytest.mark.parametrize(("on", "allowed"), [(date(2026, 6, 1), False), (date(2026, 6, 2), True)])
def test_archives_kept_at_least_one_year(on, allowed):
    result = el.archive_disposal(archived_on=date(2025, 6, 2), on=on)

    assert result.allowed is allowed
    assert result.key_date == date(2026, 6, 2)


def test_eligibility_module_imports_only_the_standard_library():
    source = Path(el.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])

    assert imported <= set(sys.stdlib_module_names)
