"""The portfolio presentation window: 3 to 6 months after the end of training (RULES.md §2).

The rule itself lives in ``rules.eligibility`` (pure functions of dates); this module adds the
bounds the candidate's screens show.
"""

from __future__ import annotations

from datetime import date

from rules.eligibility import (
    PORTFOLIO_WINDOW_END_MONTHS,
    PORTFOLIO_WINDOW_START_MONTHS,
    Eligibility,
    add_months,
    fr_date,
    portfolio_window,
    retake_portfolio_window,
)


def window_bounds(
    *,
    training_end: date,
    extended_until: date | None = None,
    retake_registered_on: date | None = None,
    retake_evaluation_date: date | None = None,
) -> tuple[date, date]:
    """Return the first and the last day a portfolio may be presented.

    A retake attempt's window runs from its registration to its evaluation date.
    """
    if retake_evaluation_date is not None:
        opens, closes = retake_registered_on or retake_evaluation_date, retake_evaluation_date
    else:
        opens = add_months(training_end, PORTFOLIO_WINDOW_START_MONTHS)
        closes = add_months(training_end, PORTFOLIO_WINDOW_END_MONTHS)
    if extended_until is not None and extended_until > closes:
        closes = extended_until
    return opens, closes


__all__ = [
    "Eligibility",
    "add_months",
    "fr_date",
    "portfolio_window",
    "retake_portfolio_window",
    "window_bounds",
]
