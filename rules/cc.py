"""Continuous assessment: marks on 10, 20 or 30, averaged per module and scaled to its points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    localcontext,
)
from fractions import Fraction

from rules.engine import MAX_DECIMAL_PLACES

# A module's CC evaluations are marked on one of these scales, then scaled to its CC points.
CC_SCALES = (10, 20, 30)


CC_ABSENCE_NONE = ""


CC_ABSENCE_UNJUSTIFIED = "unjustified"


CC_ABSENCE_JUSTIFIED = "justified"


@dataclass(frozen=True)
class CCMark:
    """One CC evaluation of one candidate: a mark on ``out_of``, or an absence."""

    mark: Decimal | None
    out_of: int
    absence: str = CC_ABSENCE_NONE


def cc_mark_error(mark: CCMark) -> str | None:
    """Return why a CC mark is invalid (in French), or None when it is valid."""
    if mark.out_of not in CC_SCALES:
        scales = ", ".join(str(scale) for scale in CC_SCALES)
        return f"le barème doit être l'un de {scales}, pas {mark.out_of}"
    if mark.absence not in (CC_ABSENCE_NONE, CC_ABSENCE_UNJUSTIFIED, CC_ABSENCE_JUSTIFIED):
        return f"absence inconnue : {mark.absence}"
    if mark.absence != CC_ABSENCE_NONE:
        return "une absence ne porte pas de note" if mark.mark is not None else None
    if mark.mark is None:
        return "la note est obligatoire en l'absence d'absence déclarée"
    value = Decimal(mark.mark)
    if not value.is_finite() or value < 0 or value > mark.out_of:
        return f"la note doit être comprise entre 0 et {mark.out_of}"
    if value.as_tuple().exponent < -2:
        return "la note a au plus 2 décimales"
    return None


def module_fraction(marks, cc_points: int) -> Fraction | None:
    """Return a module's CC points as an exact fraction, or None without a mark that counts."""
    # A justified absence is left out of the mean (the evaluation is retaken); an unjustified one
    # counts 0 (RULES.md §1).
    ratios = []
    for mark in marks:
        error = cc_mark_error(mark)
        if error:
            raise ValueError(error)
        if mark.absence == CC_ABSENCE_JUSTIFIED:
            continue
        if mark.absence == CC_ABSENCE_UNJUSTIFIED:
            ratios.append(Fraction(0))
        else:
            ratios.append(Fraction(Decimal(mark.mark)) / mark.out_of)
    if not ratios:
        return None
    return sum(ratios, Fraction(0)) / len(ratios) * cc_points


def cc_points(modules) -> Decimal | None:
    """Return the CC points of modules given as ``(marks, cc_points)`` pairs, or None.

    Each module's mark is the mean of its evaluations on their scale, scaled to its CC points;
    the sum is computed exactly (as a fraction) and converted to a Decimal once. It is None
    while any module has no mark that counts yet.
    """
    total = Fraction(0)
    for marks, module_cc_points in modules:
        points = module_fraction(marks, module_cc_points)
        if points is None:
            return None
        total += points
    return fraction_to_decimal(total)


def absence_share_pct(unjustified_hours: Decimal, training_hours: Decimal) -> Decimal:
    """Return unjustified hours as a percentage of training time (RULES.md §3)."""
    training_hours = Decimal(training_hours)
    if training_hours <= 0:
        raise ValueError("Training time must be positive.")
    share = Fraction(Decimal(unjustified_hours)) * 100 / Fraction(training_hours)
    return fraction_to_decimal(min(share, Fraction(100)))


def fraction_to_decimal(value: Fraction) -> Decimal:
    """Return a fraction as a Decimal: exact when it terminates, else to MAX_DECIMAL_PLACES.

    Hours and marks carry at most two decimals, so a non-terminating value lies at least 1e-8
    away from any threshold of the règlement: rounding at the 20th decimal cannot move it across.
    """
    with localcontext(Context(prec=100)):
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        denominator = value.denominator
        for prime in (2, 5):
            while denominator % prime == 0:
                denominator //= prime
        if denominator == 1:
            quotient = quotient.normalize()
            # No exponent notation in stored values: 6E+1 is written 60.
            return quotient.quantize(Decimal(1)) if quotient.as_tuple().exponent > 0 else quotient
        return quotient.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES), rounding=ROUND_HALF_EVEN)
