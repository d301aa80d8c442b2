"""The certification rules of a title (RULES.md §3), as pure Python.

This module is the only place where a certification decision is computed: the jury screen,
the procès-verbal, the candidate's result page, exports and ``manage.py decide`` all call
``decide``. It imports nothing from Django (a test enforces it) and takes every number from a
``TitleRules`` built from the référentiel data, never from constants written here.

Every comparison is exact: a mark on 20 is compared through a cross-multiplication of
decimals (``points × 20 >= threshold × max``), so 87.5/175 is exactly 10/20 and 69.99/175 is
below 8/20 even though it is 7.9988…/20. Marks on 20 are kept to 60 significant digits
(rounded down) for display, and every figure is shown through ``wording.shown``: truncated to
2 decimals, so that it stays on the same side of every threshold as the exact value.

Under fraud the session is invalidated: no bloc and no practice is ``passed``, and the reasons
say so and claim no threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)

from rules.wording import (
    ON_20_CONTEXT,
    bloc_list,
    bloc_reason,
    fr_number,
    no_title_reason,
    plain,
    practice_reason,
)

OUTCOME_TOTAL = "total"
OUTCOME_PARTIAL = "partial"
OUTCOME_NONE = "none"
OUTCOMES = (OUTCOME_NONE, OUTCOME_PARTIAL, OUTCOME_TOTAL)  # from worst to best

# Sums and products of marks must be exact: any rounding raises instead of passing silently.
# Inputs are limited to MAX_DECIMAL_PLACES decimals and their range, so 100 digits is ample.
_EXACT = Context(prec=100, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded])
# A mark on 20 may not terminate (x / 175 × 20): it is only displayed, never compared.
MAX_DECIMAL_PLACES = 20

_TWENTY = Decimal(20)
_HUNDRED = Decimal(100)

# Unjustified absence bands (RULES.md §3): (upper bound inclusive, penalty on the tutor mark).
# Above the last bound there is no automatic figure and the case goes to the jury.
ABSENCE_BANDS = (
    (Decimal(0), Decimal(0)),
    (Decimal("2.5"), Decimal(5)),
    (Decimal(5), Decimal(10)),
    (Decimal(10), Decimal(15)),
)


class InvalidCase(ValueError):
    """A case that cannot be decided: names the offending field (``blocs.2.cc``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- What the title requires --------------------------------------------------------------


@dataclass(frozen=True)
class BlocRules:
    number: str
    cc_max: Decimal
    exam_max: Decimal
    minimum_on_20: Decimal
    validation_on_20: Decimal

    @property
    def max_points(self) -> Decimal:
        return self.cc_max + self.exam_max


@dataclass(frozen=True)
class PracticeRules:
    written_max: Decimal
    oral_max: Decimal
    tutor_max: Decimal
    minimum_on_20: Decimal

    @property
    def max_points(self) -> Decimal:
        return self.written_max + self.oral_max + self.tutor_max


@dataclass(frozen=True)
class TitleRules:
    blocs: tuple[BlocRules, ...]
    practice: PracticeRules
    total_points: Decimal
    pass_points: Decimal

    def __post_init__(self) -> None:
        numbers = [bloc.number for bloc in self.blocs]
        if not numbers:
            raise ValueError("A title needs at least one bloc.")
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"Bloc numbers must be unique: {numbers}.")
        maxima = [self.practice.max_points, *(bloc.max_points for bloc in self.blocs)]
        if any(value <= 0 for value in maxima):
            raise ValueError("Every bloc and the professional practice need points.")
        if sum(maxima, Decimal(0)) != self.total_points:
            raise ValueError(
                f"The blocs and the practice sum to {sum(maxima, Decimal(0))}, "
                f"not to the title's {self.total_points} points."
            )

    def bloc(self, number: str) -> BlocRules:
        for bloc in self.blocs:
            if bloc.number == number:
                return bloc
        raise KeyError(number)

    @property
    def bloc_numbers(self) -> tuple[str, ...]:
        return tuple(sorted((bloc.number for bloc in self.blocs), key=bloc_sort_key))


