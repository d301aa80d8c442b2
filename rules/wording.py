"""How the rules engine writes figures and reasons in French."""

from __future__ import annotations

from decimal import (
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.engine import BlocDecision, BlocRules, PracticeDecision, PracticeRules

# Display never traps on inexact results: it exists to cut digits.
DISPLAY_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])
# Marks on 20 are computed rounded towards minus infinity, so they never exceed the exact ratio.
ON_20_CONTEXT = Context(
    prec=60, rounding=ROUND_FLOOR, traps=[InvalidOperation, DivisionByZero, Overflow]
)
CENT = Decimal("0.01")


def shown(value: Decimal) -> Decimal:
    """Return the figure shown for ``value``: truncated to 2 decimals.

    The one rule for every figure the product shows (screens, PDFs, exports, e-mails, reasons,
    ``decide``'s JSON). Truncation keeps a figure on the same side of every threshold of at
    most 2 decimals as its exact value: if ``value >= t`` then ``shown(value) >= t`` (``t`` is
    one of the values truncation may land on), and if ``value < t`` then
    ``shown(value) <= value < t`` (marks are never negative). Rounding to the nearest would
    print 499.9975 as 500.
    """
    return _to_cents(value, ROUND_DOWN)


def shown_up(value: Decimal) -> Decimal:
    """Return the figure shown for a value judged against "at most" bounds: rounded up to 2
    decimals. The absence share is one (2.5 % of absence costs 5 %, 2.51 % costs 10 %): if
    ``value <= t`` then ``shown_up(value) <= t``, and if ``value > t`` then
    ``shown_up(value) >= value > t``, so 2.5083 % reads 2,51 %, never 2,5 %."""
    return _to_cents(value, ROUND_UP)


def _to_cents(value: Decimal, rounding: str) -> Decimal:
    cents = Decimal(value).quantize(CENT, rounding=rounding, context=DISPLAY_CONTEXT)
    return cents + 0 if cents else Decimal("0.00")  # no "-0.00"


def fr_number(value: Decimal, *, up: bool = False) -> str:
    """Return the shown figure of value in French notation: 15,68 ; 87,5 ; 10 ; 499,99.

    ``up`` shows a value judged against "at most" bounds (``shown_up``), such as an absence share.
    """
    cut = shown_up(value) if up else shown(value)
    if cut == cut.to_integral_value():
        text = str(int(cut))
    else:
        text = f"{cut:f}".rstrip("0")
    return text.replace(".", ",")


def plain(value: Decimal) -> str:
    value = Decimal(value).normalize(DISPLAY_CONTEXT)
    return f"{value:f}" if abs(value.adjusted()) < 20 else str(value)


def bloc_list(numbers: tuple[str, ...]) -> str:
    if len(numbers) == 1:
        return f"bloc {numbers[0]}"
    return "blocs " + ", ".join(numbers[:-1]) + " et " + numbers[-1]


def bloc_reason(bloc: BlocDecision, rules: BlocRules) -> str:
    minimum = fr_number(rules.minimum_on_20)
    validation = fr_number(rules.validation_on_20)
    if not bloc.presented:
        return (
            f"Bloc {bloc.number} : non présenté, bloc non validé et note éliminatoire "
            "(la certification totale est exclue)"
        )
    if bloc.eliminatory:
        mark = fr_number(bloc.on_20)
        return f"Bloc {bloc.number} : {mark}/20, note éliminatoire (minimum {minimum}/20)"
    if not bloc.passed:
        mark = fr_number(bloc.on_20)
        return (
            f"Bloc {bloc.number} : {mark}/20, non éliminatoire mais insuffisant pour valider "
            f"le bloc seul ({validation}/20 requis)"
        )
    mark = fr_number(bloc.on_20)
    return f"Bloc {bloc.number} : {mark}/20, seuil de validation du bloc atteint ({validation}/20)"


def practice_reason(practice: PracticeDecision, rules: PracticeRules) -> str:
    minimum = fr_number(rules.minimum_on_20)
    points = f"{fr_number(practice.points)}/{fr_number(practice.max_points)}"
    if not practice.presented:
        return (
            "Pratique professionnelle : non présentée (mission, mémoire ou soutenance "
            "manquant), la certification totale est exclue"
        )
    if practice.passed:
        mark = fr_number(practice.on_20)
        return f"Pratique professionnelle : {points}, soit {mark}/20 (minimum {minimum}/20 atteint)"
    mark = fr_number(practice.on_20)
    return f"Pratique professionnelle : {points}, soit {mark}/20 (minimum {minimum}/20 non atteint)"


def no_title_reason(
    blocs: list[BlocDecision], practice: PracticeDecision, total_reached: bool
) -> str:
    causes = []
    not_presented = tuple(bloc.number for bloc in blocs if not bloc.presented)
    if not_presented:
        causes.append(f"{bloc_list(not_presented)} non présenté" + "s" * (len(not_presented) > 1))
    eliminatory = tuple(bloc.number for bloc in blocs if bloc.presented and bloc.eliminatory)
    if eliminatory:
        preposition = "au" if len(eliminatory) == 1 else "aux"
        causes.append(f"note éliminatoire {preposition} {bloc_list(eliminatory)}")
    if not practice.presented:
        causes.append("pratique professionnelle non présentée")
    elif not practice.passed:
        causes.append("pratique professionnelle sous le minimum")
    if not total_reached:
        causes.append("total sous le minimum")
    return "Titre non obtenu : " + " ; ".join(causes)
