"""The date rules of the second chances (rules.eligibility), hand-computed at both edges."""

from datetime import date

import pytest

from rules import eligibility


@pytest.mark.parametrize(
    ("on", "allowed"),
    [
        (date(2027, 5, 31), False),  # before the registration
        (date(2027, 6, 1), True),
        (date(2027, 12, 1), True),  # the evaluation date, the last day
        (date(2027, 12, 2), False),
    ],
)
def test_a_retake_portfolio_window_runs_from_registration_to_evaluation(on, allowed):
    answer = eligibility.retake_portfolio_window(
        registered_on=date(2027, 6, 1), evaluation_date=date(2027, 12, 1), on=on
    )
    assert answer.allowed is allowed


def test_an_extension_moves_a_retake_window_later_only():
    extended = eligibility.retake_portfolio_window(
        registered_on=date(2027, 6, 1),
        evaluation_date=date(2027, 12, 1),
        on=date(2027, 12, 10),
        extended_until=date(2027, 12, 10),
    )
    assert extended and "prolongation" in extended.reason
    earlier = eligibility.retake_portfolio_window(
        registered_on=date(2027, 6, 1),
        evaluation_date=date(2027, 12, 1),
        on=date(2027, 12, 1),
        extended_until=date(2027, 11, 1),
    )
    assert earlier and earlier.key_date == date(2027, 12, 1)


@pytest.mark.parametrize(
    ("start", "asked", "allowed"),
    [
        (date(2027, 3, 15), date(2027, 3, 1), False),  # not after the failed session
        (date(2027, 9, 1), date(2027, 9, 1), True),
        (date(2027, 9, 1), date(2027, 9, 2), False),  # asked after the training started
        (date(2032, 3, 15), date(2032, 1, 1), True),  # 15/03/2027 + 5 years
        (date(2032, 3, 16), date(2032, 1, 1), False),
    ],
)
def test_a_repeat_starts_after_the_jury_within_five_years_once_asked(start, asked, allowed):
    answer = eligibility.redoublement(
        failed_on=date(2027, 3, 15), request_date=asked, training_start=start, fraud=False
    )
    assert answer.allowed is allowed


@pytest.mark.parametrize(
    ("start", "asked", "allowed"),
    [
        (date(2027, 9, 14), date(2027, 8, 1), False),  # inside the 6-month wait
        (date(2027, 9, 15), date(2027, 8, 15), True),  # a month ahead, to the day
        (date(2027, 9, 15), date(2027, 8, 16), False),
    ],
)
def test_after_fraud_a_repeat_waits_six_months_and_is_asked_a_month_ahead(start, asked, allowed):
    answer = eligibility.redoublement(
        failed_on=date(2027, 3, 15), request_date=asked, training_start=start, fraud=True
    )
    assert answer.allowed is allowed