# --- What the candidate did ---------------------------------------------------------------


@dataclass(frozen=True)
class BlocResult:
    cc: Decimal
    exam: Decimal
    presented: bool = True


@dataclass(frozen=True)
class PracticeResult:
    written: Decimal
    oral: Decimal
    tutor: Decimal
    presented: bool = True
    absence_pct: Decimal = Decimal(0)


@dataclass(frozen=True)
class Case:
    blocs: Mapping[str, BlocResult]
    practice: PracticeResult
    fraud: bool = False


# --- The decision -------------------------------------------------------------------------


@dataclass(frozen=True)
class BlocDecision:
    number: str
    points: Decimal
    max_points: Decimal
    on_20: Decimal
    presented: bool
    passed: bool
    eliminatory: bool


@dataclass(frozen=True)
class PracticeDecision:
    points: Decimal
    max_points: Decimal
    on_20: Decimal
    tutor_after_penalty: Decimal
    presented: bool
    passed: bool


@dataclass(frozen=True)
class Decision:
    outcome: str
    points_total: Decimal
    blocs: tuple[BlocDecision, ...]
    practice: PracticeDecision
    tutor_penalty_pct: Decimal | None
    referred_to_jury: bool
    validated_blocs: tuple[str, ...]
    reasons: tuple[str, ...] = field(default=())

    def bloc(self, number: str) -> BlocDecision:
        for bloc in self.blocs:
            if bloc.number == number:
                return bloc
        raise KeyError(number)

    @property
    def title_awarded(self) -> bool:
        return self.outcome == OUTCOME_TOTAL


def bloc_sort_key(number: str) -> tuple[int, int, str]:
    """Return a key ordering bloc numbers numerically ("2" before "10")."""
    if number.isdigit():
        return (0, int(number), "")
    return (1, 0, number)


def outcome_rank(outcome: str) -> int:
    """Return the rank of an outcome: none < partial < total."""
    return OUTCOMES.index(outcome)


def absence_penalty(absence_pct: Decimal) -> tuple[Decimal | None, bool]:
    """Return (penalty % on the tutor mark, referred to the jury) for an unjustified absence.

    Bands are closed on their upper bound: 2.5 % costs 5 %, 2.51 % costs 10 %. Above 10 % the
    règlement gives no figure: the penalty is None and the case is referred to the jury.
    """
    absence_pct = Decimal(absence_pct)
    if not absence_pct.is_finite() or absence_pct < 0 or absence_pct > _HUNDRED:
        raise ValueError(f"An absence share is a percentage from 0 to 100, not {absence_pct}.")
    for upper_bound, penalty in ABSENCE_BANDS:
        if absence_pct <= upper_bound:
            return penalty, False
    return None, True


def on_20(points: Decimal, max_points: Decimal) -> Decimal:
    """Return points / max × 20 to 60 significant digits, rounded down (exact when it
    terminates): never above the exact ratio, so its shown figure never crosses a threshold."""
    with localcontext(ON_20_CONTEXT):
        return points * _TWENTY / max_points


def reaches(points: Decimal, max_points: Decimal, threshold_on_20: Decimal) -> bool:
    """Return whether points / max × 20 >= threshold, compared exactly."""
    with localcontext(_EXACT):
        return points * _TWENTY >= threshold_on_20 * max_points


# How close to a threshold a result must be for the jury to look at it twice (its own filter on
# the deliberation screen): one point out of 20 on a bloc or the practice, 20 points in all.
NEAR_ON_20 = Decimal(1)
NEAR_TOTAL_POINTS = Decimal(20)


