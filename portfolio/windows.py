"""The portfolio presentation window: 3 to 6 months after the end of training (RULES.md §2).

A local copy of ``workflow.eligibility.portfolio_window`` (same signature, same answer) until
that module reaches main; then this module should simply re-export it. Pure Python: the caller
passes today from its own time seam. Bounds are inclusive.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

PORTFOLIO_WINDOW_START_MONTHS = 3
PORTFOLIO_WINDOW_END_MONTHS = 6


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str
    key_date: date | None
    warning: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def add_months(day: date, months: int) -> date:
    """Return day moved by a number of calendar months, clamped to the end of the month."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def window_bounds(*, training_end: date, extended_until: date | None = None) -> tuple[date, date]:
    """Return the first and the last day a portfolio may be presented."""
    opens = add_months(training_end, PORTFOLIO_WINDOW_START_MONTHS)
    closes = add_months(training_end, PORTFOLIO_WINDOW_END_MONTHS)
    if extended_until is not None and extended_until > closes:
        closes = extended_until
    return opens, closes


def portfolio_window(
    *, training_end: date, on: date, extended_until: date | None = None
) -> Eligibility:
    """Return whether a portfolio may be presented on a day: 3 to 6 months after training.

    ``extended_until`` is an extension granted by the establishment; it can only move the end of
    the window later.
    """
    opens, closes = window_bounds(training_end=training_end, extended_until=extended_until)
    extended = closes != add_months(training_end, PORTFOLIO_WINDOW_END_MONTHS)
    if on < opens:
        return Eligibility(
            False,
            "Le portefeuille ne peut être présenté qu'à partir de 3 mois après la fin de la "
            f"formation, soit le {fr_date(opens)}.",
            opens,
        )
    if on > closes:
        return Eligibility(
            False,
            f"La période de présentation du portefeuille s'est terminée le {fr_date(closes)}"
            + (" (prolongation comprise)." if extended else " (6 mois après la formation)."),
            closes,
        )
    return Eligibility(
        True,
        f"Le portefeuille peut être présenté jusqu'au {fr_date(closes)}"
        + (" (prolongation accordée)." if extended else "."),
        closes,
    )
