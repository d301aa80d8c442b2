"""How the rules engine writes figures and reasons in French."""

from __future__ import annotations

from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.engine import BlocDecision, BlocRules, PracticeDecision, PracticeRules

# Display rounding never traps on inexact results: it exists to round.
DISPLAY_CONTEXT = Context(prec=60, traps=[InvalidOperation, DivisionByZero, Overflow])
CENT = Decimal("0.01")


def round_for_display(value: Decimal) -> Decimal:
    """Return value rounded half up to 2 decimals, the only rounding the engine does."""
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP, context=DISPLAY_CONTEXT)
    return rounded + 0 if rounded else Decimal("0.00")  # no "-0.00"


def fr_number(value: Decimal, *, below: Decimal | None = None) -> str:
    """Return value in French notation, to 2 decimals at most: 15,68 ; 87,5 ; 10.

    When ``below`` is given and value is below it, the value is rounded down rather than to
    the nearest, so that a mark of 7.9989/20 reads 7,99 and not 8, the minimum it missed.
    """
    value = Decimal(value)
    rounded = round_for_display(value)
    if below is not None and value < below and rounded >= below:
        rounded = value.quantize(CENT, rounding=ROUND_DOWN, context=DISPLAY_CONTEXT)
    if rounded == rounded.to_integral_value():
        text = str(int(rounded))
    else:
        text = f"{rounded:f}".rstrip("0")
    return text.replace(".", ",")


def fr_mark_on_20(value: Decimal, *thresholds: Decimal) -> str:
    """Return a mark on 20 for display, never rounded up onto a threshold it missed."""
    above = [Decimal(t) for t in thresholds if Decimal(value) < Decimal(t)]
    return fr_number(value, below=min(above) if above else None)


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
        mark = fr_number(bloc.on_20, below=rules.minimum_on_20)
        return f"Bloc {bloc.number} : {mark}/20, note éliminatoire (minimum {minimum}/20)"
    if not bloc.passed:
        mark = fr_number(bloc.on_20, below=rules.validation_on_20)
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
    mark = fr_number(practice.on_20, below=rules.minimum_on_20)
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