def near_threshold(decision: Decision, rules: TitleRules) -> bool:
    """Return whether a presented bloc, the practice or the total lies within the margin of a
    threshold it must reach (below or above it)."""
    with localcontext(_EXACT):
        for bloc in decision.blocs:
            if not bloc.presented:
                continue
            bloc_rules = rules.bloc(bloc.number)
            for threshold in (bloc_rules.minimum_on_20, bloc_rules.validation_on_20):
                if abs(bloc.points * _TWENTY - threshold * bloc.max_points) <= (
                    NEAR_ON_20 * bloc.max_points
                ):
                    return True
        practice = decision.practice
        if practice.presented and abs(
            practice.points * _TWENTY - rules.practice.minimum_on_20 * practice.max_points
        ) <= (NEAR_ON_20 * practice.max_points):
            return True
        return abs(decision.points_total - rules.pass_points) <= NEAR_TOTAL_POINTS


def decide(case: Case, rules: TitleRules) -> Decision:
    """Return the decision for one candidate's case under the title's rules (RULES.md §3)."""
    _validate(case, rules)
    with localcontext(_EXACT):
        return _decide(case, rules)


def _decide(case: Case, rules: TitleRules) -> Decision:
    reasons: list[str] = []

    bloc_decisions = []
    for number in rules.bloc_numbers:
        bloc_rules = rules.bloc(number)
        result = case.blocs[number]
        points = Decimal(result.cc) + Decimal(result.exam)
        max_points = bloc_rules.max_points
        passed = (
            not case.fraud
            and result.presented
            and reaches(points, max_points, bloc_rules.validation_on_20)
        )
        eliminatory = not result.presented or not reaches(
            points, max_points, bloc_rules.minimum_on_20
        )
        decision = BlocDecision(
            number=number,
            points=points,
            max_points=max_points,
            on_20=on_20(points, max_points),
            presented=result.presented,
            passed=passed,
            eliminatory=eliminatory,
        )
        bloc_decisions.append(decision)
        reasons.append(bloc_reason(decision, bloc_rules))

    practice_rules = rules.practice
    given = case.practice
    practice = PracticeResult(
        written=Decimal(given.written),
        oral=Decimal(given.oral),
        tutor=Decimal(given.tutor),
        presented=given.presented,
        absence_pct=Decimal(given.absence_pct),
    )
    penalty_pct, referred = absence_penalty(practice.absence_pct)
    if penalty_pct is None:
        tutor_after_penalty = practice.tutor
        reasons.append(
            f"Absence injustifiée de {fr_number(practice.absence_pct, up=True)} % du temps de "
            f"formation (plus de {fr_number(ABSENCE_BANDS[-1][0])} %) : pas de pénalité "
            f"automatique, la note du tuteur ({fr_number(practice.tutor)}/"
            f"{fr_number(practice_rules.tutor_max)}) est retenue sans pénalité pour ce calcul et "
            "la décision est renvoyée au jury"
        )
    else:
        tutor_after_penalty = practice.tutor * (_HUNDRED - penalty_pct) / _HUNDRED
        if penalty_pct:
            reasons.append(
                f"Absence injustifiée de {fr_number(practice.absence_pct, up=True)} % du temps de "
                f"formation : pénalité de {fr_number(penalty_pct)} % sur la note du tuteur "
                f"({fr_number(practice.tutor)} → {fr_number(tutor_after_penalty)}"
                f"/{fr_number(practice_rules.tutor_max)})"
            )
    practice_points = practice.written + practice.oral + tutor_after_penalty
    practice_max = practice_rules.max_points
    practice_passed = (
        not case.fraud
        and practice.presented
        and reaches(practice_points, practice_max, practice_rules.minimum_on_20)
    )
    practice_decision = PracticeDecision(
        points=practice_points,
        max_points=practice_max,
        on_20=on_20(practice_points, practice_max),
        tutor_after_penalty=tutor_after_penalty,
        presented=practice.presented,
        passed=practice_passed,
    )
    reasons.append(practice_reason(practice_decision, practice_rules))

    points_total = sum((bloc.points for bloc in bloc_decisions), practice_points)
    total_reached = points_total >= rules.pass_points
    reasons.append(
        f"Total : {fr_number(points_total)}/{fr_number(rules.total_points)} "
        + (
            f"(minimum {fr_number(rules.pass_points)}/{fr_number(rules.total_points)} atteint)"
            if total_reached
            else f"(minimum {fr_number(rules.pass_points)}/{fr_number(rules.total_points)} "
            "non atteint)"
        )
    )

    passed_numbers = tuple(bloc.number for bloc in bloc_decisions if bloc.passed)
    all_presented = practice.presented and all(bloc.presented for bloc in bloc_decisions)
    title = (
        not case.fraud
        and all_presented
        and total_reached
        and practice_passed
        and not any(bloc.eliminatory for bloc in bloc_decisions)
    )

    if case.fraud:
        # The marks no longer count: no reason may claim a threshold, only the invalidation.
        outcome, validated = OUTCOME_NONE, ()
        reasons = [
            "Fraude établie : la session est invalidée, aucun bloc n'est validé "
            "(attestation de suivi de formation)"
        ]
    elif title:
        outcome, validated = OUTCOME_TOTAL, rules.bloc_numbers
        reasons.append("Certification totale : le titre est obtenu, tous les blocs sont validés")
    else:
        validated = passed_numbers
        outcome = OUTCOME_PARTIAL if validated else OUTCOME_NONE
        reasons.append(no_title_reason(bloc_decisions, practice_decision, total_reached))
        if validated:
            reasons.append(
                "Certification partielle : "
                + bloc_list(validated)
                + (" conservé (certificat de bloc)" if len(validated) == 1 else " conservés")
            )
        else:
            reasons.append("Aucun bloc validé : attestation de suivi de formation")

    return Decision(
        outcome=outcome,
        points_total=points_total,
        blocs=tuple(bloc_decisions),
        practice=practice_decision,
        tutor_penalty_pct=penalty_pct,
        referred_to_jury=referred,
        validated_blocs=validated,
        reasons=tuple(reasons),
    )


# --- Validation ---------------------------------------------------------------------------


def _validate(case: Case, rules: TitleRules) -> None:
    expected = set(rules.bloc_numbers)
    given = set(case.blocs)
    for number in sorted(given - expected, key=bloc_sort_key):
        raise InvalidCase(
            f"blocs.{number}",
            f"unknown bloc (the title has blocs {', '.join(rules.bloc_numbers)})",
        )
    for number in sorted(expected - given, key=bloc_sort_key):
        raise InvalidCase(f"blocs.{number}", "missing bloc")
    for number in rules.bloc_numbers:
        bloc_rules = rules.bloc(number)
        result = case.blocs[number]
        _check_mark(f"blocs.{number}.cc", result.cc, bloc_rules.cc_max)
        _check_mark(f"blocs.{number}.exam", result.exam, bloc_rules.exam_max)
        _check_flag(f"blocs.{number}.presented", result.presented)
    practice = case.practice
    _check_mark("practice.written", practice.written, rules.practice.written_max)
    _check_mark("practice.oral", practice.oral, rules.practice.oral_max)
    _check_mark("practice.tutor", practice.tutor, rules.practice.tutor_max)
    _check_mark("practice.absence_pct", practice.absence_pct, _HUNDRED)
    _check_flag("practice.presented", practice.presented)
    _check_flag("fraud", case.fraud)


def _check_mark(field_name: str, value: object, maximum: Decimal) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidCase(field_name, f"must be a Decimal or an int, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise InvalidCase(field_name, "must be a finite number")
    if value < 0 or value > maximum:
        raise InvalidCase(field_name, f"must be between 0 and {plain(maximum)}, not {plain(value)}")
    if value.as_tuple().exponent < -MAX_DECIMAL_PLACES:
        raise InvalidCase(field_name, f"has more than {MAX_DECIMAL_PLACES} decimal places")


def _check_flag(field_name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidCase(field_name, f"must be true or false, not {type(value).__name__}")


# --- Display ------------------------------------------------------------------------------


# --- Continuous assessment and attendance (RULES.md §1, §3) -------------------------------
